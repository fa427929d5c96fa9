"""docs/ stays true to the code: every path and module it names exists, and every example table
of docs/rules.md holds for the functions of app/rules."""
from __future__ import annotations

import importlib.util
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from app.rules.codes import Gender
from app.rules.fees import FeeSplit, batch_totals, district_notice_amount
from app.rules.idcard import mask_id, parse_mainland_id, upgrade_legacy_id
from app.rules.phone import normalize_phone
from app.rules.retirement import RetirementCategory, retirement_age, retirement_date

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted((ROOT / "docs").glob("*.md"))
RULES = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")


def code_spans(text: str) -> list[str]:
    return re.findall(r"`([^`\n]+)`", re.sub(r"^```.*?^```", "", text, flags=re.S | re.M))


def named_paths(text: str) -> list[str]:
    """Repository paths and dotted modules a page names in backticks."""
    names = []
    for span in code_spans(text):
        if re.fullmatch(r"(app|server|tests|bench|docs|resources|installer)/[\w/.-]*", span):
            names.append(span)
        elif re.fullmatch(r"(app|server)(\.\w+)+", span):
            names.append(span)
    return names


def resolves(dotted: str) -> bool:
    """A module, or an attribute of one (`app.__version__`, `server.db.IN_LIST`)."""
    try:
        if importlib.util.find_spec(dotted) is not None:
            return True
    except ModuleNotFoundError:  # the parent is a module, not a package: `dotted` names an attribute
        pass
    module, _, attribute = dotted.rpartition(".")
    return importlib.util.find_spec(module) is not None and hasattr(importlib.import_module(module), attribute)


@pytest.mark.parametrize("page", DOCS, ids=lambda p: p.name)
def test_every_named_path_and_module_exists(page: Path) -> None:
    missing = []
    for name in named_paths(page.read_text(encoding="utf-8")):
        if "/" in name:
            if not (ROOT / name).exists():
                missing.append(name)
        elif not resolves(name):
            missing.append(name)
    assert not missing, f"docs/{page.name} names what does not exist: {missing}"


def test_the_path_check_can_fail() -> None:
    assert named_paths("see `app/rules/idcard.py`, `app.rules.fees` and `not a path`") == [
        "app/rules/idcard.py", "app.rules.fees"]
    assert not (ROOT / "app/rules/nothing.py").exists()
    assert resolves("app.rules.fees") and resolves("app.__version__") and not resolves("app.rules.nothing")


def table(heading: str) -> list[list[str]]:
    """The rows of the first table after the line starting with `heading` (header row dropped)."""
    lines = RULES[RULES.index(heading):].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def test_id_examples() -> None:
    rows = table("| number | birth date | gender |")
    assert len(rows) == 3
    for number, birth, gender in rows:
        parsed = parse_mainland_id(number, date(2026, 12, 1))
        assert parsed.birth_date == date.fromisoformat(birth)
        assert parsed.gender == Gender(gender)
    for legacy, full in table("| legacy 15-digit number |"):
        assert upgrade_legacy_id(legacy) == full


def test_masking_examples() -> None:
    for number, shown in table("| number | shown as |"):
        assert mask_id(number) == shown


def test_phone_examples() -> None:
    for typed, stored in table("| typed | stored |"):
        assert normalize_phone(typed) == stored


CATEGORIES = {"men": RetirementCategory.MEN, "women 55": RetirementCategory.WOMEN_55,
              "women 50": RetirementCategory.WOMEN_50}


def test_retirement_examples() -> None:
    rows = table("| birth month | category | age | retires in |")
    assert len(rows) == 13
    for birth_month, category, age, retires_in in rows:
        birth = date.fromisoformat(birth_month + "-15")
        years, months = re.fullmatch(r"(\d+)y(\d+)m", age).groups()  # type: ignore[union-attr]
        assert retirement_age(birth, CATEGORIES[category]) == (int(years), int(months))
        assert retirement_date(birth, CATEGORIES[category]).isoformat()[:7] == retires_in


def test_fee_examples() -> None:
    split = FeeSplit.from_strings("26", "13", "13", "0")
    rows = table("| members | fee | city | district | grassroots |")
    assert len(rows) == 3
    for count, fee, city, district, grassroots in rows:
        totals = batch_totals(int(count), split)
        assert (totals.fee, totals.city, totals.district, totals.grassroots) == tuple(
            Decimal(v) for v in (fee, city, district, grassroots))
    amount = re.search(r"District notice: (\d+) A-class members at a ([\d.]+) district share → ([\d.]+) 元", RULES)
    assert amount is not None
    assert split.district == Decimal(amount.group(2))
    assert district_notice_amount({"A": int(amount.group(1))}, {"A": split}) == Decimal(amount.group(3))


def test_the_readme_points_here_and_not_outside() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/README.md" in readme
    assert "../shared" not in readme

"""`union-server campaign create --file F.toml | show`: the center's campaign, validated, replaced
only before its enrollment opens, published to every union's feed."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from server import cli as server_cli
from server.db import open_database, session
from server.models import Campaign, Change

GOOD = """
plan_year = 2031
union_categories = ["linked_enterprise", "flexible"]
[windows]
fee_window = ["2030-10-25", "2030-10-31"]
enrollment = ["2030-10-01", "2030-12-25"]
submission_window = ["2030-12-26", "2030-12-31"]
voucher_deadline = "2030-12-31"
coverage = ["2031-01-01", "2031-12-31"]
[bank_account]
name = "上海市职工保障互助中心会员专享保障专户"
number = "316023-03002745697"
bank = "上海银行人民广场支行"
[half_year]
enabled = true
from_month = 7
price_factor = "0.5"
[plan_types.A]
fee = "26"
city = "13"
district = "13"
grassroots = "0"
[plan_types.B]
fee = "16"
city = "8"
district = "8"
grassroots = "0"
"""


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    assert server_cli.main(["init-demo", "--db", url, "--password", "x-Password-123", "--members", "0"]) == 0
    return url


def _create(db: str, tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    path = tmp_path / "campaign.toml"
    path.write_text(text, encoding="utf-8")
    code = server_cli.main(["campaign", "--db", db, "create", "--file", str(path), "--json"])
    captured = capsys.readouterr()
    return code, captured.out if code == 0 else captured.err


def test_create_show_and_publish(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _create(db, tmp_path, GOOD, capsys)
    assert code == 0, out
    config = json.loads(out)
    assert config["plan_year"] == 2031 and config["version"] == 1 and config["voucher_deadline"] == "2030-12-31"
    assert [p["plan_type"] for p in config["plan_types"]] == ["A", "B"]
    assert config["union_categories"] == ["linked_enterprise", "flexible"]
    assert server_cli.main(["campaign", "--db", db, "show", "--plan-year", "2031", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["bank_account"]["bank"] == "上海银行人民广场支行"
    # Before its enrollment opens the same year may be replaced (a new version) — and every union learns it.
    code, out = _create(db, tmp_path, GOOD.replace('fee = "16"\ncity = "8"\ndistrict = "8"', 'fee = "18"\ncity = "9"\ndistrict = "9"'), capsys)
    assert code == 0 and json.loads(out)["version"] == 2
    open_database(db)
    with session():
        assert Campaign.select().where(Campaign.plan_year == 2031).count() == 1
        feeds = Change.select().where((Change.entity == "campaign") & (Change.entity_key == "2031"))
        assert feeds.count() == 2 * 5  # twice, to each of the demo's five unions
        # What the PCs cache: the campaign's own categories and deadlines, not the defaults.
        assert {tuple(c.payload["union_categories"]) for c in feeds} == {("linked_enterprise", "flexible")}
        assert {c.payload["voucher_deadline"] for c in feeds} == {"2030-12-31"}


@pytest.mark.parametrize("change,words", [
    (('district = "13"', 'district = "12"'), "保障类型 A"),
    (('submission_window = ["2030-12-26"', 'submission_window = ["2030-12-20"'), "时间顺序"),
    (('coverage = ["2031-01-01"', 'coverage = ["2031-02-01"'), "coverage"),
    (('plan_year = 2031', 'plan_year = "2031"'), "plan_year"),
    (('[plan_types.B]', '[plan_types.C]'), "保障类型 C"),
    (('number = "316023-03002745697"', 'number = ""'), "bank_account"),
    (('fee_window = ["2030-10-25", "2030-10-31"]', 'fee_window = ["2030-10-31", "2030-10-25"]'), "早于"),
    (('union_categories = ["linked_enterprise", "flexible"]', 'union_categories = ["retired"]'), "union_categories"),
    (('union_categories = ["linked_enterprise", "flexible"]', 'union_categories = []'), "union_categories"),
])
def test_invalid_campaigns_are_refused(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       change: tuple[str, str], words: str) -> None:
    assert change[0] in GOOD
    code, err = _create(db, tmp_path, GOOD.replace(*change), capsys)
    assert code == 2 and words in err, err


def test_a_running_campaign_is_not_replaced(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    open_database(db)
    with session():
        year = Campaign.select().first().plan_year  # the demo's: its enrollment opened 30 days ago
    text = GOOD.replace("2031", str(year)).replace("2030", str(year - 1))
    code, err = _create(db, tmp_path, text, capsys)
    assert code == 2 and "已开始办理" in err

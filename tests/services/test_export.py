"""Member export: the list's filter and order, masked numbers unless asked, progress, cancel,
and a full export that imports back unchanged."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.models import Member
from app.models.queries import (
    MemberFilter,
    count_members,
    iter_member_rows,
    member_page,
)
from app.paths import Profile
from app.rules.codes import Category
from app.services import importer, spreadsheets
from app.services.members import current_union


class Stop(Exception):
    pass


def _cells(path: Path) -> list[list[object]]:
    return [list(r) for r in load_workbook(path)["会员信息"].iter_rows(values_only=True)]


def test_masked_by_default(demo_profile: Profile, tmp_path: Path) -> None:
    union = current_union().id
    seen: list[tuple[int, int]] = []
    result = spreadsheets.export_members(union, MemberFilter(), tmp_path / "会员.xlsx",
                                         progress=lambda d, t: seen.append((d, t)))
    rows = _cells(tmp_path / "会员.xlsx")
    assert rows[0] == [c.header for c in spreadsheets.EXPORT_COLUMNS]
    assert len(rows) - 1 == result.rows == Member.select().count() and not result.full_ids
    text = "\n".join(str(v) for row in rows for v in row)
    for m in Member.select():
        assert m.id_number not in text and (not m.phone or m.phone not in text)
    assert "****" in rows[1][3] and seen[-1] == (result.rows, result.rows)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_full_ids_filter_and_order(demo_profile: Profile, tmp_path: Path) -> None:
    union = current_union().id
    f = MemberFilter(category=Category.FLEXIBLE)
    result = spreadsheets.export_members(union, f, tmp_path / "full.xlsx", full_ids=True, sort_key="name",
                                         descending=True)
    rows = _cells(tmp_path / "full.xlsx")[1:]
    expected = member_page(union, f, "name", True, 0, 10_000)
    assert result.rows == count_members(union, f) == len(rows) and result.full_ids
    assert [r[3] for r in rows] == [e["id_number"] for e in expected]
    ws = load_workbook(tmp_path / "full.xlsx")["会员信息"]
    assert ws["D2"].number_format == "@" and ws["G2"].is_date


def test_keyset_iteration_matches_paging(demo_profile: Profile) -> None:
    union = current_union().id
    for key in ("member_no", "name", "birth_date", "phone", "enterprise", "id_expiry", "card_status"):
        for descending in (False, True):
            paged = [r["id"] for r in member_page(union, MemberFilter(), key, descending, 0, 10_000)]
            streamed = [r["id"] for r in iter_member_rows(union, MemberFilter(), key, descending, batch=7)]
            assert streamed == paged, (key, descending)


def test_cancel_leaves_no_file(demo_profile: Profile, tmp_path: Path) -> None:
    def progress(done: int, total: int) -> None:
        if done >= 100:
            raise Stop

    with pytest.raises(Stop):
        spreadsheets.export_members(current_union().id, MemberFilter(), tmp_path / "out" / "x.xlsx",
                                   progress=progress)
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_full_export_imports_back_unchanged(demo_profile: Profile, tmp_path: Path) -> None:
    union = current_union().id
    f = MemberFilter(category=Category.FLEXIBLE)
    out = tmp_path / "flexible.xlsx"
    spreadsheets.export_members(union, f, out, full_ids=True)
    options = importer.ImportOptions(union_id=union, category=Category.FLEXIBLE, today=date.today())
    plan = importer.prepare_import(out, options)
    assert not plan.errors, plan.errors[:3]
    assert (len(plan.new_rows), len(plan.updates), plan.unchanged) == (0, 0, count_members(union, f))
    masked = tmp_path / "masked.xlsx"
    spreadsheets.export_members(union, f, masked)
    plan = importer.prepare_import(masked, options)
    assert plan.failed == count_members(union, f) and {e.column for e in plan.errors} >= {"证件号码"}

"""`union-clerk-cli fees show|set`, `stats download` and `district notice` against a real loopback
server (SQLite and PostgreSQL): the district's split refused outside the fee window (error, action,
problem), saved inside, and seen by a grassroots clerk in the enrollment wizard's header after a
sync; the 集中参保统计表 opened with openpyxl, its totals equal to the batches; the notice again."""
from __future__ import annotations

import subprocess
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from test_server_review import _submit
from test_server_review_cli import Cli
from union_server_testkit import G1_CARDED, G2_CARDED, PASSWORD, Server, Session

from server.campaigns import shanghai_today
from server.db import session
from server.models import Campaign, Submission


def _move_fee_window(server: Server, days: int) -> None:
    """Put the campaign's fee window `days` away from today (the server's clock judges it)."""
    today = shanghai_today(server.ctx)
    with session():
        Campaign.update(fee_window_start=today + timedelta(days=days - 3),
                        fee_window_end=today + timedelta(days=days + 3)).execute()


def _header(server: Server, root: Path) -> str:
    """The clerk's enrollment wizard header after a sync (the card channel, plan type A)."""
    from app.models import Member, close_database, open_database
    from app.paths import Profile
    from app.services import enrollment
    from app.sync import account

    profile = Profile(root).create()
    open_database(profile.database, backup_dir=profile.backups)
    try:
        signed = account.sign_in(server.url, "grassroots", PASSWORD, profile_root=profile.root)
        signed.engine.sync()
        ids = [m.id for m in Member.select().where(Member.card_no.is_null(False))]
        draft = enrollment.draft(signed.engine.union_id, server.plan_year, "A", channel="card", member_ids=ids)
        return str(draft.header)
    finally:
        close_database()


def test_fee_commands_and_the_clerks_header(server: Server, tmp_path: Path, file_keyring: Path,
                                            capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    before = _header(server, tmp_path / "clerk")
    assert "可参保人数：4人" in before and "区局/各级工会缴费：52元；基层单位缴费：0元" in before

    district = Cli(server, tmp_path, "district", capsys, monkeypatch)
    code, rows = district.run("fees", "show", "--json")
    assert code == 0 and [r["plan_type"] for r in rows] == ["A", "B", "A_PLUS", "B_PLUS"]
    assert rows[0]["editable"] is True and rows[0]["district"] == "13.00"

    _move_fee_window(server, -20)  # the window closed a fortnight ago
    code, [refused] = district.run("fees", "set", "--plan-type", "A", "--district", "10", "--grassroots", "3", "--json")
    assert code == 2 and refused["problem"] == "fee_window_closed"
    assert "调整时间" in refused["error"] and "职保中心" in refused["action"]
    _move_fee_window(server, 0)
    code, [bad] = district.run("fees", "set", "--plan-type", "A", "--district", "10", "--grassroots", "1", "--json")
    assert code == 2 and bad["problem"] == "validation" and "等于参保费用" in bad["action"]
    code, [saved] = district.run("fees", "set", "--plan-type", "A", "--district", "10", "--grassroots", "3", "--json")
    assert code == 0 and (saved["district"], saved["grassroots"], saved["source"]) == ("10.00", "3.00", "district")

    after = _header(server, tmp_path / "clerk")
    assert "保障费用：104元；市总统一划拨：52元；区局/各级工会缴费：40元；基层单位缴费：12元。" in after

    clerk2 = Cli(server, tmp_path, "grassroots2", capsys, monkeypatch)
    code, [refused] = clerk2.run("fees", "show", "--json")
    assert code == 2 and refused["problem"] == "union_scope" and refused["action"]


def _batch_sums(server: Server) -> dict[str, Any]:
    with session():
        subs = list(Submission.select().where(Submission.status != "returned"))
    out: dict[str, Any] = {"count": sum(s.member_count for s in subs), "card": 0, "ss": 0}
    for s in subs:
        out[s.channel] += s.member_count
    for key in ("fee", "city", "district", "grassroots"):
        out[key] = sum((Decimal(s.totals[key]) for s in subs), Decimal(0))
    return out


def test_statistics_download_and_the_notice_again(server: Server, clerk: Session, clerk2: Session, tmp_path: Path,
                                                  file_keyring: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    first = _submit(clerk, G1_CARDED[:3])
    _submit(clerk2, G2_CARDED[:2], channel="card")
    district = Cli(server, tmp_path, "district", capsys, monkeypatch)
    out = tmp_path / "统计表.xlsx"
    code, [done] = district.run("stats", "download", "--out", str(out), "--json")
    assert code == 0 and done["rows"] == 2 and Path(done["path"]) == out

    sheet = load_workbook(out).active
    assert "集中参保统计表" in sheet["A1"].value and sheet.print_title_rows == "$3:$3"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    header = [c.value for c in sheet[3]]
    col = {name: i for i, name in enumerate(header)}
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=4)]
    *unions, total = rows
    assert total[0] == "合计" and len(unions) == 2
    assert all(sheet.cell(row=4 + i, column=col["组织机构代码"] + 1).data_type == "s" for i in range(2))
    assert {r[col["组织机构代码"]] for r in unions} == {server.union("grassroots"), server.union("grassroots2")}
    sums = _batch_sums(server)
    assert total[col["参保人数合计"]] == sums["count"] == 5 and total[col["会员卡参保人数"]] == sums["card"]
    assert total[col["社保卡参保人数"]] == sums["ss"]
    for head, key in (("保障费用(元)", "fee"), ("市总统一划拨(元)", "city"), ("区局/各级工会缴费(元)", "district"),
                      ("基层单位缴费(元)", "grassroots")):
        assert Decimal(str(total[col[head]])) == sums[key], head
        assert sum(Decimal(str(r[col[head]])) for r in unions) == sums[key]
    g1 = next(r for r in unions if r[col["组织机构代码"]] == server.union("grassroots"))
    assert (g1[col["状态"]], g1[col["每人费用及分担(元)\n费用=市总+区局+基层"]]) == ("区局确认中", "26=13+13+0")

    assert district.run("review", "approve", first, "--json")[0] == 0
    code, [receipt] = district.run("district", "submit", "--handler-name", "王经办", "--handler-phone", "13812345678",
                                   "--out", str(tmp_path / "first.pdf"), "--json")
    assert code == 0
    again = tmp_path / "告知书-再次下载.pdf"
    code, [notice] = district.run("district", "notice", receipt["batch_no"], "--out", str(again), "--json")
    assert code == 0 and notice["amount"] == receipt["amount"] == "39.00"
    flat = "".join(subprocess.run(["pdftotext", "-layout", str(again), "-"], capture_output=True,
                                  text=True).stdout.split())
    assert "参加A类会员共计3人" in flat and "参保资金总额为39元" in flat and receipt["batch_no"] in flat
    code, [missing] = district.run("district", "notice", "QJ-NO-SUCH", "--out", str(again), "--json")
    assert code == 2 and missing["problem"] == "union_scope"

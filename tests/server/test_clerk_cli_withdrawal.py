"""`union-clerk-cli withdrawal request|list|approve|refuse|local` against a real loopback server: the
clerk's request, the district's list and decisions, one JSON object a line, exit 2 refused; what
the clerk's PC kept of them after a sync (local, offline)."""
from __future__ import annotations

from pathlib import Path

import pytest

from test_server_review_cli import Cli
from test_server_withdrawals import _card_batch, _outcomes, slow_issuer
from union_server_testkit import G1_NO_CARD, Server, Session

__all__ = ["slow_issuer"]


def test_withdrawal_commands(server: Server, clerk: Session, tmp_path: Path, file_keyring: Path,
                             capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                             slow_issuer: None) -> None:
    first, second = _card_batch(clerk, G1_NO_CARD[:1]), _card_batch(clerk, G1_NO_CARD[1:])
    grassroots = Cli(server, tmp_path, "grassroots", capsys, monkeypatch)
    code, [asked] = grassroots.run("withdrawal", "request", first, "--reason", "照片未采集", "--json")
    assert code == 0 and (asked["batch_no"], asked["status"]) == (first, "pending")
    code, [refused] = grassroots.run("withdrawal", "request", first, "--reason", "again", "--json")
    assert code == 2 and "等待区局(产业)工会审核" in refused["error"]
    second_id = grassroots.run("withdrawal", "request", second, "--reason", "人员填错", "--json")[1][0]["id"]
    code, kept = grassroots.run("withdrawal", "local", "--json")  # the request pulled the batches' state
    assert code == 0 and {(r["batch_no"], r["status_label"], r["reason"]) for r in kept} == {
        (first, "撤销审核中", "照片未采集"), (second, "撤销审核中", "人员填错")}

    district = Cli(server, tmp_path, "district", capsys, monkeypatch)
    code, rows = district.run("withdrawal", "list", "--json")
    assert code == 0 and [r["batch_no"] for r in rows] == [first, second]
    code, [done] = district.run("withdrawal", "approve", str(asked["id"]), "--json")
    assert code == 0 and (done["status"], done["batch_status"]) == ("approved", "withdrawn")
    assert _outcomes(first) == {"withdrawn"}
    code, [no] = district.run("withdrawal", "refuse", str(second_id), "--reason", "已送制卡", "--json")
    assert code == 0 and (no["status_label"], no["decision_reason"]) == ("未同意撤销", "已送制卡")
    code, mine = grassroots.run("withdrawal", "list", "--status", "all", "--json")
    assert code == 0 and {r["status"] for r in mine} == {"approved", "refused"}
    code, [scope] = grassroots.run("withdrawal", "approve", str(second_id), "--json")
    assert code == 2 and scope["error"]
    assert grassroots.run("sync", "--json")[0] == 0
    code, kept = grassroots.run("withdrawal", "local", "--json")
    rows = {r["batch_no"]: (r["batch_status"], r["status_label"], r["decision_reason"]) for r in kept}
    assert code == 0 and rows[first] == ("withdrawn", "已撤销", None) and set(rows) == {first, second}
    assert rows[second][1:] == ("不同意撤销", "已送制卡") and rows[second][0] != "withdrawn"  # its cards are made

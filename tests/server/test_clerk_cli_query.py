"""`union-clerk-cli query enrollment|coverage|payouts` against a real loopback server: one JSON
object a line, masked numbers in the rows and in the .xlsx export, the account's scope, exit 2
for a refusal."""
from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.rules.idcard import mask_id
from server.db import session
from server.payouts import load_payout_rows
from test_server_review_cli import Cli, _submit
from union_server_testkit import G1_CARDED, Server, Session


def test_query_commands(server: Server, clerk: Session, tmp_path: Path, file_keyring: Path,
                        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    batch = _submit(clerk, G1_CARDED[:2])
    with session():
        loaded = load_payout_rows(server.ctx, [{"理赔编号": "LP7", "证件号码": G1_CARDED[0], "姓名": "甲0",
                                                "保障年度": str(server.plan_year), "给付类型": "住院医疗",
                                                "给付金额": "88.80", "给付日期": "2025-06-01"}])
    assert loaded.errors == [] and loaded.loaded == 1
    district = Cli(server, tmp_path, "district", capsys, monkeypatch)
    code, [row] = district.run("query", "enrollment", G1_CARDED[0], "--json")
    assert code == 0 and (row["batch_no"], row["id_masked"]) == (batch, mask_id(G1_CARDED[0]))

    out = tmp_path / "cover.xlsx"
    code, lines = district.run("query", "coverage", "--batch", batch, "--out", str(out), "--json")
    assert code == 0 and lines[-1] == {"exported": str(out), "count": 2}
    assert sorted(r["id_masked"] for r in lines[:-1]) == sorted(mask_id(n) for n in G1_CARDED[:2])
    sheet = load_workbook(out).active
    cells = [[str(c.value or "") for c in r] for r in sheet.iter_rows()]
    assert cells[0][:3] == ["姓名", "证件号码", "会员卡号"]
    assert sorted(r[1] for r in cells[1:]) == sorted(mask_id(n) for n in G1_CARDED[:2])
    assert not any(n in "".join(sum(cells, [])) for n in G1_CARDED)  # no full number in the export

    code, [paid] = district.run("query", "payouts", "--plan-year", str(server.plan_year), "--json")
    assert code == 0 and (paid["claim_no"], paid["amount"], paid["id_masked"]) == ("LP7", "88.80", mask_id(G1_CARDED[0]))
    code, [refused] = district.run("query", "coverage", "--json")
    assert code == 2 and "二者选一" in refused["error"]
    # The other grassroots union's clerk sees none of it.
    other = Cli(server, tmp_path, "grassroots2", capsys, monkeypatch)
    assert other.run("query", "enrollment", G1_CARDED[0], "--json") == (0, [])
    assert other.run("query", "payouts", "--json") == (0, [])
    code, [missing] = other.run("query", "coverage", "--batch", batch, "--json")
    assert code == 2 and missing["error"]

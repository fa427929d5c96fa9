"""`union-server fees show|set --actor USERNAME` on the server host: the center's city-wide figures,
a district's own split inside the fee window, refused outside it (by the server's clock) and for a
wrong password; each change audited as the actor's."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from test_server_account_cli import _run
from test_server_cli import _restore_root_logging  # noqa: F401 - the autouse fixture

import server.cli as cli
from server.db import open_database, session
from server.models import AuditEntry, Campaign

PASSWORD = "Demo-accounts-pw-58"


def test_fee_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    db = f"sqlite:///{tmp_path / 'fees.db'}"
    assert cli.main(["init-demo", "--db", db, "--members", "0", "--password", PASSWORD]) == 0
    capsys.readouterr()
    monkeypatch.setenv("UNION_SERVER_ACTOR_PASSWORD", PASSWORD)
    code, rows = _run(capsys, "fees", "show", "--actor", "district", "--db", db, "--json")
    assert code == 0 and [r["plan_type"] for r in rows] == ["A", "B", "A_PLUS", "B_PLUS"] and rows[0]["editable"]
    code, [row] = _run(capsys, "fees", "set", "--actor", "district", "--plan-type", "A", "--district", "11",
                       "--grassroots", "2", "--db", db, "--json")
    assert code == 0 and (row["district"], row["grassroots"], row["source"]) == ("11.00", "2.00", "district")
    code, [row] = _run(capsys, "fees", "set", "--actor", "center", "--plan-type", "B", "--fee", "20", "--city", "10",
                       "--district", "10", "--grassroots", "0", "--db", db, "--json")
    assert code == 0 and row["fee"] == "20.00" and row["scope"] == "city"

    open_database(db)
    with session():
        past = date.today() - timedelta(days=30)
        Campaign.update(fee_window_start=past, fee_window_end=past + timedelta(days=6)).execute()
    code, [refused] = _run(capsys, "fees", "set", "--actor", "district", "--plan-type", "A", "--district", "13",
                           "--grassroots", "0", "--db", db, "--json")
    assert code == 2 and refused["problem"] == "fee_window_closed" and "调整时间" in refused["error"]
    monkeypatch.setenv("UNION_SERVER_ACTOR_PASSWORD", "wrong")
    assert cli.main(["fees", "show", "--actor", "district", "--db", db]) == 1
    open_database(db)
    with session():
        who = [e.username for e in AuditEntry.select().where(AuditEntry.action == "fee_split_set").order_by(AuditEntry.id)]
    assert who == ["district", "center"]

"""`union-server account list|create|reset|lock|unlock` (IT on the server host, or `--actor` as a
superior union's account): what each does to the database, its audit, and its refusals."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_server_cli import _restore_root_logging  # noqa: F401 - the autouse fixture

import server.cli as cli
from server.db import open_database, session
from server.models import AuditEntry, User
from server.security import verify_password

DEMO_PASSWORD = "Demo-accounts-pw-58"
G2 = "81310101000000005X"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict[str, Any]]]:
    code = cli.main(list(argv))
    out = capsys.readouterr().out
    return code, [json.loads(line) for line in out.splitlines() if line.strip()]


def test_account_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    db = f"sqlite:///{tmp_path / 'accounts.db'}"
    assert cli.main(["init-demo", "--db", db, "--members", "0", "--password", DEMO_PASSWORD]) == 0
    capsys.readouterr()
    code, rows = _run(capsys, "account", "list", "--db", db, "--json")
    assert code == 0 and {r["username"] for r in rows} == {"center", "city", "district", "secondary", "grassroots",
                                                           "grassroots2"}
    code, [created] = _run(capsys, "account", "create", "g2-helper", "--union", G2, "--display-name", "李敏",
                           "--db", db, "--json")
    assert code == 0 and created["generated"] is True and created["account"]["state"] == "must_change"
    code, [reset] = _run(capsys, "account", "reset", "grassroots", "--db", db, "--json")
    assert code == 0 and reset["password"]
    assert _run(capsys, "account", "lock", "grassroots2", "--reason", "离职", "--db", db, "--json")[1][0][
        "account"]["state"] == "locked"
    open_database(db)
    with session():
        assert User.get(User.username == "g2-helper").must_change_password
        grassroots = User.get(User.username == "grassroots")
        assert verify_password(reset["password"], grassroots.password_hash) and grassroots.must_change_password
        assert User.get(User.username == "grassroots2").disabled
        entries = {(e.action, e.entity_key): e.username for e in AuditEntry.select().where(AuditEntry.username.is_null(False))}
    assert entries[("reset_password", "grassroots")] == "union-server"
    assert entries[("lock", "grassroots2")] == "union-server"
    assert _run(capsys, "account", "unlock", "grassroots2", "--db", db, "--json")[1][0]["account"]["state"] == "active"

    # As a superior's account: its subtree only, refused with a reason and exit 2 elsewhere.
    monkeypatch.setenv("UNION_SERVER_ACTOR_PASSWORD", DEMO_PASSWORD)
    code, rows = _run(capsys, "account", "list", "--actor", "secondary", "--db", db, "--json")
    assert code == 0 and {r["username"] for r in rows} == {"grassroots", "grassroots2", "g2-helper"}
    code, [refused] = _run(capsys, "account", "reset", "district", "--actor", "secondary", "--db", db, "--json")
    assert code == 2 and refused["problem"] == "union_scope" and "上级工会" in refused["error"] and refused["action"]
    monkeypatch.setenv("UNION_SERVER_NEW_PASSWORD", "Typed-by-boss-36")
    code, [answer] = _run(capsys, "account", "reset", "grassroots2", "--actor", "secondary", "--db", db, "--json")
    assert code == 0 and "password" not in answer and answer["generated"] is False
    with session():
        assert verify_password("Typed-by-boss-36", User.get(User.username == "grassroots2").password_hash)
        [entry] = AuditEntry.select().where((AuditEntry.action == "reset_password")
                                            & (AuditEntry.entity_key == "grassroots2"))
        assert entry.username == "secondary" and "Typed-by-boss-36" not in json.dumps(entry.detail)
    monkeypatch.setenv("UNION_SERVER_ACTOR_PASSWORD", "wrong-password")
    assert cli.main(["account", "lock", "grassroots", "--actor", "secondary", "--db", db]) == 1
    assert cli.main(["account", "lock", "--db", db]) == 2  # no account named


def test_the_password_policy_holds_on_every_server_command(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue #18 finding 6 on the server host's own paths (the HTTP ones: test_server_security_logins
    and test_server_accounts): a weak password given by IT or a superior is refused and nothing
    changes; a generated one always passes the policy."""
    from server.security import password_problem

    db = f"sqlite:///{tmp_path / 'policy.db'}"
    assert cli.main(["init-demo", "--db", db, "--members", "0", "--password", DEMO_PASSWORD]) == 0
    capsys.readouterr()
    monkeypatch.setenv("UNION_SERVER_ACTOR_PASSWORD", DEMO_PASSWORD)
    for weak in ("12345678", "password123", "qwertyuiop"):
        monkeypatch.setenv("UNION_SERVER_NEW_PASSWORD", weak)
        assert cli.main(["create-user", "--db", db, "--username", "weak-one", "--union", G2]) == 1
        assert cli.main(["reset-password", "--db", db, "--actor", "secondary", "--username", "grassroots"]) == 1
        code, [refused] = _run(capsys, "account", "create", "weak-two", "--union", G2, "--db", db, "--json")
        assert code == 2 and refused["problem"] == "password_weak", refused
        code, [refused] = _run(capsys, "account", "reset", "grassroots", "--actor", "secondary", "--db", db, "--json")
        assert code == 2 and refused["problem"] == "password_weak", refused
        capsys.readouterr()
    open_database(db)
    with session():
        assert not User.select().where(User.username.in_(["weak-one", "weak-two"])).exists()
        grassroots = User.get(User.username == "grassroots")
        assert verify_password(DEMO_PASSWORD, grassroots.password_hash) and not grassroots.must_change_password
    monkeypatch.delenv("UNION_SERVER_NEW_PASSWORD")
    code, [reset] = _run(capsys, "account", "reset", "grassroots", "--db", db, "--json")
    assert code == 0 and password_problem(reset["password"], ["grassroots"]) is None

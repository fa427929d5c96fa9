"""`union-clerk-cli account list|create|reset|lock|unlock` against a real loopback server: one JSON
object per line; exit 0 done, 2 refused (`error`, `action`, `problem`), 3 when no server answers."""
from __future__ import annotations

import socket
from pathlib import Path

import pytest
from test_server_review_cli import Cli
from union_server_testkit import Server

from server.db import session
from server.models import AuditEntry, User

G1 = "813101010000000041"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_account_commands(server: Server, tmp_path: Path, file_keyring: Path, capsys: pytest.CaptureFixture[str],
                          monkeypatch: pytest.MonkeyPatch) -> None:
    district = Cli(server, tmp_path, "district", capsys, monkeypatch)
    code, rows = district.run("account", "list", "--json")
    assert code == 0 and [r["username"] for r in rows] == ["secondary", "grassroots", "grassroots2"]
    assert rows[1]["union"]["org_code"] == G1 and rows[1]["state_label"] == "正常"

    code, [created] = district.run("account", "create", "g1-helper", "--union", G1, "--display-name", "张敏", "--json")
    assert code == 0 and created["account"]["state"] == "must_change" and created["password"]
    code, [reset] = district.run("account", "reset", "grassroots", "--json")
    assert code == 0 and reset["generated"] and reset["account"]["must_change_password"]

    # The clerk's own sign-in: refused until she sets a new password, then in.
    monkeypatch.setenv("UNION_CLERK_PASSWORD", reset["password"])
    clerk = str(tmp_path / "clerk")
    from app import cli
    from app.models import close_database

    try:
        code = cli.main(["--profile", clerk, "sync", "--server", server.url, "--username", "grassroots", "--json"])
    finally:
        close_database()
    assert code == 2 and "新密码" in capsys.readouterr().out
    monkeypatch.setenv("UNION_CLERK_NEW_PASSWORD", "Clerk-chosen-birch-71")
    try:
        assert cli.main(["--profile", clerk, "sync", "--server", server.url, "--username", "grassroots", "--json"]) == 0
    finally:
        close_database()
    capsys.readouterr()

    code, [locked] = district.run("account", "lock", "grassroots2", "--reason", "人员调离", "--json")
    assert code == 0 and locked["account"]["state_label"] == "已锁定"
    code, [unlocked] = district.run("account", "unlock", "grassroots2", "--json")
    assert code == 0 and unlocked["account"]["state"] == "active"
    with session():
        assert User.get(User.username == "g1-helper").must_change_password
        done = [(e.action, e.entity_key) for e in AuditEntry.select().where((AuditEntry.username == "district")
                                                                          & (AuditEntry.entity == "user"))
                .order_by(AuditEntry.id) if e.entity_key != "district"]
    assert done == [("create_user", "g1-helper"), ("reset_password", "grassroots"), ("lock", "grassroots2"),
                    ("unlock", "grassroots2")]

    # Refused: above the district, and anything for a grassroots account.
    code, [refused] = district.run("account", "reset", "center", "--json")
    assert code == 2 and refused["problem"] == "union_scope" and refused["error"] and refused["action"]
    grassroots2 = Cli(server, tmp_path, "grassroots2", capsys, monkeypatch)
    code, [refused] = grassroots2.run("account", "list", "--json")
    assert code == 2 and "下级工会" in refused["action"]

    # No server answers: exit 3 with what to do.
    from app.sync import credentials
    from app.sync.account import profile_key

    key = profile_key(Path(district.profile))
    saved = credentials.load_session(key)
    assert saved is not None
    credentials.save_session(key, credentials.Session(f"http://127.0.0.1:{_closed_port()}", saved.username,
                                                      saved.access_token, saved.refresh_token))
    code, [offline] = district.run("account", "list", "--json")
    assert code == 3 and offline["error"] and offline["action"]

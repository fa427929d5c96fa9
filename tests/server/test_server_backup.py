"""`union-server backup|restore` on SQLite and PostgreSQL: back up while serving, wipe, restore,
and a real client (the app's sync engine) syncs on against the restored server."""
from __future__ import annotations

import os
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from app.models import Member as LocalMember
from app.paths import Profile
from app.services import members as member_service
from app.sync import account, credentials
from server import cli as server_cli
from server.app import create_app
from server.backup import kind_of_file, prune, sqlite_path, timestamped
from app.protocol import Entity
from server.changes import emit_change, member_record
from server.db import database, drop_tables, open_database, session, write_tx
from server.demo import init_demo
from server.embedded import serve_in_thread
from server.models import Change, Member
from server.settings import ServerContext, Settings

PASSWORD = "backup-test-pw-1"
CLERK = "grassroots"


def _serve(db_url: str):  # type: ignore[no-untyped-def]
    app = create_app(db_url, settings=Settings(worker_poll_seconds=0.05, failure_delay_seconds=0.01))
    return serve_in_thread(app)


def _wipe(db_url: str) -> None:
    if db_url.startswith("sqlite"):
        path = sqlite_path(db_url)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        open_database(db_url)
        drop_tables()


def _issue_card(id_number: str, card_no: str) -> None:
    """What the card issuer's job does: a server-owned field changes and goes into the feed."""
    with session(), write_tx():
        member = Member.get(Member.id_number == id_number)
        member.card_no, member.card_status = card_no, "issued"
        member.save()
        emit_change(ServerContext(), member.union_id, Entity.MEMBER, id_number, member_record(member))


def _server_phone(id_number: str) -> str | None:
    with session():
        return Member.get(Member.id_number == id_number).phone


def test_backup_wipe_restore_then_the_client_syncs_on(db_url: str, tmp_path: Path, profile: Profile,
                                                     file_keyring, capsys) -> None:
    create_app(db_url)  # tables
    with session():
        init_demo(ServerContext(), password=PASSWORD, members_per_union=20)
    url, stop = _serve(db_url)
    try:
        signed = account.sign_in(url, CLERK, PASSWORD, profile_root=profile.root)
        first = signed.engine.sync()
        assert first.pulled > 0 and LocalMember.select().count() == 20
        before, after = LocalMember.select().order_by(LocalMember.id).limit(2)
        member_service.update_member(before.id, {"phone": "13912340001"}, actor=CLERK, plan_year=2027,
                                     today=date.today())
        assert signed.engine.sync().pushed == 1
        assert _server_phone(before.id_number) == "13912340001"
        folder = tmp_path / "backups"
        folder.mkdir()
        # Backed up while the server is serving.
        assert server_cli.main(["backup", "--db", db_url, str(folder), "--keep", "5"]) == 0
        with session():
            changes_at_backup = Change.select().count()
        # After the backup the server issues a card, and the clerk's PC pulls it: its cursor is
        # now past anything the backup holds.
        _issue_card(before.id_number, "6231000000000001")
        assert signed.engine.sync().pulled >= 1
        assert LocalMember.get_by_id(before.id).card_no == "6231000000000001"
    finally:
        stop()
    made = sorted(folder.iterdir())
    assert len(made) == 1 and kind_of_file(made[0]) == ("sqlite" if db_url.startswith("sqlite") else "postgresql")
    assert "已备份到" in capsys.readouterr().out
    if os.name == "posix":
        assert made[0].stat().st_mode & 0o077 == 0

    _wipe(db_url)
    open_database(db_url)
    if db_url.startswith("sqlite"):
        assert not sqlite_path(db_url).exists()
    else:
        with session():
            assert not Member.table_exists()

    assert server_cli.main(["restore", "--db", db_url, str(made[0]), "--yes", "--no-safety-backup"]) == 0
    assert "已从" in capsys.readouterr().out
    with session():
        assert Change.select().count() == changes_at_backup
    assert _server_phone(before.id_number) == "13912340001"

    url2, stop2 = _serve(db_url)
    try:
        # The restored server answers at the same address; the clerk's saved session goes on.
        signed.engine.client.base_url = url2
        # The first change after the restore is a card issued to another member: the PC's cursor
        # had passed the backup's last change, and still this one must reach it.
        third = LocalMember.select().order_by(LocalMember.id).offset(2).first()
        _issue_card(third.id_number, "6231000000000002")
        member_service.update_member(after.id, {"phone": "13912340002"}, actor=CLERK, plan_year=2027,
                                     today=date.today())
        report = signed.engine.sync()
        assert report.pushed == 1 and not report.errors
        assert _server_phone(after.id_number) == "13912340002"
        assert _server_phone(before.id_number) == "13912340001"
        assert LocalMember.get_by_id(third.id).card_no == "6231000000000002"
        # Next start of the app: the saved session (tokens in the restored database) still holds.
        key = account.profile_key(profile.root)
        saved = credentials.load_session(key)
        credentials.save_session(key, credentials.Session(url2, saved.username, saved.access_token,
                                                          saved.refresh_token))
        resumed = account.resume(profile.root)
        assert resumed is not None and resumed.engine.sync().errors == []
    finally:
        stop2()


def test_restore_keeps_a_safety_copy_and_refuses_what_is_not_a_backup(db_url: str, tmp_path: Path, capsys) -> None:
    create_app(db_url)
    with session():
        init_demo(ServerContext(), password=PASSWORD, members_per_union=3)
    backup_file = tmp_path / "one.backup"
    assert server_cli.main(["backup", "--db", db_url, str(backup_file)]) == 0
    with session():
        Member.delete().execute()  # a mistake after the backup
    assert server_cli.main(["restore", "--db", db_url, str(backup_file), "--yes"]) == 0
    out = capsys.readouterr().out
    assert "恢复前的数据库已另存为" in out
    safety = [p for p in tmp_path.iterdir() if p.name.startswith("before-restore-")]
    assert len(safety) == 1 and kind_of_file(safety[0]) == kind_of_file(backup_file)
    with session():
        assert Member.select().count() > 0

    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup", encoding="utf-8")
    assert server_cli.main(["restore", "--db", db_url, str(junk), "--yes"]) == 1
    assert "不是 union-server 的备份文件" in capsys.readouterr().err
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    code = server_cli.main(["restore", "--db", db_url, str(other), "--yes"])
    assert code == 1
    err = capsys.readouterr().err
    assert ("没有账号表" in err) if db_url.startswith("sqlite") else ("不能恢复到 postgresql" in err)


def test_a_damaged_backup_leaves_the_database_as_it_was(db_url: str, tmp_path: Path, capsys) -> None:
    create_app(db_url)
    with session():
        init_demo(ServerContext(), password=PASSWORD, members_per_union=30)
    whole = tmp_path / "whole.backup"
    assert server_cli.main(["backup", "--db", db_url, str(whole)]) == 0
    with session():
        gone = [m.id for m in Member.select(Member.id).order_by(Member.id).limit(10)]
        Member.delete().where(Member.id.in_(gone)).execute()  # the database differs from the backup
        members = Member.select().count()
    data = whole.read_bytes()
    cut = tmp_path / "cut.backup"
    cut.write_bytes(data[: len(data) * 3 // 4])  # the copy broke off part-way
    assert server_cli.main(["restore", "--db", db_url, str(cut), "--yes", "--no-safety-backup"]) == 1
    assert "恢复失败" in capsys.readouterr().err
    if db_url.startswith("postgres"):
        # A restore that fails part-way in the database (a report view IT added holds on to a table
        # the restore must drop) is rolled back whole.
        with session():
            database.obj.execute_sql("CREATE VIEW member_report AS SELECT id FROM member")
        assert server_cli.main(["restore", "--db", db_url, str(whole), "--yes", "--no-safety-backup"]) == 1
        err = capsys.readouterr().err
        assert "cannot drop table" in err and "数据库未改动" in err
    open_database(db_url)
    with session():
        assert Member.select().count() == members


def test_restore_without_yes_and_without_a_terminal_refuses(tmp_path: Path, monkeypatch, capsys) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code = server_cli.main(["restore", "--db", f"sqlite:///{tmp_path / 'x.db'}", str(tmp_path / "b.sqlite3")])
    assert code == 2 and "--yes" in capsys.readouterr().err


def test_prune_keeps_the_newest(tmp_path: Path) -> None:
    from datetime import datetime, timedelta

    start = datetime(2026, 11, 1, 2, 0, 0)
    for day in range(6):
        timestamped(tmp_path, "sqlite", start + timedelta(days=day)).write_bytes(b"x")
    (tmp_path / "keep-me.txt").write_text("other file", encoding="utf-8")
    gone = prune(tmp_path, 4)
    assert [p.name for p in gone] == ["union-server-20261101-020000.sqlite3", "union-server-20261102-020000.sqlite3"]
    assert len(list(tmp_path.glob("union-server-*"))) == 4 and (tmp_path / "keep-me.txt").exists()


@pytest.mark.parametrize("url, path", [("sqlite:///union-server.db", "union-server.db"),
                                       ("sqlite:////var/lib/union/server.db", "/var/lib/union/server.db")])
def test_sqlite_urls_read_like_playhouse(url: str, path: str) -> None:
    assert sqlite_path(url) == Path(path)

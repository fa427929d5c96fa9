"""One clerk-facing error shape and one translator (`app.services.errors.clerk_facing`).

Each class of error is made for real — SQLite refusing a write on a full, locked, read-only or
corrupt database, the kernel refusing a write on a full device — and must come out as a Chinese
message with an action, judged by SQLite's result code or errno, never by English text.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from peewee import SqliteDatabase

from app import cli
from app.models import DatabaseEnvironmentError, close_database, open_database
from app.models.db import classify_sqlite_error
from app.rules.errors import ClerkFacingError, DiskFull
from app.rules.problems import Problem
from app.services.errors import ClerkError, ValidationFailed, clerk_facing
from app.sync.client import ClockSkew, Offline, ServerProblem, SyncError
from app.sync.credentials import KeyringUnavailable


def _raised(fn) -> BaseException:
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - the error under test is what we return
        return exc
    raise AssertionError("expected an error")


@pytest.fixture
def small_db(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    con = sqlite3.connect(tmp_path / "x.sqlite3", isolation_level=None, timeout=0)
    con.execute("CREATE TABLE t (x TEXT)")
    yield con
    con.close()


def test_a_full_database_is_disk_full_through_peewee(tmp_path: Path) -> None:
    db = SqliteDatabase(str(tmp_path / "full.sqlite3"))
    db.execute_sql("CREATE TABLE t (x TEXT)")
    db.execute_sql("PRAGMA max_page_count = 3")  # SQLite's own "disk is full" at three pages

    def fill() -> None:
        for _ in range(100):
            db.execute_sql("INSERT INTO t VALUES (?)", ("x" * 2000,))

    exc = _raised(fill)
    assert not isinstance(exc, sqlite3.Error)  # peewee's wrapper; the sqlite3 error is its context
    env = clerk_facing(exc)
    assert isinstance(env, DatabaseEnvironmentError)
    assert "磁盘空间已满" in env.message and "清理" in env.action
    db.close()


def test_a_locked_database_says_who_holds_it(tmp_path: Path, small_db: sqlite3.Connection) -> None:
    small_db.execute("BEGIN IMMEDIATE")
    other = sqlite3.connect(tmp_path / "x.sqlite3", timeout=0)
    exc = _raised(lambda: other.execute("INSERT INTO t VALUES ('y')"))
    other.close()
    assert exc.sqlite_errorname == "SQLITE_BUSY"
    env = clerk_facing(exc)
    assert env is not None and "占用" in env.message and "关闭其他" in env.action


def test_a_read_only_database_asks_for_permissions(tmp_path: Path, small_db: sqlite3.Connection) -> None:
    ro = sqlite3.connect(f"file:{tmp_path / 'x.sqlite3'}?mode=ro", uri=True)
    exc = _raised(lambda: ro.execute("INSERT INTO t VALUES ('y')"))
    ro.close()
    env = clerk_facing(exc)
    assert env is not None and "无法写入" in env.message and "权限" in env.action


def test_a_file_that_is_not_a_database_is_refused_on_open(tmp_path: Path) -> None:
    path = tmp_path / "profile.sqlite3"
    path.write_bytes(b"this is not SQLite " * 500)
    exc = _raised(lambda: open_database(path, backup_dir=tmp_path / "backups"))
    close_database()
    assert isinstance(exc, DatabaseEnvironmentError)
    assert "损坏" in exc.message and "备份" in exc.action


def test_an_unopenable_path_is_environmental(tmp_path: Path) -> None:
    exc = _raised(lambda: sqlite3.connect(tmp_path / "no-such-folder" / "x.sqlite3"))
    env = clerk_facing(exc)
    assert env is not None and "无法打开" in env.message


def test_english_text_alone_classifies_nothing() -> None:
    """An error with SQLite's words but no result code is a bug, not a full disk."""
    assert classify_sqlite_error(sqlite3.OperationalError("database or disk is full")) is None
    assert clerk_facing(sqlite3.OperationalError("database is locked")) is None
    assert clerk_facing(sqlite3.IntegrityError("UNIQUE constraint failed")) is None


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
def test_a_full_device_is_disk_full_by_errno() -> None:
    def write() -> None:
        with open("/dev/full", "wb", buffering=0) as f:
            f.write(b"x")

    exc = _raised(write)
    assert isinstance(clerk_facing(exc), DiskFull)
    assert clerk_facing(OSError("No space left on device")) is None  # no errno: not judged by text
    assert clerk_facing(FileNotFoundError(2, "gone")) is None


@pytest.mark.parametrize("exc", [
    ClerkError("文件不是 .xlsx。", "请另存为 .xlsx 后重试。"),
    ValidationFailed({"phone": Problem("phone_invalid", "手机号码应为11位数字。", field="phone")}),
    Offline("connection refused"),
    ClockSkew(600),
    ServerProblem("union_mismatch", 403),
    KeyringUnavailable(),
], ids=lambda e: type(e).__name__)
def test_every_family_has_the_one_shape(exc: ClerkFacingError) -> None:
    assert isinstance(exc, ClerkFacingError)
    assert clerk_facing(exc) is exc
    assert exc.message and str(exc).startswith(exc.message) and str(exc).endswith(exc.action)
    assert exc.as_dict() == {"error": exc.message, "action": exc.action}
    assert exc.offline == isinstance(exc, Offline)


def test_sync_errors_keep_their_details() -> None:
    offline = Offline("connection refused")
    assert offline.detail == "connection refused" and "离线" in offline.message
    assert "connection refused" not in str(offline)
    skew = ClockSkew(-600)
    assert skew.seconds == -600 and "10 分钟" in skew.message and "时间" in skew.action
    problem = ServerProblem("union_mismatch", 403)
    assert isinstance(problem, SyncError) and problem.problem == "union_mismatch" and problem.status == 403


def test_the_cli_refuses_in_json_with_error_and_action(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profile = tmp_path / "p"
    profile.mkdir()
    (profile / "union-clerk.sqlite3").write_bytes(b"not a database " * 500)
    code = cli.main(["--profile", str(profile), "check", "--json"])
    close_database()
    assert code == 2
    answer = json.loads(capsys.readouterr().out)
    assert "损坏" in answer["error"] and "备份" in answer["action"]


def test_the_cli_lets_bugs_through(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.services import maintenance

    def broken() -> None:
        raise KeyError("a bug")

    monkeypatch.setattr(maintenance, "check", broken)
    with pytest.raises(KeyError):
        cli.main(["--profile", str(tmp_path / "p"), "check"])
    close_database()

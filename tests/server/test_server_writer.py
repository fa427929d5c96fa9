"""SQLite write transactions run on one kept connection (server/db.py _sqlite_write_tx): every
thread's write_tx uses the same one, the thread's own session connection is back after it (and
sees what was written), a write_tx inside a transaction of the thread's own is a savepoint of it,
a rolled-back block leaves nothing, what a block wrote is in the database file itself once writing
pauses and after every CHECKPOINT_EVERY-th write transaction (a passive checkpoint: readers need
not look through the WAL), and open_database (a file replaced or restored under the same URL) drops
the kept connections. Sessions reuse kept reader connections, and a cursor a session left unread
does not pin the next session to an old snapshot.
"""
from __future__ import annotations

import threading
import time
from datetime import datetime
from pathlib import Path

import pytest

from server import db
from server.db import database, open_database, session, write_tx
from server.migrations import migrate
from server.models import Union


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'writer.db'}"
    open_database(url)
    migrate()
    return url


def _union(code: str, name: str) -> None:
    Union.create(org_code=code, name=name, union_type="联合工会", level="grassroots", created=datetime(2026, 1, 1))


def _writer_connection() -> object:
    return database.obj._state.conn


def test_every_write_transaction_runs_on_the_kept_connection(sqlite_url: str) -> None:
    seen: list[object] = []
    failed: list[BaseException] = []

    def write(name: str) -> None:
        try:
            _write(name)
        except BaseException as error:  # noqa: BLE001 - reported by the test's thread
            failed.append(error)

    def _write(name: str) -> None:
        with session():
            own = database.obj.connection()
            with write_tx():
                seen.append(_writer_connection())
                assert _writer_connection() is not own
                _union(name, name)
            assert database.obj.connection() is own  # the session's connection is back
            assert Union.get(Union.org_code == name).name == name  # and sees the commit

    threads = [threading.Thread(target=write, args=(f"8131010100000{k:05d}",)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failed == []
    assert len(seen) == 4 and len({id(conn) for conn in seen}) == 1
    with session():
        assert Union.select().where(Union.org_code.startswith("8131010100000")).count() == 4


def test_a_failed_block_is_rolled_back_and_a_nested_one_is_a_savepoint(sqlite_url: str) -> None:
    with session():
        with pytest.raises(RuntimeError), write_tx():
            _union("813101010000099991", "回滚")
            raise RuntimeError("refused")
        assert Union.get_or_none(Union.org_code == "813101010000099991") is None
        with database.atomic():
            own = _writer_connection()
            with write_tx():
                assert _writer_connection() is own  # inside the thread's own transaction
                _union("813101010000099992", "嵌套")
        assert Union.get_or_none(Union.org_code == "813101010000099992") is not None


def test_open_database_drops_the_kept_connection(sqlite_url: str) -> None:
    with session(), write_tx():
        first = _writer_connection()
    assert db._writer is not None and db._writer[1] is first
    open_database(sqlite_url)  # the same URL: the binding stays, the kept connection does not
    assert db._writer is None
    with session(), write_tx():
        assert _writer_connection() is not first


def _in_file_alone(sqlite_url: str, tmp_path: Path, org_code: str) -> list[tuple[str]]:
    import shutil
    import sqlite3

    path = Path(sqlite_url[len("sqlite:///"):])
    copy = tmp_path / "file-alone.db"
    shutil.copyfile(path, copy)  # the database file without its WAL
    conn = sqlite3.connect(copy)
    try:
        return conn.execute("SELECT name FROM trade_union WHERE org_code = ?", (org_code,)).fetchall()
    finally:
        conn.close()


def test_a_write_is_copied_into_the_database_file_once_writing_pauses(sqlite_url: str, tmp_path: Path) -> None:
    with session(), write_tx():
        _union("813101010000099993", "检查点")
    deadline = time.monotonic() + 10
    while not _in_file_alone(sqlite_url, tmp_path, "813101010000099993") and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _in_file_alone(sqlite_url, tmp_path, "813101010000099993") == [("检查点",)]


def test_a_burst_of_writes_is_checkpointed_every_few_transactions(sqlite_url: str, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db, "CHECKPOINT_IDLE", 3600.0)  # no idle checkpoint: only the count's
    with session(), write_tx():
        pass
    monkeypatch.setattr(db, "_unchecked", 0)  # the count starts here
    with session():
        for k in range(db.CHECKPOINT_EVERY):
            with write_tx():
                _union(f"81310101000009{k:04d}", f"连写{k}")
    assert _in_file_alone(sqlite_url, tmp_path, f"81310101000009{db.CHECKPOINT_EVERY - 1:04d}") == [
        (f"连写{db.CHECKPOINT_EVERY - 1}",)]


def test_sessions_reuse_kept_connections_without_an_old_snapshot(sqlite_url: str) -> None:
    with session(), write_tx():
        _union("813101010000099995", "甲")
        _union("813101010000099996", "乙")
    with session():
        first = database.obj.connection()
        unread = database.obj.execute_sql("SELECT org_code FROM trade_union")
        assert unread.fetchone() is not None  # a statement left open: a read snapshot, unless closed
    with session():
        assert database.obj.connection() is first  # kept open, not opened again
        with write_tx():
            _union("813101010000099994", "新快照")
        assert Union.get(Union.org_code == "813101010000099994").name == "新快照"
    open_database(sqlite_url)
    with session():
        assert database.obj.connection() is not first  # dropped with the binding's other connections

"""SQLite write transactions run on one kept connection (server/db.py _sqlite_write_tx): every
thread's write_tx uses the same one, the thread's own session connection is back after it (and
sees what was written), a write_tx inside a transaction of the thread's own is a savepoint of it,
a rolled-back block leaves nothing, what a block wrote is in the database file itself after it (a
passive checkpoint: readers need not look through the WAL), and open_database (a file replaced or restored under the same
URL) drops the kept connection.
"""
from __future__ import annotations

import threading
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


def test_a_write_is_copied_into_the_database_file_after_its_block(sqlite_url: str, tmp_path: Path) -> None:
    import shutil
    import sqlite3

    with session(), write_tx():
        _union("813101010000099993", "检查点")
    path = Path(sqlite_url[len("sqlite:///"):])
    copy = tmp_path / "file-alone.db"
    shutil.copyfile(path, copy)  # the database file without its WAL
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("SELECT name FROM trade_union WHERE org_code = '813101010000099993'").fetchall() == [("检查点",)]
    finally:
        conn.close()

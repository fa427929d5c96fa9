"""server/db.py sessions: on SQLite a thread keeps its connection from one session to the next,
drops it after a database error and replaces it once open_database is called again; on
PostgreSQL every session takes a pooled connection and gives it back."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from peewee import OperationalError

from server.db import database, open_database, session
from server.migrations import migrate
from server.models import Union


def _connection() -> object:
    with session():
        Union.select().count()
        return database.obj.connection()


def test_a_thread_keeps_its_sqlite_connection_between_sessions(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    open_database(url)
    migrate()
    first = _connection()
    assert _connection() is first
    assert not database.obj.is_closed()  # kept after the session
    elsewhere: list[object] = []
    thread = threading.Thread(target=lambda: elsewhere.append(_connection()))
    thread.start()
    thread.join()
    assert elsewhere and elsewhere[0] is not first  # one per thread

    with pytest.raises(OperationalError), session():
        database.obj.execute_sql("SELECT * FROM no_such_table")
    after_error = _connection()
    assert after_error is not first  # a database error drops it

    open_database(url)  # again, e.g. after a restore replaced the file: every thread reconnects
    assert _connection() is not after_error


def test_a_session_sees_a_file_replaced_under_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    open_database(url)
    migrate()
    with session():
        assert Union.select().count() == 0
    for suffix in ("", "-wal", "-shm"):
        Path(f"{tmp_path / 'server.db'}{suffix}").unlink(missing_ok=True)
    open_database(url)
    migrate()  # a fresh file: without reconnecting the kept connection would still read the old one
    with session():
        assert Union.select().count() == 0
        assert (tmp_path / "server.db").stat().st_size > 0


def test_a_postgresql_session_gives_its_connection_back(db_url: str) -> None:
    if not db_url.startswith("postgres"):
        pytest.skip("PostgreSQL only")
    open_database(db_url)
    migrate()
    _connection()
    assert database.obj.is_closed()  # back in the pool

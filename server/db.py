"""Opening the central server's database: SQLite by default, PostgreSQL in production.

All models are bound to one `DatabaseProxy`, initialised from a URL with `playhouse.db_url`:
`sqlite:///relative.db`, `sqlite:////absolute/path.db`, or `postgresql://user:pw@host:5432/name`
(served by psycopg 3 from a connection pool). One process serves one database.

Every unit of work opens a connection, does its work and closes it again (`with session():`), on
the thread that runs it: peewee connections are per thread, and FastAPI may run a request's
dependencies and its body on different threads, so nothing relies on a connection outliving a
call. Writes go through `write_tx()`, which on SQLite takes the write lock up front (BEGIN
IMMEDIATE) so two writers queue on the busy timeout instead of failing on a lock upgrade.

On SQLite every write transaction of the process runs on one kept connection (`_sqlite_write_tx`):
the writers queue on a lock anyway, so it is the only connection that writes, its page cache stays
valid from one transaction to the next (a push's random index pages are read once, not again per
request), and being always open it spares each closing session the checkpoint and WAL delete of a
database's last connection (a passive checkpoint follows each write transaction instead, so
readers find the WAL copied into the database file, as after that last close). Reads outside a
write transaction keep a connection per session.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

from peewee import Database, DatabaseProxy, SqliteDatabase
from playhouse.db_url import connect, register_database
from playhouse.pool import PooledPsycopg3Database

database = DatabaseProxy()

#: Values per `IN (…)` list or multi-row INSERT (peewee.chunked): well under SQLite's 32,766
#: bound variables and PostgreSQL's 65,535, small enough to keep each statement quick.
IN_LIST = 500

DEFAULT_URL = "sqlite:///union-server.db"

SQLITE_PRAGMAS: dict[str, object] = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "full",  # an accepted submission survives a power failure
    "busy_timeout": 30_000,
}

# `postgresql://` in playhouse means psycopg2; we ship psycopg 3, so point the usual schemes at it.
register_database(PooledPsycopg3Database, "postgres", "postgresql")


def is_postgres_url(url: str) -> bool:
    return urlparse(url).scheme.startswith("postgres")


_bound_url: str | None = None


def open_database(url: str) -> Database:
    """Bind the models to the database at `url` (replacing any earlier binding) and return it.

    Opening the URL that is already bound keeps the binding: a second app in the same process
    (the embedded demo, tests) must not close connections the first one's threads are using."""
    global _bound_url
    _drop_writer()  # a file replaced or restored under the same URL is opened again
    if url == _bound_url and database.obj is not None:
        return database.obj
    scheme = urlparse(url).scheme
    if scheme.startswith("sqlite"):
        _owner_only_sqlite_file(url)
        db = connect(url, pragmas=SQLITE_PRAGMAS, timeout=30, check_same_thread=False)
    elif scheme.startswith("postgres"):
        db = connect(url, max_connections=64, stale_timeout=300, timeout=30)
    else:
        raise ValueError(f"unsupported database URL scheme {scheme!r}: use sqlite:// or postgresql://")
    old = database.obj
    database.initialize(db)
    _bound_url = url
    if old is not None and old is not db:
        _close_quietly(old)
    return db


def _owner_only_sqlite_file(url: str) -> None:
    """Create the SQLite file readable by its owner only (0600; SQLite gives its -wal and -shm files
    the database's mode) in a folder made 0700 when it is made here: the file holds full ID
    numbers, phones and password hashes. An existing file is narrowed to 0600; an existing folder
    that others may read is only warned about (it may be shared, e.g. the working directory)."""
    path_text = urlparse(url).path[1:]  # sqlite:///relative.db -> "relative.db", //abs -> "/abs"
    if not path_text or path_text == ":memory:" or os.name != "posix":
        return
    path = Path(path_text)
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    for companion in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        if companion.exists() and stat.S_IMODE(companion.stat().st_mode) & 0o077:
            os.chmod(companion, 0o600)
    if stat.S_IMODE(path.parent.resolve().stat().st_mode) & 0o077:
        logging.getLogger("union_server").warning(
            "the database folder %s can be read by other users: give it mode 0700", path.parent)


def _close_quietly(db: Database) -> None:
    try:
        close_all = getattr(db, "close_all", None)
        if close_all is not None:
            close_all()
        elif not db.is_closed():
            db.close()
    except Exception:  # noqa: BLE001 - best effort on a database we are leaving
        pass


def is_sqlite() -> bool:
    return isinstance(database.obj, SqliteDatabase)


@contextmanager
def session() -> Iterator[None]:
    """A connection for the current thread for the duration of the block."""
    db = database.obj
    if db is None:
        raise RuntimeError("open_database() has not been called")
    if not db.is_closed():
        # Already inside a session on this thread (nested call): reuse it.
        yield
        return
    db.connect()
    try:
        yield
    finally:
        if not db.in_transaction():
            db.close()
        else:  # pragma: no cover - a bug: a transaction leaked out of its block
            db.rollback()
            db.close()


# SQLite has one writer at a time. Writers of this process queue on this lock before they ask
# SQLite for its write lock: a waiter is woken as soon as the lock is free, where SQLite's busy
# handler would poll with growing sleeps and let an unlucky request wait for seconds under load.
# (Other processes on the same file still queue on the busy timeout.)
_sqlite_writer = threading.RLock()


#: The kept connection every SQLite write transaction of this process runs on, and its database.
_writer: tuple[SqliteDatabase, sqlite3.Connection] | None = None


def _drop_writer() -> None:
    """Close the kept writer connection (the next write transaction opens another)."""
    global _writer
    with _sqlite_writer:
        if _writer is not None:
            conn, _writer = _writer[1], None
            try:
                conn.close()
            except sqlite3.Error:  # pragma: no cover - best effort on a connection we are leaving
                pass


def _writer_for(db: SqliteDatabase) -> sqlite3.Connection:
    global _writer
    if _writer is None or _writer[0] is not db:
        _drop_writer()
        _writer = (db, db._connect())  # with the pragmas every connection gets
    return _writer[1]


def _checkpoint(conn: sqlite3.Connection) -> None:
    """Copy what the WAL holds into the database file, as far as no reader needs its frames
    (PASSIVE: waits for nobody). After every write transaction: readers then find the WAL all
    copied and read the database file alone. Left to SQLite's 1000-page auto-checkpoint, the WAL
    kept up to 1000 frames readers had to look through, and a city's first pulls cost 1.4-2x the
    server CPU per member (bench/city.py --sqlite --unions 500)."""
    try:
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    except sqlite3.Error:  # pragma: no cover - the next checkpoint tries again
        pass


@contextmanager
def _sqlite_write_tx(db: SqliteDatabase) -> Iterator[None]:
    """BEGIN IMMEDIATE on the kept writer connection, which the thread's queries use for the
    block (peewee's connection state is per thread: swapped in, then back). Inside a transaction
    of the thread's own (nested), a savepoint of it, as before."""
    with _sqlite_writer:
        state = db._state
        if state.transactions:
            with db.atomic("IMMEDIATE"):
                yield
            return
        conn = _writer_for(db)
        saved = (state.conn, state.closed, state.ctx, state.transactions)
        state.set_connection(conn)
        try:
            with db.atomic("IMMEDIATE"):
                yield
        finally:
            intact = state.conn is conn and not state.closed and not conn.in_transaction
            state.conn, state.closed, state.ctx, state.transactions = saved
            if intact:
                _checkpoint(conn)
            else:  # closed or left in a transaction by the block: not kept
                if conn.in_transaction:
                    conn.rollback()
                _drop_writer()


def write_tx():  # type: ignore[no-untyped-def]
    """A transaction that will write: IMMEDIATE on SQLite (writers of this process queued on one
    lock), an ordinary one on PostgreSQL."""
    db = database.obj
    if isinstance(db, SqliteDatabase):
        return _sqlite_write_tx(db)
    return db.atomic()


def drop_tables() -> None:
    """Drop every table (tests only)."""
    from server.models import ALL_MODELS

    with session():
        database.obj.drop_tables(ALL_MODELS, safe=True, cascade=not is_sqlite())

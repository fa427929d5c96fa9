"""Opening the central server's database: SQLite by default, PostgreSQL in production.

All models are bound to one `DatabaseProxy`, initialised from a URL with `playhouse.db_url`:
`sqlite:///relative.db`, `sqlite:////absolute/path.db`, or `postgresql://user:pw@host:5432/name`
(served by psycopg 3 from a connection pool). One process serves one database.

Every unit of work takes a connection, does its work and gives it back (`with session():`), on
the thread that runs it: peewee connections are per thread, and FastAPI may run a request's
dependencies and its body on different threads, so nothing relies on a connection outliving a
call. On SQLite a session's connection comes from a few kept open (opened with the pragmas once,
not per request); on PostgreSQL from the driver's pool. Writes go through `write_tx()`, which on
SQLite takes the write lock up front (BEGIN IMMEDIATE) so two writers queue on the busy timeout
instead of failing on a lock upgrade.

On SQLite every write transaction of the process runs on one kept connection (`_sqlite_write_tx`):
the writers queue on a lock anyway, so it is the only connection that writes, and its page cache
stays valid from one transaction to the next (a push's random index pages are read once, not again
per request). A passive checkpoint follows every few write transactions and the last of a burst
(`_checkpoint`), so readers find the WAL copied into the database file.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import stat
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
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
    with _readers_lock:
        _drop_readers_locked()
    if url == _bound_url and database.obj is not None:
        return database.obj
    scheme = urlparse(url).scheme
    if scheme.startswith("sqlite"):
        _owner_only_sqlite_file(url)
        db = connect(url, pragmas=SQLITE_PRAGMAS, timeout=30, check_same_thread=False,
                     factory=_TrackedConnection)
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
    if isinstance(db, SqliteDatabase):
        with _sqlite_session(db):
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


class _TrackedConnection(sqlite3.Connection):
    """A SQLite connection that knows its live cursors, so one kept for the next session can close
    them: a cursor not read to its end keeps its statement, and with it a read snapshot, open."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.live_cursors: weakref.WeakSet[sqlite3.Cursor] = weakref.WeakSet()

    def cursor(self, *args: Any, **kwargs: Any) -> sqlite3.Cursor:
        made = super().cursor(*args, **kwargs)
        self.live_cursors.add(made)
        return made

    def settle(self) -> bool:
        """Close the cursors still alive; whether the connection is fit to keep (no transaction)."""
        for live in list(self.live_cursors):
            live.close()
        return not self.in_transaction


#: Idle SQLite connections kept for the next sessions (opening one and setting its pragmas cost
#: about 4 % of a push's server CPU, twice a request), and the database they belong to.
_readers: tuple[SqliteDatabase, list[sqlite3.Connection]] | None = None
_readers_lock = threading.Lock()
KEPT_READERS = 8


def _take_reader(db: SqliteDatabase) -> sqlite3.Connection:
    with _readers_lock:
        if _readers is not None and _readers[0] is db and _readers[1]:
            return _readers[1].pop()
    return db._connect()  # with the pragmas every connection gets


def _give_back_reader(db: SqliteDatabase, conn: sqlite3.Connection) -> None:
    global _readers
    fit = isinstance(conn, _TrackedConnection) and conn.settle()
    with _readers_lock:
        if _readers is None or _readers[0] is not db:
            _drop_readers_locked()
            _readers = (db, [])
        if fit and len(_readers[1]) < KEPT_READERS:
            _readers[1].append(conn)
            return
    conn.close()


def _drop_readers_locked() -> None:
    global _readers
    if _readers is not None:
        kept, _readers = _readers[1], None
        for conn in kept:
            conn.close()


@contextmanager
def _sqlite_session(db: SqliteDatabase) -> Iterator[None]:
    """The thread's session on a kept connection (one is opened when none is idle); given back at
    the end unless the block closed it or left a transaction open."""
    conn = _take_reader(db)
    state = db._state
    state.set_connection(conn)
    try:
        yield
    finally:
        intact = state.conn is conn and not state.closed
        state.reset()
        if not intact:
            conn.close()
        else:
            if conn.in_transaction:  # pragma: no cover - a bug: a transaction leaked out of its block
                conn.rollback()
            _give_back_reader(db, conn)


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


#: A passive checkpoint runs after every CHECKPOINT_EVERY-th write transaction, and after the
#: last one of a burst once no write has come for CHECKPOINT_IDLE seconds (off the request path).
CHECKPOINT_EVERY = 4
CHECKPOINT_IDLE = 0.05
_unchecked = 0  # write transactions since the last checkpoint (under _sqlite_writer)
_last_write = 0.0
_idle_wake = threading.Event()
_idle_thread: threading.Thread | None = None


def _checkpoint(conn: sqlite3.Connection) -> None:
    """Copy what the WAL holds into the database file, as far as no reader needs its frames
    (PASSIVE: waits for nobody). Readers then find the WAL all copied and read the database file
    alone. Left to SQLite's 1000-page auto-checkpoint, the WAL kept up to 1000 frames readers had
    to look through, and a city's first pulls cost 1.4-2x the server CPU per member
    (bench/city.py --sqlite --unions 500). After every write transaction it cost ~5 % of a push's
    server CPU (each one copies and syncs the pages the last wrote): so every CHECKPOINT_EVERY
    transactions, and at the end of a burst of writes."""
    global _unchecked
    _unchecked = 0
    try:
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    except sqlite3.Error:  # pragma: no cover - the next checkpoint tries again
        pass


def _written(conn: sqlite3.Connection) -> None:
    """After a write transaction on the kept connection (under _sqlite_writer)."""
    global _unchecked, _last_write, _idle_thread
    _unchecked += 1
    if _unchecked >= CHECKPOINT_EVERY:
        _checkpoint(conn)
        return
    _last_write = time.monotonic()
    if _idle_thread is None or not _idle_thread.is_alive():
        _idle_thread = threading.Thread(target=_idle_checkpoints, name="sqlite-checkpoint", daemon=True)
        _idle_thread.start()
    _idle_wake.set()


def _idle_checkpoints() -> None:
    """Checkpoint what the last write transactions left once writing has paused."""
    while True:
        _idle_wake.wait()
        time.sleep(CHECKPOINT_IDLE)
        with _sqlite_writer:
            if time.monotonic() - _last_write < CHECKPOINT_IDLE:
                continue  # still writing: look again later
            _idle_wake.clear()
            if _unchecked and _writer is not None:
                _checkpoint(_writer[1])


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
                _written(conn)
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

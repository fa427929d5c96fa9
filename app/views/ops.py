"""Running work off the UI thread, Anki-CollectionOp style.

`run_db(parent, fn, on_success)` runs `fn()` on the one database worker thread and calls
`on_success(result)` (or `on_failure(exc)`) back on the main thread. `run_io` does the same on a
separate pool for network, PDF and spreadsheet work, so a stalled server never blocks a save.
`fn` must return plain data, never widgets or live peewee objects.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from concurrent.futures import Future
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QEventLoop,
    QObject,
    QRunnable,
    QThread,
    QThreadPool,
    QTimer,
    Signal,
    Slot,
)

from app.models import db

log = logging.getLogger(__name__)

_pools: dict[str, QThreadPool] = {}
_live: set["_Relay"] = set()
#: What finished tasks held (their work function, its relay): a worker hands them here instead of
#: dropping them, and the main thread lets them go. A closure or relay may hold the last reference
#: to a page or a controller; freed on a worker thread, its QObjects (timers) would be destroyed
#: off their thread ("Timers cannot be stopped from another thread").
_released: list[tuple[Any, ...]] = []
#: Set on the database worker's thread while it runs work (call_db from there runs inline).
_on_db_worker = threading.local()


def pool(name: str) -> QThreadPool:
    if name not in _pools:
        p = QThreadPool()
        p.setMaxThreadCount(1 if name == "db" else 4)
        if name == "db":
            p.setExpiryTimeout(-1)  # one long-lived thread keeps its connection (see _db_connection)
        p.setObjectName(f"{name}-pool")
        _pools[name] = p
    return _pools[name]


class _Relay(QObject):
    """Lives on the main thread; worker results reach it through queued signals."""

    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int)

    def __init__(self, parent: QObject | None, on_success, on_failure, on_progress) -> None:
        super().__init__(None)
        self._parent = parent
        self._on_success = on_success
        self._on_failure = on_failure
        self._on_progress = on_progress
        self.succeeded.connect(self._success)
        self.failed.connect(self._failure)
        self.progressed.connect(self._progress)

    def _parent_gone(self) -> bool:
        """The page that asked has been closed (deleted) while the work ran: its answer is dropped."""
        return isinstance(self._parent, QObject) and not shiboken6.isValid(self._parent)

    @Slot(object)
    def _success(self, result: Any) -> None:
        _live.discard(self)
        if self._on_success and not self._parent_gone():
            self._on_success(result)

    @Slot(object)
    def _failure(self, exc: BaseException) -> None:
        _live.discard(self)
        if self._parent_gone():
            log.info("work for a closed page failed: %s", type(exc).__name__)
            return
        if self._on_failure:
            self._on_failure(exc)
        else:
            from app.views.errors import show_error

            show_error(self._parent if hasattr(self._parent, "window") else None, exc)

    @Slot(int, int)
    def _progress(self, done: int, total: int) -> None:
        if self._on_progress and not self._parent_gone():
            self._on_progress(done, total)


class Cancelled(Exception):
    """Raised inside a worker when the clerk pressed cancel."""


class Progress:
    """Handed to work functions that report progress and honour cancel."""

    def __init__(self, relay: _Relay) -> None:
        self._relay = relay
        self.cancel_requested = threading.Event()

    def __call__(self, done: int, total: int) -> None:
        if self.cancel_requested.is_set():
            raise Cancelled()
        self._relay.progressed.emit(done, total)


def _db_connection() -> None:
    """On the database worker: keep this thread's connection from task to task (opening one costs
    ~15 ms: pragmas, schema), unless the profile's database changed since (another file, or the
    file replaced)."""
    try:
        key = (db.database, os.stat(db.database).st_ino) if db.database else None
    except OSError:
        key = None
    if getattr(_on_db_worker, "key", None) != key and not db.is_closed():
        db.close()
    _on_db_worker.key = key


def _let_go() -> None:
    """On the main thread: drop what finished tasks handed over (see _released)."""
    if threading.current_thread() is threading.main_thread():
        _released.clear()


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay, uses_db: bool) -> None:
        super().__init__()
        self._fn = fn
        self._relay = relay
        self._uses_db = uses_db

    def run(self) -> None:  # runs on the worker thread
        _on_db_worker.active = self._uses_db
        if self._uses_db:
            _db_connection()
        failure: BaseException | None = None
        try:
            result = self._fn()
        except BaseException as exc:  # delivered to the main thread
            if not isinstance(exc, Exception):
                raise
            failure = exc  # its traceback holds the work's frames: let go on the main thread too
            self._relay.failed.emit(exc)
        else:
            self._relay.succeeded.emit(result)
        finally:
            _on_db_worker.active = False
            if not self._uses_db and not db.is_closed():
                db.close()  # an I/O thread's connection, if it opened one
            _released.append((self._fn, self._relay, failure))
            self._fn = self._relay = None  # type: ignore[assignment]


def _start(pool_name: str, parent: QObject | None, fn, on_success, on_failure, on_progress,
           with_progress: bool) -> Progress | None:
    _let_go()
    relay = _Relay(parent, on_success, on_failure, on_progress)
    _live.add(relay)
    progress = Progress(relay) if with_progress else None
    work = (lambda: fn(progress)) if with_progress else fn
    pool(pool_name).start(_Task(work, relay, uses_db=pool_name == "db"))
    return progress


def run_db(parent: QObject | None, fn: Callable[[], Any], on_success: Callable[[Any], None] | None = None,
           on_failure: Callable[[BaseException], None] | None = None) -> None:
    """Run database work on the single database worker."""
    _start("db", parent, fn, on_success, on_failure, None, False)


def run_db_with_progress(parent: QObject | None, fn: Callable[[Progress], Any],
                         on_success=None, on_failure=None, on_progress=None) -> Progress:
    """Like run_db, for long work: `fn(progress)` calls `progress(done, total)`; returns the
    handle whose `cancel_requested` the UI sets."""
    return _start("db", parent, fn, on_success, on_failure, on_progress, True)  # type: ignore[return-value]


class Latest:
    """Database queries of which only the newest request's answer is shown (typing in a search
    box sends many; an older answer arriving late must not replace a newer one)."""

    def __init__(self, parent: QObject) -> None:
        self._parent = parent
        self._serial = 0

    def run(self, fn: Callable[[], Any], on_success: Callable[[Any], None],
            on_failure: Callable[[BaseException], None] | None = None) -> None:
        self._serial += 1
        serial = self._serial

        def done(result: Any) -> None:
            if serial == self._serial:
                on_success(result)

        run_db(self._parent, fn, done, on_failure)


def run_io(parent: QObject | None, fn: Callable[[], Any], on_success=None, on_failure=None) -> None:
    """Run network, PDF or spreadsheet work that does not hold the database."""
    _start("io", parent, fn, on_success, on_failure, None, False)


class _Call(QRunnable):
    def __init__(self, fn: Callable[[], Any], future: Future) -> None:
        super().__init__()
        self._fn = fn
        self._future = future

    def run(self) -> None:  # on the database worker
        _on_db_worker.active = True
        _db_connection()
        try:
            self._future.set_result(self._fn())
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            self._future.set_exception(exc)
        finally:
            _on_db_worker.active = False


def call_db(fn: Callable[[], Any]) -> Any:
    """Run `fn` on the database worker and return its result, from another worker (sync's network
    side applies what it fetched this way). Never from the UI thread, which must not wait."""
    if getattr(_on_db_worker, "active", False):
        return fn()
    app = QCoreApplication.instance()
    if app is not None and QThread.currentThread() is app.thread():
        raise RuntimeError("call_db blocks: use run_db on the UI thread")
    future: Future = Future()
    pool("db").start(_Call(fn, future))
    return future.result()


def drain(msecs: int = 30_000) -> bool:
    """Deliver events until every pool is idle and every answer has been shown (screenshots,
    tests, benches): the UI thread keeps painting; the work stays on the workers. Between events
    it sleeps in Qt's event loop (a short timer wakes it to look again), so it never spins
    against the workers for the interpreter."""
    app = QCoreApplication.instance()
    if app is None:
        return wait_all(msecs)
    deadline = time.monotonic() + msecs / 1000
    wake = QTimer()
    wake.setInterval(5)
    wake.start()
    try:
        while time.monotonic() < deadline:
            app.processEvents()
            if not _live and not any(p.activeThreadCount() for p in _pools.values()):
                app.processEvents()
                if not _live:
                    _let_go()
                    return True
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
    finally:
        wake.stop()
    return False


def run_io_with_progress(parent: QObject | None, fn: Callable[[Progress], Any],
                         on_success=None, on_failure=None, on_progress=None) -> Progress:
    """Like run_io, for long network work that reports progress (a first download)."""
    return _start("io", parent, fn, on_success, on_failure, on_progress, True)  # type: ignore[return-value]


def wait_all(msecs: int = 30_000) -> bool:
    """Block until every pool is idle (shutdown and tests)."""
    done = all(p.waitForDone(msecs) for p in _pools.values())
    _let_go()
    return done


def release_database(msecs: int = 10_000) -> None:
    """Close the database worker's connection (at exit, before the main thread closes its own,
    so the last connection to close checkpoints the WAL)."""
    if "db" not in _pools:
        return

    def close() -> None:
        if not db.is_closed():
            db.close()
        _on_db_worker.key = None

    done: Future = Future()
    _pools["db"].start(_Call(close, done))
    done.result(timeout=msecs / 1000)

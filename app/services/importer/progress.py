"""How an import paces itself: progress units, monotonic reports, phase timings, paused GC."""
from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from app.services.spreadsheets import ProgressFn

#: Progress units of `prepare_import`: reading the file, then checking rows.
PROGRESS_TOTAL = 1000
READ_SHARE = 450


@contextmanager
def bulk_allocation() -> Iterator[None]:
    """Cyclic garbage collection paused: a 100,000-row file allocates millions of small acyclic
    objects, and each collection would rescan all of them (a third of the run time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


#: Longest time without a progress report: the heartbeat repeats the last one after this long.
HEARTBEAT_S = 0.1


class Monotonic:
    """`progress` safe to call from the reading thread and the caller's at once, never going
    backwards; `again()` repeats the last report (a heartbeat while a step has no count)."""

    def __init__(self, progress: ProgressFn, total: int = PROGRESS_TOTAL) -> None:
        self._progress = progress
        self._lock = threading.Lock()
        self._last = (0, total)
        self.reported_at = time.perf_counter()

    def __call__(self, done: int, total: int) -> None:
        with self._lock:
            if total == self._last[1]:
                done = max(done, self._last[0])
            self._last = (done, total)
            self.reported_at = time.perf_counter()
            self._progress(done, total)

    def again(self) -> None:
        if self._last[1]:  # nothing to repeat before the first report of a step with a total
            self(*self._last)


@contextmanager
def heartbeat(progress: Monotonic | None, every: float = HEARTBEAT_S) -> Iterator[None]:
    """While the body runs, repeat the last report whenever `every` seconds passed without one.

    Some steps of an import are one SQLite call that cannot report (building an index of 100,000
    rows, the commit's write of the WAL), and on a busy PC the calamine reader's chunks and the
    rule checks' slices can take longer than the wizard's 0.25 s between reports. SQLite and
    calamine release the GIL, so this thread beats meanwhile. A cancel raised by a heartbeat is
    dropped here: the work itself raises it at its own next report (an indivisible step ends first).
    """
    if progress is None:
        yield
        return
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(every / 4):
            if time.perf_counter() - progress.reported_at >= every:
                try:
                    progress.again()
                except Exception:  # noqa: BLE001 - a cancel: the work raises it at its next report
                    progress.reported_at = time.perf_counter()

    thread = threading.Thread(target=beat, name="import-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


class Laps:
    """Seconds per phase (for the benchmark): `lap(name)` ends the phase begun at the last lap."""

    def __init__(self) -> None:
        self.started = self._last = time.perf_counter()
        self.timings: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = now - self._last
        self._last = now

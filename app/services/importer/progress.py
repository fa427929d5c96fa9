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


class Monotonic:
    """`progress` safe to call from the reading thread and the caller's at once, never going
    backwards; `again()` repeats the last report (a heartbeat while a step has no count)."""

    def __init__(self, progress: ProgressFn) -> None:
        self._progress = progress
        self._lock = threading.Lock()
        self._last = (0, PROGRESS_TOTAL)

    def __call__(self, done: int, total: int) -> None:
        with self._lock:
            if total == self._last[1]:
                done = max(done, self._last[0])
            self._last = (done, total)
            self._progress(done, total)

    def again(self) -> None:
        self(*self._last)


class Laps:
    """Seconds per phase (for the benchmark): `lap(name)` ends the phase begun at the last lap."""

    def __init__(self) -> None:
        self.started = self._last = time.perf_counter()
        self.timings: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = now - self._last
        self._last = now

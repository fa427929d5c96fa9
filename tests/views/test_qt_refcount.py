"""Guard against the PySide6 fault that aborts a long-running app (issue #10).

PySide6 6.12.0 on CPython 3.11 drops one reference to `None` on every Python call of a Qt method
that returns nothing (`QLabel.setText`, `QWidget.setEnabled`, …); after ~18,000 such calls the
interpreter frees `None` and aborts with "Fatal Python error: none_dealloc". pyproject pins a range
without the fault; this test fails when a Qt in that range (or a widened range) brings it back.

The probe runs in a child process: with the fault, 20,000 calls may abort the interpreter, and
that must fail this test, not kill the whole test run.
"""
from __future__ import annotations

import os
import subprocess
import sys

CALLS = 20_000

PROBE = f"""
import sys
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QLabel

app = QApplication(["refcount-probe"])
label = QLabel()
owner = QObject()
results = []
for name, call in (("QLabel.setText", lambda: label.setText("名单")),
                   ("QWidget.setEnabled", lambda: label.setEnabled(True)),
                   ("QObject.setObjectName", lambda: owner.setObjectName("probe"))):
    call()  # warm up (first-call caches)
    before = sys.getrefcount(None)
    for _ in range({CALLS}):
        call()
    results.append(f"{{name}} {{sys.getrefcount(None) - before}}")
print("\\n".join(results), flush=True)
"""


def test_void_qt_calls_leave_the_refcount_of_none_alone() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, (
        f"the probe died (exit {done.returncode}) after void Qt calls — the PySide6 None-refcount fault; "
        f"pin a PySide6 version without it\n{done.stderr[-2000:]}")
    drift = {name: int(delta) for name, delta in (line.rsplit(" ", 1) for line in done.stdout.split("\n") if line)}
    assert len(drift) == 3, done.stdout
    # A healthy build moves the count by a handful at most (a cached object or two); the fault moves
    # it by one per call.
    assert all(abs(delta) < 100 for delta in drift.values()), (
        f"sys.getrefcount(None) drifted over {CALLS:,} void Qt calls: {drift}")

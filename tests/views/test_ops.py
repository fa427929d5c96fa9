"""app.views.ops: answers of work run off the UI thread reach the page that asked, unless that
page was closed meanwhile."""
from __future__ import annotations

import threading

import shiboken6
from PySide6.QtWidgets import QWidget

from app.paths import Profile
from app.views import ops


def test_an_answer_reaches_its_page(qtbot, profile: Profile) -> None:
    page = QWidget()
    qtbot.addWidget(page)
    answers: list[int] = []
    ops.run_db(page, lambda: 42, answers.append)
    qtbot.waitUntil(lambda: answers == [42], timeout=5000)


def test_an_answer_for_a_closed_page_is_dropped(qtbot, profile: Profile) -> None:
    page = QWidget()
    release = threading.Event()
    answers: list[object] = []
    failures: list[BaseException] = []

    def slow() -> int:
        release.wait(5)
        return 1

    def broken() -> int:
        release.wait(5)
        raise ValueError("boom")

    ops.run_db(page, slow, answers.append, failures.append)
    ops.run_db(page, broken, answers.append, failures.append)
    shiboken6.delete(page)  # the clerk closed the page while the work ran
    release.set()
    assert ops.wait_all(5000)
    done: list[int] = []
    ops.run_db(None, lambda: 0, done.append)  # queued behind the two: their answers came first
    qtbot.waitUntil(lambda: done == [0], timeout=5000)
    assert answers == [] and failures == []


def test_what_a_task_held_is_let_go_on_the_main_thread(qtbot, profile: Profile) -> None:
    """A controller whose last references are the task's (its callbacks, the work's closure) is
    freed on the main thread, so its timers die on their own thread — freed on a worker, Qt says
    "Timers cannot be stopped from another thread" (seen in the sync window test)."""
    import gc
    import weakref

    from PySide6.QtCore import QObject, QTimer

    freed_on: list[str] = []
    for _ in range(30):
        owner = QObject()
        owner.timer = QTimer(owner)  # type: ignore[attr-defined]
        owner.timer.start(60_000)  # type: ignore[attr-defined]
        weakref.finalize(owner, lambda: freed_on.append(threading.current_thread().name))
        answers: list[int] = []
        ops.run_io(owner, lambda o=owner: id(o) and 1, lambda r, o=owner, got=answers: got.append(r))
        del owner
        assert ops.drain(5000) and answers == [1]
    assert ops.wait_all(5000)
    gc.collect()
    assert freed_on == [threading.main_thread().name] * 30

"""The suite's guard against database work on the GUI thread (tests/conftest.py) sees it."""
from __future__ import annotations

from pathlib import Path

from app.paths import Profile
from app.views import ops

ROOT = Path(__file__).resolve().parents[2]

#: Code that queries the database, compiled as if it were a view module.
VIEW_LIKE = compile("from app.models import Member\n\ndef count():\n    return Member.select().count()\n",
                    str(ROOT / "app" / "views" / "probe.py"), "exec")


def test_view_code_on_the_gui_thread_is_caught_and_on_the_worker_is_not(qtbot, profile: Profile,
                                                                        gui_thread_db_calls) -> None:
    namespace: dict = {}
    exec(VIEW_LIKE, namespace)  # noqa: S102 - a fixed probe
    answers: list[int] = []
    ops.run_db(None, namespace["count"], answers.append)
    ops.drain()
    assert answers == [0] and not gui_thread_db_calls  # on the database worker: fine
    namespace["count"]()  # on the GUI thread: recorded
    assert [c.split(" in ")[1] for c in gui_thread_db_calls] == ["count"]
    gui_thread_db_calls.clear()  # this test's own violation is the point, not a failure

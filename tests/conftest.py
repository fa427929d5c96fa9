"""Suite-wide fixtures: offscreen Qt, a fresh profile (real SQLite file) per test."""
from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from app.models import close_database, open_database
from app.paths import Profile


@pytest.fixture
def profile(tmp_path: Path) -> Iterator[Profile]:
    """A fresh profile folder whose database is open and migrated."""
    prof = Profile(tmp_path / "profile").create()
    open_database(prof.database, backup_dir=prof.backups)
    yield prof
    # A query still running on a worker must not outlive its database: closed under it, the next
    # test's fresh database answers "no such table" and the error box blocks offscreen forever.
    ops = sys.modules.get("app.views.ops")
    if ops is not None:
        ops.wait_all(60_000)
    close_database()


@pytest.fixture
def demo_profile(profile: Profile) -> Profile:
    """A profile holding the demo union and 300 members."""
    from app.services import demo

    demo.fill_demo(300)
    return profile


@pytest.fixture(scope="session")
def qapp_args() -> list[str]:
    return ["union-clerk-tests"]


@pytest.fixture(scope="session", autouse=False)
def bundled_font(qapp):
    from app.views.fonts import register_bundled_font

    return register_bundled_font(qapp)


@pytest.fixture
def file_keyring(tmp_path: Path) -> Iterator[Path]:
    """A real keyring backend for tests: keyrings.alt's file backend in tmp_path, explicitly
    trusted (the app itself refuses file backends)."""
    import keyring
    from keyrings.alt.file import PlaintextKeyring

    from app.sync import credentials

    previous = keyring.get_keyring()
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring.cfg")
    keyring.set_keyring(backend)
    credentials.trust_backend_for_tests(backend)
    yield tmp_path / "keyring.cfg"
    credentials.trust_backend_for_tests(None)
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """The OS has no usable keyring."""
    import keyring
    from keyring.backends.fail import Keyring as FailKeyring

    previous = keyring.get_keyring()
    keyring.set_keyring(FailKeyring())
    yield
    keyring.set_keyring(previous)


# ---- no database work on the GUI thread (issue #10) -------------------------------------------------

#: View code allowed to touch the database on the GUI thread, as (path under the repo, function).
#: Start-up opens the profile's database and reads its union before any window exists (and a
#: demo fills its throwaway profile then).
GUI_DB_ALLOWED = frozenset({("app/main.py", "main"), ("app/main.py", "_open_union"),
                            ("app/main.py", "_start_demo")})

_REPO = str(Path(__file__).resolve().parents[1]) + os.sep
_VIEW_CODE = (_REPO + os.path.join("app", "views") + os.sep, _REPO + os.path.join("app", "main.py"))


class GuiThreadDatabaseCalls(list):
    """Database calls made on the GUI thread from view code (a test's setup and assertions may
    use the database directly; the app's views may not)."""

    def check(self) -> None:
        import sys
        import threading

        if threading.current_thread() is not threading.main_thread():
            return
        frame = sys._getframe(2)
        while frame is not None:
            path = frame.f_code.co_filename
            if path.startswith(_VIEW_CODE):
                where = (path[len(_REPO):].replace(os.sep, "/"), frame.f_code.co_name)
                if where not in GUI_DB_ALLOWED:
                    self.append(f"{where[0]}:{frame.f_lineno} in {where[1]}")
                return
            frame = frame.f_back


@pytest.fixture(autouse=True)
def gui_thread_db_calls() -> Iterator[GuiThreadDatabaseCalls]:
    """Fails the test when view code ran a database call on the GUI thread."""
    from app.models.db import db

    calls = GuiThreadDatabaseCalls()
    cursor, connection = db.cursor, db.connection

    def guarded_cursor(*args, **kwargs):
        calls.check()
        return cursor(*args, **kwargs)

    def guarded_connection(*args, **kwargs):
        calls.check()
        return connection(*args, **kwargs)

    db.cursor, db.connection = guarded_cursor, guarded_connection
    try:
        yield calls
    finally:
        del db.cursor, db.connection
    if calls:
        pytest.fail("database calls on the GUI thread from view code:\n  " + "\n  ".join(dict.fromkeys(calls)))


@pytest.fixture(autouse=True)
def collect_qt_garbage_on_the_gui_thread(request: pytest.FixtureRequest) -> Iterator[None]:
    """Collect the test's leftover reference cycles here, on the GUI thread. Left to chance, Python's
    collector may run them down later in whichever thread allocates next — a database or I/O worker —
    and a QObject with a timer destroyed there warns "Timers cannot be stopped from another thread"
    in an unrelated test (seen once in a loaded full run, in test_updates)."""
    yield
    if "PySide6.QtCore" in sys.modules and {"qtbot", "qapp"} & set(request.fixturenames):
        gc.collect()

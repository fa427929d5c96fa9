"""A demo server on loopback and the main window signed in to it, as the views' sync tests use them."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.paths import Profile
from app.sync.account import SignedIn
from app.views import ops
from app.views.main_window import MainWindow
from app.views.sync_controller import SyncController
from server.embedded import start_demo_server


@contextmanager
def demo_server(folder: Path, members_per_union: int) -> Iterator[str]:
    """The demo server's URL; stopped once the database worker has finished what the test left."""
    url, stop = start_demo_server(folder / "server.db", members_per_union=members_per_union)
    try:
        yield url
    finally:
        ops.wait_all(10_000)
        stop()


def signed_in_window(qtbot, profile: Profile, signed: SignedIn) -> tuple[MainWindow, SyncController]:  # type: ignore[no-untyped-def]
    """A shown MainWindow (plan year 2027) whose SyncController holds `signed`'s session."""
    sync = SyncController()
    window = MainWindow(profile=profile, union_id=signed.engine.union_id, union_name=signed.union_name,
                        plan_year=2027, actor=signed.username, remember_geometry=False, sync=sync)
    qtbot.addWidget(window)
    window.show()
    sync.set_signed_in(signed)
    return window, sync

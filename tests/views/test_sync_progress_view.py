"""The status bar during a sync against a real server (issue #13 item 8): 上传 a/b as the push
goes, a 取消 that stops it with nothing lost, and the next sync sending the rest."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.models import Member
from app.paths import Profile
from app.services import members as member_service
from app.sync import account
from app.sync import engine as sync_engine
from app.views import ops
from app.views.sync_controller import SyncController
from app.views.sync_status import SyncStatusWidget
from server.embedded import DEMO_CLERK, DEMO_PASSWORD, start_demo_server

EDITED = 25


@pytest.fixture
def server_url(tmp_path: Path) -> Iterator[str]:
    url, stop = start_demo_server(tmp_path / "server.db", members_per_union=30)
    yield url
    ops.wait_all(10_000)
    stop()


def test_the_status_bar_counts_and_a_cancel_keeps_what_was_sent(qtbot, server_url: str, profile: Profile,
                                                                  file_keyring, bundled_font,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    signed = account.sign_in(server_url, DEMO_CLERK, DEMO_PASSWORD, profile_root=profile.root)
    signed.engine.sync()
    for n, m in enumerate(Member.select().where(Member.id_type == "mainland").order_by(Member.id).limit(EDITED)):
        member_service.update_member(m.id, {"label": f"标签{n}"}, actor="clerk", plan_year=2027, today=date.today())
    monkeypatch.setattr(sync_engine, "PUSH_CHUNK", 10)
    sync = SyncController()
    widget = SyncStatusWidget(sync)
    sync.setParent(widget)  # its timers (the 3 s 待发送 count) go with the widget, not into later tests
    qtbot.addWidget(widget)
    widget.show()
    sync.set_signed_in(signed)
    shown: list[str] = []
    sync.statusChanged.connect(lambda: shown.append(widget.progress.text()) if widget.progress.isVisible() else None)
    # The clerk cancels as the first request's answer arrives (on the sync's own thread, so the
    # moment is exact).
    armed = [True]

    def cancel_once(*_step) -> None:
        if armed[0]:
            armed[0] = False
            sync.cancel()

    sync.progressed.connect(cancel_once, Qt.ConnectionType.DirectConnection)
    sync.sync_now()
    assert widget.cancel.isVisible() and widget.cancel.isEnabled()  # 取消 while it runs
    qtbot.waitUntil(lambda: not sync.running, timeout=20_000)  # a cancel is no failure: no syncFailed
    assert not sync.running and "已取消同步" in widget.error.toolTip()
    assert "上传 10/25" in shown and not widget.cancel.isVisible() and not widget.progress.isVisible()
    qtbot.waitUntil(lambda: sync.pending == EDITED - 10, timeout=10_000)
    assert "待发送 15 条" in widget.pending.text()

    with qtbot.waitSignal(sync.synced, timeout=20_000):
        sync.sync_now()
    assert sync.pending == 0
    assert [t for t in shown if t.startswith("上传 15/")][-1].startswith("上传 15/15")
    assert Member.select().where(Member.label.startswith("标签") & (Member.sync_state == "sent")).count() == EDITED

"""Sync in the window against a real server: login dialog, status indicator, conflict dialog."""
from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from app.models import Member
from app.paths import Profile
from app.protocol import MemberUpsert, PushRecord
from app.services import members as member_service
from app.sync import account
from app.sync.client import ServerClient
from app.views import ops
from app.views.conflict_dialog import ConflictDialog
from app.views.login_dialog import LoginDialog
from app.views.sync_controller import SyncController
from app.views.sync_status import SyncStatusWidget

from tests.views.window_kit import demo_server, signed_in_window

from server.embedded import DEMO_CLERK, DEMO_PASSWORD


@pytest.fixture
def server_url(tmp_path: Path) -> Iterator[str]:
    with demo_server(tmp_path, members_per_union=20) as url:
        yield url


def test_login_dialog_wrong_then_right(qtbot, server_url: str, profile: Profile, file_keyring, bundled_font) -> None:
    dialog = LoginDialog(profile.root, server_url=server_url, username=DEMO_CLERK)
    qtbot.addWidget(dialog)
    dialog.password.setText("not-the-password")
    dialog.try_login()
    qtbot.waitUntil(lambda: dialog.error.isVisibleTo(dialog), timeout=10_000)
    assert "密码" in dialog.error.text()
    assert dialog.password.text() == ""
    dialog.password.setText(DEMO_PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.try_login()
    assert dialog.signed_in is not None and dialog.signed_in.username == DEMO_CLERK


def test_login_dialog_shows_a_server_address_whole(qtbot, profile: Profile, bundled_font) -> None:
    url = "https://union.example.cn:8443/"
    dialog = LoginDialog(profile.root, server_url=url, username="clerk01")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    # The field's text area (its width less the frame and text margins) holds the whole address.
    assert dialog.server.width() - 12 >= dialog.server.fontMetrics().horizontalAdvance(url)


def test_window_syncs_and_resolves_a_conflict(qtbot, server_url: str, profile: Profile, file_keyring,
                                             bundled_font, tmp_path: Path) -> None:
    signed = account.sign_in(server_url, DEMO_CLERK, DEMO_PASSWORD, profile_root=profile.root)
    window, sync = signed_in_window(qtbot, profile, signed)
    with qtbot.waitSignal(sync.synced, timeout=15_000):
        sync.sync_now()
    status: SyncStatusWidget = window.sync_status
    assert "在线" in status.state.text() and "待发送 0 条" == status.pending.text()
    qtbot.waitUntil(lambda: window.page("workbench").members_card.value.text() == "20", timeout=5000)

    # Another PC changes a member's address; this PC changes it too → a conflict.
    m = Member.select().where(Member.category == "linked_enterprise").order_by(Member.id).first()
    other = ServerClient(server_url)
    other.login(DEMO_CLERK, DEMO_PASSWORD)
    versions = {"work_address": 10**6}  # a base past any version: no conflict on the other PC's side
    change = MemberUpsert(m.id_number, {"work_address": "上海市静安区南京西路一千号十二楼"}, versions,
                          union=signed.engine.org_code)
    result = other.push(None, [PushRecord(f"other-{time.time_ns()}", change.KIND, change.to_wire()).to_wire()])
    assert result[0]["status"] == "ok"
    member_service.update_member(m.id, {"work_address": "上海市徐汇区漕溪北路八十八号"}, actor=DEMO_CLERK,
                                 plan_year=2027, today=date.today())
    with qtbot.waitSignal(sync.conflictsFound, timeout=15_000):
        sync.sync_now()
    with qtbot.waitSignal(window.show_conflicts().loaded, timeout=5000) as blocker:
        pass
    assert blocker.args == [1]
    dialog: ConflictDialog = window.findChild(ConflictDialog)
    model = dialog.model
    assert model.rowCount() == 1 and model.index(0, 3).data() == "上海市静安区南京西路一千号十二楼"
    assert model.index(0, 4).data() == "保留本机的修改"
    dialog.resize(900, 300)
    assert dialog.grab().save(str(tmp_path / "conflict.png"))
    assert model.setData(model.index(0, 4), "server")  # take the server's
    assert model.index(0, 4).data() == "采用服务器上的内容"
    with qtbot.waitSignal(dialog.resolved, timeout=5000):
        dialog.apply()
    with qtbot.waitSignal(sync.synced, timeout=15_000):
        sync.sync_now()
    assert Member.get_by_id(m.id).work_address == "上海市静安区南京西路一千号十二楼"
    assert Member.get_by_id(m.id).sync_state == "sent"
    window.resize(1200, 700)
    assert window.grab().save(str(tmp_path / "window-online.png"))


def test_offline_is_shown_in_words(qtbot, profile: Profile, bundled_font) -> None:
    from app.views.errors import describe_sync_error
    from app.sync.client import Offline

    sync = SyncController()
    widget = SyncStatusWidget(sync)
    qtbot.addWidget(widget)
    assert "未登录" in widget.state.text()
    sync.signed_in = object()  # type: ignore[assignment]
    sync._failed(Offline("ConnectionError"))
    assert "离线" in widget.state.text()
    assert "联网后自动发送" in widget.error.toolTip() == describe_sync_error(Offline())


def test_the_window_applies_pulled_pages_on_the_database_worker(qtbot, server_url: str, profile: Profile,
                                                                file_keyring, bundled_font) -> None:
    """The network runs on the I/O pool; each page and its cursor are written by the database worker."""
    import threading

    signed = account.sign_in(server_url, DEMO_CLERK, DEMO_PASSWORD, profile_root=profile.root)
    engine = signed.engine
    where: list[tuple[str, bool]] = []
    apply_page, queue_changes = engine._apply_page, engine.queue_member_changes

    def recording(name, fn):
        def run(*args):
            where.append((name, bool(getattr(ops._on_db_worker, "active", False))
                          and threading.current_thread() is not threading.main_thread()))
            return fn(*args)
        return run

    engine._apply_page = recording("page", apply_page)
    engine.queue_member_changes = recording("queue", queue_changes)
    sync = SyncController()
    sync.set_signed_in(signed)
    with qtbot.waitSignal(sync.synced, timeout=15_000):
        sync.sync_now()
    assert ("page", True) in where and ("queue", True) in where
    assert all(on_worker for _, on_worker in where), where
    assert Member.select().count() == 20

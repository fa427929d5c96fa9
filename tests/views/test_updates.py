"""The server announces a newer app: 有新版本 in the status bar and in 关于, nothing installed; the
app refuses to sync only when the server says this version is too old — against a real server."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from app import __version__
from app.models import Member
from app.paths import Profile
from app.services import members as member_service
from app.sync import account
from app.sync.updates import ClientTooOld
from app.views import ops
from app.views.about_dialog import AboutDialog
from app.views.main_window import MainWindow
from app.views.sync_controller import SyncController
from server.app import create_app
from server.db import session
from server.demo import init_demo
from server.embedded import serve_in_thread
from server.models import Member as ServerMember
from server.settings import ServerContext, Settings

PASSWORD = "update-test-pw-1"
DOWNLOAD = "https://baozhang.example.org.cn/download"


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[str, Settings]]:
    """A real server whose client-version settings the test changes while it runs."""
    app = create_app(f"sqlite:///{tmp_path / 'server.db'}", settings=Settings(worker_poll_seconds=0.05))
    with session():
        init_demo(ServerContext(), password=PASSWORD, members_per_union=10)
    url, stop = serve_in_thread(app)
    yield url, app.state.ctx.settings
    ops.wait_all(10_000)
    stop()


def test_a_newer_version_is_announced_in_the_status_bar_and_about(qtbot, live, profile: Profile, file_keyring,
                                                                   bundled_font, tmp_path: Path) -> None:
    url, settings = live
    settings.latest_client_version, settings.client_download_url = "9.0.0", DOWNLOAD
    signed = account.sign_in(url, "grassroots", PASSWORD, profile_root=profile.root)
    sync = SyncController()
    window = MainWindow(profile=profile, union_id=signed.engine.union_id, union_name=signed.union_name,
                        plan_year=2027, actor="grassroots", remember_geometry=False, sync=sync)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    sync.set_signed_in(signed)
    with qtbot.waitSignal(sync.synced, timeout=20_000) as synced:
        sync.sync_now()
    assert not synced.args[0].errors and sync.online  # a newer version does not stop the sync
    notice = window.sync_status.update_notice
    assert notice.isVisible() and "有新版本 9.0.0" in notice.text() and DOWNLOAD in notice.text()
    assert notice.openExternalLinks()  # a link the clerk may follow; nothing is downloaded by itself
    assert window.grab().save(str(tmp_path / "update-status-bar.png"))

    window.about()
    about = window.findChild(AboutDialog)
    assert about is not None
    assert about.update_notice.isVisible() and "有新版本 9.0.0" in about.update_notice.text()
    assert about.server.text() == url and __version__ in about.version.text()
    assert about.data_folder.text() == str(profile.root)
    assert about.grab().save(str(tmp_path / "about-update.png"))
    about.close()

    settings.latest_client_version = __version__  # the PC was updated: the notice goes
    with qtbot.waitSignal(sync.synced, timeout=20_000):
        sync.sync_now()
    assert not notice.isVisible()


def test_sync_is_refused_only_when_the_server_says_too_old(live, profile: Profile, file_keyring) -> None:
    url, settings = live
    signed = account.sign_in(url, "grassroots", PASSWORD, profile_root=profile.root)
    signed.engine.sync()
    member = Member.select().order_by(Member.id).first()
    member_service.update_member(member.id, {"phone": "13912340009"}, actor="grassroots", plan_year=2027,
                                 today=date.today())

    settings.latest_client_version, settings.client_download_url = "9.0.0", DOWNLOAD
    settings.min_client_version = "9.0.0"
    with pytest.raises(ClientTooOld) as refused:
        signed.engine.sync()
    assert refused.value.info.latest_version == "9.0.0"
    assert "已过旧" in refused.value.message and DOWNLOAD in refused.value.action
    with session():  # nothing was sent
        assert ServerMember.get(ServerMember.id_number == member.id_number).phone != "13912340009"

    settings.min_client_version = __version__  # only a newer one announced: the sync goes through
    report = signed.engine.sync()
    assert report.pushed == 1 and report.update is not None and report.update.newer
    with session():
        assert ServerMember.get(ServerMember.id_number == member.id_number).phone == "13912340009"

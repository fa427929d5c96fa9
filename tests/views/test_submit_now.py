"""提交至上级审核 means sent (issue #13 item 3), against a real server: online, the batch goes at
once and the result dialog says 区局确认中; offline it says the batch waits to be sent; the notice
is saved into the clerk's notice folder with the batch number in its name; a returned batch raises
a notice over the pages that stays until opened; 待发送 N 条 follows the outbox."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from app.models import Batch
from app.paths import Profile
from app.services import batch_watch, enrollment
from app.sync import account
from app.sync.client import ServerClient
from app.views import ops, submit_result
from app.views.enrollment_wizard import EnrollmentWizard
from app.views.main_window import MainWindow
from app.views.submit_result import NOTICE_FOLDER_KEY, SubmitResultDialog
from app.views.submit_result import notice_folder as the_notice_folder
from app.views.sync_controller import SyncController
from server.embedded import DEMO_CLERK, DEMO_PASSWORD, start_demo_server


@pytest.fixture
def signed(tmp_path: Path, profile: Profile, file_keyring) -> Iterator[account.SignedIn]:
    url, stop = start_demo_server(tmp_path / "server.db", members_per_union=30)
    signed = account.sign_in(url, DEMO_CLERK, DEMO_PASSWORD, profile_root=profile.root)
    signed.engine.sync()
    year = enrollment.require_campaign().plan_year
    for c in enrollment.members_for_count(signed.engine.union_id, year, "card", "flagged"):
        enrollment.settle_retirement(c.id, "working", plan_year=year, actor=DEMO_CLERK)
    yield signed
    ops.wait_all(10_000)
    stop()


@pytest.fixture(autouse=True)
def notice_folder(_notices_stay_in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Ok)
    return _notices_stay_in_tmp


def submit_through_the_wizard(qtbot, profile: Profile, union_id: int, sync: SyncController | None) -> SubmitResultDialog:
    year = enrollment.require_campaign().plan_year
    wizard = EnrollmentWizard(union_id, year, DEMO_CLERK, kind=enrollment.KIND_CENTRAL, channel="card",
                              documents=profile.documents, fingerprint=lambda: "fp", sync=sync)
    qtbot.addWidget(wizard)
    wizard.open()
    ops.drain()
    wizard.next()
    ops.drain()
    assert wizard.currentId() == wizard.roster_id and wizard.roster.isComplete()
    wizard.accept()
    qtbot.waitUntil(lambda: getattr(wizard, "result_dialog", None) is not None, timeout=20_000)
    return wizard.result_dialog


def test_online_submit_is_sent_at_once_and_says_so(qtbot, signed: account.SignedIn, profile: Profile,
                                                    notice_folder: Path, bundled_font,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[Path] = []
    monkeypatch.setattr(submit_result, "open_file", opened.append)
    sync = SyncController()
    sync.set_signed_in(signed)
    dialog = submit_through_the_wizard(qtbot, profile, signed.engine.union_id, sync)
    assert "正在发送" in dialog.status.text()
    with qtbot.waitSignal(dialog.settled, timeout=30_000):
        pass
    assert "已送达上级工会，状态：区局确认中" in dialog.status.text()
    batch = Batch.get(Batch.batch_no == dialog.result.batch_no)
    assert batch.status == "under_review"
    on_server = {r["batch_no"] for r in signed.engine.client.submissions()}
    assert batch.batch_no in on_server
    saved = notice_folder / f"告知书-{batch.batch_no}.pdf"
    qtbot.waitUntil(saved.is_file, timeout=5000)
    assert dialog.notice == saved and saved.read_bytes() == Path(batch.notice_path).read_bytes()
    assert opened == [saved]  # opened for the clerk once saved
    assert sync.pending == 0
    sync.set_signed_in(None)


def test_offline_submit_says_it_will_be_sent_when_online(qtbot, signed: account.SignedIn, profile: Profile,
                                                          bundled_font) -> None:
    dialog = submit_through_the_wizard(qtbot, profile, signed.engine.union_id, None)
    assert "当前离线" in dialog.status.text() and "联网后会自动发送" in dialog.status.text()
    assert Batch.get(Batch.batch_no == dialog.result.batch_no).status == "queued"


def test_a_returned_batch_raises_a_notice_that_stays_until_opened(qtbot, signed: account.SignedIn,
                                                                   profile: Profile, bundled_font) -> None:
    engine = signed.engine
    year = enrollment.require_campaign().plan_year
    people = [c.id for c in enrollment.members_for_count(engine.union_id, year, "card", "eligible")][:2]
    sent = enrollment.submit(enrollment.draft(engine.union_id, year, "A", member_ids=people), actor=DEMO_CLERK,
                             documents=profile.documents, fingerprint=engine.device_fingerprint)
    sync = SyncController()
    window = MainWindow(profile=profile, union_id=engine.union_id, union_name="测试工会", plan_year=year,
                        actor=DEMO_CLERK, remember_geometry=False, sync=sync)
    qtbot.addWidget(window)
    window.load_now()
    sync.set_signed_in(signed)
    qtbot.waitUntil(lambda: sync.pending == 1, timeout=10_000)  # the queued batch, counted live
    with qtbot.waitSignal(sync.synced, timeout=30_000):
        sync.sync_now()
    assert sync.pending == 0 and window.returned_banner.isHidden()

    district = ServerClient(engine.client.base_url)
    district.login("district", DEMO_PASSWORD)
    submission = next(r for r in engine.client.submissions() if r["batch_no"] == sent.batch_no)
    district.decide(submission["submission_id"], "return", "名单中有人已离职")
    with qtbot.waitSignal(sync.synced, timeout=30_000):
        sync.sync_now()
    qtbot.waitUntil(lambda: not window.returned_banner.isHidden(), timeout=5000)
    assert sent.batch_no in window.returned_banner.text.text() and "已离职" in window.returned_banner.text.text()
    window.returned_banner.refresh()  # still there after another look (a restart reads the same)
    ops.drain()
    assert not window.returned_banner.isHidden()
    window.returned_banner.button.click()
    page = window.stack.currentWidget()
    assert page is window.pages["card_enrollment"] and page.status.currentData() == "returned"
    ops.drain()
    assert batch_watch.unseen_returned(engine.union_id) == []
    window.returned_banner.refresh()
    ops.drain()
    assert window.returned_banner.isHidden()
    sync.set_signed_in(None)


def test_notices_go_to_downloads_unless_the_clerk_chose_a_folder(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Item 7: the notice folder is Downloads until the clerk picks one (更改…), which is remembered;
    a remembered folder that is gone falls back to Downloads."""
    from PySide6.QtCore import QSettings, QStandardPaths

    ini = str(tmp_path / "settings.ini")
    monkeypatch.setattr(submit_result, "QSettings", lambda: QSettings(ini, QSettings.Format.IniFormat))
    downloads = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation))
    assert the_notice_folder() == downloads
    chosen = tmp_path / "告知书"
    chosen.mkdir()
    QSettings(ini, QSettings.Format.IniFormat).setValue(NOTICE_FOLDER_KEY, str(chosen))
    assert the_notice_folder() == chosen
    chosen.rmdir()
    assert the_notice_folder() == downloads

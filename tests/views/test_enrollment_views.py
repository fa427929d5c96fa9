"""The enrollment screens offscreen: batches page, 待确认名单, and the wizard end to end."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from app.models import Batch, Member, Union
from app.paths import Profile
from app.services import campaign, enrollment
from app.views import ops
from app.views.enrollment_pages import CardEnrollmentPage, PendingDialog
from app.views.wrapping import plain

from tests.services.enrollment_kit import CAMPAIGN, OCT_29, add, set_clock

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


@pytest.fixture
def union(profile: Profile) -> int:
    u = Union.create(name="上海建朗信息科技有限公司工会", org_code="91310101MA1FL0XX1X")
    campaign.cache_campaign(CAMPAIGN)
    set_clock(OCT_29)
    for n in range(20):
        add(u.id, n)
    add(u.id, 50, birth="19641015")  # retires 2024-10: flagged for plan year 2025
    add(u.id, 51, insurance_status="pending")
    add(u.id, 52, insurance_status="pending")
    return u.id


@pytest.fixture(autouse=True)
def _no_modal(monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Ok)
    monkeypatch.setattr(QMessageBox, "exec", lambda self: 0)
    yield
    ops.wait_all(10_000)


def shot(widget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(SHOTS / f"{name}.png"))


def test_pending_dialog_confirms(qtbot, union: int, bundled_font) -> None:
    dialog = PendingDialog(union, 2025, "clerk")
    qtbot.addWidget(dialog)
    qtbot.waitSignal(dialog.loaded, timeout=5000).wait()
    assert dialog.model.rowCount() == 2 and dialog.all_button.isEnabled()
    dialog.show()
    shot(dialog, "pending")
    with qtbot.waitSignal(dialog.confirmed, timeout=5000):
        dialog.do_confirm(None)
    assert Member.select().where(Member.insurance_status == "pending").count() == 0
    qtbot.waitUntil(lambda: not dialog.all_button.isEnabled(), timeout=5000)
    assert dialog.model.index(0, 3).data() == "已确认"


def test_wizard_submits_after_settling_a_retiree(qtbot, union: int, profile: Profile, bundled_font) -> None:
    page = CardEnrollmentPage(union, 2025, "clerk", documents=profile.documents, fingerprint=lambda: "ab12 cd34")
    qtbot.addWidget(page)
    page.load_now()
    wizard = page.open_wizard(enrollment.KIND_CENTRAL)
    overview = wizard.overview
    qtbot.waitUntil(overview.isComplete, timeout=5000)
    qtbot.waitUntil(lambda: plain(overview.header.text()).startswith("保障年度：2025年"), timeout=5000)
    assert "可参保人数：21人" in plain(overview.header.text())  # 20 + the flagged one, pending excluded
    assert "待确认人数：2人" in plain(overview.counts.text()) and "可能已退休待确认：1人" in plain(overview.counts.text())
    shot(wizard, "wizard-overview")
    wizard.next()
    assert wizard.currentId() == wizard.retirement_id
    retire = wizard.retirement
    qtbot.waitUntil(lambda: retire.model.rowCount() == 1, timeout=5000)
    assert not retire.isComplete()
    model = retire.model
    assert model.setData(model.index(0, model.ANSWER), "retired")  # 已退休, on the statutory date
    assert model.index(0, model.ANSWER).data() == "已退休" and model.index(0, model.DATE).data()
    assert retire.isComplete()
    shot(wizard, "wizard-retirement")
    wizard.next()
    roster = wizard.roster
    qtbot.waitUntil(lambda: roster.draft is not None, timeout=5000)
    assert roster.draft.totals.count == 20 and roster.isComplete()
    assert plain(roster.header.text()) == ("保障年度：2025年。可参保人数：20人。——保障费用：520元；市总统一划拨：260元；"
                                    "区局/各级工会缴费：260元；基层单位缴费：0元。")
    shot(wizard, "wizard-roster")
    roster_rows = roster.model.rowCount()
    assert roster_rows == 20 and roster.model.index(0, 1).data().count("*") >= 8
    with qtbot.waitSignal(wizard.submitted, timeout=10_000):  # the wizard closes and is deleted
        wizard.accept()
    batch = Batch.get()
    assert batch.member_count == 20 and batch.status == "queued" and Path(batch.notice_path).exists()
    assert Member.get(Member.member_no == "00050").life_status == "retired"
    page.load_now()
    assert page.table.rowCount() == 1 and page.table.item(0, 4).text() == "待发送"
    page.table.selectRow(0)
    page.open_detail()
    from app.views.enrollment_pages import BatchDetailDialog

    detail = page.findChild(BatchDetailDialog)
    qtbot.waitUntil(lambda: detail.model.rowCount() == 20, timeout=5000)
    detail.model.load_rows(0, 19)
    assert detail.model.index(19, 5).data() in ("全年", "半年")
    # Its heading: two lines of whole fields, neither wrapped at the dialog's edge.
    lines = detail.info.text().splitlines()
    assert lines[0].startswith(f"批次编号：{batch.batch_no}") and lines[1] == "人数：20　状态：待发送"
    assert all(detail.info.fontMetrics().horizontalAdvance(line) <= detail.info.contentsRect().width()
               for line in lines)
    shot(detail, "batch-detail")
    page.resize(1200, 500)
    page.show()
    shot(page, "card-enrollment")


def test_wizard_shows_the_window_and_a_shut_one_blocks_the_roster(qtbot, union: int, profile: Profile,
                                                                  bundled_font) -> None:
    """Defect 10 in the wizard: the countdown from the server's calendar on the first page, and a
    shut window said plainly (and the roster refused) before the clerk presses submit."""
    page = CardEnrollmentPage(union, 2025, "clerk", documents=profile.documents, fingerprint=lambda: "ab12 cd34")
    qtbot.addWidget(page)
    page.load_now()
    wizard = page.open_wizard(enrollment.KIND_CENTRAL)  # the page owns it; closed, it is deleted
    qtbot.waitUntil(lambda: wizard.overview.window_note.text() != "", timeout=5000)
    assert wizard.overview.window_note.text().startswith("集中参保办理截止：2024年12月25日（北京时间当日24时，以服务器时间为准），还剩57天")
    wizard.close()

    set_clock(datetime.fromisoformat("2024-12-27T09:00:00+08:00"))  # the server's calendar: two days late
    wizard = page.open_wizard(enrollment.KIND_CENTRAL)  # the page owns it; closed, it is deleted
    overview = wizard.overview
    qtbot.waitUntil(lambda: overview.window_note.text() != "", timeout=5000)
    assert overview.window_note.text().startswith("集中参保办理已于2024年12月25日截止（以服务器时间为准），现在提交将不被受理。")
    qtbot.waitUntil(lambda: plain(overview.header.text()).startswith("保障年度：2025年"), timeout=5000)
    shot(wizard, "wizard-window-shut")
    wizard.next()
    retire = wizard.retirement
    qtbot.waitUntil(lambda: retire.model.rowCount() == 1, timeout=5000)
    assert retire.model.setData(retire.model.index(0, retire.model.ANSWER), "retired")  # 已退休
    wizard.next()
    roster = wizard.roster
    qtbot.waitUntil(lambda: roster.draft is not None, timeout=5000)
    assert not roster.isComplete() and "集中参保办理已于2024年12月25日截止" in roster.blocking.text()
    assert Batch.select().count() == 0


def test_wizard_counts_follow_the_cached_campaigns_union_categories(qtbot, union: int, profile: Profile,
                                                                   bundled_font) -> None:
    """The campaign's `union_categories` (cached with it) decide who the wizard enrolls and which
    categories its 申工社 count names: by default 灵活就业类 and 企业外入会类; widened, only the rest."""
    add(union, 60, category="flexible")
    add(union, 61, category="outside_enterprise")
    page = CardEnrollmentPage(union, 2025, "clerk", documents=profile.documents, fingerprint=lambda: "ab12 cd34")
    qtbot.addWidget(page)

    def overview_text() -> tuple[str, str]:
        wizard = page.open_wizard(enrollment.KIND_CENTRAL)  # the page owns it; closed, it is deleted
        overview = wizard.overview
        qtbot.waitUntil(lambda: plain(overview.header.text()).startswith("保障年度：2025年"), timeout=5000)
        texts = plain(overview.header.text()), plain(overview.counts.text())
        wizard.close()
        return texts

    header, counts = overview_text()
    assert "灵活就业类/企业外入会类（请其通过申工社个人办理）：2人" in counts and "可参保人数：21人" in header
    campaign.cache_campaign({**CAMPAIGN, "union_categories": ["linked_enterprise", "flexible"]})
    header, counts = overview_text()
    assert "企业外入会类（请其通过申工社个人办理）：1人" in counts and "灵活就业类" not in counts
    assert "可参保人数：22人" in header  # the 灵活就业类 member is the union's to enroll now

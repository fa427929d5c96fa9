"""社保卡参保 screens offscreen (issue #14): 社保卡参保信息管理 with its filters, and 集中参保办理 (SS)
— the card channel's header and counts, the tabs 待校验 / 待提交, the check request, FAQ 3 and FAQ 4,
a selection submitted. Screenshots at 1366×768 go to build/screenshots."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from app.models import Batch, Member, Outbox, Union
from app.paths import Profile
from app.services import campaign, enrollment
from app.views import ops
from app.views.ss_enrollment import SsEnrollmentPage
from app.views.wrapping import plain

from tests.services.enrollment_kit import CAMPAIGN, OCT_29, add, set_clock

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


@pytest.fixture
def union(profile: Profile) -> int:
    u = Union.create(name="上海建朗信息科技有限公司工会", org_code="91310101MA1FL0XX1X")
    campaign.cache_campaign(CAMPAIGN)
    set_clock(OCT_29)
    for n in range(36):  # the manual's 36 待提交
        add(u.id, n, card=False, ss_card_status="normal", employment_status="employed", insurance_status="paid")
    for n, status in enumerate(("sealed", "reported_lost", None, None), start=40):
        add(u.id, n, card=False, ss_card_status=status, employment_status="employed" if status else None,
            insurance_status="paid", ss_checked_at=None)
    add(u.id, 45, card=False, ss_card_status="normal", employment_status="unknown", insurance_status="pending")
    for n in range(50, 53):
        add(u.id, n)  # member cards: the card channel's
    return u.id


@pytest.fixture(autouse=True)
def _no_modal(monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Ok)
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: QMessageBox.StandardButton.Ok)
    monkeypatch.setattr(QMessageBox, "exec", lambda self: 0)
    yield
    ops.wait_all(10_000)


def shot(widget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.resize(1366, 768)
    widget.show()
    assert widget.grab().save(str(SHOTS / f"{name}.png"))


def test_ss_wizard_checks_lists_and_submits_a_selection(qtbot, union: int, profile: Profile, bundled_font) -> None:
    page = SsEnrollmentPage(union, 2025, "clerk", documents=profile.documents, fingerprint=lambda: "ab12 cd34")
    qtbot.addWidget(page)
    page.load_now()
    assert not page.carded_button.isVisible()
    wizard = page.open_wizard(enrollment.KIND_CENTRAL)  # the page owns it; closed, it is deleted
    overview = wizard.overview
    qtbot.waitUntil(lambda: plain(overview.header.text()).startswith("保障年度：2025年"), timeout=5000)
    assert plain(overview.header.text()) == ("保障年度：2025年。可参保人数：36人。——保障费用：936元；市总统一划拨：468元；"
                                      "区局/各级工会缴费：468元；基层单位缴费：0元。")
    counts = plain(overview.counts.text())
    assert "集中参保已提交人数：0人" in counts and "待确认人数：1人" in counts and "待校验人数：4人" in counts
    assert "未办卡人数" not in counts and "没有工会会员服务卡" in overview.reasons.text()
    shot(wizard, "ss-wizard-overview")

    wizard.next()
    lists = wizard.ss_lists
    assert wizard.currentId() == wizard.ss_lists_id
    qtbot.waitUntil(lambda: lists.ready_model.rowCount() == 36, timeout=5000)
    assert lists.awaiting_model.rowCount() == 4 and not lists.isComplete()
    assert lists.tabs.tabText(0) == "待校验（4）" and lists.tabs.tabText(1) == "待提交（36）"
    assert lists.ready_model.index(0, 6).data() == "2025-01-01" and lists.ready_model.index(0, 8).data() == "全年"

    # 获取社保卡和就业状态: queued (offline here), 校验中 shown with the time asked.
    lists.request_check()
    qtbot.waitUntil(lambda: "校验中" in lists.checking.text(), timeout=5000)
    assert Outbox.select().where(Outbox.kind == "ss_check_request").count() == 1
    assert not lists.check_button.isEnabled()
    assert lists.awaiting_model.index(0, 6).data().startswith("校验中")

    # 社保卡状态 filter.
    lists.ss_filter.setCurrentIndex(lists.ss_filter.findData("sealed"))
    qtbot.waitUntil(lambda: lists.awaiting_model.rowCount() == 1, timeout=5000)
    assert lists.awaiting_model.index(0, 3).data() == "封存"
    lists.ss_filter.setCurrentIndex(0)
    qtbot.waitUntil(lambda: lists.awaiting_model.rowCount() == 4, timeout=5000)

    # FAQ 3: a card holder is not listed, and the page says why.
    lists.lookup.setText("会员50")
    lists.look_up()
    qtbot.waitUntil(lambda: "会员卡参保" in lists.lookup_answer.text(), timeout=5000)

    # Tick ten of 待提交 and go on: the roster is those ten.
    lists.tabs.setCurrentIndex(1)
    for row in range(10):
        lists.ready_view.selectionModel().select(
            lists.ready_model.index(row, 0), lists.ready_view.selectionModel().SelectionFlag.Select
            | lists.ready_view.selectionModel().SelectionFlag.Rows)
    assert lists.isComplete() and lists.selection.text() == "已勾选 10 人"
    shot(wizard, "ss-wizard-lists")
    wizard.next()
    roster = wizard.roster
    qtbot.waitUntil(lambda: roster.draft is not None, timeout=5000)
    assert roster.draft.totals.count == 10 and "可参保人数：10人" in plain(roster.header.text())
    with qtbot.waitSignal(wizard.submitted, timeout=10_000):
        wizard.accept()
    batch = Batch.get()
    assert (batch.channel, batch.member_count, batch.status) == ("ss", 10, "queued")


def test_card_advice_after_a_check_adds_to_the_card_queue(qtbot, union: int, profile: Profile, bundled_font) -> None:
    """FAQ 4: checked and still abnormal → 加入待办 (a member card instead)."""
    from app.models.tables import CardQueue

    Member.update(ss_checked_at=OCT_29.replace(tzinfo=None) - timedelta(days=1)).where(
        Member.ss_card_status == "sealed").execute()
    Member.update(work_address="上海市黄浦区南京东路一百号").execute()
    page = SsEnrollmentPage(union, 2025, "clerk", documents=profile.documents, fingerprint=lambda: "ab12")
    qtbot.addWidget(page)
    wizard = page.open_wizard(enrollment.KIND_CENTRAL)  # the page owns it; closed, it is deleted
    qtbot.waitUntil(wizard.overview.isComplete, timeout=5000)
    wizard.next()
    lists = wizard.ss_lists
    qtbot.waitUntil(lambda: "仍然异常" in lists.advice.text(), timeout=5000)
    assert lists.advice.text().startswith("1 人") and lists.queue_button.isEnabled()
    lists.add_to_queue()
    qtbot.waitUntil(lambda: CardQueue.select().count() == 1, timeout=5000)


def test_ss_batches_page_filters(qtbot, union: int, profile: Profile, bundled_font) -> None:
    made = [("JZ1", "ss", "under_review", date(2024, 10, 28)), ("JZ2", "ss", "returned", date(2024, 5, 11)),
            ("JZ3", "card", "under_review", date(2024, 10, 28))]
    for no, channel, status, day in made:
        Batch.create(union=union, batch_no=no, kind="central", channel=channel, plan_year=2025, plan_type="A",
                     member_count=2, totals="{}", status=status, submitted_at=day, updated_at=day, actor="clerk",
                     return_reason="请核对名单" if status == "returned" else None,
                     review_mark="secondary" if no == "JZ1" else None)
    page = SsEnrollmentPage(union, 2025, "clerk", documents=profile.documents, fingerprint=lambda: "ab12")
    qtbot.addWidget(page)
    page.load_now()
    assert page.table.rowCount() == 2 and page.table.horizontalHeaderItem(1).text() == "社保卡参保人数"
    assert {page.table.item(r, 0).text() for r in range(2)} == {"JZ1", "JZ2"}
    shot(page, "ss-enrollment")
    page.date_range(date(2024, 10, 1), date(2024, 10, 31))
    page.load_now()
    assert page.table.rowCount() == 1 and page.table.item(0, 0).text() == "JZ1"
    assert page.table.horizontalHeaderItem(5).text() == "审核标识" and page.table.item(0, 5).text() == "二级工会"
    page.use_dates.setChecked(False)
    page.status.setCurrentIndex(page.status.findData("returned"))
    page.load_now()
    assert page.table.rowCount() == 1 and page.table.item(0, 8).text() == "退回原因：请核对名单"
    assert page.table.item(0, 5).text() == ""

"""The member-card pages offscreen: 卡片信息管理, 待办会员列表 (with 修改证件到期日 and 提交办卡) and
办卡批次管理; their table models under qtmodeltester; 加入待办 from the member list; screenshots."""
from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QStyleOptionViewItem

from app.models import AuditEntry, Member, Outbox
from app.models.tables import CardBatch, CardQueue
from app.paths import Profile
from app.rules.codes import CardStatus, Category, LifeStatus
from app.services import cards
from app.sync import cards as card_sync
from app.views import ops
from app.views.card_batches import CardBatchesPage
from app.views.card_expiry_dialog import CardExpiryDialog
from app.views.card_info import CardInfoPage
from app.views.card_queue import CardQueuePage
from app.views.card_table import (
    CardBatchMemberModel,
    CardBatchModel,
    CardInfoModel,
    CardQueueModel,
)
from app.views.wrapping import plain

PLAN_YEAR = date.today().year + 1
TODAY = date.today()


@pytest.fixture(autouse=True)
def _drain_workers():
    yield
    ops.wait_all(5000)


def _candidates(n: int) -> list[int]:
    query = (Member.select().where((Member.card_status == CardStatus.NONE)
                                   & (Member.category == Category.LINKED_ENTERPRISE)
                                   & (Member.life_status == LifeStatus.IN_SERVICE)).order_by(Member.id).dicts())
    ids = [r["id"] for r in query if cards.check_member(r, TODAY).result == cards.PASSED][:n]
    assert len(ids) == n
    return ids


def _server_answers(fail: set[int] | None = None) -> None:
    """A sync's worth: the requests made, the server's answers applied (index in `fail` fails)."""
    card_sync.queue_server_checks(1, "ORG")
    checks = []
    for out in Outbox.select().where(Outbox.kind == "card_verification"):
        payload = json.loads(out.payload)
        for i, number in enumerate(payload["id_numbers"]):
            bad = fail is not None and i in fail
            checks.append({"id_number": number, "request_id": payload["request_id"],
                           "result": "failed" if bad else "passed", "reason": "姓名与证件号码不一致。" if bad else ""})
    card_sync.apply_card_checks(1, checks)


@pytest.fixture
def queued(demo_profile: Profile) -> list[int]:
    """12 members queued: one with an expired ID (fails at once), the rest waiting for the server."""
    ids = _candidates(12)
    Member.update(id_expiry=(TODAY - timedelta(days=20)).isoformat()).where(Member.id == ids[0]).execute()
    cards.add_to_queue(1, ids, actor="clerk", today=TODAY)
    return ids


@pytest.fixture
def queue_page(qtbot, queued: list[int], bundled_font) -> CardQueuePage:
    page = CardQueuePage(1, PLAN_YEAR, "clerk")
    qtbot.addWidget(page)
    page.resize(1280, 760)
    page.load_now()
    return page


# ---- models -----------------------------------------------------------------------------------------

def test_models_pass_qtmodeltester(qtbot, qtmodeltester, queued: list[int]) -> None:
    info = CardInfoModel(1)
    info.reload()
    assert info.rowCount() == Member.select().where((Member.category == Category.LINKED_ENTERPRISE)
                                                    & (Member.life_status == LifeStatus.IN_SERVICE)).count()
    qtmodeltester.check(info, force_py=True)
    queue = CardQueueModel(1)
    queue.reload()
    assert queue.rowCount() == 12
    qtmodeltester.check(queue, force_py=True)
    _server_answers()
    cards.remove_unpassed(1, actor="clerk")
    cards.submit_batch(1, actor="clerk", today=TODAY)
    batches = CardBatchModel(1)
    batches.reload()
    assert batches.rowCount() == 1
    qtmodeltester.check(batches, force_py=True)
    members = CardBatchMemberModel()
    members.requery(CardBatch.get().id)
    ops.drain()
    assert members.rowCount() == 11
    qtmodeltester.check(members, force_py=True)


def test_card_info_pages_and_searches(qtbot, demo_profile: Profile, bundled_font) -> None:
    page = CardInfoPage(1, PLAN_YEAR, "clerk")
    qtbot.addWidget(page)
    page.load_now()
    model = page.model
    total = model.total
    model.load_rows(0, model.rowCount() - 1)
    card_col = model.column_of("会员卡号")
    shown = [model.data(model.index(r, card_col)) for r in range(model.rowCount())]
    assert any(s.startswith("6231 **** ") for s in shown) and all(len(s) in (0, 14) for s in shown)
    assert not any(m.card_no in shown for m in Member.select() if m.card_no)  # never in full
    page.card_status.setCurrentIndex(page.card_status.findData("none"))
    qtbot.waitUntil(lambda: 0 < page.model.total < total, timeout=5000)
    target = Member.select().where((Member.category == Category.LINKED_ENTERPRISE) & (Member.id_type == "mainland")
                                   & (Member.life_status == LifeStatus.IN_SERVICE)
                                   & (Member.card_status == "none")).first()
    page.search.setText(target.id_number[-8:])
    qtbot.waitUntil(lambda: page.model.total >= 1 and page.count_label.text().startswith("共"), timeout=5000)
    ids = {page.model.data(page.model.index(r, 0), Qt.ItemDataRole.UserRole) for r in range(page.model.rowCount())}
    assert target.id in ids
    # 加入待办 from here
    page.table.selectRow(0)
    assert page.queue_button.isEnabled()
    page.add_to_queue()
    qtbot.waitUntil(lambda: bool(page.last_queue_message), timeout=5000)
    assert page.last_queue_message.startswith("已加入待办会员列表 1 人")
    assert CardQueue.select().count() == 1


def test_member_list_adds_the_selection_to_the_queue(qtbot, demo_profile: Profile, bundled_font) -> None:
    from app.views.member_list import MemberListPage

    page = MemberListPage(1, PLAN_YEAR, "clerk")
    qtbot.addWidget(page)
    page.load_now()
    assert not page.queue_button.isEnabled()
    wanted = set(_candidates(3))
    rows = [r for r in range(page.model.rowCount())
            if page.model.data(page.model.index(r, 0), Qt.ItemDataRole.UserRole) in wanted]
    for r in rows:
        page.table.selectionModel().select(page.model.index(r, 0), page.table.selectionModel().SelectionFlag.Select
                                           | page.table.selectionModel().SelectionFlag.Rows)
    assert page.queue_button.isEnabled() and page.queue_button.text() == "加入待办"
    page.queue_button.click()
    qtbot.waitUntil(lambda: CardQueue.select().count() == 3, timeout=5000)
    assert {q.member_id for q in CardQueue.select()} == wanted


# ---- 待办会员列表 -----------------------------------------------------------------------------------

def test_queue_shows_the_manuals_summary_and_the_failure_reason(queue_page: CardQueuePage, queued: list[int]) -> None:
    page = queue_page
    assert plain(page.summary.text()) == ("待办会员共：12人；校验通过：0人；未通过：1人。"
                                   "（请移除校验未通过及未校验的会员，才能进行提交办卡。）")
    model = page.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    for name in ("证件类型", "证件号码", "加入待办时间", "证件到期日", "信息校验结果", "操作"):
        assert name in headers
    failed_row = next(r for r in range(model.rowCount()) if model.row_at(r).member_id == queued[0])
    result = model.data(model.index(failed_row, model.column_of("信息校验结果")))
    note = model.data(model.index(failed_row, model.column_of("校验说明")))
    assert result == "未通过" and "过期，不能办理会员卡" in note
    assert model.data(model.index(failed_row, model.column_of("操作"))) == "查看详情  删除  修改证件到期日"


def test_submit_refuses_and_says_which(queue_page: CardQueuePage, queued: list[int]) -> None:
    page = queue_page
    assert not page.submit_button.isEnabled()
    assert page.submit_button.text() == "提交办卡（1人未通过，11人未校验）"
    expired = Member.get_by_id(queued[0])
    assert expired.name in plain(page.blocking.text()) and "11人未校验" in plain(page.blocking.text())
    assert page.submit_button.toolTip() == plain(page.blocking.text())
    page.submit()  # refused: says why, makes nothing
    assert expired.name in page.notice.text()
    assert CardBatch.select().count() == 0


def test_filter_by_result_and_id_number(qtbot, queue_page: CardQueuePage, queued: list[int]) -> None:
    page = queue_page
    page.result_filter.setCurrentIndex(page.result_filter.findData(cards.FAILED))
    qtbot.waitUntil(lambda: page.model.total == 1, timeout=5000)
    page.result_filter.setCurrentIndex(0)
    page.search.setText(Member.get_by_id(queued[3]).id_number[-6:])
    page.search_button.click()
    qtbot.waitUntil(lambda: page.model.total == 1 and page.model.row_at(0).member_id == queued[3], timeout=5000)


def _click_action(qtbot, page: CardQueuePage, row: int, key: str) -> None:
    column = page.model.column_of("操作")
    index = page.model.index(row, column)
    rect = page.table.visualRect(index)
    option = QStyleOptionViewItem()
    page.table.initViewItemOption(option)
    option.rect = rect
    x = next(r.center().x() for k, _, r in page.actions_delegate._rects(option) if k == key)
    assert page.actions_delegate.action_at(option, x) == key
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, rect.center().y()))


def test_expiry_link_opens_the_dialog_which_refuses_impossible_dates(qtbot, queue_page: CardQueuePage,
                                                                      queued: list[int]) -> None:
    page = queue_page
    page.show()
    qtbot.waitExposed(page)
    row = next(r for r in range(page.model.rowCount()) if page.model.row_at(r).member_id == queued[0])
    page.table.scrollTo(page.model.index(row, 0))
    dialogs: list[CardExpiryDialog] = []
    original = page.edit_expiry
    page.edit_expiry = lambda r=None: dialogs.append(original(r))  # type: ignore[method-assign]
    _click_action(qtbot, page, row, "expiry")
    assert dialogs and dialogs[0] is not None
    dialog = dialogs[0]
    dialog.expiry.setText("2033-02-30")
    assert not dialog.save_button.isEnabled() and "不是真实存在的日期" in dialog.preview.text()
    dialog.long_term.setChecked(True)
    member = Member.get_by_id(queued[0])
    if member.birth_date and (TODAY - member.birth_date).days < 46 * 365:
        assert not dialog.save_button.isEnabled() and "46岁" in dialog.preview.text()
    dialog.long_term.setChecked(False)
    new = (TODAY + timedelta(days=2000))
    dialog.expiry.setText(f"{new.year}年{new.month}月{new.day}日")
    assert dialog.save_button.isEnabled() and new.isoformat() in dialog.preview.text()
    with qtbot.waitSignal(dialog.saved, timeout=5000) as saved:
        dialog.save_button.click()
    row_after = saved.args[0]
    assert row_after.id_expiry == new.isoformat() and row_after.result == cards.UNVERIFIED
    entry = AuditEntry.get((AuditEntry.member == queued[0]) & (AuditEntry.field == "id_expiry"))
    assert entry.new_value == new.isoformat() and entry.actor == "clerk"
    qtbot.waitUntil(lambda: "已将" in page.notice.text() and plain(page.summary.text()).startswith(
        "待办会员共：12人；校验通过：0人；未通过：0人。"), timeout=5000)


def test_remove_link_and_remove_unpassed(qtbot, queue_page: CardQueuePage, queued: list[int]) -> None:
    page = queue_page
    page.show()
    qtbot.waitExposed(page)
    _click_action(qtbot, page, 0, "remove")
    qtbot.waitUntil(lambda: CardQueue.select().count() == 11 and "移除 1 人" in page.notice.text(), timeout=5000)
    page.confirm = lambda text: True  # type: ignore[method-assign]
    qtbot.waitUntil(lambda: page.state is not None and page.state.summary.total == 11, timeout=5000)
    page.remove_unpassed()
    qtbot.waitUntil(lambda: CardQueue.select().count() == 0, timeout=5000)


def test_submit_offline_is_queued_and_said(qtbot, queue_page: CardQueuePage, queued: list[int]) -> None:
    page = queue_page
    _server_answers(fail={2})
    page.load_now()
    assert page.submit_button.text() == "提交办卡（2人未通过）" and not page.submit_button.isEnabled()
    cards.remove_unpassed(1, actor="clerk")
    page.load_now()
    assert page.submit_button.isEnabled() and page.submit_button.text() == "提交办卡"
    assert plain(page.summary.text()).startswith("待办会员共：10人；校验通过：10人；未通过：0人。")
    asked: list[str] = []
    page.confirm = lambda text: asked.append(text) or True  # type: ignore[method-assign]
    page.submit()
    qtbot.waitUntil(lambda: "当前离线" in page.notice.text(), timeout=5000)
    assert "10 名会员" in asked[0]
    batch = CardBatch.get()
    assert batch.batch_no in page.notice.text() and batch.status == "queued" and batch.member_count == 10
    assert Outbox.get_by_id(batch.outbox_id).state == "to_send"
    qtbot.waitUntil(lambda: plain(page.summary.text()).startswith("待办会员共：0人"), timeout=5000)


# ---- 办卡批次管理 -----------------------------------------------------------------------------------

def test_batches_page_shows_outcomes_and_requeues_refusals(qtbot, queued: list[int], bundled_font) -> None:
    _server_answers()
    cards.remove_unpassed(1, actor="clerk")
    batch = cards.submit_batch(1, actor="clerk", today=TODAY)
    numbers = [m.id_number for m in Member.select().where(Member.id.in_(queued[1:])).order_by(Member.id)]
    card_sync.apply_card_batches(1, [{"batch_no": batch.batch_no, "status": "done", "issued": 10, "refused": 1,
                                  "members": [{"id_number": n, "outcome": "refused" if i == 0 else "issued",
                                               "card_no": None if i == 0 else f"62318{i:013d}5",
                                               "reason": "制卡照片不清晰。" if i == 0 else ""}
                                              for i, n in enumerate(numbers)]}])
    page = CardBatchesPage(1, PLAN_YEAR, "clerk")
    qtbot.addWidget(page)
    page.load_now()
    assert page.model.rowCount() == 1
    headers = [page.model.headerData(c, Qt.Orientation.Horizontal) for c in range(page.model.columnCount())]
    assert headers == ["批次编号", "办卡人数", "提交时间", "最后更新时间", "状态", "撤销申请", "办理结果"]
    assert page.model.data(page.model.index(0, 4)) == "已完成"
    assert page.model.data(page.model.index(0, 5)) == ""  # never asked to withdraw
    assert page.model.data(page.model.index(0, 6)) == "已发卡10人，未通过1人。"
    qtbot.waitUntil(lambda: page.members.rowCount() == 11, timeout=5000)
    outcomes = [page.members.data(page.members.index(r, 2)) for r in range(11)]
    assert outcomes.count("已发卡") == 10 and outcomes.count("未通过") == 1
    assert page.requeue_button.isEnabled()
    page.requeue_button.click()
    qtbot.waitUntil(lambda: page.last_queue_message.startswith("已加入待办会员列表 1 人"), timeout=5000)


def test_main_window_lists_the_card_pages(qtbot, demo_profile: Profile, bundled_font) -> None:
    from app.views.main_window import MainWindow

    window = MainWindow(profile=demo_profile, union_id=1, union_name="演示工会", plan_year=PLAN_YEAR, actor="clerk",
                        remember_geometry=False)
    qtbot.addWidget(window)
    window.load_now()
    labels = [window._nav_items[n].text(0) for n in ("card_info", "card_queue", "card_batches")]
    assert labels == ["卡片信息管理", "待办会员列表", "办卡批次管理"]
    assert window._nav_items["card_info"].parent().text(0) == "会员服务卡管理"
    for name, cls in (("card_info", CardInfoPage), ("card_queue", CardQueuePage), ("card_batches", CardBatchesPage)):
        window.show_page(name)
        assert isinstance(window.stack.currentWidget(), cls)


# ---- screenshots ------------------------------------------------------------------------------------

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def _grab(qtbot, widget, name: str, tmp_path: Path) -> None:
    widget.show()
    qtbot.waitExposed(widget)
    ops.wait_all(5000)
    qtbot.wait(50)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for target in (tmp_path / name, SHOTS / name):
        assert widget.grab().save(str(target))
    assert (tmp_path / name).stat().st_size > 20_000


def test_screenshots_of_the_three_pages(qtbot, queue_page: CardQueuePage, queued: list[int], tmp_path: Path) -> None:
    """Saved under build/screenshots/ (and looked at: Chinese renders, nothing clipped)."""
    _server_answers(fail={4})
    # A batch already issued (one member refused) and one made offline, still to send.
    done = [q.id for q in CardQueue.select().where(CardQueue.result == cards.PASSED).order_by(CardQueue.id)][:6]
    others = [q.member_id for q in CardQueue.select().where(CardQueue.id.not_in(done))]
    cards.remove_from_queue([q.id for q in CardQueue.select().where(CardQueue.id.not_in(done))], actor="clerk")
    first = cards.submit_batch(1, actor="clerk", today=TODAY)
    payload = json.loads(Outbox.get(Outbox.kind == "card_batch").payload)
    card_sync.push_answered("card_batch", payload, receipt={"status": "issuing"})
    numbers = [m["id_number"] for m in payload["members"]]
    card_sync.apply_card_batches(1, [{"batch_no": first.batch_no, "status": "done", "issued": len(numbers) - 1,
                                  "refused": 1, "members": [
                                      {"id_number": n, "outcome": "issued" if i else "refused",
                                       "card_no": f"62318{i:013d}5" if i else None,
                                       "reason": "" if i else "制卡照片不清晰，请重新采集后申请。"}
                                      for i, n in enumerate(numbers)]}])
    for i, n in enumerate(numbers[1:], start=1):
        Member.update(card_no=f"62318{i:013d}5", card_status="issued").where(Member.id_number == n).execute()
    cards.add_to_queue(1, others, actor="clerk", today=TODAY)
    _server_answers(fail={4})
    passed = [q.id for q in CardQueue.select().where(CardQueue.result == cards.PASSED)][:2]
    cards.remove_from_queue(passed[2:], actor="clerk")
    keep = [q.id for q in CardQueue.select().where(CardQueue.id.not_in(passed))]
    kept_members = [q.member_id for q in CardQueue.select().where(CardQueue.id.in_(keep))]
    cards.remove_from_queue(keep, actor="clerk")
    cards.submit_batch(1, actor="clerk", today=TODAY)
    cards.add_to_queue(1, kept_members, actor="clerk", today=TODAY)
    _server_answers(fail={4})
    more = Member.select(Member.id).where((Member.card_status == CardStatus.NONE)
                                          & (Member.category == Category.LINKED_ENTERPRISE)
                                          & (Member.life_status == LifeStatus.IN_SERVICE))
    cards.add_to_queue(1, [m.id for m in more], actor="clerk", today=TODAY)  # not yet verified by the server

    queue_page.load_now()
    _grab(qtbot, queue_page, "card-queue.png", tmp_path)
    info = CardInfoPage(1, PLAN_YEAR, "clerk")
    qtbot.addWidget(info)
    info.resize(1280, 760)
    info.load_now()
    _grab(qtbot, info, "card-info.png", tmp_path)
    batches = CardBatchesPage(1, PLAN_YEAR, "clerk")
    qtbot.addWidget(batches)
    batches.resize(1280, 760)
    batches.load_now()
    batches.table.selectRow(1)
    _grab(qtbot, batches, "card-batches.png", tmp_path)

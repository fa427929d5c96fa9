"""The member list page and its paged table model, offscreen."""
from __future__ import annotations


import pytest
from PySide6.QtCore import Qt

from app.models import AuditEntry, Member
from app.paths import Profile
from app.rules.codes import Category, LifeStatus
from app.views import ops
from app.views.member_dialog import MemberDialog, open_member_dialog
from app.views.member_list import MemberListPage
from app.views.member_table import COLUMNS, MemberTableModel
from app.views import table_model
from app.views.table_model import BATCH, STALE_AFTER

PLAN_YEAR = 2027


@pytest.fixture
def page(qtbot, demo_profile: Profile, bundled_font) -> MemberListPage:
    widget = MemberListPage(1, PLAN_YEAR, "clerk")
    qtbot.addWidget(widget)
    widget.load_now()
    return widget


def test_model_passes_qtmodeltester(qtbot, qtmodeltester, demo_profile: Profile) -> None:
    model = MemberTableModel(1, PLAN_YEAR)
    model.reload()
    assert model.rowCount() == 300
    qtmodeltester.check(model, force_py=True)


def test_model_holds_ids_and_loads_rows_off_the_ui_thread(qtbot, demo_profile: Profile) -> None:
    model = MemberTableModel(1, PLAN_YEAR)
    model.reload()
    assert len(model.ids()) == 300 and len(model._cache) == BATCH < 300
    last = model.index(model.rowCount() - 1, 1)
    expected = Member.select().order_by(Member.member_no.desc(), Member.id.desc()).get()
    assert model.data(last, Qt.ItemDataRole.UserRole) == expected.id  # the id is there at once
    assert model.data(last) is None  # the row is not: asking starts its batch on the worker
    with qtbot.waitSignal(model.rowsArrived, timeout=5000) as arrived:
        pass
    assert arrived.args == [(299 // BATCH) * BATCH, 299]
    assert model.data(last) == expected.name
    assert model.columnCount() == len(COLUMNS)


def test_batches_scrolled_past_are_skipped(qtbot, demo_profile: Profile, monkeypatch) -> None:
    """A batch still waiting when STALE_AFTER newer ones have been asked for by painting is
    skipped on the worker (the clerk has scrolled on); its rows are repainted, so a row still on
    screen asks again. Rows a caller waits for (load_rows) are never skipped."""
    import threading

    monkeypatch.setattr(table_model, "BATCH", 10)
    model = MemberTableModel(1, PLAN_YEAR)
    model.reload()
    repainted: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda first, last: repainted.append((first.row(), last.row())))
    gate = threading.Event()
    ops.run_db(None, gate.wait)  # the worker busy while the clerk scrolls through six batches
    asked = [5, 8, 11, 14, 17, 20]
    for batch in asked:
        assert model.data(model.index(batch * 10, 1)) is None
    gate.set()
    ops.drain()
    assert [b for b in asked if model.is_loaded(b * 10)] == asked[-STALE_AFTER:]
    for batch in asked[:-STALE_AFTER]:
        assert (batch * 10, batch * 10 + 9) in repainted
    assert model.data(model.index(50, 1)) is None  # still on screen: asked again, and loaded
    ops.drain()
    assert model.is_loaded(50)
    model.reload_rows()
    model.load_rows(0, model.rowCount() - 1)
    assert all(model.is_loaded(r) for r in range(model.rowCount()))


def test_masked_ids_in_the_table(qtbot, demo_profile: Profile) -> None:
    model = MemberTableModel(1, PLAN_YEAR)
    model.reload()
    model.load_rows(0, model.rowCount() - 1)
    column = [c[0] for c in COLUMNS].index("证件号码")
    full = {m.member_no: m.id_number for m in Member.select()}
    for row in range(model.rowCount()):
        shown = model.data(model.index(row, column))
        member_no = model.data(model.index(row, 0))
        assert shown != full[member_no] and "****" in shown


def test_search_runs_on_the_worker_and_filters(qtbot, page: MemberListPage) -> None:
    target = Member.select().where(Member.id_type == "mainland").order_by(Member.id.desc()).get()
    page.search.setText(target.id_number[-6:])
    qtbot.waitUntil(lambda: page.model.total < 300, timeout=5000)
    ids = {page.model.data(page.model.index(r, 0), Qt.ItemDataRole.UserRole) for r in range(page.model.rowCount())}
    assert target.id in ids
    assert page.count_label.text() == f"共 {page.model.total} 人"


def test_filters_combine(qtbot, page: MemberListPage) -> None:
    page.category.setCurrentIndex(page.category.findData(str(Category.FLEXIBLE)))
    qtbot.waitUntil(lambda: page.model.total == Member.select().where(Member.category == Category.FLEXIBLE).count(),
                    timeout=5000)
    page.life.setCurrentIndex(page.life.findData(str(LifeStatus.IN_SERVICE)))
    expected = Member.select().where((Member.category == Category.FLEXIBLE)
                                     & (Member.life_status == LifeStatus.IN_SERVICE)).count()
    qtbot.waitUntil(lambda: page.model.total == expected, timeout=5000)


def test_sorting_by_header(qtbot, page: MemberListPage) -> None:
    name_col = [c[0] for c in COLUMNS].index("姓名")
    page.table.horizontalHeader().setSortIndicator(name_col, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: page.model.sort_key == "name" and page.model.descending, timeout=5000)
    page.model.load_rows(0, 0)
    first = page.model.data(page.model.index(0, name_col))
    assert first == max(m.name for m in Member.select())


def test_detail_dialog_saves_with_validation_and_audit(qtbot, page: MemberListPage) -> None:
    m = Member.select().where((Member.category == Category.LINKED_ENTERPRISE) & (Member.id_type == "mainland")).get()
    open_member_dialog(page, m.id, plan_year=PLAN_YEAR, actor="clerk")
    ops.drain()
    dialog = page.findChild(MemberDialog)
    assert dialog is not None and dialog.isVisible()
    assert m.id_number not in dialog.id_label.text()
    dialog.address.setText("短")
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.errors["work_address"].isHidden(), timeout=5000)
    assert "汉字" in dialog.errors["work_address"].text()
    assert Member.get_by_id(m.id).work_address == m.work_address

    dialog.address.setText("上海市浦东新区世纪大道一百号环球金融")
    dialog.phone.setText("139 0000 5678")
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        dialog.save()
    saved = Member.get_by_id(m.id)
    assert saved.phone == "13900005678"
    assert saved.work_address == "上海市浦东新区世纪大道一百号环球金融"
    assert {e.field for e in AuditEntry.select()} == {"phone", "work_address"}


def test_page_screenshot(qtbot, page: MemberListPage, tmp_path) -> None:
    page.resize(1200, 700)
    page.show()
    qtbot.waitExposed(page)
    out = tmp_path / "members.png"
    assert page.grab().save(str(out))
    assert out.stat().st_size > 10_000


@pytest.fixture(autouse=True)
def _drain_workers():
    yield
    ops.wait_all(5000)


def _select(page: MemberListPage, rows: list[int]) -> None:
    from PySide6.QtCore import QItemSelectionModel

    page.model.load_rows(0, max(rows))
    ops.drain()
    for r in rows:
        page.table.selectionModel().select(page.model.index(r, 0), QItemSelectionModel.SelectionFlag.Select
                                           | QItemSelectionModel.SelectionFlag.Rows)


def test_remove_members_asks_a_reason_and_audits(qtbot, page: MemberListPage) -> None:
    from app.models.tables import RemovedMember
    from app.views.member_status_dialogs import RemovedMembersDialog

    _select(page, [0, 1])
    assert page.remove_action.isEnabled()
    chosen = set(page.selected_ids())
    dialog = page.remove_selected()
    assert not dialog.ok.isEnabled()  # no reason yet
    dialog.reason.setCurrentText("调离本单位")
    assert dialog.ok.isEnabled()
    dialog.ok.click()
    qtbot.waitUntil(lambda: page.model.total == 298, timeout=5000)
    assert not Member.select().where(Member.id.in_(list(chosen))).exists()
    assert {r.reason for r in RemovedMember.select()} == {"调离本单位"}
    assert AuditEntry.select().where(AuditEntry.action == "member.delete").count() == 2
    removed = page.show_removed()
    assert isinstance(removed, RemovedMembersDialog)
    qtbot.waitUntil(lambda: removed.model.rowCount() == 2, timeout=5000)
    texts = [removed.model.index(0, c).data() for c in range(removed.model.columnCount())]
    assert texts[4] == "调离本单位" and texts[6] == "待发送" and "****" in texts[3]


def test_mark_retired_from_the_member_list(qtbot, page: MemberListPage) -> None:
    from datetime import date

    from PySide6.QtCore import QDate

    member_id = Member.select().where(Member.life_status == "in_service").order_by(Member.member_no).first().id
    _select(page, [list(page.model.ids()).index(member_id)])
    assert page.selected_ids() == [member_id]
    dialog = page.mark_life_status()
    dialog.when.setDate(QDate(2026, 6, 30))
    dialog.accept()
    qtbot.waitUntil(lambda: Member.get_by_id(member_id).life_status == "retired", timeout=5000)
    assert Member.get_by_id(member_id).life_status_date == date(2026, 6, 30)
    ops.drain()
    open_member_dialog(page, member_id, plan_year=PLAN_YEAR, actor="clerk")
    ops.drain()
    history = page.findChild(MemberDialog).history
    texts = [history.item(0, c).text() for c in range(history.columnCount())]
    assert "状态变更" in texts and "退休（2026-06-30）" in texts

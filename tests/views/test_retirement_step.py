"""退休人员确认 as a bulk table (issue #13 item 2): the mouse wheel never changes an answer, 500
flags settle with one selection and one key, 按岗位类型 answers by each member's date for the
post, 只看未确认 leaves the open ones, and the answers reach the database when the step is left."""
from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QComboBox, QDateEdit

from app.models import Member, Union
from app.models.tables import RetirementAnswer
from app.paths import Profile
from app.rules.codes import LifeStatus
from app.services import enrollment
from app.services.campaign import cache_campaign
from app.views.enrollment_pages import CardEnrollmentPage

from tests.services.enrollment_kit import CAMPAIGN, add
from tests.views.test_enrollment_views import _no_modal  # noqa: F401 (an autouse fixture)

FLAGGED = 500


@pytest.fixture
def union(profile: Profile) -> int:
    u = Union.create(name="上海建朗信息科技有限公司工会", org_code="91310101MA1FL0XX1X")
    cache_campaign(CAMPAIGN)
    for n in range(10):
        add(u.id, n)
    for n in range(FLAGGED - 1):  # men retiring in Oct or Nov 2024: flagged for plan year 2025
        add(u.id, 100 + n, birth=f"1964{10 + n // 400}15")
    # A woman of unknown post: 工人岗位 2024-06-01 (before 2025), 管理岗位 2030-08-01 (55 years and 14 months).
    add(u.id, 99, birth="19740601", male=False)
    return u.id




@pytest.fixture
def step(qtbot, union: int, profile: Profile, bundled_font):
    page = CardEnrollmentPage(union, 2025, "clerk", documents=profile.documents, fingerprint=lambda: "ab12 cd34")
    qtbot.addWidget(page)
    page.load_now()
    wizard = page.open_wizard(enrollment.KIND_CENTRAL)
    qtbot.addWidget(wizard)
    qtbot.waitUntil(wizard.overview.isComplete, timeout=10_000)
    wizard.next()
    assert wizard.currentId() == wizard.retirement_id
    retire = wizard.retirement
    qtbot.waitUntil(lambda: retire.model.rowCount() == FLAGGED, timeout=10_000)
    wizard.show()
    return wizard, retire


def _wheel(widget, notches: int) -> None:
    """`notches` clicks of a mouse wheel (negative: towards the clerk) over `widget`."""
    local = QPointF(5, 5)
    event = QWheelEvent(local, QPointF(widget.mapToGlobal(QPoint(5, 5))), QPoint(0, 0), QPoint(0, 120 * notches),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def test_the_wheel_never_changes_an_answer(qtbot, step) -> None:
    wizard, retire = step
    model, table = retire.model, retire.table
    answer = model.index(3, model.ANSWER)
    table.setCurrentIndex(answer)
    table.edit(answer)
    combo = table.viewport().findChild(QComboBox)
    assert combo is not None and combo.isVisible()
    shown = combo.currentIndex()
    for notches in (-1, -1, 1, -2):  # the two notches that set 已退休, and more
        _wheel(combo, notches)
    assert combo.currentIndex() == shown
    table.setCurrentIndex(model.index(4, 0))  # leaving the cell closes the editor
    assert model.row_at(3).answer is None and model.open_count() == FLAGGED

    # A date being edited does not move under the wheel either.
    model.answer_rows([5], "retired")
    cell = model.index(5, model.DATE)
    table.setCurrentIndex(cell)
    table.edit(cell)
    editor = table.viewport().findChild(QDateEdit)
    assert editor is not None
    before = editor.date()
    _wheel(editor, -3)
    assert editor.date() == before
    table.setCurrentIndex(model.index(6, 0))
    assert model.row_at(5).retired_on == date(2024, 10, 15)


def test_a_bulk_answer_of_500_and_the_open_filter(qtbot, step, union: int) -> None:
    wizard, retire = step
    model, table = retire.model, retire.table
    assert not retire.isComplete() and "未确认 500 人" in retire.count.text()
    # Ten of them retired, chosen with the keyboard: the first row, Shift+Down nine times, T.
    table.setFocus()
    table.setCurrentIndex(model.index(0, 0))
    for _ in range(9):
        qtbot.keyClick(table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert retire.selected_rows() == list(range(10))
    qtbot.keyClick(table, Qt.Key.Key_T)
    assert model.open_count() == FLAGGED - 10
    assert {model.row_at(r).answer for r in range(10)} == {"retired"}
    retire.open_only.setChecked(True)  # 只看未确认: the ten leave the view
    assert model.rowCount() == FLAGGED - 10 and model.row_at(0).answer is None
    # Everyone left at once: Ctrl+A, Z.
    qtbot.keyClick(table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(table, Qt.Key.Key_Z)
    assert model.rowCount() == 0 and model.open_count() == 0 and retire.isComplete()
    assert "已确认 500 人，未确认 0 人" in retire.count.text()
    retire.open_only.setChecked(False)
    assert model.rowCount() == FLAGGED

    wizard.next()  # the answers are saved in one transaction, then the roster
    qtbot.waitUntil(lambda: wizard.currentId() == wizard.roster_id, timeout=20_000)
    answers = RetirementAnswer.select().where(RetirementAnswer.plan_year == 2025)
    assert answers.where(RetirementAnswer.answer == "working").count() == FLAGGED - 10
    retired = [a.member_id for a in answers.where(RetirementAnswer.answer == "retired")]
    assert len(retired) == 10
    assert {m.life_status for m in Member.select().where(Member.id.in_(retired))} == {LifeStatus.RETIRED}


def test_answers_by_post_type_and_on_a_date(qtbot, step, monkeypatch) -> None:
    wizard, retire = step
    model = retire.model
    woman = next(r for r in range(model.rowCount()) if len(model.row_at(r).dates) == 2)
    assert model.index(woman, 3).data() == "工人 2024-06-01 / 管理 2030-08-01"
    retire.table.selectRow(woman)
    retire.answer_selected_by_post("managerial")  # 2030: still working on 1 January 2025
    assert model.row_at(woman).answer == "working"
    retire.answer_selected_by_post("worker")  # 2024-06-01: retired then
    assert (model.row_at(woman).answer, model.row_at(woman).retired_on) == ("retired", date(2024, 6, 1))
    # 已退休，填写日期…: one date for the whole selection.
    from app.views import retirement_page

    monkeypatch.setattr(retirement_page, "ask_retired_on", lambda *_a: date(2024, 11, 30))
    retire.table.clearSelection()
    for r in (0, 1, 2):
        retire.table.selectionModel().select(model.index(r, 0), retire.table.selectionModel().SelectionFlag.Select
                                             | retire.table.selectionModel().SelectionFlag.Rows)
    retire.dated_button.click()
    assert [model.row_at(r).retired_on for r in (0, 1, 2)] == [date(2024, 11, 30)] * 3
    assert model.index(0, model.DATE).data() == "2024-11-30"

"""退休人员确认, the enrollment wizard's step that settles every probable retiree (issue #13 item 2).

A union of 19,870 members has ~460 of them, so the step is a table answered in bulk: select rows
(Ctrl+A, Shift/Ctrl+click, the keyboard) and answer them all at once — 仍在职, 已退休 on the
statutory date, 已退休 on a date the clerk gives, or 按岗位类型 (each member's date for the post
chosen decides: retired when it falls before 1 January of the plan year). Keys Z and T answer the
selection too; "只看未确认" leaves what is still open. The mouse wheel never changes an answer:
the editors ignore it (it scrolls the table), and editors open only on a double click or F2.
"""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from app.services import enrollment
from app.views import ops
from app.views.enrollment_tables import AnswerDelegate, DateDelegate, RetireeModel, retiree_answers
from app.views.errors import show_error
from app.views.list_page import hbox, plain_table

if TYPE_CHECKING:
    from app.views.enrollment_wizard import EnrollmentWizard


def ask_retired_on(parent: QWidget, initial: date, count: int) -> date | None:
    """The date a clerk gives for `count` selected members (None: cancelled)."""
    dialog = QDialog(parent)
    dialog.setWindowTitle(dialog.tr("填写退休日期"))
    editor = QDateEdit(QDate(initial.year, initial.month, initial.day))
    editor.setDisplayFormat("yyyy-MM-dd")
    editor.setCalendarPopup(True)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(dialog.tr("确定"))
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(dialog.tr("取消"))
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    form = QFormLayout(dialog)
    form.addRow(QLabel(dialog.tr("选中的 {0} 人都标记为已退休，退休日期：").format(count)))
    form.addRow(dialog.tr("退休日期"), editor)
    form.addRow(buttons)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return editor.date().toPython()


class RetirementPage(QWizardPage):
    """退休人员确认: every probable retiree is settled — 仍在职, or 已退休 on a date."""

    def __init__(self, wizard: EnrollmentWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle(self.tr("退休人员确认"))
        self.setSubTitle(self.tr("以下会员按法定退休年龄计算，可能在保障年度开始前已退休。仍在职的可以参保；"
                                 "已退休的不会提交。可以多选后一次确认。"))
        self.model = RetireeModel(self)
        self.table = plain_table(self, self.model, {"会员编号": 6, "姓名": 5, "证件号码": 11, "法定退休日期": 16,
                                                    "确认": 5})
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setItemDelegateForColumn(RetireeModel.ANSWER, AnswerDelegate(self.table))
        self.table.setItemDelegateForColumn(RetireeModel.DATE, DateDelegate(self.table))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table for the buttons below
        self.open_only = QCheckBox(self.tr("只看未确认(&U)"))
        self.open_only.toggled.connect(self.model.set_open_only)
        self.count = QLabel()
        hint = QLabel(self.tr("选中会员（Ctrl+A 全选，按住 Shift 或 Ctrl 点击多选），再点下面的按钮，"
                              "或按 Z（仍在职）、T（已退休）。"))
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addLayout(hbox((self.count, 1), (self.open_only, 0)))
        layout.addWidget(self.table, 1)
        layout.addLayout(self._answer_row())
        self.model.answersChanged.connect(self._answers_changed)
        self.model.modelReset.connect(self._show_count)
        self._saved: list[tuple[int, str, date | None]] | None = None

    def _answer_row(self):
        self.working_button = QPushButton(self.tr("仍在职(&Z)"))
        self.working_button.clicked.connect(lambda: self.answer_selected("working"))
        self.retired_button = QPushButton(self.tr("已退休，按法定日期(&T)"))
        self.retired_button.clicked.connect(lambda: self.answer_selected("retired"))
        self.dated_button = QPushButton(self.tr("已退休，填写日期…(&D)"))
        self.dated_button.clicked.connect(self.answer_selected_on_date)
        self.post_button = QToolButton()
        self.post_button.setText(self.tr("按岗位类型(&P)"))
        self.post_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.post_button)
        menu.addAction(self.tr("工人岗位（女职工原50岁退休）"), lambda: self.answer_selected_by_post("worker"))
        menu.addAction(self.tr("管理岗位（女职工原55岁退休）"), lambda: self.answer_selected_by_post("managerial"))
        self.post_button.setMenu(menu)
        for key, answer in (("Z", "working"), ("T", "retired")):
            QShortcut(QKeySequence(key), self.table, activated=lambda a=answer: self.answer_selected(a),
                      context=Qt.ShortcutContext.WidgetShortcut)
        return hbox((QLabel(self.tr("选中的会员：")), 0), (self.working_button, 0), (self.retired_button, 0),
                    (self.dated_button, 0), (self.post_button, 0), (None, 1))

    # ---- answers ---------------------------------------------------------------------------------
    def selected_rows(self) -> list[int]:
        return sorted({i.row() for i in self.table.selectionModel().selectedRows()})

    def answer_selected(self, answer: str) -> None:
        self.model.answer_rows(self.selected_rows(), answer)

    def answer_selected_on_date(self) -> None:
        rows = self.selected_rows()
        first = self.model.row_at(rows[0]) if rows else None
        if first is None:
            return
        on = ask_retired_on(self, first.first_date, len(rows))
        if on is not None:
            self.model.answer_rows(rows, "retired", on=on)

    def answer_selected_by_post(self, post: str) -> None:
        self.model.answer_by_post(self.selected_rows(), post, date(self.w.plan_year, 1, 1))

    def _answers_changed(self) -> None:
        self._show_count()
        self.completeChanged.emit()

    def _show_count(self) -> None:
        total, left = self.model.total_count(), self.model.open_count()
        self.count.setText(self.tr("共 {0} 人，已确认 {1} 人，未确认 {2} 人").format(total, total - left, left))

    # ---- the wizard step ---------------------------------------------------------------------------
    def initializePage(self) -> None:
        w = self.w
        ops.run_db(self, lambda: retiree_answers(enrollment.members_for_count(w.union_id, w.plan_year, w.channel,
                                                                              "flagged")),
                   self.show_people)

    def show_people(self, people: list) -> None:
        self.model.set_rows(people)
        self.completeChanged.emit()
        self.table.setFocus()

    def isComplete(self) -> bool:
        return self.model.total_count() > 0 and self.model.complete()

    def validatePage(self) -> bool:
        # Settling is the clerk's own answer per member (audited), written before the roster is
        # made so the next page reflects it; it is not part of the submission itself. The answers
        # are saved in one transaction on the database worker; the wizard moves on when they are.
        answers = self.model.answers()
        if answers == self._saved:
            return True
        actor, plan_year = self.w.actor, self.w.plan_year

        def saved(_result: None) -> None:
            self._saved = answers
            self.w.next()

        ops.run_db(self, lambda: enrollment.settle_retirements(answers, plan_year=plan_year, actor=actor), saved,
                   lambda exc: show_error(self, exc))
        return False

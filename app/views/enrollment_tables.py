"""Table models of the enrollment screens (model/view, never a widget per row):

- `RosterModel`: 参保名单, the draft's rows (100,000 members preview like ten);
- `CandidateModel`: the members behind a count of the confirmation screen;
- `RetireeModel`: 退休人员确认, one answer per probable retiree (仍在职 / 已退休 on a date), edited
  in place through `AnswerDelegate` and `DateDelegate`; `answer_all` is there for bulk answers;
- `BatchMemberModel`: 批次详情, a submitted batch's members by id from the database worker.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, QObject, Qt, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QStyledItemDelegate, QWidget

from app.rules.cards import mask_card_no
from app.rules.idcard import mask_id
from app.services import enrollment_lists
from app.views.table_model import ALERT, PASSED, IdTableModel, ListTableModel

EDIT = Qt.ItemDataRole.EditRole


class RosterModel(ListTableModel):
    """参保名单: name, masked ID and card, coverage start and end, 全年/半年."""

    COLUMNS = (("姓名", None, "name"), ("证件号码", None, "masked_id"), ("会员卡号", None, "card"),
               ("起保日期", None, "start"), ("终保日期", None, "end"), ("全年/半年", None, "period"))

    def display(self, row: Any, attribute: str) -> str:
        if attribute == "masked_id":
            return mask_id(row.id_number)
        if attribute == "card":
            return mask_card_no(row.card_no)
        if attribute in ("start", "end"):
            return str(getattr(row.coverage, attribute))
        if attribute == "period":
            return row.coverage.period_label
        return row.name

    def row_id(self, row: int) -> Any:
        found = self.row_at(row)
        return found.member_id if found is not None else None


class CandidateModel(ListTableModel):
    """The members behind one count (会员总人数, 未办卡人数 …) with the reason they are there."""

    COLUMNS = (("会员编号", None, "member_no"), ("姓名", None, "name"), ("证件号码", None, "masked_id"),
               ("会员卡号", None, "card"), ("说明", None, "reason_text"))

    def display(self, row: Any, attribute: str) -> str:
        if attribute == "masked_id":
            return mask_id(row.id_number)
        if attribute == "card":
            return mask_card_no(row.card_no)
        return getattr(row, attribute) or ""


ANSWERS = ((None, "请选择"), ("working", "仍在职"), ("retired", "已退休"))


@dataclass(frozen=True)
class RetireeAnswer:
    """A probable retiree and the clerk's answer so far."""

    id: int
    member_no: str
    name: str
    masked_id: str
    dates_text: str  # the statutory retirement date(s)
    first_date: date
    answer: str | None = None
    retired_on: date | None = None

    @property
    def answer_label(self) -> str:
        return dict(ANSWERS)[self.answer]

    @property
    def retired_text(self) -> str:
        return self.retired_on.isoformat() if self.answer == "retired" and self.retired_on else ""


def retiree_answers(candidates: list[Any]) -> list[RetireeAnswer]:
    return [RetireeAnswer(c.id, c.member_no, c.name, mask_id(c.id_number),
                          " 或 ".join(d.isoformat() for d in c.retirement_dates),
                          c.retirement_dates[0] if c.retirement_dates else date.today())
            for c in candidates]


class RetireeModel(ListTableModel):
    """退休人员确认: 确认 (仍在职 / 已退休) and 退休日期 are edited in place."""

    COLUMNS = (("会员编号", None, "member_no"), ("姓名", None, "name"), ("证件号码", None, "masked_id"),
               ("法定退休日期", None, "dates_text"), ("确认", None, "answer_label"),
               ("退休日期", None, "retired_text"))
    ANSWER, DATE = 4, 5
    answersChanged = Signal()

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        row = self.row_at(index.row()) if index.isValid() else None
        if row is not None and (index.column() == self.ANSWER
                                or (index.column() == self.DATE and row.answer == "retired")):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def background(self, row: RetireeAnswer, attribute: str):
        if attribute == "answer_label":
            return PASSED if row.answer else ALERT
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == EDIT and index.isValid():
            row = self.row_at(index.row())
            if index.column() == self.ANSWER:
                return row.answer
            if index.column() == self.DATE:
                when = row.retired_on or row.first_date
                return QDate(when.year, when.month, when.day)
        return super().data(index, role)

    def setData(self, index: QModelIndex, value: Any, role: int = EDIT) -> bool:
        if role != EDIT or not index.isValid():
            return False
        row = self.row_at(index.row())
        if index.column() == self.ANSWER and value in ("working", "retired"):
            row = replace(row, answer=value, retired_on=(row.retired_on or row.first_date) if value == "retired" else None)
        elif index.column() == self.DATE and row.answer == "retired" and isinstance(value, (QDate, date)):
            row = replace(row, retired_on=value.toPython() if isinstance(value, QDate) else value)
        else:
            return False
        self.update_row(index.row(), row)
        self.answersChanged.emit()
        return True

    def answer_all(self, answer: str) -> None:
        """Give every member the same answer (仍在职 / 已退休 on their statutory date)."""
        for r, row in enumerate(self._rows):
            self._rows[r] = replace(row, answer=answer,  # type: ignore[index]
                                    retired_on=(row.retired_on or row.first_date) if answer == "retired" else None)
        self._rows_changed(0, self.row_count() - 1)
        self.answersChanged.emit()

    def complete(self) -> bool:
        return all(row.answer for row in self._rows)

    def answers(self) -> list[tuple[int, str, date | None]]:
        return [(row.id, row.answer, row.retired_on if row.answer == "retired" else None) for row in self._rows]


class AnswerDelegate(QStyledItemDelegate):
    """A combo box over 确认 while it is edited (one editor at a time, not one per row)."""

    def createEditor(self, parent: QWidget, option, index: QModelIndex) -> QWidget:  # noqa: N802 - Qt API
        combo = QComboBox(parent)
        for code, label in ANSWERS[1:]:
            combo.addItem(label, code)
        combo.activated.connect(lambda _i: self.commitData.emit(combo))
        return combo

    def setEditorData(self, editor: QComboBox, index: QModelIndex) -> None:  # noqa: N802
        editor.setCurrentIndex(max(0, editor.findData(index.data(EDIT))))

    def setModelData(self, editor: QComboBox, model, index: QModelIndex) -> None:  # noqa: N802
        model.setData(index, editor.currentData())


class DateDelegate(QStyledItemDelegate):
    """A date editor over 退休日期 while it is edited."""

    def createEditor(self, parent: QWidget, option, index: QModelIndex) -> QWidget:  # noqa: N802 - Qt API
        editor = QDateEdit(parent)
        editor.setDisplayFormat("yyyy-MM-dd")
        editor.setCalendarPopup(True)
        return editor

    def setEditorData(self, editor: QDateEdit, index: QModelIndex) -> None:  # noqa: N802
        editor.setDate(index.data(EDIT))

    def setModelData(self, editor: QDateEdit, model, index: QModelIndex) -> None:  # noqa: N802
        model.setData(index, editor.date())


class BatchMemberModel(IdTableModel):
    """批次详情: a submitted batch's members, by id from the database worker."""

    COLUMNS = (("姓名", None, "name"), ("证件号码", None, "masked_id"), ("会员卡号", None, "card_no"),
               ("起保日期", None, "coverage_start"), ("终保日期", None, "coverage_end"),
               ("全年/半年", None, "period_label"))

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(None, "id", False, parent)

    def fetch_ids(self, batch_id: int | None, sort_key: str, descending: bool) -> list[int]:
        return enrollment_lists.batch_member_ids(batch_id) if batch_id else []

    def fetch_rows(self, ids: list[int]) -> list[Any]:
        return enrollment_lists.batch_members_by_ids(ids)

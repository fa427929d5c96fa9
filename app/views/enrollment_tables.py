"""Table models of the enrollment screens (model/view, never a widget per row):

- `RosterModel`: 参保名单, the draft's rows (100,000 members preview like ten);
- `CandidateModel`: the members behind a count of the confirmation screen;
- `RetireeModel`: 退休人员确认, one answer per probable retiree (仍在职 / 已退休 on a date), given
  in bulk for rows of the view or edited in place through `AnswerDelegate` and `DateDelegate`,
  whose editors ignore the mouse wheel;
- `BatchMemberModel`: 批次详情, a submitted batch's members by id from the database worker.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QColor, QWheelEvent
from PySide6.QtWidgets import QComboBox, QDateEdit, QStyledItemDelegate, QWidget

from app.rules.cards import mask_card_no
from app.rules.idcard import mask_id
from app.services import enrollment_lists
from app.views.table_model import ALERT, PASSED, FirstPageIdModel, Index, ListTableModel

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
#: A woman whose post type is not known has two possible dates: the worker post's (originally
#: 50) comes first, the managerial post's (originally 55) second.
POSTS = ("工人岗位", "管理岗位")


@dataclass(frozen=True)
class RetireeAnswer:
    """A probable retiree and the clerk's answer so far."""

    id: int
    member_no: str
    name: str
    masked_id: str
    dates: tuple[date, ...]  # the statutory retirement date(s), earliest first
    answer: str | None = None
    retired_on: date | None = None

    @property
    def first_date(self) -> date:
        return self.dates[0] if self.dates else date.today()

    @property
    def dates_text(self) -> str:
        """Each date with the post it belongs to when there are two."""
        if len(self.dates) == 2:
            return " / ".join(f"{post[:2]} {d.isoformat()}" for post, d in zip(POSTS, self.dates, strict=True))
        return self.dates[0].isoformat() if self.dates else "（请手工确认）"

    @property
    def answer_label(self) -> str:
        return dict(ANSWERS)[self.answer]

    @property
    def retired_text(self) -> str:
        return self.retired_on.isoformat() if self.answer == "retired" and self.retired_on else ""

    def answered(self, answer: str, on: date | None = None) -> RetireeAnswer:
        """This member answered `answer`; 已退休 on `on`, else on the date given before or the first."""
        if answer == "working":
            return replace(self, answer=answer, retired_on=None)
        return replace(self, answer=answer, retired_on=on or self.retired_on or self.first_date)


def retiree_answers(candidates: list[Any]) -> list[RetireeAnswer]:
    return [RetireeAnswer(c.id, c.member_no, c.name, mask_id(c.id_number), tuple(c.retirement_dates))
            for c in candidates]


class RetireeModel(ListTableModel):
    """退休人员确认: 确认 (仍在职 / 已退休) and 退休日期 edited in place or answered in bulk for
    rows of the view; "只看未确认" shows the open ones (the rows are the view's, the answers kept
    for every member)."""

    COLUMNS = (("会员编号", None, "member_no"), ("姓名", None, "name"), ("证件号码", None, "masked_id"),
               ("法定退休日期", None, "dates_text"), ("确认", None, "answer_label"),
               ("退休日期", None, "retired_text"))
    ANSWER, DATE = 4, 5
    answersChanged = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._all: list[RetireeAnswer] = []
        self._shown: list[int] = []  # indexes into _all, in order
        self._open_only = False

    # ---- rows: the view's rows map onto every member's answer ---------------------------------------
    def set_rows(self, rows: Sequence[Any]) -> None:
        self._all = list(rows)
        self._refilter()

    def set_open_only(self, on: bool) -> None:
        self._open_only = on
        self._refilter()

    def _refilter(self) -> None:
        self.beginResetModel()
        self._shown = [i for i, r in enumerate(self._all) if not (self._open_only and r.answer)]
        self.endResetModel()

    def rows(self) -> Sequence[Any]:
        return self._all

    def row_count(self) -> int:
        return len(self._shown)

    def row_at(self, row: int) -> Any:
        return self._all[self._shown[row]] if 0 <= row < len(self._shown) else None

    def update_row(self, row: int, value: Any) -> None:
        self._all[self._shown[row]] = value
        self._rows_changed(row, row)

    def total_count(self) -> int:
        return len(self._all)

    def open_count(self) -> int:
        return sum(1 for r in self._all if not r.answer)

    # ---- answers ------------------------------------------------------------------------------------
    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        row = self.row_at(index.row()) if index.isValid() else None
        if row is not None and (index.column() == self.ANSWER
                                or (index.column() == self.DATE and row.answer == "retired")):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def background(self, row: RetireeAnswer, attribute: str) -> QColor | None:
        if attribute == "answer_label":
            return PASSED if row.answer else ALERT
        return None

    def tooltip(self, row: RetireeAnswer, attribute: str) -> str | None:
        if attribute == "dates_text" and len(row.dates) == 2:
            return "岗位类型未知：工人岗位（原50岁）{0}，管理岗位（原55岁）{1}".format(*row.dates)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == EDIT and index.isValid():
            row = self.row_at(index.row())
            if index.column() == self.ANSWER:
                return row.answer
            if index.column() == self.DATE:
                when = row.retired_on or row.first_date
                return QDate(when.year, when.month, when.day)
        return super().data(index, role)

    def setData(self, index: Index, value: Any, role: int = EDIT) -> bool:
        if role != EDIT or not index.isValid():
            return False
        row = self.row_at(index.row())
        if index.column() == self.ANSWER and value in ("working", "retired"):
            row = row.answered(value)
        elif index.column() == self.DATE and row.answer == "retired" and isinstance(value, (QDate, date)):
            row = row.answered("retired", value.toPython() if isinstance(value, QDate) else value)
        else:
            return False
        self.update_row(index.row(), row)
        self.answersChanged.emit()
        return True

    def answer_rows(self, rows: Iterable[int], answer: str, *, on: date | None = None) -> int:
        """Give the members on view rows `rows` one answer (已退休: on `on`, else each one's own
        date); returns how many. With "只看未确认" on, the answered rows leave the view."""
        return self._answer({self._shown[r]: (answer, on) for r in rows if 0 <= r < len(self._shown)})

    def answer_by_post(self, rows: Iterable[int], post: str, cutoff: date) -> int:
        """按岗位类型: each member's date for `post` ("worker" or "managerial"; a man's or a known
        post's one date stands) decides — 已退休 on it when it falls before `cutoff` (1 January of
        the plan year), else 仍在职."""
        answers: dict[int, tuple[str, date | None]] = {}
        for r in rows:
            if not 0 <= r < len(self._shown) or not self._all[self._shown[r]].dates:
                continue
            dates = self._all[self._shown[r]].dates
            when = dates[-1] if post == "managerial" else dates[0]
            answers[self._shown[r]] = ("retired", when) if when < cutoff else ("working", None)
        return self._answer(answers)

    def answer_all(self, answer: str) -> None:
        """Give every member the same answer (仍在职 / 已退休 on their statutory date)."""
        self._answer({i: (answer, None) for i in range(len(self._all))})

    def _answer(self, answers: dict[int, tuple[str, date | None]]) -> int:
        for i, (answer, on) in answers.items():
            self._all[i] = self._all[i].answered(answer, on)
        if answers:
            if self._open_only:
                self._refilter()
            else:
                self._rows_changed(0, self.row_count() - 1)
            self.answersChanged.emit()
        return len(answers)

    def complete(self) -> bool:
        return all(row.answer for row in self._all)

    def answers(self) -> list[tuple[int, str, date | None]]:
        return [(row.id, row.answer, row.retired_on if row.answer == "retired" else None) for row in self._all]


class _NoWheelCombo(QComboBox):
    """The answer's editor: the wheel scrolls the table, it never changes an answer."""

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt API
        event.ignore()


class _NoWheelDateEdit(QDateEdit):
    """The date's editor: the wheel scrolls the table, it never changes a date."""

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt API
        event.ignore()


class AnswerDelegate(QStyledItemDelegate):
    """A combo box over 确认 while it is edited (one editor at a time, not one per row)."""

    def createEditor(self, parent: QWidget, option, index: QModelIndex) -> QWidget:  # noqa: N802 - Qt API
        combo = _NoWheelCombo(parent)
        combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        for code, label in ANSWERS:  # 请选择 too: opening the editor and leaving answers nothing
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
        editor = _NoWheelDateEdit(parent)
        editor.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        editor.setDisplayFormat("yyyy-MM-dd")
        editor.setCalendarPopup(True)
        return editor

    def setEditorData(self, editor: QDateEdit, index: QModelIndex) -> None:  # noqa: N802
        editor.setDate(index.data(EDIT))

    def setModelData(self, editor: QDateEdit, model, index: QModelIndex) -> None:  # noqa: N802
        model.setData(index, editor.date())


class BatchMemberModel(FirstPageIdModel):
    """批次详情: a submitted batch's members, by id from the database worker."""

    COLUMNS = (("姓名", None, "name"), ("证件号码", None, "masked_id"), ("会员卡号", None, "card_no"),
               ("起保日期", None, "coverage_start"), ("终保日期", None, "coverage_end"),
               ("全年/半年", None, "period_label"))

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(None, "id", False, parent)

    def select_ids(self, batch_id: int | None, sort_key: str, descending: bool, limit: int | None) -> list[int]:
        return enrollment_lists.batch_member_ids(batch_id, limit) if batch_id else []

    def fetch_count(self, batch_id: int | None) -> int:
        return enrollment_lists.count_batch_members(batch_id) if batch_id else 0

    def fetch_rows(self, ids: list[int]) -> list[Any]:
        return enrollment_lists.batch_members_by_ids(ids)

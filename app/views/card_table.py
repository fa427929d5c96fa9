"""Table models of the member-card pages: id-only models (app.views.table_model), as the member
list's — the ids of a query fetched on the database worker, rows loaded by id when painted. The
subclasses say what their columns are and how a row looks; all pass qtmodeltester.

`ActionsDelegate` draws the manual's per-row links (查看详情 删除 修改证件到期日) in one column and
reports which was clicked.
"""
from __future__ import annotations

from array import array
from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QRect,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QMouseEvent, QPainter
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

from app.models.queries import CardMemberFilter, QueueFilter
from app.services import card_lists, cards
from app.services.members import FLAG_LABELS
from app.views.table_model import (  # noqa: F401 (re-exported for the card pages)
    ALERT,
    DISPLAY,
    LINK,
    MUTED,
    PASSED,
    USER,
    WARN,
    FirstPageIdModel,
    IdTableModel,
    Snapshot,
)


# ---- 卡片信息管理 ----------------------------------------------------------------------------------

class CardInfoModel(FirstPageIdModel):
    """In-service members of linked enterprises, with card number and status. Sort keys are the
    member list's indexed ones; enterprise and card status are filters."""

    COLUMNS = (
        ("会员编号", "member_no", "member_no"),
        ("姓名", "name", "name"),
        ("证件类型", None, "id_type"),
        ("证件号码", "id_number", "masked_id"),
        ("关联企业", None, "enterprise"),
        ("手机号码", "phone", "masked_phone"),
        ("会员卡号", None, "card_no"),
        ("卡状态", None, "card_status"),
        ("证件到期日", "id_expiry", "id_expiry"),
        ("提示", None, "flag_text"),
    )

    def __init__(self, union_id: int, today: Callable[[], date] = date.today, parent: QObject | None = None) -> None:
        super().__init__(CardMemberFilter(), "member_no", False, parent)
        self.union_id = union_id
        self._today = today

    def select_ids(self, f: CardMemberFilter, sort_key: str, descending: bool, limit: int | None) -> list[int]:
        return cards.card_info_ids(self.union_id, f, sort_key, descending, limit)

    def fetch_count(self, f: CardMemberFilter) -> int:
        return cards.count_card_info(self.union_id, f)

    def fetch_rows(self, ids: list[int]) -> list[Any]:
        return cards.card_members_by_ids(ids, self._today())

    def background(self, row: cards.CardMemberRow, attribute: str) -> QColor | None:
        if row.expiry_flag == "id_expired":
            return ALERT
        if row.expiry_flag == "id_expiring":
            return WARN
        return None

    def tooltip(self, row: cards.CardMemberRow, attribute: str) -> str | None:
        if attribute in ("id_expiry", "flag_text") and row.expiry_flag:
            return cards.expiry_warning(row.id_expiry, self._today()) or FLAG_LABELS[row.expiry_flag]
        return None


# ---- 待办会员列表 ----------------------------------------------------------------------------------

#: The manual's per-row actions: (key, label).
QUEUE_ACTIONS: tuple[tuple[str, str], ...] = (("detail", "查看详情"), ("remove", "删除"), ("expiry", "修改证件到期日"))


class CardQueueModel(FirstPageIdModel):
    """The card queue: the manual's columns (with the name and the reason added). It sorts by the
    queue's own indexed columns, 加入待办时间 and 信息校验结果."""

    COLUMNS = (
        ("姓名", None, "name"),
        ("证件类型", None, "id_type"),
        ("证件号码", None, "masked_id"),
        ("加入待办时间", "queued_at", "queued_at"),
        ("证件到期日", None, "id_expiry"),
        ("信息校验结果", "result", "result_label"),
        ("校验说明", None, "note"),
        ("操作", None, "actions"),
    )

    def __init__(self, union_id: int, today: Callable[[], date] = date.today, parent: QObject | None = None) -> None:
        super().__init__(QueueFilter(), "queued_at", True, parent)
        self.union_id = union_id
        self._today = today

    def select_ids(self, f: QueueFilter, sort_key: str, descending: bool, limit: int | None) -> list[int]:
        return card_lists.queued_ids(self.union_id, f, sort_key, descending, limit)

    def fetch_count(self, f: QueueFilter) -> int:
        return cards.count_queued(self.union_id, f)

    def fetch_rows(self, ids: list[int]) -> list[Any]:
        return card_lists.queue_rows(ids, self._today())

    def display(self, row: cards.QueueRow, attribute: str) -> Any:
        if attribute == "actions":
            return "  ".join(label for _, label in QUEUE_ACTIONS)
        return getattr(row, attribute)

    def background(self, row: cards.QueueRow, attribute: str) -> QColor | None:
        if attribute == "id_expiry":
            return ALERT if row.expiry_flag == "id_expired" else WARN if row.expiry_flag == "id_expiring" else None
        if attribute in ("result_label", "note"):
            if row.result == cards.FAILED:
                return ALERT
            if row.result == cards.PASSED:
                return WARN if row.warning and attribute == "note" else PASSED
        return None

    def tooltip(self, row: cards.QueueRow, attribute: str) -> str | None:
        if attribute == "id_expiry" and row.expiry_flag:
            return row.warning or FLAG_LABELS[row.expiry_flag]
        if attribute in ("result_label", "note"):
            parts = [p for p in (row.reason, row.warning) if p]
            return "\n".join(parts) or None
        return None


# ---- 办卡批次管理 ----------------------------------------------------------------------------------

class CardBatchModel(IdTableModel):
    """The union's card batches, newest first (few enough to fetch whole with their ids)."""

    COLUMNS = (
        ("批次编号", None, "batch_no"),
        ("办卡人数", None, "member_count"),
        ("提交时间", None, "submitted_at"),
        ("最后更新时间", None, "updated_at"),
        ("状态", None, "status_label"),
        ("撤销申请", None, "withdrawal_label"),
        ("办理结果", None, "outcome_text"),
    )

    def __init__(self, union_id: int, parent: QObject | None = None) -> None:
        from app.models.queries import CardBatchFilter

        super().__init__(CardBatchFilter(), "submitted_at", True, parent)
        self.union_id = union_id

    def query(self, f: Any = None, sort_key: str | None = None, descending: bool | None = None) -> Snapshot:
        f = self.filter if f is None else f
        rows = cards.card_batches(self.union_id, f)
        return Snapshot(f, self.sort_key, self.descending, array("q", [r.id for r in rows]), rows)

    def fetch_rows(self, ids: list[int]) -> list[Any]:
        wanted = set(ids)
        return [r for r in cards.card_batches(self.union_id, self.filter) if r.id in wanted]

    def background(self, row: cards.CardBatchRow, attribute: str) -> QColor | None:
        if attribute == "withdrawal_label":
            return {"pending": WARN, "refused": ALERT}.get(row.withdrawal)
        if attribute in ("status_label", "outcome_text"):
            if row.status == "refused" or row.refused:
                return ALERT
            if row.status == "queued":
                return WARN
        return None

    def tooltip(self, row: cards.CardBatchRow, attribute: str) -> str | None:
        if attribute == "withdrawal_label":
            return row.withdrawal_text or None
        return row.outcome_text if attribute in ("status_label", "outcome_text") else None


class CardBatchMemberModel(FirstPageIdModel):
    """The members of one card batch and their outcome."""

    COLUMNS = (
        ("姓名", None, "name"),
        ("证件号码", None, "masked_id"),
        ("办理结果", None, "outcome_label"),
        ("会员卡号", None, "card_no"),
        ("说明", None, "reason"),
    )

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(None, "id", False, parent)

    def select_ids(self, batch_id: int | None, sort_key: str, descending: bool, limit: int | None) -> list[int]:
        return card_lists.batch_member_ids(batch_id, limit) if batch_id else []

    def fetch_count(self, batch_id: int | None) -> int:
        return cards.count_batch_members(batch_id) if batch_id else 0

    def fetch_rows(self, ids: list[int]) -> list[Any]:
        return card_lists.batch_members_by_ids(ids)

    def background(self, row: cards.CardBatchMemberRow, attribute: str) -> QColor | None:
        if attribute in ("outcome_label", "reason") and row.outcome == "refused":
            return ALERT
        if attribute == "outcome_label" and row.outcome == "issued":
            return PASSED
        return None

    def tooltip(self, row: cards.CardBatchMemberRow, attribute: str) -> str | None:
        return row.reason or None if attribute == "reason" else None


# ---- the per-row links -----------------------------------------------------------------------------

class ActionsDelegate(QStyledItemDelegate):
    """Draws `actions` as links side by side; a click on one emits `triggered(row, key)`."""

    triggered = Signal(int, str)

    def __init__(self, actions: tuple[tuple[str, str], ...], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.actions = actions

    def _rects(self, option: QStyleOptionViewItem) -> list[tuple[str, str, QRect]]:
        metrics = option.fontMetrics
        gap = metrics.horizontalAdvance("中")
        x = option.rect.left() + gap // 2
        out = []
        for key, label in self.actions:
            width = metrics.horizontalAdvance(label)
            out.append((key, label, QRect(x, option.rect.top(), width, option.rect.height())))
            x += width + gap
        return out

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        painter.save()
        font = opt.font
        font.setUnderline(True)
        painter.setFont(font)
        painter.setPen(LINK)
        for _, label, rect in self._rects(opt):
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), label)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex):
        hint = super().sizeHint(option, index)
        rects = self._rects(option)
        if rects:
            hint.setWidth(rects[-1][2].right() - option.rect.left() + option.fontMetrics.horizontalAdvance("中"))
        return hint

    def action_at(self, option: QStyleOptionViewItem, x: int) -> str | None:
        for key, _, rect in self._rects(option):
            if rect.left() <= x <= rect.right():
                return key
        return None

    def editorEvent(self, event: QEvent, model, option: QStyleOptionViewItem, index: QModelIndex) -> bool:
        if event.type() == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent) \
                and event.button() == Qt.MouseButton.LeftButton:
            key = self.action_at(option, int(event.position().x()))
            if key is not None:
                self.triggered.emit(index.row(), key)
                return True
        return super().editorEvent(event, model, option, index)

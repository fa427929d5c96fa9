"""会员服务卡管理 → 办卡批次管理: card batches and what became of each member.

The batches made on this PC (and by other PCs of the union, as the pull brings them): number,
count, submitted, last updated, status (待发送 while offline or not yet sent, 制卡中, 已完成, 未受理
with the server's reason) and the outcome; below, the selected batch's members with 已发卡 and the
card number, 制卡中, or 未通过 with the reason. Members refused (by the card issuer, or with the whole
batch when the server did not accept it) can be put back in the queue, corrected and applied for
again.
"""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.models.queries import CardBatchFilter
from app.services import cards
from app.views import ops
from app.views.card_table import CardBatchMemberModel, CardBatchModel
from app.views.list_page import plain_table


def _widths(model, widths: tuple[int, ...]) -> dict[str, int]:
    """Column widths in Chinese characters, by the model's headers in order."""
    return {column[0]: width for column, width in zip(model.COLUMNS, widths)}


class CardBatchesPage(QWidget):
    """办卡批次管理."""

    page_name = "card_batches"

    def __init__(self, union_id: int, plan_year: int, actor: str, parent: QWidget | None = None,
                 api=None) -> None:
        super().__init__(parent)
        self.api = api  # the signed-in account's server API source (申请撤销), None without one
        self.union_id = union_id
        self.plan_year = plan_year
        self.actor = actor
        self.model = CardBatchModel(union_id, parent=self)
        self.members = CardBatchMemberModel(parent=self)
        self._latest = ops.Latest(self)
        self._loaded = False
        self.last_queue_message = ""
        self._keep_title: str | None = None  # a batch whose line under the table stays as said

        title = QLabel(self.tr("办卡批次管理"))
        title.setObjectName("pageTitle")
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("批次编号"))
        self.search.setClearButtonEnabled(True)
        self.status = QComboBox()
        self.status.addItem(self.tr("状态：全部"), None)
        for code, label in cards.BATCH_STATUS_LABELS.items():
            self.status.addItem(label, code)
        self.search_button = QPushButton(self.tr("搜索"))
        filters = QHBoxLayout()
        filters.addWidget(QLabel(self.tr("批次编号")))
        filters.addWidget(self.search, 2)
        filters.addWidget(QLabel(self.tr("状态")))
        filters.addWidget(self.status, 1)
        filters.addWidget(self.search_button)
        filters.addStretch(1)

        self.table = plain_table(self, self.model, _widths(self.model, (11, 5, 9, 9, 5, 6, 14)))
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.member_table = plain_table(self, self.members, _widths(self.members, (6, 11, 6, 9, 20)))
        self.member_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.members_title = QLabel(self.tr("请选择一个批次查看办卡结果。"))
        self.members_title.setWordWrap(True)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.members_title)
        lower_layout.addWidget(self.member_table, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(lower)
        em = self.fontMetrics().horizontalAdvance("中")
        splitter.setSizes([em * 12, em * 16])

        self.count_label = QLabel()
        self.requeue_button = QPushButton(self.tr("将未通过会员重新加入待办"))
        self.requeue_button.setEnabled(False)
        self.refresh_button = QPushButton(self.tr("刷新"))
        self.withdraw_button = QPushButton(self.tr("申请撤销"))
        self.withdraw_button.setEnabled(False)
        self.withdraw_button.setToolTip(self.tr("撤销尚未发卡的办卡批次（由区局(产业)工会审核，需联网）"))
        self.withdraw_button.clicked.connect(self.ask_withdrawal)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(self.withdraw_button)
        bottom.addWidget(self.refresh_button)
        bottom.addWidget(self.requeue_button)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)

        self.search.returnPressed.connect(self.requery)
        self.search_button.clicked.connect(self.requery)
        self.status.currentIndexChanged.connect(self.requery)
        self.refresh_button.clicked.connect(self.requery)
        self.requeue_button.clicked.connect(self.requeue_refused)
        self.model.totalChanged.connect(lambda n: self.count_label.setText(self.tr("共 {0} 个办卡批次").format(n)))
        self.table.selectionModel().selectionChanged.connect(self._batch_selected)

    def current_filter(self) -> CardBatchFilter:
        return CardBatchFilter(text=self.search.text(), status=self.status.currentData())

    def requery(self, *_args) -> None:
        f = self.current_filter()
        selected = self.selected_batch()
        keep = selected.batch_no if selected else None
        self._latest.run(lambda: self.model.query(f), lambda snapshot: self._show(snapshot, keep))

    def refresh(self) -> None:
        self.requery()

    def load_now(self) -> None:
        """Load and wait, painting meanwhile (screenshots, tests): the work stays on the worker."""
        self.requery()
        ops.drain()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._loaded:
            self.requery()

    def _show(self, snapshot, keep: str | None) -> None:
        self._loaded = True
        self.model.apply(snapshot)
        rows = [self.model.row_at(r) for r in range(self.model.rowCount())]
        target = next((r for r, b in enumerate(rows) if b is not None and b.batch_no == keep), 0 if rows else None)
        if target is not None:
            self.table.selectRow(target)
        else:
            self._clear_members()

    def _clear_members(self) -> None:
        from array import array

        from app.views.card_table import Snapshot

        self.members.apply(Snapshot(None, "id", False, array("q"), []))
        self.members_title.setText(self.tr("请选择一个批次查看办卡结果。"))
        self.requeue_button.setEnabled(False)
        self.withdraw_button.setEnabled(False)

    def selected_batch(self) -> cards.CardBatchRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _batch_selected(self, _selected: QItemSelection | None = None, _deselected: QItemSelection | None = None) -> None:
        batch = self.selected_batch()
        if batch is None or batch.batch_no != self._keep_title:
            self._keep_title = None
        if batch is None:
            self._clear_members()
            return

        def done(snapshot) -> None:
            current = self.selected_batch()
            if current is not None and current.id == batch.id:
                self.members.apply(snapshot)
                self._members_shown(batch)

        ops.run_db(self, lambda: self.members.query(batch.id), done)

    def _members_shown(self, batch: cards.CardBatchRow) -> None:
        text = self.tr("批次 {0} 的办卡结果：{1}").format(batch.batch_no, batch.outcome_text)
        if batch.withdrawal in ("pending", "refused"):
            text += self.tr("　撤销申请：{0}").format(batch.withdrawal_text)
        if self._keep_title == batch.batch_no:
            self._keep_title = None
        else:
            self.members_title.setText(text)
        self.requeue_button.setEnabled(batch.refused > 0)
        self.withdraw_button.setEnabled(self.api is not None and batch.status == "issuing" and batch.issued == 0
                                        and batch.withdrawal != "pending")

    def ask_withdrawal(self, _checked: bool = False, reason: str | None = None) -> None:
        """申请撤销 the selected batch (no card made yet): the district decides (app/views/withdrawal_pages.py)."""
        from app.views.withdrawal_pages import ask_withdrawal

        batch = self.selected_batch()
        if batch is not None and self.api is not None:
            ask_withdrawal(self, self.api, batch.batch_no, reason,
                           (lambda text: self.members_title.setText(text)) if reason is not None else None,
                           sent=self._withdrawal_sent)

    def _withdrawal_sent(self, answer: dict) -> None:
        """Keep the request's state now (撤销审核中, the button off) rather than at the next sync;
        the line under the table keeps what was just said."""
        union_id, batch_no = self.union_id, str(answer.get("batch_no") or "")
        self.withdraw_button.setEnabled(False)
        self._keep_title = batch_no
        ops.run_db(self, lambda: cards.note_withdrawal_sent(union_id, batch_no, answer), lambda _none: self.requery())

    def requeue_refused(self) -> None:
        """将未通过会员重新加入待办 (the issuer's refusals, to be corrected and applied for again)."""
        batch = self.selected_batch()
        if batch is None:
            return
        actor = self.actor

        def done(result: cards.AddResult) -> None:
            self.last_queue_message = result.message()
            self.members_title.setText(result.message())

        ops.run_db(self, lambda: cards.requeue_refused(batch.id, actor=actor, today=date.today()), done)

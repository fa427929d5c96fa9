"""A returned batch raises a notice that stays until the clerk opens it: a banner over the pages,
"批次 … 被上级工会退回：原因 … 查看并处理". Opening it marks the batch seen (kept in the profile,
so a notice not yet opened is there again after a restart). A card batch whose 申请撤销 the
district refused raises the same notice, with the district's reason; 查看并处理 then opens
办卡批次管理."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from app.views import ops


class ReturnedBanner(QFrame):
    """Hidden while nothing returned waits to be seen."""

    #: The clerk pressed 查看并处理: what to show (a target of MainWindow.open_todo).
    opened = Signal(str)

    def __init__(self, union_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.union_id = union_id
        self.setObjectName("returnedBanner")
        self.setStyleSheet("#returnedBanner { background: #fde2e1; border: 1px solid #c0392b; border-radius: 3px; }")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.button = QPushButton(self.tr("查看并处理"))
        self.button.clicked.connect(self.open)
        layout = QHBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.button)
        self.batches: list[str] = []
        self.withdrawals: list[str] = []  # card batches whose 申请撤销 was refused
        self.hide()

    def refresh(self) -> None:
        from app.services import batch_watch

        union_id = self.union_id
        ops.run_db(self, lambda: (batch_watch.unseen_returned(union_id),
                                  batch_watch.unseen_withdrawal_refusals(union_id)), self.show_notices)

    def show_notices(self, notices: tuple[list, list[tuple[str, str]]]) -> None:
        batches, refusals = notices
        self.batches = [b.batch_no for b in batches]
        self.withdrawals = [batch_no for batch_no, _reason in refusals]
        lines = []
        if batches:
            first = batches[0]
            more = self.tr("等 {0} 个批次").format(len(batches)) if len(batches) > 1 else ""
            lines.append(self.tr("⚠ 批次 {0}{1}被上级工会退回：{2}。请查看退回原因，修改后重新提交。").format(
                first.batch_no, more, first.return_reason or self.tr("未说明原因")))
        if refusals:
            batch_no, reason = refusals[0]
            more = self.tr("等 {0} 个批次").format(len(refusals)) if len(refusals) > 1 else ""
            lines.append(self.tr("⚠ 办卡批次 {0}{1}的撤销申请区局(产业)工会不同意：{2}。该批次照常制卡。").format(
                batch_no, more, reason or self.tr("未说明原因")))
        if not lines:
            self.hide()
            return
        self.text.setText("\n".join(lines))
        self.show()

    def open(self) -> None:
        from app.services import batch_watch

        seen, withdrawals = list(self.batches), list(self.withdrawals)
        self.hide()

        def mark() -> None:
            batch_watch.mark_returned_seen(seen)
            batch_watch.mark_withdrawals_seen(withdrawals)

        ops.run_db(self, mark)
        self.opened.emit("page:card_enrollment:returned" if seen else "page:card_batches")

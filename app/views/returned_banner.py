"""A returned batch raises a notice that stays until the clerk opens it: a banner over the pages,
"批次 … 被上级工会退回：原因 … 查看并处理". Opening it marks the batch seen (kept in the profile,
so a notice not yet opened is there again after a restart)."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from app.views import ops


class ReturnedBanner(QFrame):
    """Hidden while nothing returned waits to be seen."""

    #: The clerk pressed 查看并处理 (the window shows the returned batches).
    opened = Signal()

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
        self.hide()

    def refresh(self) -> None:
        from app.services import batch_watch

        union_id = self.union_id
        ops.run_db(self, lambda: batch_watch.unseen_returned(union_id), self.show_batches)

    def show_batches(self, batches: list) -> None:
        self.batches = [b.batch_no for b in batches]
        if not batches:
            self.hide()
            return
        first = batches[0]
        more = self.tr("等 {0} 个批次").format(len(batches)) if len(batches) > 1 else ""
        self.text.setText(self.tr("⚠ 批次 {0}{1}被上级工会退回：{2}。请查看退回原因，修改后重新提交。").format(
            first.batch_no, more, first.return_reason or self.tr("未说明原因")))
        self.show()

    def open(self) -> None:
        from app.services import batch_watch

        seen = list(self.batches)
        self.hide()
        ops.run_db(self, lambda: batch_watch.mark_returned_seen(seen))
        self.opened.emit()

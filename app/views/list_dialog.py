"""A dialog that shows one list read on the database worker: a table over a ListTableModel, the
count under it, 关闭. The to-do lists of the workbench and 已删除会员 are such dialogs."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.views import ops
from app.views.table_model import ListTableModel
from app.views.sizing import resize_in_screen


class ListDialog(QDialog):
    """`load()` runs on the database worker; its rows fill `model` and `count` says how many."""

    #: How the count reads; {0} is the number of rows.
    COUNT_TEXT = "共 {0} 人"

    def __init__(self, title: str, model: ListTableModel, load: Callable[[], Sequence[Any]], *,
                 width_em: int = 56, height_em: int = 28, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.model = model
        model.setParent(self)
        self.table = QTableView(self)
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.count = QLabel(self.tr("正在读取…"))
        self.count.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("关闭"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        layout.addWidget(buttons)
        em = self.fontMetrics().horizontalAdvance("中")
        resize_in_screen(self, em * width_em, em * height_em)
        ops.run_db(self, load, self.show_rows)

    def show_rows(self, rows: Sequence[Any]) -> None:
        self.model.set_rows(rows)
        self.count.setText(self.tr(self.COUNT_TEXT).format(len(rows)))

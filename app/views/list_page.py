"""What the pages listing members through an IdTableModel share (会员信息, 卡片信息管理, 待办会员列表):
typing in the search box asks again after a pause, a click on a column header sorts in SQL, the
total goes to the page's count label, and the selection is read as row ids."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QTableView, QWidget

from app.views import ops

#: Pause after the last key press in a search box before the list is queried again.
SEARCH_DELAY_MS = 250


def list_table(page: QWidget, model, widths: dict[str, int], *, sort_column: int = 0,
               sort_order: Qt.SortOrder = Qt.SortOrder.AscendingOrder, default_width: int | None = None,
               stretch_last: bool = True) -> QTableView:
    """The table of a list page on `model` (an IdTableModel): whole rows selected, several at once,
    fixed row height, headers that sort, column widths in Chinese characters (`widths` by header;
    others `default_width`, or their header's length plus two, at least five)."""
    table = QTableView(page)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().setDefaultSectionSize(page.fontMetrics().height() + 8)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    header = table.horizontalHeader()
    header.setSectionsClickable(True)
    header.setSortIndicatorShown(True)
    header.setSortIndicator(sort_column, sort_order)
    header.setStretchLastSection(stretch_last)
    em = page.fontMetrics().horizontalAdvance("中")
    for i, (head, _, _) in enumerate(model.COLUMNS):
        header.resizeSection(i, em * widths.get(head, default_width or max(5, len(head) + 2)))
    return table


def hbox(*items: tuple[QWidget | None, int]) -> QHBoxLayout:
    """A row of widgets with their stretch factors (None for an empty stretch)."""
    row = QHBoxLayout()
    for widget, stretch in items:
        if widget is None:
            row.addStretch(stretch)
        else:
            row.addWidget(widget, stretch)
    return row


def plain_table(parent: QWidget, model, widths: dict[str, int]) -> QTableView:
    """A read-only table on `model` (no sorting): fixed row height, column widths in Chinese
    characters by header (others their header's length plus two), the last column stretched.
    Never sized to contents, which would read every row of a long model."""
    table = QTableView(parent)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().setDefaultSectionSize(parent.fontMetrics().height() + 8)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.horizontalHeader().setStretchLastSection(True)
    em = parent.fontMetrics().horizontalAdvance("中")
    for i, (head, _, _) in enumerate(model.COLUMNS):
        table.horizontalHeader().resizeSection(i, em * widths.get(head, max(5, len(head) + 2)))
    return table


class ListPage:
    """Mixin for a QWidget page with `search` (a QLineEdit), `table` (a QTableView on `model`, a
    IdTableModel), `requery(sort_key=, descending=)`, `_show_total(n)` and `_selection_changed()`."""

    def connect_list(self) -> None:
        """Wire the search box, the header, the total and the selection (call once, after the
        table has its model)."""
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.requery)
        self.search.textChanged.connect(self._search_timer.start)
        self.table.horizontalHeader().sortIndicatorChanged.connect(self._sort_changed)
        self.model.totalChanged.connect(self._show_total)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

    def _sort_changed(self, column: int, order: Qt.SortOrder) -> None:
        key = self.model.sort_key_for_column(column)
        if key is None:  # a computed column (flags, actions): keep the current order
            return
        self.requery(sort_key=key, descending=order == Qt.SortOrder.DescendingOrder)

    def selected_ids(self) -> list[int]:
        """The ids (UserRole) of the selected rows: members, or queue entries on 待办会员列表 (a row
        after the first page has none in the moment before the query's other ids arrive)."""
        ids = (self.model.data(i, Qt.ItemDataRole.UserRole) for i in self.table.selectionModel().selectedRows())
        return [i for i in ids if i is not None]


def fill_enterprises(page: QWidget, combo: QComboBox, union_id: int, then=None) -> None:
    """Add the union's enterprises to `combo` once the database worker has read them (the page
    opens at once; the combo's own signals stay quiet while it fills). `then()` runs after."""
    from app.services import members as member_service

    def fill(enterprises: list[tuple[int, str]]) -> None:
        combo.blockSignals(True)
        for ent_id, name in enterprises:
            combo.addItem(name, ent_id)
        combo.blockSignals(False)
        if then is not None:
            then()

    ops.run_db(page, lambda: member_service.enterprises(union_id), fill)

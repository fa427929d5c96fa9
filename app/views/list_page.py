"""What the pages listing members through a PagedModel share (会员信息, 卡片信息管理, 待办会员列表):
typing in the search box asks again after a pause, a click on a column header sorts in SQL, the
total goes to the page's count label, and the selection is read as row ids."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer

#: Pause after the last key press in a search box before the list is queried again.
SEARCH_DELAY_MS = 250


class ListPage:
    """Mixin for a QWidget page with `search` (a QLineEdit), `table` (a QTableView on `model`, a
    PagedModel), `requery(sort_key=, descending=)`, `_show_total(n)` and `_selection_changed()`."""

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
        """The ids (UserRole) of the selected rows: members, or queue entries on 待办会员列表."""
        return [self.model.data(i, Qt.ItemDataRole.UserRole) for i in self.table.selectionModel().selectedRows()]

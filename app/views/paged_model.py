"""A table model over rows paged from SQL on demand (Anki's browser table, STYLE.md §4).

`PagedModel` holds a filter, a sort and a total, and fetches a page of rows (plain dataclasses
from a service) the first time the view asks for one, keeping a few pages cached. A (re)query runs
on the database worker (`query` → `Snapshot`) and is shown with `apply` on the main thread; a text
search collects every matching id in one pass and pages by id. Subclasses say what their columns
are, where rows come from and how a row looks; every subclass passes qtmodeltester.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

PAGE_SIZE = 200
PAGES_CACHED = 64

WARN = QColor("#fff4d6")
ALERT = QColor("#fde2e1")
PASSED = QColor("#e3f4e1")
LINK = QColor("#1a5fb4")
MUTED = QColor("#888888")

DISPLAY = Qt.ItemDataRole.DisplayRole
USER = Qt.ItemDataRole.UserRole


@dataclass(frozen=True)
class Snapshot:
    """What a (re)query produced on the worker: the total and the first page."""

    filter: Any
    sort_key: str
    descending: bool
    total: int
    first_page: list[Any]
    #: For a text search, every match's id in order (one table scan finds them all; pages are then
    #: fetched by id). None when paging by offset over indexes is cheaper.
    ids: list[int] | None = None


class PagedModel(QAbstractTableModel):
    """Rows fetched a page at a time; subclasses define COLUMNS and the fetchers."""

    totalChanged = Signal(int)

    #: (header, sort key or None, attribute of the row dataclass)
    COLUMNS: tuple[tuple[str, str | None, str], ...] = ()

    def __init__(self, filter_: Any, sort_key: str, descending: bool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.filter = filter_
        self.sort_key = sort_key
        self.descending = descending
        self._total = 0
        self._ids: list[int] | None = None
        self._pages: OrderedDict[int, list[Any]] = OrderedDict()

    # ---- what subclasses provide (run on whichever thread calls them) ---------------------------
    def _count(self, f: Any) -> int:
        raise NotImplementedError

    def _page(self, f: Any, sort_key: str, descending: bool, offset: int, limit: int) -> list[Any]:
        raise NotImplementedError

    def _search_ids(self, f: Any, sort_key: str, descending: bool) -> list[int] | None:
        """All matching ids when paging by id is cheaper (a text search), else None."""
        return None

    def _rows_by_ids(self, ids: list[int]) -> list[Any]:
        raise NotImplementedError

    # ---- querying ---------------------------------------------------------------------------------
    def query(self, f: Any = None, sort_key: str | None = None, descending: bool | None = None) -> Snapshot:
        """Count and fetch the first page (safe on a worker)."""
        f = self.filter if f is None else f
        sort_key = self.sort_key if sort_key is None else sort_key
        descending = self.descending if descending is None else descending
        ids = self._search_ids(f, sort_key, descending)
        if ids is not None:
            return Snapshot(f, sort_key, descending, len(ids), self._rows_by_ids(ids[:PAGE_SIZE]), ids)
        total = self._count(f)
        first = self._page(f, sort_key, descending, 0, PAGE_SIZE) if total else []
        return Snapshot(f, sort_key, descending, total, first)

    def apply(self, snap: Snapshot) -> None:
        """Show a snapshot (main thread)."""
        self.beginResetModel()
        self.filter, self.sort_key, self.descending = snap.filter, snap.sort_key, snap.descending
        self._total = snap.total
        self._ids = snap.ids
        self._pages.clear()
        self._pages[0] = snap.first_page
        self.endResetModel()
        self.totalChanged.emit(self._total)

    def reload(self) -> None:
        """Synchronous requery with the current filter (tests and screenshots)."""
        self.apply(self.query())

    def row_at(self, row: int) -> Any:
        if not 0 <= row < self._total:
            return None
        page_no, offset = divmod(row, PAGE_SIZE)
        page = self._pages.get(page_no)
        if page is None:
            if self._ids is not None:
                page = self._rows_by_ids(self._ids[page_no * PAGE_SIZE:(page_no + 1) * PAGE_SIZE])
            else:
                page = self._page(self.filter, self.sort_key, self.descending, page_no * PAGE_SIZE, PAGE_SIZE)
            self._pages[page_no] = page
            while len(self._pages) > PAGES_CACHED:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_no)
        return page[offset] if offset < len(page) else None

    @property
    def total(self) -> int:
        return self._total

    def sort_key_for_column(self, column: int) -> str | None:
        return self.COLUMNS[column][1] if 0 <= column < len(self.COLUMNS) else None

    def column_of(self, header: str) -> int:
        return [c[0] for c in self.COLUMNS].index(header)

    # ---- how a row looks (main thread) -------------------------------------------------------------
    def display(self, row: Any, attribute: str) -> Any:
        return getattr(row, attribute)

    def background(self, row: Any, attribute: str) -> QColor | None:
        return None

    def tooltip(self, row: Any, attribute: str) -> str | None:
        return None

    def foreground(self, row: Any, attribute: str) -> QColor | None:
        return LINK if attribute == "actions" else None

    # ---- Qt model API -------------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        if role != DISPLAY:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section][0]
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY) -> Any:
        if not index.isValid():
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        attribute = self.COLUMNS[index.column()][2]
        if role == DISPLAY:
            return self.display(row, attribute)
        if role == USER:
            return row.id
        if role == Qt.ItemDataRole.BackgroundRole:
            color = self.background(row, attribute)
            return QBrush(color) if color is not None else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(row, attribute)
        if role == Qt.ItemDataRole.ForegroundRole:
            color = self.foreground(row, attribute)
            return QBrush(color) if color is not None else None
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

"""Table models for every list that can be long (Anki's browser table, STYLE.md §4).

- `RowTableModel`: what all share — `COLUMNS` (header, sort key or None, attribute of the row
  dataclass), how a row looks (`display`, `background`, `tooltip`, `foreground`), the Qt API.
- `ListTableModel`: rows already computed on a worker (a roster, a retiree list, an import
  preview) held as plain dataclasses; showing them costs nothing per row until painted.
- `IdTableModel`: rows from SQL, holding only ids. A (re)query fetches every matching id in
  order on the database worker; a row is loaded by id, in batches of `BATCH`, when the view first
  asks for it — on the database worker, never the UI thread — and kept in an LRU cache. Until its
  batch arrives a row paints blank; `dataChanged` repaints it. 100,000 ids are 800 KB.
  A model that can fetch its query's first ids alone (`fetch_first_ids`, `fetch_count`) is asked
  in two steps: the first `BATCH` ids, their rows and the count, shown at once; then every id,
  swapped in without a reset (the view keeps its scroll position, selection and painted rows).
- `FirstPageIdModel`: such a model, from one id query with an optional limit (`select_ids`) and
  a count — the member list, 卡片信息管理, 待办会员列表 and a batch's members.

The UI thread never touches the database here: `data()` only reads the cache.
"""
from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from app.views import ops

#: Rows loaded by id at a time when the view asks for one not cached.
BATCH = 100
#: Rows kept in the cache (a screen shows ~40; scrolling back finds them here).
CACHED_ROWS = 5_000
#: A batch still waiting for the database worker when this many newer batches have been asked
#: for is skipped there: the clerk has scrolled past it (a paint asks for one or two batches), and
#: loading it would only keep the worker, and through the interpreter the UI, busy. Its rows are
#: repainted instead, so a row still on screen asks again.
STALE_AFTER = 4
#: Posted when a first page is shown, below the priority of the paint it asks for (Qt posts a
#: window's UpdateRequest at LowEventPriority): the rest of the ids are asked for once the first
#: page is painted, and their query does not take a core from that paint.
_REST = QEvent.Type(QEvent.registerEventType())
_AFTER_PAINT = Qt.EventPriority.LowEventPriority.value - 1

WARN = QColor("#fff4d6")
ALERT = QColor("#fde2e1")
PASSED = QColor("#e3f4e1")
LINK = QColor("#1a5fb4")
MUTED = QColor("#888888")

DISPLAY = Qt.ItemDataRole.DisplayRole
USER = Qt.ItemDataRole.UserRole
# data() runs for every role of every painted cell (seven per cell, 2,000 a screen): the roles as
# plain ints, compared without going through the enum.
_DISPLAY, _USER = int(DISPLAY), int(USER)
_BACKGROUND, _FOREGROUND = int(Qt.ItemDataRole.BackgroundRole), int(Qt.ItemDataRole.ForegroundRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_SERVED = frozenset({_DISPLAY, _USER, _BACKGROUND, _FOREGROUND, _TOOLTIP})
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_BRUSHES: dict[int, QBrush] = {}


def _brush(color: QColor) -> QBrush:
    """One brush per colour, made once (a new QBrush per painted cell costs more than the cell)."""
    key = color.rgba()
    brush = _BRUSHES.get(key)
    if brush is None:
        brush = _BRUSHES[key] = QBrush(color)
    return brush

Index = QModelIndex | QPersistentModelIndex


class RowTableModel(QAbstractTableModel):
    """Columns, looks and the Qt API; subclasses say how many rows there are and what is at one."""

    #: (header, sort key or None, attribute of the row dataclass)
    COLUMNS: tuple[tuple[str, str | None, str], ...] = ()

    # ---- what subclasses provide --------------------------------------------------------------
    def row_count(self) -> int:
        raise NotImplementedError

    def row_at(self, row: int) -> Any:
        """The row's dataclass, or None while it is not loaded."""
        raise NotImplementedError

    def row_id(self, row: int) -> Any:
        found = self.row_at(row)
        return getattr(found, "id", None) if found is not None else None

    # ---- how a row looks (main thread) -------------------------------------------------------------
    def display(self, row: Any, attribute: str) -> Any:
        value = getattr(row, attribute)
        return "" if value is None else value if isinstance(value, (str, int)) else str(value)

    def background(self, row: Any, attribute: str) -> QColor | None:
        return None

    def tooltip(self, row: Any, attribute: str) -> str | None:
        return None

    def foreground(self, row: Any, attribute: str) -> QColor | None:
        return LINK if attribute == "actions" else None

    def sort_key_for_column(self, column: int) -> str | None:
        return self.COLUMNS[column][1] if 0 <= column < len(self.COLUMNS) else None

    def column_of(self, header: str) -> int:
        return [c[0] for c in self.COLUMNS].index(header)

    @property
    def total(self) -> int:
        return self.row_count()

    # ---- Qt model API -------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else self.row_count()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        if role != DISPLAY:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section][0]
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if role not in _SERVED or not index.isValid():
            return None
        if role == _USER:
            return self.row_id(index.row())
        row = self.row_at(index.row())
        if row is None:
            return None
        attribute = self.COLUMNS[index.column()][2]
        if role == _DISPLAY:
            return self.display(row, attribute)
        if role == _TOOLTIP:
            return self.tooltip(row, attribute)
        color = (self.background if role == _BACKGROUND else self.foreground)(row, attribute)
        return _brush(color) if color is not None else None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _ROW_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def _rows_changed(self, first: int, last: int) -> None:
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.COLUMNS) - 1))


class ListTableModel(RowTableModel):
    """Rows computed elsewhere (on a worker) and handed over whole."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: Sequence[Any] = ()

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def rows(self) -> Sequence[Any]:
        return self._rows

    def row_count(self) -> int:
        return len(self._rows)

    def row_at(self, row: int) -> Any:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def update_row(self, row: int, value: Any) -> None:
        """Replace one row (a list the caller owns, e.g. answers being given) and repaint it."""
        self._rows[row] = value  # type: ignore[index]
        self._rows_changed(row, row)


@dataclass(frozen=True)
class Snapshot:
    """What a (re)query produced on the worker: the matching ids in order — every one, or only
    the first ones when `count` says there are more — and the first rows."""

    filter: Any
    sort_key: str
    descending: bool
    ids: array
    first_rows: list[Any]
    count: int | None = None  # how many match, when `ids` holds only the first of them

    @property
    def total(self) -> int:
        return len(self.ids) if self.count is None else self.count

    @property
    def complete(self) -> bool:
        return self.total == len(self.ids)


_GONE = object()  # an id whose row was deleted between the id query and its load


class IdTableModel(RowTableModel):
    """Ids of a query, rows loaded by id off the UI thread; subclasses define the two fetchers."""

    totalChanged = Signal(int)
    #: (first row, last row) of a batch that just arrived (tests and benches wait on it).
    rowsArrived = Signal(int, int)

    def __init__(self, filter_: Any, sort_key: str, descending: bool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.filter = filter_
        self.sort_key = sort_key
        self.descending = descending
        self._ids = array("q")
        self._total = 0  # rows shown: len(self._ids), or more while only the first ids are known
        self._cache: OrderedDict[int, Any] = OrderedDict()
        self._loading: set[int] = set()
        self._generation = 0
        self._asked = 0  # batches asked for by painting so far (a request's serial)
        self._latest = ops.Latest(self)
        self._queries = 0  # requeries asked for so far: a query's rest is skipped once a newer one is
        self._rest: Any = None  # what asks for the rest of the ids once the first page is painted
        self._blank: tuple[int, int] | None = None  # rows painted before their ids were known

    # ---- what subclasses provide (they run on the database worker) ------------------------------------
    def fetch_ids(self, f: Any, sort_key: str, descending: bool) -> Sequence[int]:
        raise NotImplementedError

    def fetch_rows(self, ids: list[int]) -> list[Any]:
        """The rows (dataclasses with `.id`) of `ids`, in any order; missing ones are gone."""
        raise NotImplementedError

    def fetch_first_ids(self, f: Any, sort_key: str, descending: bool, limit: int) -> Sequence[int] | None:
        """The first `limit` ids of the query in order, or None: this model fetches all at once."""
        return None

    def fetch_count(self, f: Any) -> int:
        """How many rows the filter matches (asked only when `fetch_first_ids` gives ids)."""
        raise NotImplementedError

    # ---- querying ---------------------------------------------------------------------------------
    def query(self, f: Any = None, sort_key: str | None = None, descending: bool | None = None) -> Snapshot:
        """Every matching id and the first rows (on the database worker)."""
        f = self.filter if f is None else f
        sort_key = self.sort_key if sort_key is None else sort_key
        descending = self.descending if descending is None else descending
        ids = array("q", self.fetch_ids(f, sort_key, descending))
        return Snapshot(f, sort_key, descending, ids, self.fetch_rows(list(ids[:BATCH])) if ids else [])

    def query_first(self, f: Any, sort_key: str, descending: bool) -> Snapshot:
        """The first `BATCH` ids, their rows and how many match (on the database worker): the
        first page without walking every id (`query` when the model cannot)."""
        first = self.fetch_first_ids(f, sort_key, descending, BATCH)
        if first is None:
            return self.query(f, sort_key, descending)
        ids = array("q", first)
        rows = self.fetch_rows(list(ids)) if ids else []
        count = len(ids) if len(ids) < BATCH else max(self.fetch_count(f), len(ids))
        return Snapshot(f, sort_key, descending, ids, rows, count)

    def apply(self, snap: Snapshot) -> None:
        """Show a snapshot (main thread)."""
        self.beginResetModel()
        self.filter, self.sort_key, self.descending = snap.filter, snap.sort_key, snap.descending
        self._generation += 1
        self._ids = snap.ids
        self._total = snap.total
        self._blank = None
        self._cache.clear()
        self._loading.clear()
        for row in snap.first_rows:
            self._cache[row.id] = row
        self.endResetModel()
        self.totalChanged.emit(self._total)

    @property
    def complete(self) -> bool:
        """Every id of the query is here (not only the first page's)."""
        return len(self._ids) == self._total

    def requery(self, f: Any = None, sort_key: str | None = None, descending: bool | None = None,
                on_done=None) -> None:
        """Ask again on the database worker; only the newest request's answer is shown: its first
        page at once, then (`_fetch_rest`) every id. `on_done(snapshot)` once every id is in."""
        f = self.filter if f is None else f
        sort_key = self.sort_key if sort_key is None else sort_key
        descending = self.descending if descending is None else descending
        self._queries += 1
        serial = self._queries

        def shown(snap: Snapshot) -> None:
            self.apply(snap)
            if snap.complete:
                if on_done is not None:
                    on_done(snap)
            else:
                self._rest = lambda: self._fetch_rest(serial, snap, on_done)
                QCoreApplication.postEvent(self, QEvent(_REST), _AFTER_PAINT)

        self._latest.run(lambda: self.query_first(f, sort_key, descending), shown)

    def customEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == _REST and self._rest is not None:
            rest, self._rest = self._rest, None
            rest()

    def _fetch_rest(self, serial: int, first: Snapshot, on_done) -> None:
        """Every id of the query whose first page `first` shows, on the database worker (skipped
        there once a newer query is asked for), swapped in without a reset: the first ids are the
        same, the row count too, so the view keeps its scroll position, selection and painted
        rows; rows after the first page painted blank meanwhile load (`_refill`)."""
        def rest() -> array | None:
            if serial != self._queries:
                return None
            return array("q", self.fetch_ids(first.filter, first.sort_key, first.descending))

        def arrived(ids: array | None) -> None:
            if ids is None or serial != self._queries or self._ids is not first.ids:
                return  # a newer query was asked for, or shown
            known = len(self._ids)
            if len(ids) != self._total or ids[:known] != self._ids:
                # The members changed between the two steps (another window wrote): shown whole.
                self.apply(Snapshot(first.filter, first.sort_key, first.descending, ids, []))
            else:
                self._ids = ids
                if self._blank is not None:  # only what a view painted blank: the rest never showed
                    self._refill(*self._blank)
                    self._blank = None
            if on_done is not None:
                on_done(Snapshot(first.filter, first.sort_key, first.descending, ids, first.first_rows))

        ops.run_db(self, rest, arrived)

    def _refill(self, first: int, last: int) -> None:
        """Rows a view painted blank before their ids were known: their batches asked for now (its
        repaint would ask for the same, after a paint of blank rows again), or, when they span
        more than a few batches (the clerk scrolled meanwhile), repainted: those on screen ask."""
        batches = range(first // BATCH, last // BATCH + 1)
        if len(batches) > STALE_AFTER:
            self._rows_changed(first, last)
            return
        for batch in batches:
            self._request(batch)

    def reload(self) -> None:
        """Query again and wait for the answer, painting meanwhile (tests, screenshots)."""
        self.requery()
        ops.drain()

    def load_rows(self, first: int, last: int) -> None:
        """Ask for the rows first..last and wait for them (tests, screenshots, benches)."""
        for batch in range(max(first, 0) // BATCH, min(last, len(self._ids) - 1) // BATCH + 1):
            if any(i not in self._cache for i in self._ids[batch * BATCH:(batch + 1) * BATCH]):
                self._request(batch, wanted=True)
        ops.drain()

    def reload_rows(self) -> None:
        """The same ids, rows changed (an edit, a sync): forget the cache and repaint."""
        self._generation += 1
        self._cache.clear()
        self._loading.clear()
        self._rows_changed(0, len(self._ids) - 1)

    # ---- rows ---------------------------------------------------------------------------------------
    def row_count(self) -> int:
        return self._total

    def row_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def ids(self) -> array:
        """The query's ids in order (only the first page's until `complete`)."""
        return self._ids

    def row_at(self, row: int) -> Any:
        if not 0 <= row < len(self._ids):
            return None
        found = self._cache.get(self._ids[row])
        if found is None:
            self._request(row // BATCH)
            return None
        if found is _GONE:
            return None
        self._cache.move_to_end(self._ids[row])
        return found

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        """From the cache only, in as few steps as can be: a paint asks some 2,000 times (seven
        roles a cell), and each call waits for the interpreter while the worker holds it. A row
        moves to the cache's young end once per paint of its cells (the display role)."""
        if role not in _SERVED:
            return None
        row, ids = index.row(), self._ids
        if not 0 <= row < len(ids):
            if len(ids) <= row < self._total:  # painted before its id is known: loaded when it is
                self._blank = (row, row) if self._blank is None else (min(self._blank[0], row),
                                                                       max(self._blank[1], row))
            return None
        if role == _USER:
            return ids[row]
        found = self._cache.get(ids[row])
        if found is None:
            self._request(row // BATCH)
            return None
        if found is _GONE:
            return None
        attribute = self.COLUMNS[index.column()][2]
        if role == _DISPLAY:
            self._cache.move_to_end(ids[row])
            return self.display(found, attribute)
        if role == _TOOLTIP:
            return self.tooltip(found, attribute)
        color = (self.background if role == _BACKGROUND else self.foreground)(found, attribute)
        return _brush(color) if color is not None else None

    def is_loaded(self, row: int) -> bool:
        return 0 <= row < len(self._ids) and self._ids[row] in self._cache

    def _request(self, batch: int, wanted: bool = False) -> None:
        """Load a batch on the database worker; one asked for by painting (not `wanted` whatever
        comes next) may be skipped there once stale (STALE_AFTER)."""
        if batch in self._loading:
            return
        self._loading.add(batch)
        self._asked += 1
        serial = None if wanted else self._asked
        generation = self._generation
        ids = list(self._ids[batch * BATCH:(batch + 1) * BATCH])
        ops.run_db(self, lambda: self._load(serial, ids), lambda rows: self._arrived(generation, batch, ids, rows),
                   lambda exc: self._failed(generation, batch, exc))

    def _load(self, serial: int | None, ids: list[int]) -> list[Any] | None:
        """On the database worker: the batch's rows, or None when it went stale while it waited."""
        if serial is not None and self._asked - serial >= STALE_AFTER:
            return None
        return self.fetch_rows(ids)

    def _arrived(self, generation: int, batch: int, ids: list[int], rows: list[Any] | None) -> None:
        if generation != self._generation:
            return
        self._loading.discard(batch)
        if rows is None:  # skipped as stale: the rows still on screen, repainted, ask again
            self._rows_changed(batch * BATCH, min(len(self._ids), (batch + 1) * BATCH) - 1)
            return
        for row in rows:
            self._cache[row.id] = row
        for missing in set(ids) - {row.id for row in rows}:
            self._cache[missing] = _GONE
        while len(self._cache) > CACHED_ROWS:
            self._cache.popitem(last=False)
        first, last = batch * BATCH, min(len(self._ids), (batch + 1) * BATCH) - 1
        self._rows_changed(first, last)
        self.rowsArrived.emit(first, last)

    def _failed(self, generation: int, batch: int, exc: BaseException) -> None:
        # The batch stays marked as loading (not asked again at every paint) until the next query.
        from app.views.errors import show_error

        show_error(None, exc)


class FirstPageIdModel(IdTableModel):
    """Ids from one query that can stop at its first ids (`select_ids` with a `limit`) and count
    its matches (`fetch_count`): the first page is shown before every id is in (two steps)."""

    def select_ids(self, f: Any, sort_key: str, descending: bool, limit: int | None) -> Sequence[int]:
        """The query's ids in order, only the first `limit` when given (on the database worker)."""
        raise NotImplementedError

    def fetch_ids(self, f: Any, sort_key: str, descending: bool) -> Sequence[int]:
        return self.select_ids(f, sort_key, descending, None)

    def fetch_first_ids(self, f: Any, sort_key: str, descending: bool, limit: int) -> Sequence[int] | None:
        return self.select_ids(f, sort_key, descending, limit)

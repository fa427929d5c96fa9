"""The member list's table model: rows paged from SQL on demand, never all in memory.

The model knows the filter, sort and total; rows are fetched a page at a time the first time
the view asks for one and kept in a small cache (Anki's browser table, qutebrowser's
completion models). Counting for a new filter happens on the database worker.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from app.models.queries import MemberFilter, count_members
from app.services import members as member_service
from app.services.members import FLAG_LABELS, MemberRow

PAGE_SIZE = 200
PAGES_CACHED = 64

#: (header, sort key or None, attribute of MemberRow)
COLUMNS: tuple[tuple[str, str | None, str], ...] = (
    ("会员编号", "member_no", "member_no"),
    ("姓名", "name", "name"),
    ("证件类型", "id_type", "id_type"),
    ("证件号码", "id_number", "masked_id"),
    ("性别", "gender", "gender"),
    ("出生日期", "birth_date", "birth_date"),
    ("手机号码", "phone", "masked_phone"),
    ("会员类型", "category", "category"),
    ("关联企业", "enterprise", "enterprise"),
    ("入会日期", "join_date", "join_date"),
    ("状态", "life_status", "life_status"),
    ("会员卡", "card_status", "card"),
    ("证件到期日", "id_expiry", "id_expiry"),
    ("人保状态", "insurance_status", "insurance_status"),
    ("提示", None, "flag_text"),
)

_WARN = QColor("#fff4d6")
_ALERT = QColor("#fde2e1")
_MUTED = QColor("#888888")


@dataclass(frozen=True)
class Snapshot:
    """What a (re)query produced on the worker: the total and the first page."""

    filter: MemberFilter
    sort_key: str
    descending: bool
    total: int
    first_page: list[MemberRow]
    #: For a text search, every match's id in order (one table scan finds them all; pages are
    #: then fetched by id). None when paging by offset over indexes is cheaper.
    ids: list[int] | None = None


class MemberTableModel(QAbstractTableModel):
    totalChanged = Signal(int)

    def __init__(self, union_id: int, plan_year: int, today: Callable[[], date] = date.today,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.union_id = union_id
        self.plan_year = plan_year
        self._today = today
        self.filter = MemberFilter()
        self.sort_key = "member_no"
        self.descending = False
        self._total = 0
        self._ids: list[int] | None = None
        self._pages: OrderedDict[int, list[MemberRow]] = OrderedDict()

    # ---- querying ---------------------------------------------------------------------
    def query(self, f: MemberFilter | None = None, sort_key: str | None = None,
              descending: bool | None = None) -> Snapshot:
        """Count and fetch the first page for a filter/sort (safe to call on a worker)."""
        f = self.filter if f is None else f
        sort_key = self.sort_key if sort_key is None else sort_key
        descending = self.descending if descending is None else descending
        if f.text.strip():
            ids = member_service.member_ids(self.union_id, f, sort_key, descending)
            first = member_service.rows_by_ids(ids[:PAGE_SIZE], plan_year=self.plan_year, today=self._today())
            return Snapshot(f, sort_key, descending, len(ids), first, ids)
        total = count_members(self.union_id, f)
        first = self._fetch(f, sort_key, descending, 0)
        return Snapshot(f, sort_key, descending, total, first)

    def apply(self, snap: Snapshot) -> None:
        """Show a snapshot's results (main thread)."""
        self.beginResetModel()
        self.filter, self.sort_key, self.descending = snap.filter, snap.sort_key, snap.descending
        self._total = snap.total
        self._ids = snap.ids
        self._pages.clear()
        self._pages[0] = snap.first_page
        self.endResetModel()
        self.totalChanged.emit(self._total)

    def reload(self) -> None:
        """Synchronous requery with the current filter (tests and small profiles)."""
        self.apply(self.query())

    def _fetch(self, f: MemberFilter, sort_key: str, descending: bool, page: int) -> list[MemberRow]:
        return member_service.list_page(self.union_id, f, sort_key=sort_key, descending=descending,
                                        offset=page * PAGE_SIZE, limit=PAGE_SIZE,
                                        plan_year=self.plan_year, today=self._today())

    def row_at(self, row: int) -> MemberRow | None:
        if not 0 <= row < self._total:
            return None
        page_no, offset = divmod(row, PAGE_SIZE)
        page = self._pages.get(page_no)
        if page is None:
            if self._ids is not None:
                chunk = self._ids[page_no * PAGE_SIZE:(page_no + 1) * PAGE_SIZE]
                page = member_service.rows_by_ids(chunk, plan_year=self.plan_year, today=self._today())
            else:
                page = self._fetch(self.filter, self.sort_key, self.descending, page_no)
            self._pages[page_no] = page
            while len(self._pages) > PAGES_CACHED:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_no)
        return page[offset] if offset < len(page) else None

    @property
    def total(self) -> int:
        return self._total

    # ---- Qt model API -----------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section][0]
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        member = self.row_at(index.row())
        if member is None:
            return None
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return getattr(member, column[2])
        if role == Qt.ItemDataRole.UserRole:
            return member.id
        if role == Qt.ItemDataRole.BackgroundRole:
            if "id_expired" in member.flags or "probably_retired" in member.flags:
                return QBrush(_ALERT)
            if "id_expiring" in member.flags or "pending_confirmation" in member.flags:
                return QBrush(_WARN)
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if "deceased" in member.flags or "retired" in member.flags:
                return QBrush(_MUTED)
            return None
        if role == Qt.ItemDataRole.ToolTipRole and column[2] == "flag_text" and member.flags:
            return "\n".join(FLAG_LABELS[f] for f in member.flags)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort_key_for_column(self, column: int) -> str | None:
        return COLUMNS[column][1] if 0 <= column < len(COLUMNS) else None

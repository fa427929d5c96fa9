"""The member list's table model: 100,000 members paged from SQL, never all in memory."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QColor

from app.models.queries import MemberFilter, count_members
from app.services import members as member_service
from app.services.members import FLAG_LABELS, MemberRow
from app.views.paged_model import ALERT, MUTED, PAGE_SIZE, WARN, PagedModel  # noqa: F401 (PAGE_SIZE for tests)

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


class MemberTableModel(PagedModel):
    COLUMNS = COLUMNS

    def __init__(self, union_id: int, plan_year: int, today: Callable[[], date] = date.today,
                 parent: QObject | None = None) -> None:
        super().__init__(MemberFilter(), "member_no", False, parent)
        self.union_id = union_id
        self.plan_year = plan_year
        self._today = today

    # ---- where rows come from ---------------------------------------------------------------
    def _count(self, f: MemberFilter) -> int:
        return count_members(self.union_id, f)

    def _page(self, f: MemberFilter, sort_key: str, descending: bool, offset: int, limit: int) -> list[MemberRow]:
        return member_service.list_page(self.union_id, f, sort_key=sort_key, descending=descending, offset=offset,
                                        limit=limit, plan_year=self.plan_year, today=self._today())

    def _search_ids(self, f: MemberFilter, sort_key: str, descending: bool) -> list[int] | None:
        return member_service.member_ids(self.union_id, f, sort_key, descending) if f.text.strip() else None

    def _rows_by_ids(self, ids: list[int]) -> list[MemberRow]:
        return member_service.rows_by_ids(ids, plan_year=self.plan_year, today=self._today())

    # ---- how a row looks ----------------------------------------------------------------------
    def background(self, row: MemberRow, attribute: str) -> QColor | None:
        if "id_expired" in row.flags or "probably_retired" in row.flags:
            return ALERT
        if "id_expiring" in row.flags or "pending_confirmation" in row.flags:
            return WARN
        return None

    def foreground(self, row: MemberRow, attribute: str) -> QColor | None:
        return MUTED if "deceased" in row.flags or "retired" in row.flags else None

    def tooltip(self, row: MemberRow, attribute: str) -> Any:
        if attribute == "flag_text" and row.flags:
            return "\n".join(FLAG_LABELS[f] for f in row.flags)
        return None

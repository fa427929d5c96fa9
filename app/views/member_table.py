"""The member list's table model: the ids of 100,000 members, rows loaded by id when painted."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QColor

from app.models.queries import MemberFilter
from app.services import members as member_service
from app.services.members import FLAG_LABELS, MemberRow
from app.views.table_model import ALERT, MUTED, WARN, FirstPageIdModel

#: (header, sort key or None, attribute of MemberRow). Every sort key has an index
#: (app.models.queries.members.SORT_COLUMNS); the other columns are filters above the list.
COLUMNS: tuple[tuple[str, str | None, str], ...] = (
    ("会员编号", "member_no", "member_no"),
    ("姓名", "name", "name"),
    ("证件类型", None, "id_type"),
    ("证件号码", "id_number", "masked_id"),
    ("性别", None, "gender"),
    ("出生日期", "birth_date", "birth_date"),
    ("手机号码", "phone", "masked_phone"),
    ("会员类型", None, "category"),
    ("关联企业", None, "enterprise"),
    ("入会日期", "join_date", "join_date"),
    ("状态", None, "life_status"),
    ("会员卡", None, "card"),
    ("证件到期日", "id_expiry", "id_expiry"),
    ("人保状态", None, "insurance_status"),
    ("提示", None, "flag_text"),
)


class MemberTableModel(FirstPageIdModel):
    COLUMNS = COLUMNS

    def __init__(self, union_id: int, plan_year: int, today: Callable[[], date] = date.today,
                 parent: QObject | None = None) -> None:
        super().__init__(MemberFilter(), "member_no", False, parent)
        self.union_id = union_id
        self.plan_year = plan_year
        self._today = today

    # ---- where rows come from (the database worker) -----------------------------------------
    def select_ids(self, f: MemberFilter, sort_key: str, descending: bool, limit: int | None) -> list[int]:
        return member_service.member_ids(self.union_id, f, sort_key, descending, limit=limit)

    def fetch_count(self, f: MemberFilter) -> int:
        return member_service.count_members(self.union_id, f)

    def fetch_rows(self, ids: list[int]) -> list[MemberRow]:
        return member_service.rows_by_ids(ids, plan_year=self.plan_year, today=self._today())

    # ---- how a row looks (per painted cell and role: a lookup by the row's shared flags) ------------
    def background(self, row: MemberRow, attribute: str) -> QColor | None:
        return _looks(row.flags)[0]

    def foreground(self, row: MemberRow, attribute: str) -> QColor | None:
        return _looks(row.flags)[1]

    def tooltip(self, row: MemberRow, attribute: str) -> Any:
        return _looks(row.flags)[2] if attribute == "flag_text" else None


@lru_cache(maxsize=256)
def _looks(flags: tuple[str, ...]) -> tuple[QColor | None, QColor | None, str | None]:
    """A row's background, text colour and flag tooltip, by its flags (a few dozen kinds)."""
    background = (ALERT if "id_expired" in flags or "probably_retired" in flags
                  else WARN if "id_expiring" in flags or "pending_confirmation" in flags else None)
    foreground = MUTED if "deceased" in flags or "retired" in flags else None
    return background, foreground, "\n".join(FLAG_LABELS[f] for f in flags) if flags else None

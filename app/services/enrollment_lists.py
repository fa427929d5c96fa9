"""What the enrollment screens' table models read: a batch's members by id (批次详情), and the
row types of the lists computed by the enrollment rules (参保名单, 退休人员确认, the counts' lists)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.models.queries.enrollment import batch_member_ids as _batch_member_ids
from app.models.queries.enrollment import count_batch_members as _count_batch_members
from app.models.queries.enrollment import batch_members_by_ids as _batch_members_by_ids
from app.rules.cards import mask_card_no
from app.rules.idcard import mask_id


@dataclass(frozen=True)
class BatchMemberRow:
    id: int
    name: str
    masked_id: str
    card_no: str
    coverage_start: str
    coverage_end: str
    period_label: str


def batch_member_ids(batch_id: int, limit: int | None = None) -> list[int]:
    """A batch's members in the order they were submitted (the first `limit` when given)."""
    return _batch_member_ids(batch_id, limit)


def count_batch_members(batch_id: int) -> int:
    return _count_batch_members(batch_id)


def _iso(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value or "")


def batch_members_by_ids(ids: list[int]) -> list[BatchMemberRow]:
    return [BatchMemberRow(r["id"], r["name"], mask_id(r["id_number"]), mask_card_no(r["card_no"]),
                           _iso(r["coverage_start"]), _iso(r["coverage_end"]),
                           "全年" if r["period"] == "full" else "半年")
            for r in _batch_members_by_ids(ids)]

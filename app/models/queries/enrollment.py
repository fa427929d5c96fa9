"""集中参保: the raw member columns the enrollment screens and rules read."""
from __future__ import annotations

from typing import Any


#: Columns the enrollment screens read for every member, as raw values (dates as ISO text).
ENROLLMENT_COLUMNS = ("id", "member_no", "name", "id_type", "id_number", "gender", "birth_date", "post_type",
                      "card_no", "card_status", "life_status", "life_status_date", "insurance_status",
                      "ss_card_status", "employment_status", "retirement_confirmation", "category")


def enrollment_rows(union_id: int, *, ordered: bool = True) -> list[tuple[Any, ...]]:
    """Every member of the union as raw tuples of ENROLLMENT_COLUMNS, in member-number order.

    Raw on purpose: peewee's per-row conversion (dates through strptime) costs more than the
    eligibility rules themselves on a 100,000-member union."""
    from app.models.db import db

    columns = ", ".join(f'"{c}"' for c in ENROLLMENT_COLUMNS)
    order = ' ORDER BY "member_no", "id"' if ordered else ""
    rows: list[tuple[Any, ...]] = db.execute_sql(
        f'SELECT {columns} FROM "member" WHERE "union_id" = ?{order}', (union_id,)).fetchall()
    return rows


def batch_member_ids(batch_id: int) -> list[int]:
    """The ids of a submitted batch's members, in the order they were submitted (批次详情)."""
    from app.models.tables import BatchMember

    query = BatchMember.select(BatchMember.id).where(BatchMember.batch == batch_id).order_by(BatchMember.id)
    return [r[0] for r in query.tuples()]


def batch_members_by_ids(ids: list[int]) -> list[dict[str, Any]]:
    from app.models.tables import BatchMember

    if not ids:
        return []
    return list(BatchMember.select().where(BatchMember.id.in_(ids)).dicts())

"""集中参保: the raw member columns the enrollment screens and rules read."""
from __future__ import annotations

from typing import Any


#: Columns the enrollment screens read for every member, as raw values (dates as ISO text).
ENROLLMENT_COLUMNS = ("id", "member_no", "name", "id_type", "id_number", "gender", "birth_date", "post_type",
                      "card_no", "card_status", "life_status", "life_status_date", "insurance_status",
                      "ss_card_status", "employment_status", "retirement_confirmation", "category")


def enrollment_rows(union_id: int, *, ordered: bool = True, birth_months: tuple[str, ...] | None = None
                    ) -> list[tuple[Any, ...]]:
    """Every member of the union as raw tuples of ENROLLMENT_COLUMNS, in member-number order.

    Raw on purpose: peewee's per-row conversion (dates through strptime) costs more than the
    eligibility rules themselves on a 100,000-member union."""
    from app.models.db import db

    columns = ", ".join(f'"{c}"' for c in ENROLLMENT_COLUMNS)
    order = ' ORDER BY "member_no", "id"' if ordered else ""
    where = '"union_id" = ?'
    params: list[Any] = [union_id]
    if birth_months is not None:  # only the members born in these months ("YYYY-MM")
        if not birth_months:
            return []
        where += f' AND substr("birth_date", 1, 7) IN ({", ".join("?" * len(birth_months))})'
        params += birth_months
    rows: list[tuple[Any, ...]] = db.execute_sql(
        f'SELECT {columns} FROM "member" WHERE {where}{order}', params).fetchall()
    return rows


def batch_member_ids(batch_id: int, limit: int | None = None) -> list[int]:
    """The ids of a submitted batch's members, in the order they were submitted (批次详情), or the first `limit`."""
    from app.models.queries.members import ids_in_order
    from app.models.tables import BatchMember

    query = BatchMember.select(BatchMember.id).where(BatchMember.batch == batch_id).order_by(BatchMember.id)
    return ids_in_order(query, limit)


def count_batch_members(batch_id: int) -> int:
    from peewee import SQL, fn

    from app.models.tables import BatchMember

    return int(BatchMember.select(fn.COUNT(SQL("*"))).where(BatchMember.batch == batch_id).scalar())


def batch_members_by_ids(ids: list[int]) -> list[dict[str, Any]]:
    from app.models.tables import BatchMember

    if not ids:
        return []
    return list(BatchMember.select().where(BatchMember.id.in_(ids)).dicts())


#: What eligibility_groups hands back for each group of members, in this order (see there).
GROUP_COLUMNS = ("category", "id_type", "life_status", "insurance_status", "ss_card_status", "employment_status",
                 "has_card", "life_status_date", "birth_date", "gender", "post_type", "enrolled", "answer",
                 "answer_retired_on", "members")

_GROUPS_SQL = """
SELECT category, id_type, life_status, insurance_status, ss_card_status, employment_status, has_card,
       MIN(life_status_date), MIN(born), gender_k, post_k, enrolled, answer, MIN(retired_on), COUNT(*)
FROM (
  SELECT m.category, m.id_type, m.life_status, m.insurance_status, m.ss_card_status, m.employment_status,
         COALESCE(m.card_no, '') != '' AS has_card,
         CASE WHEN m.life_status_date IS NULL OR m.life_status_date = '' THEN 0
              WHEN substr(m.life_status_date, 1, 10) < :plan_start THEN 1 ELSE 2 END AS retired_key,
         m.life_status_date,
         CASE WHEN flaggable THEN substr(m.birth_date, 1, 7) END AS born_key,
         CASE WHEN flaggable THEN m.birth_date END AS born,
         CASE WHEN flaggable THEN m.gender END AS gender_k,
         CASE WHEN flaggable THEN m.post_type END AS post_k,
         m.id IN (ENROLLED) AS enrolled,
         a.answer,
         CASE WHEN a.retired_on IS NULL THEN 0 WHEN a.retired_on < :plan_start THEN 1 ELSE 2 END AS answer_key,
         a.retired_on
  FROM (SELECT *, (birth_date IS NOT NULL AND birth_date != '' AND substr(birth_date, 1, 10) <= :oldest
                   AND life_status = :in_service AND gender IS NOT NULL AND gender != '') AS flaggable
        FROM "member" WHERE union_id = :union) AS m
  LEFT JOIN "retirement_answer" AS a ON a.member_id = m.id AND a.plan_year = :plan_year
)
GROUP BY category, id_type, life_status, insurance_status, ss_card_status, employment_status, has_card,
         retired_key, born_key, gender_k, post_k, enrolled, answer, answer_key
"""


def eligibility_groups(union_id: int, plan_year: int, oldest_possible: str, in_service: str,
                       live_statuses: tuple[str, ...]) -> list[dict[str, Any]]:
    """The union's members grouped by everything the eligibility and retirement rules read
    (app.rules.eligibility, app.rules.retirement), each group with its size: one aggregate in
    SQLite instead of a Python pass over every member (which holds the GIL for seconds on a
    100,000-member union and so stalls the UI thread).

    Members of a group are alike for the rules: the same code values; a member card or not; a
    retirement date (life_status_date) missing, before or on/after 1 January of the plan year;
    for the members who could have reached statutory retirement (in service, a gender, born on
    or before `oldest_possible`) the birth month, gender and post type (the statutory date's
    month depends on nothing else, and the flag compares it with a 1 January); in a batch of the
    plan year whose status is one of `live_statuses` or not; the plan year's answer, its date
    missing, before or on/after 1 January. Each group's dates are the earliest among its
    members; `birth_date`, `gender` and `post_type` are None for members who cannot be flagged."""
    from app.models.db import db

    params: dict[str, Any] = {"plan_start": f"{plan_year}-01-01", "oldest": oldest_possible,
                              "in_service": in_service, "union": union_id, "plan_year": plan_year}
    params.update({f"live{i}": status for i, status in enumerate(live_statuses)})
    live = ", ".join(f":live{i}" for i in range(len(live_statuses))) or "NULL"
    enrolled = ('SELECT bm.member_id FROM "batch_member" AS bm JOIN "batch" AS b ON b.id = bm.batch_id '
                f"WHERE b.union_id = :union AND b.plan_year = :plan_year AND b.status IN ({live}) "
                "AND bm.member_id IS NOT NULL")
    rows = db.execute_sql(_GROUPS_SQL.replace("ENROLLED", enrolled), params).fetchall()
    return [dict(zip(GROUP_COLUMNS, row)) for row in rows]

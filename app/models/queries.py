"""Member list queries: filtering, sorting and paging in SQL, with indexes.

Kept here so that services and views never build SQL themselves.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from peewee import JOIN, fn

from app.models.tables import Enterprise, Member
from app.rules.codes import CardStatus


@dataclass(frozen=True)
class MemberFilter:
    """What the member list shows; every field optional."""

    text: str = ""  # name, member number, ID fragment or phone
    category: str | None = None
    life_status: str | None = None
    has_card: bool | None = None
    enterprise_id: int | None = None
    insurance_status: str | None = None


#: Sort keys the list offers, mapped to columns. A stable tiebreak on id is always added.
SORT_COLUMNS = {
    "member_no": Member.member_no,
    "name": Member.name,
    "id_type": Member.id_type,
    "id_number": Member.id_number,
    "gender": Member.gender,
    "birth_date": Member.birth_date,
    "phone": Member.phone,
    "category": Member.category,
    "enterprise": Enterprise.name,
    "join_date": Member.join_date,
    "life_status": Member.life_status,
    "card_status": Member.card_status,
    "id_expiry": Member.id_expiry,
    "insurance_status": Member.insurance_status,
}

ROW_FIELDS = (
    Member.id, Member.member_no, Member.name, Member.id_type, Member.id_number, Member.gender,
    Member.birth_date, Member.phone, Member.category, Enterprise.name.alias("enterprise_name"),
    Member.join_date, Member.life_status, Member.life_status_date, Member.post_type,
    Member.card_status, Member.card_no, Member.id_expiry, Member.insurance_status,
    Member.retirement_confirmation, Member.ss_card_status, Member.employment_status,
    Member.work_address, Member.label,
)


def member_where(union_id: int, f: MemberFilter):
    cond = Member.union == union_id
    text = f.text.strip()
    if text:
        # instr() rather than LIKE: no wildcard escaping, and exact for Chinese names.
        def contains(col, needle=text):
            return fn.instr(col, needle) > 0

        if text.replace("X", "").replace("x", "").isdigit():
            # Digits: an ID fragment, a phone or a member number.
            cond &= (contains(Member.id_number, text.upper()) | contains(Member.phone)
                     | contains(Member.member_no))
        else:
            cond &= contains(Member.name) | contains(Member.member_no)
    if f.category:
        cond &= Member.category == f.category
    if f.life_status:
        cond &= Member.life_status == f.life_status
    if f.has_card is True:
        cond &= Member.card_status == CardStatus.ISSUED
    elif f.has_card is False:
        cond &= Member.card_status != CardStatus.ISSUED
    if f.enterprise_id is not None:
        cond &= Member.enterprise == f.enterprise_id
    if f.insurance_status:
        cond &= Member.insurance_status == f.insurance_status
    return cond


def count_members(union_id: int, f: MemberFilter) -> int:
    return Member.select(fn.COUNT(Member.id)).where(member_where(union_id, f)).scalar()


def member_page(union_id: int, f: MemberFilter, sort_key: str = "member_no",
                descending: bool = False, offset: int = 0, limit: int = 200) -> list[dict]:
    """One page of member rows as dicts of ROW_FIELDS' names."""
    column = SORT_COLUMNS.get(sort_key, Member.member_no)
    order = [column.desc(), Member.id.desc()] if descending else [column.asc(), Member.id.asc()]
    query = (Member.select(*ROW_FIELDS)
             .join(Enterprise, JOIN.LEFT_OUTER, on=(Member.enterprise == Enterprise.id))
             .where(member_where(union_id, f))
             .order_by(*order).offset(offset).limit(limit).dicts())
    return list(query)


def member_ids(union_id: int, f: MemberFilter) -> list[int]:
    return [r[0] for r in Member.select(Member.id).where(member_where(union_id, f)).tuples()]


def joins_by_day(union_id: int, start: date, end: date) -> list[tuple[date, int]]:
    """Members whose join date falls in [start, end], counted per day."""
    query = (Member.select(Member.join_date, fn.COUNT(Member.id))
             .where((Member.union == union_id) & (Member.join_date >= start) & (Member.join_date <= end))
             .group_by(Member.join_date).order_by(Member.join_date).tuples())
    return [(d if isinstance(d, date) else date.fromisoformat(str(d)), n) for d, n in query]


def created_by_day(union_id: int, start: date, end: date) -> list[tuple[date, int]]:
    """Members recorded here in [start, end] who had joined before `start` (原有会员)."""
    day = fn.date(Member.created_at)
    # Selected through a DateTimeField's function, peewee may hand back a datetime: keep the day.
    query = (Member.select(day.coerce(False), fn.COUNT(Member.id))
             .where((Member.union == union_id) & (day >= start.isoformat()) & (day <= end.isoformat())
                    & ((Member.join_date < day) | Member.join_date.is_null()))
             .group_by(day).order_by(day).tuples())
    return [(date.fromisoformat(str(d)[:10]), n) for d, n in query]

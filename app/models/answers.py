"""Reading the clerk's retirement answers (RetirementAnswer): one per member and plan year."""
from __future__ import annotations

from datetime import date

from peewee import chunked

from app.models.tables import Member, RetirementAnswer


def retirement_answers(union_id: int, plan_year: int) -> dict[int, tuple[str, date | None]]:
    """The answers for this plan year: member id → (answer, retired on). Few rows: a dict is fine
    even for a 100,000-member union."""
    query = (RetirementAnswer.select(RetirementAnswer.member, RetirementAnswer.answer, RetirementAnswer.retired_on)
             .join(Member).where((Member.union == union_id) & (RetirementAnswer.plan_year == plan_year)))
    return {m: (a, r) for m, a, r in query.tuples()}


def answers_of(member_ids: list[int], plan_year: int) -> dict[int, tuple[str, date | None]]:
    """The answers for this plan year of the given members (a page of a list)."""
    out: dict[int, tuple[str, date | None]] = {}
    for chunk in chunked(member_ids, 500):
        query = (RetirementAnswer.select(RetirementAnswer.member, RetirementAnswer.answer, RetirementAnswer.retired_on)
                 .where((RetirementAnswer.plan_year == plan_year)
                        & RetirementAnswer.member.in_(chunk)))
        out.update({m: (a, r) for m, a, r in query.tuples()})
    return out

"""集中参保待确认名单: members whose 人保状态 is 待确认, and the clerk's final confirmation.

A confirmation is final (manual §3.1.3): the member joins the enrollment list and cannot be
removed. It is a fact for the server too, so it goes up through the outbox; if the union has
already submitted this year, the clerk is told a supplementary submission is needed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.models import Member, Union, db
from app.models.outbox import enqueue
from app.protocol import Confirmation
from app.rules import eligibility
from app.rules.codes import EmploymentStatus, InsuranceStatus, SsCardStatus
from app.rules.coverage import default_plan_year, shanghai_today
from app.rules.idcard import mask_id
from app.services import audit
from app.services.enrollment_batches import KIND_CENTRAL, LIVE_STATUSES, batches, submitted_ids

_RULE_FIELDS = (Member.id, Member.member_no, Member.name, Member.id_number, Member.insurance_status, Member.card_no,
                Member.id_type, Member.life_status, Member.life_status_date, Member.ss_card_status,
                Member.employment_status, Member.category)


@dataclass(frozen=True)
class PendingRow:
    id: int
    member_no: str
    name: str
    masked_id: str
    confirmed: bool


def _plan_year(plan_year: int | None) -> int:
    if plan_year is not None:
        return plan_year
    from app.services.campaign import campaign

    info = campaign()
    return info.plan_year if info else default_plan_year(shanghai_today())


def _waiting(union_id: int, plan_year: int, member_ids: list[int] | None = None) -> list[dict]:
    """Members a confirmation would move (eligibility.confirmable): 人保状态 待确认 with a member card,
    or in the SS population with a normal SS card and no confirmed employment."""
    from app.services.campaign import union_categories

    maybe = (Member.insurance_status == InsuranceStatus.PENDING) | (
        Member.card_no.is_null() & (Member.ss_card_status == SsCardStatus.NORMAL)
        & (Member.employment_status.is_null() | (Member.employment_status != EmploymentStatus.EMPLOYED))
        & (Member.insurance_status != InsuranceStatus.CONFIRMED))
    query = Member.select(*_RULE_FIELDS).where((Member.union == union_id) & maybe)
    if member_ids is not None:
        query = query.where(Member.id.in_(member_ids))
    enrolled = submitted_ids(union_id, plan_year)
    categories = union_categories(plan_year)
    return [m for m in query.dicts()
            if eligibility.confirmable(m, plan_year=plan_year, enrolled=m["id"] in enrolled, categories=categories)]


def pending(union_id: int, text: str = "", *, plan_year: int | None = None) -> list[PendingRow]:
    """Members awaiting a confirmation that would change their standing (and those already
    confirmed, shown as 已确认). Nobody is listed for a confirmation that changes nothing."""
    plan_year = _plan_year(plan_year)
    found = [(m, False) for m in _waiting(union_id, plan_year)]
    found += [(m, True) for m in Member.select(Member.id, Member.member_no, Member.name, Member.id_number).where(
        (Member.union == union_id) & (Member.insurance_status == InsuranceStatus.CONFIRMED)).dicts()]
    text = text.strip()
    if text:
        found = [(m, done) for m, done in found
                 if text in m["member_no"] or text in m["name"] or text.upper() in m["id_number"]]
    found.sort(key=lambda x: (x[1], x[0]["member_no"], x[0]["id"]))
    return [PendingRow(m["id"], m["member_no"], m["name"], mask_id(m["id_number"]), done) for m, done in found]


def confirm(union_id: int, member_ids: list[int] | None, *, actor: str, plan_year: int | None = None) -> int:
    """Confirm the given members (None: 全部确认); returns how many were newly confirmed."""
    plan_year = _plan_year(plan_year)
    with db.atomic("IMMEDIATE"):
        members = _waiting(union_id, plan_year, member_ids)
        if not members:
            return 0
        now = datetime.now().replace(microsecond=0)
        for m in members:
            audit.record(actor, "confirmation.confirm", member_id=m["id"], field="insurance_status",
                         old=m["insurance_status"], new=InsuranceStatus.CONFIRMED)
        Member.update(insurance_status=InsuranceStatus.CONFIRMED, updated_at=now).where(
            Member.id.in_([m["id"] for m in members])).execute()
        union = Union.get_by_id(union_id)
        enqueue(Confirmation([m["id_number"] for m in members], union=union.org_code))
    return len(members)


def needs_supplementary(union_id: int, plan_year: int) -> bool:
    """True when the union already submitted central enrollment this year (so confirming now
    means submitting again: a supplementary batch)."""
    return any(b.status in LIVE_STATUSES for b in batches(union_id, kind=KIND_CENTRAL, plan_year=plan_year))

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
from app.protocol import Confirmation, SubmissionKind
from app.rules.codes import InsuranceStatus
from app.rules.idcard import mask_id
from app.services import audit


@dataclass(frozen=True)
class PendingRow:
    id: int
    member_no: str
    name: str
    masked_id: str
    confirmed: bool


def pending(union_id: int, text: str = "") -> list[PendingRow]:
    """Members awaiting confirmation (and those already confirmed, shown as 已确认)."""
    query = Member.select(Member.id, Member.member_no, Member.name, Member.id_number, Member.insurance_status).where(
        (Member.union == union_id)
        & Member.insurance_status.in_((InsuranceStatus.PENDING, InsuranceStatus.CONFIRMED)))
    text = text.strip()
    if text:
        query = query.where(Member.member_no.contains(text) | Member.name.contains(text)
                            | Member.id_number.contains(text.upper()))
    return [PendingRow(m.id, m.member_no, m.name, mask_id(m.id_number), m.insurance_status == InsuranceStatus.CONFIRMED)
            for m in query.order_by(Member.insurance_status.desc(), Member.member_no, Member.id)]


def confirm(union_id: int, member_ids: list[int] | None, *, actor: str) -> int:
    """Confirm the given members (None: 全部确认); returns how many were newly confirmed."""
    with db.atomic("IMMEDIATE"):
        query = Member.select().where((Member.union == union_id) & (Member.insurance_status == InsuranceStatus.PENDING))
        if member_ids is not None:
            query = query.where(Member.id.in_(member_ids))
        members = list(query)
        if not members:
            return 0
        now = datetime.now().replace(microsecond=0)
        for m in members:
            audit.record(actor, "confirmation.confirm", member_id=m.id, field="insurance_status",
                         old=InsuranceStatus.PENDING, new=InsuranceStatus.CONFIRMED)
        Member.update(insurance_status=InsuranceStatus.CONFIRMED, updated_at=now).where(
            Member.id.in_([m.id for m in members])).execute()
        union = Union.get_by_id(union_id)
        enqueue(Confirmation([m.id_number for m in members], union=union.org_code))
    return len(members)


def needs_supplementary(union_id: int, plan_year: int) -> bool:
    """True when the union already submitted central enrollment this year (so confirming now
    means submitting again: a supplementary batch)."""
    from app.services.enrollment import LIVE_STATUSES, batches

    return any(b.status in LIVE_STATUSES for b in batches(union_id, kind=SubmissionKind.CENTRAL, plan_year=plan_year))

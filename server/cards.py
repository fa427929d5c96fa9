"""Member cards on the server (SPEC §5.3): card applications verified, card batches received.

card_verification payload::

    {"union"?: org code, "request_id": "...", "id_numbers": [...]}

queues a `CardJob` ("verify") and answers with its id; a worker (server/card_jobs.py) checks each
member with `check_application` — against the server's member record and the identity registry
adapter — and appends a `card_check` change per member carrying the request_id, so the clerk's PC
matches each answer to the question it asked (a superseded answer is ignored there).

card_batch payload (signed with the device key, like a submission)::

    {"union": org code, "batch_no": "...", "members": [{"id_number", "name"}, ...]}

is stored verbatim with its signature. Every member must be on the server (else nothing is
stored: card_members_unknown). Members failing the record checks now are refused at once with the
reason; the rest become card_status "applying" (a member change) and a `CardJob` ("issue") hands
them to the card issuer adapter. The batch's state and each member's outcome go into the feed as
a `card_batch` change every time they move.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from peewee import chunked

from app import protocol as wire
from app.protocol import CardBatchStatus, CardOutcome, Entity, PushRecord, canonical_text, format_timestamp
from app.rules import cards as cards_rule
from app.rules.codes import CardStatus
from app.rules.idcard import mask_id
from server.accounts import audit, union_for
from server.campaigns import shanghai_today
from server.changes import emit_change, member_record
from server.claims import refuse_elsewhere
from server.db import IN_LIST
from server.leases import QUEUED
from server.members import find_members
from server.models import CardBatch, CardBatchMember, CardJob, CardWithdrawal, Device, Member, Union, User
from server.problems import ProblemError
from server.settings import ServerContext


@dataclass(frozen=True)
class IdentityRecord:
    """What the identity registry knows of an ID number."""

    name: str
    deceased: bool = False


@dataclass(frozen=True)
class CardProblem:
    code: str
    reason: str


#: How the server words the shared rule's card codes where its advice differs from the rule's.
SERVER_WORDS: dict[str, str] = {
    cards_rule.NOT_IN_SERVICE: "服务器记录该会员的状态为“{life}”，只有在职会员可以集体办卡。",
    cards_rule.NAME_MISSING: "服务器上该会员的姓名为空。请补填姓名并同步后重新校验。",
    cards_rule.PHONE_MISSING: "服务器上该会员的手机号码为空。办理会员卡需要会员本人的11位手机号码，请补填并同步后重新校验。",
}


def check_application(member: Member | None, today: date, identity: IdentityRecord | None = None,
                      *, in_batch: bool = False) -> list[CardProblem]:
    """Why `member` cannot have a member card now ([] when they can): the shared rule
    (app.rules.cards.application_problems) on the server's record, worded for the server; and,
    when the identity registry knows the number, the same name and not deceased."""
    if member is None:
        return [CardProblem("card_member_unknown", "服务器上没有该会员的信息。请先同步上传会员信息后重新校验。")]
    fields = {name: getattr(member, name) for name in cards_rule.APPLICATION_FIELDS}
    found = cards_rule.application_problems(fields, today, in_batch=in_batch)
    problems = [CardProblem(p.code, text) for p, text in zip(found, cards_rule.word(found, fields, SERVER_WORDS))]
    if identity is not None:
        if identity.deceased:
            problems.append(CardProblem("card_identity_deceased", "人口信息登记该证件持有人已死亡，不能办卡。请核对证件号码。"))
        elif identity.name and identity.name != (member.name or "").strip():
            problems.append(CardProblem("card_identity_name", "姓名与证件号码不一致（与人口信息登记的姓名不同）。请核对姓名和证件号码。"))
    return problems


def request_verification(ctx: ServerContext, user: User, payload: wire.CardVerification) -> dict[str, Any]:
    """card_verification: queue the check; the answers come through the feed."""
    union = union_for(user, payload.union, write=True)
    numbers = payload.id_numbers
    refuse_elsewhere(union, numbers)
    now = ctx.now_naive()
    not_before = now + timedelta(seconds=ctx.settings.card_check_delay_seconds)
    job = CardJob.create(union=union, kind="verify", requested_by=user, request_id=payload.request_id,
                         id_numbers=numbers, status=QUEUED, not_before=not_before, created=now)
    audit(ctx, "card_verification_requested", user=user, union=union, entity="card_job", entity_key=str(job.id),
          detail={"count": len(numbers)})
    return {"job_id": job.id, "request_id": payload.request_id, "count": len(numbers),
            "not_before": format_timestamp(not_before.replace(tzinfo=ctx.now().tzinfo))}


def batch_state(batch: CardBatch) -> dict[str, Any]:
    """A card batch as the feed carries it: status, counts and every member's outcome."""
    members = [{"id_number": m.id_number, "outcome": m.outcome, "card_no": m.card_no, "reason": m.reason}
               for m in CardBatchMember.select().where(CardBatchMember.batch == batch).order_by(CardBatchMember.id)]
    return {"batch_no": batch.batch_no, "status": batch.status, "member_count": batch.member_count,
            "issued": batch.issued, "refused": batch.refused, "members": members,
            "submitted_by": batch.user.username, "received_at": batch.received.isoformat() + "Z",
            "updated_at": batch.updated.isoformat() + "Z", "withdrawal": _withdrawal(batch)}


def _withdrawal(batch: CardBatch) -> dict[str, Any] | None:
    """The batch's latest 撤销 request as the clerk sees it (server/card_withdrawals.py), if any."""
    w = CardWithdrawal.select().where(CardWithdrawal.batch == batch).order_by(CardWithdrawal.id.desc()).first()
    return None if w is None else {"status": w.status, "reason": w.reason, "decision_reason": w.decision_reason}


def emit_batch(ctx: ServerContext, batch: CardBatch) -> None:
    emit_change(ctx, batch.union_id, Entity.CARD_BATCH, batch.batch_no, batch_state(batch))


def receive_batch(ctx: ServerContext, user: User, device: Device, record: PushRecord,
                  payload: wire.CardBatch) -> dict[str, Any]:
    """card_batch (its signature verified): store the batch, refuse whom the checks refuse, and
    queue the rest for the card issuer (inside the push's write transaction)."""
    union = Union.get_by_id(user.union_id)
    if payload.union != union.org_code:
        raise ProblemError("union_scope", "只能为本工会的会员办卡")
    if CardBatch.select().where((CardBatch.union == union) & (CardBatch.batch_no == payload.batch_no)).exists():
        raise ProblemError("card_batch_exists", {"batch_no": payload.batch_no})
    numbers = [m.id_number for m in payload.members]
    refuse_elsewhere(union, numbers)
    found = find_members(union, numbers)
    missing = [n for n in numbers if n not in found]
    if missing:
        raise ProblemError("card_members_unknown", {"missing": [mask_id(n) for n in missing[:20]],
                                                    "count": len(missing)})
    now = ctx.now_naive()
    text = canonical_text(record.payload)
    batch = CardBatch.create(union=union, user=user, device=device, batch_no=payload.batch_no,
                             member_count=len(numbers), status=CardBatchStatus.ISSUING, payload=text,
                             payload_sha256=hashlib.sha256(text.encode()).hexdigest(), signature=record.signature,
                             received=now, updated=now)
    outcomes = _first_outcomes(ctx, batch, payload, found)
    for chunk in chunked(outcomes, IN_LIST):
        CardBatchMember.insert_many(chunk).execute()
    accepted = sum(1 for row in outcomes if row["outcome"] == CardOutcome.PENDING)
    batch.refused = len(outcomes) - accepted
    if accepted:
        CardJob.create(union=union, kind="issue", requested_by=user, batch=batch, status=QUEUED,
                       not_before=now + timedelta(seconds=ctx.settings.card_issue_delay_seconds), created=now)
    else:
        batch.status = CardBatchStatus.DONE
    batch.save()
    emit_batch(ctx, batch)
    audit(ctx, "card_batch_received", user=user, union=union, entity="card_batch", entity_key=payload.batch_no,
          detail={"count": len(numbers), "accepted": accepted, "refused": batch.refused})
    return {"batch_no": payload.batch_no, "status": batch.status, "accepted": accepted, "refused": batch.refused}


def _first_outcomes(ctx: ServerContext, batch: CardBatch, payload: wire.CardBatch,
                    found: dict[str, Member]) -> list[dict[str, Any]]:
    """Each member's first outcome: refused now with the reason when the checks refuse them, else
    pending — their card_status becomes "applying" (a member change)."""
    now = ctx.now_naive()
    today = shanghai_today(ctx)
    outcomes = []
    for applicant in payload.members:
        member = found[applicant.id_number]
        problems = check_application(member, today)
        row = {"batch": batch.id, "id_number": applicant.id_number, "name": applicant.name or member.name,
               "outcome": CardOutcome.PENDING, "reason": None, "decided": None}
        if problems:
            row.update(outcome=CardOutcome.REFUSED, reason="".join(p.reason for p in problems), decided=now)
        else:
            member.card_status = str(CardStatus.APPLYING)
            member.updated = now
            member.save()
            emit_change(ctx, batch.union_id, Entity.MEMBER, applicant.id_number, member_record(member))
        outcomes.append(row)
    return outcomes

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
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from app.rules.address import validate_work_address
from app.rules.codes import (
    CATEGORY_LABELS,
    LIFE_STATUS_LABELS,
    CardStatus,
    Category,
    IdType,
    LifeStatus,
)
from app.rules.expiry import check_id_expiry
from app.rules.idcard import mask_id, validate_document
from app.rules.phone import normalize_phone
from app.rules.problems import ERROR, RuleError
from app.sync.protocol import (
    ENTITY_CARD_BATCH,
    ENTITY_MEMBER,
    canonical_json,
    format_timestamp,
    verify,
)
from server.accounts import audit, device_for, union_for
from server.campaigns import shanghai_today
from server.changes import emit_change, member_record
from server.models import CardBatch, CardBatchMember, CardJob, Member, Union, User
from server.problems import ProblemError
from server.settings import ServerContext

MAX_CARD_IDS = 20_000
_BATCH_NO = re.compile(r"^[A-Za-z0-9_-]{4,40}$")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


@dataclass(frozen=True)
class IdentityRecord:
    """What the identity registry knows of an ID number."""

    name: str
    deceased: bool = False


@dataclass(frozen=True)
class CardProblem:
    code: str
    reason: str


def check_application(member: Member | None, today: date, identity: IdentityRecord | None = None,
                      *, in_batch: bool = False) -> list[CardProblem]:
    """Why `member` cannot have a member card now ([] when they can).

    The server's word on a card application: the member exists here, is in service, belongs to
    a linked enterprise, has no card (nor one being made — unless `in_batch`, the batch being the
    one making it), a valid document whose number agrees with the recorded birth date and gender,
    an expiry present and not past, a work address and a phone; and, when the identity registry
    knows the number, the same name and not deceased.
    """
    if member is None:
        return [CardProblem("card_member_unknown", "服务器上没有该会员的信息。请先同步上传会员信息后重新校验。")]
    problems: list[CardProblem] = []
    if member.card_status == CardStatus.ISSUED:
        problems.append(CardProblem("card_exists", "该会员已有会员卡，无需再办。"))
    elif member.card_status == CardStatus.APPLYING and not in_batch:
        problems.append(CardProblem("card_applying", "该会员的会员卡正在办理中，请勿重复申请。"))
    if member.life_status != LifeStatus.IN_SERVICE:
        label = LIFE_STATUS_LABELS.get(member.life_status, member.life_status)
        problems.append(CardProblem("card_not_in_service", f"服务器记录该会员的状态为“{label}”，只有在职会员可以集体办卡。"))
    if (member.category or Category.LINKED_ENTERPRISE) != Category.LINKED_ENTERPRISE:
        label = CATEGORY_LABELS.get(member.category, member.category)
        problems.append(CardProblem("card_category", f"{label}会员不能由工会集体办卡，请会员通过“申工社”个人办卡。"))
    if not (member.name or "").strip():
        problems.append(CardProblem("card_name_missing", "服务器上该会员的姓名为空。请补填姓名并同步后重新校验。"))
    birth = None
    try:
        _, parsed = validate_document(member.id_type or IdType.MAINLAND, member.id_number, today)
    except RuleError as error:
        problems.append(CardProblem(error.code, error.problem.message))
        parsed = None
    if parsed is not None:
        birth = parsed.birth_date
        if member.birth_date and member.birth_date != parsed.birth_date.isoformat():
            problems.append(CardProblem("card_id_inconsistent",
                                        "证件号码中的出生日期与登记的出生日期不一致。请核对证件号码。"))
        elif member.gender and member.gender != str(parsed.gender):
            problems.append(CardProblem("card_id_inconsistent", "证件号码中的性别与登记的性别不一致。请核对证件号码。"))
    for problem in check_id_expiry(member.id_expiry, today, birth, for_card=True):
        if problem.severity == ERROR:
            problems.append(CardProblem(problem.code, problem.message))
    try:
        validate_work_address(member.work_address, required=True)
    except RuleError as error:
        problems.append(CardProblem(error.code, error.problem.message))
    try:
        normalize_phone(member.phone or "")
    except RuleError as error:
        problems.append(CardProblem(error.code, error.problem.message))
    if identity is not None:
        if identity.deceased:
            problems.append(CardProblem("card_identity_deceased", "人口信息登记该证件持有人已死亡，不能办卡。请核对证件号码。"))
        elif identity.name and identity.name != (member.name or "").strip():
            problems.append(CardProblem("card_identity_name", "姓名与证件号码不一致（与人口信息登记的姓名不同）。请核对姓名和证件号码。"))
    return problems


def _numbers(raw: Any) -> list[str]:
    if not isinstance(raw, list) or not raw or not all(isinstance(x, str) and x.strip() for x in raw):
        raise ProblemError("validation", "id_numbers 应为非空的证件号码列表")
    if len(raw) > MAX_CARD_IDS:
        raise ProblemError("validation", f"一次最多校验 {MAX_CARD_IDS} 人")
    return list(dict.fromkeys(x.strip().upper() for x in raw))


def _members(union: Union, numbers: list[str]) -> dict[str, Member]:
    found: dict[str, Member] = {}
    for start in range(0, len(numbers), 500):
        for member in Member.select().where((Member.union == union) & Member.id_number.in_(numbers[start:start + 500])):
            found[member.id_number] = member
    return found


def request_verification(ctx: ServerContext, user: User, payload: dict[str, Any]) -> dict[str, Any]:
    """card_verification: queue the check; the answers come through the feed."""
    union = union_for(user, payload.get("union"), write=True)
    request_id = payload.get("request_id")
    if not isinstance(request_id, str) or not _REQUEST_ID.match(request_id):
        raise ProblemError("validation", "request_id 应为8–64位的字母、数字、- 或 _")
    numbers = _numbers(payload.get("id_numbers"))
    now = ctx.now_naive()
    not_before = now + timedelta(seconds=ctx.settings.card_check_delay_seconds)
    job = CardJob.create(union=union, kind="verify", requested_by=user, request_id=request_id, id_numbers=numbers,
                         status="queued", not_before=not_before, created=now)
    audit(ctx, "card_verification_requested", user=user, union=union, entity="card_job", entity_key=str(job.id),
          detail={"count": len(numbers)})
    return {"job_id": job.id, "request_id": request_id, "count": len(numbers),
            "not_before": format_timestamp(not_before.replace(tzinfo=ctx.now().tzinfo))}


def batch_state(batch: CardBatch) -> dict[str, Any]:
    """A card batch as the feed carries it: status, counts and every member's outcome."""
    members = [{"id_number": m.id_number, "outcome": m.outcome, "card_no": m.card_no, "reason": m.reason}
               for m in CardBatchMember.select().where(CardBatchMember.batch == batch).order_by(CardBatchMember.id)]
    return {"batch_no": batch.batch_no, "status": batch.status, "member_count": batch.member_count,
            "issued": batch.issued, "refused": batch.refused, "members": members,
            "submitted_by": batch.user.username, "received_at": batch.received.isoformat() + "Z",
            "updated_at": batch.updated.isoformat() + "Z"}


def emit_batch(ctx: ServerContext, batch: CardBatch) -> None:
    emit_change(ctx, batch.union_id, ENTITY_CARD_BATCH, batch.batch_no, batch_state(batch))


def receive_batch(ctx: ServerContext, user: User, device_fingerprint: str | None,
                  record: dict[str, Any]) -> dict[str, Any]:
    """card_batch: verify the signature, store the batch, refuse whom the checks refuse, and queue
    the rest for the card issuer (inside the push's write transaction)."""
    payload = record.get("payload") or {}
    device = device_for(user, device_fingerprint)
    signature = record.get("signature")
    if not isinstance(signature, str) or not verify(device.public_key, payload, signature):
        raise ProblemError("bad_signature")
    union = Union.get_by_id(user.union_id)
    if payload.get("union") != union.org_code:
        raise ProblemError("union_scope", "只能为本工会的会员办卡")
    batch_no = payload.get("batch_no")
    if not isinstance(batch_no, str) or not _BATCH_NO.match(batch_no):
        raise ProblemError("validation", "batch_no 应为4–40位的字母、数字、- 或 _")
    rows = payload.get("members")
    if not isinstance(rows, list) or not rows or len(rows) > MAX_CARD_IDS:
        raise ProblemError("validation", f"members 应为1–{MAX_CARD_IDS}人的名单")
    if not all(isinstance(r, dict) and isinstance(r.get("id_number"), str) and r["id_number"].strip() for r in rows):
        raise ProblemError("validation", "members 的每一项应有 id_number")
    numbers = [r["id_number"].strip().upper() for r in rows]
    if len(set(numbers)) != len(numbers):
        raise ProblemError("validation", "名单中有重复的证件号码")
    if CardBatch.select().where((CardBatch.union == union) & (CardBatch.batch_no == batch_no)).exists():
        raise ProblemError("card_batch_exists", {"batch_no": batch_no})
    found = _members(union, numbers)
    missing = [n for n in numbers if n not in found]
    if missing:
        raise ProblemError("card_members_unknown", {"missing": [mask_id(n) for n in missing[:20]],
                                                    "count": len(missing)})
    now = ctx.now_naive()
    today = shanghai_today(ctx)
    text = canonical_json(payload).decode("utf-8")
    batch = CardBatch.create(union=union, user=user, device=device, batch_no=batch_no, member_count=len(numbers),
                             status="issuing", payload=text, payload_sha256=hashlib.sha256(text.encode()).hexdigest(),
                             signature=signature, received=now, updated=now)
    names = {r["id_number"].strip().upper(): str(r.get("name") or "") for r in rows}
    accepted = refused = 0
    outcomes = []
    for number in numbers:
        member = found[number]
        problems = check_application(member, today)
        if problems:
            refused += 1
            outcomes.append({"batch": batch.id, "id_number": number, "name": names[number] or member.name,
                             "outcome": "refused", "reason": "".join(p.reason for p in problems), "decided": now})
            continue
        accepted += 1
        outcomes.append({"batch": batch.id, "id_number": number, "name": names[number] or member.name,
                         "outcome": "pending", "reason": None, "decided": None})
        member.card_status = str(CardStatus.APPLYING)
        member.updated = now
        member.save()
        emit_change(ctx, union.id, ENTITY_MEMBER, number, member_record(member))
    for start in range(0, len(outcomes), 500):
        CardBatchMember.insert_many(outcomes[start:start + 500]).execute()
    batch.refused = refused
    if accepted:
        CardJob.create(union=union, kind="issue", requested_by=user, batch=batch, status="queued",
                       not_before=now + timedelta(seconds=ctx.settings.card_issue_delay_seconds), created=now)
    else:
        batch.status = "done"
    batch.save()
    emit_batch(ctx, batch)
    audit(ctx, "card_batch_received", user=user, union=union, entity="card_batch", entity_key=batch_no,
          detail={"count": len(numbers), "accepted": accepted, "refused": refused})
    return {"batch_no": batch_no, "status": batch.status, "accepted": accepted, "refused": refused}

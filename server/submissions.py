"""Signed enrollment submissions: verification, recomputation with app.rules, storage, review.

A submission record carries the payload (`app.protocol.Submission`), the device's Ed25519
signature over its canonical JSON and the notice PDF (base64). The server checks, in this order:
the device key is the caller's and active (unknown_device); the signature (bad_signature); the
payload's shape (validation); the union is the caller's own (union_scope); the timestamp is within
MAX_CLOCK_SKEW of the server's clock (stale_timestamp); the nonce and the PDF's hash (validation);
the nonce is unseen (replayed_nonce); the campaign and its window by the server's clock
(no_campaign, window_closed); one plan type per union and year (plan_type_mismatch); every
member's eligibility (ineligible); every row's coverage and 全年/半年 against what the server
decides from the Shanghai date it received the batch on and the campaign (coverage_mismatch); the
totals and fee split against the campaign's fees, priced row by row (price_mismatch). The client's
copy is for display: the server never takes its dates or prices. Then it stores payload, signature
and PDF verbatim and answers with a receipt that carries the server's coverage.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from peewee import chunked

from app import protocol as wire
from app.protocol import (
    MAX_CLOCK_SKEW,
    Channel,
    Entity,
    PushRecord,
    SubmissionKind,
    SubmissionMember,
    SubmissionStatus,
    canonical_text,
    format_timestamp,
    money,
    parse_timestamp,
)
from app.rules.coverage import Coverage, HalfYearRule, coverage_for
from app.rules.eligibility import REASONS, ineligible_reason
from app.rules.fees import FeeSplit, FeeTotals, roster_totals
from app.rules.idcard import mask_id
from app.rules.problems import RuleError
from app.rules.retirement import probably_retired
from server.accounts import audit, can_access
from server.campaigns import enrolled_categories, fee_split, is_open, shanghai_today
from server.changes import emit_change
from server.claims import refuse_elsewhere
from server.db import IN_LIST
from server.models import Campaign, Device, Enrollment, Member, Nonce, Submission, Union, User
from server.problems import ProblemError
from server.security import pdf_problem
from server.settings import ServerContext


@dataclass
class PreparedSubmission:
    """What can be checked without the database lock: identity, signature, shape, PDF."""

    payload: dict[str, Any]  # as received: stored verbatim (canonical JSON) with its signature
    submission: wire.Submission  # the same, read
    device: Device
    union: Union
    pdf: bytes
    signature: str
    canonical: str | None = None  # the payload's canonical JSON, when the caller has it already


def _require(condition: bool, detail: str) -> None:
    if not condition:
        raise ProblemError("validation", detail)


def prepare(ctx: ServerContext, user: User, device: Device, record: PushRecord,
            submission: wire.Submission) -> PreparedSubmission:
    """The checks after the signature and the payload's shape that need no lock."""
    union = Union.get_by_id(user.union_id)
    if submission.union != union.org_code:
        raise ProblemError("union_scope", "只能提交本工会的名单")
    try:
        stamp = parse_timestamp(submission.timestamp)
    except (ValueError, TypeError):
        raise ProblemError("validation", "timestamp 格式不对") from None
    if abs((ctx.now() - stamp).total_seconds()) > MAX_CLOCK_SKEW:
        raise ProblemError("stale_timestamp", {"server_time": format_timestamp(ctx.now())})
    _require(16 <= len(submission.nonce) <= 128, "nonce 应为16–128个字符")
    _require(record.pdf_b64 is not None and record.pdf_b64 != "", "缺少告知书 PDF")
    try:
        pdf = base64.b64decode(record.pdf_b64 or "", validate=True)
    except (binascii.Error, ValueError):
        raise ProblemError("validation", "告知书 PDF 不是有效的 base64") from None
    _require(len(pdf) <= ctx.settings.max_pdf_bytes, "告知书 PDF 过大")
    _require(hashlib.sha256(pdf).hexdigest() == submission.notice_pdf_sha256, "告知书 PDF 与名单中记录的校验值不一致")
    problem = pdf_problem(pdf)
    _require(problem is None, problem or "")
    assert record.signature is not None
    return PreparedSubmission(payload=record.payload, submission=submission, device=device, union=union, pdf=pdf,
                              signature=record.signature)


#: The shared rule's reason codes (app.rules.eligibility) as the server words them in a refusal.
_REASON_TEXT = {
    "deceased": "已死亡",
    "retired": "已退休",
    "pending_confirmation": "人保状态待确认，请先确认",
    "no_card": "未办会员卡",
    "has_card": "已有会员卡，应通过会员卡参保",
    "not_mainland": "证件类型不是身份证，不能通过社保卡参保",
    "ss_unchecked": "社保卡状态不正常或未校验",
    "ss_abnormal": "社保卡状态不正常或未校验",
    "employment_unclear": "就业状态不明确，请先确认",
    "enrolled": "本保障年度已参保",
    "individual": "灵活就业/企业外入会会员不由工会集中参保，请其通过申工社个人办理",
}


def _ineligible_reason(member: Member | None, row: SubmissionMember, channel: str, plan_year: int,
                       categories: tuple[str, ...]) -> str | None:
    """Why a submitted member cannot be enrolled, by the same rule and categories the client applies."""
    if member is None:
        return "该会员尚未同步到服务器"
    fields = {name: getattr(member, name) for name in (
        "life_status", "retired_on", "insurance_status", "card_no", "id_type", "ss_card_status", "employment_status",
        "category")}
    code = ineligible_reason(fields, channel=channel, plan_year=plan_year, categories=categories)
    if code is not None:
        return _REASON_TEXT.get(code, REASONS.get(code, code))
    if channel == Channel.CARD and row.card_no not in (None, "", member.card_no):
        return "会员卡号与服务器记录不一致"
    return None


def expected_totals(campaign: Campaign, union: Union, plan_type: str, members: list[SubmissionMember]
                    ) -> tuple[dict[str, Any], dict[str, str]]:
    """Totals and per-person split recomputed from the campaign's fees with the one pricing
    function (app.rules.fees.roster_totals): the sum over the rows of each row's price."""
    split = fee_split(campaign, plan_type, union)
    half = HalfYearRule.from_config(campaign.half_year)
    try:
        totals = roster_totals((row.period for row in members), split, half.price_factor)
    except RuleError as exc:
        raise ProblemError("validation", exc.problem.message) from None
    amounts = ("fee", "city", "district", "grassroots")
    return ({"count": totals.count, **{k: money(getattr(totals, k)) for k in amounts}},
            {k: money(getattr(split, k)) for k in amounts})


def _same_amounts(received: FeeTotals | FeeSplit, expected: dict[str, Any]) -> bool:
    return all(getattr(received, key) == (value if key == "count" else Decimal(value))
               for key, value in expected.items())


def submission_record(sub: Submission) -> dict[str, Any]:
    replaced = Submission.get_by_id(sub.replaces_id).batch_no if sub.replaces_id else None
    return {
        "batch_no": sub.batch_no,
        "submission_id": sub.id,
        "status": sub.status,
        "return_reason": sub.return_reason,
        "kind": sub.kind,
        "plan_year": sub.plan_year,
        "channel": sub.channel,
        "plan_type": sub.plan_type,
        "member_count": sub.member_count,
        "totals": sub.totals,
        "received_at": sub.received.isoformat() + "Z",
        "decided_at": sub.decided.isoformat() + "Z" if sub.decided else None,
        "replaces": replaced,
    }


def _check_batch(ctx: ServerContext, union: Union, payload: wire.Submission) -> tuple[Campaign, Submission | None]:
    """The batch as a whole: nonce unseen, campaign and window, plan type, batch number, the batch
    it replaces. Returns the campaign and the replaced submission (or None)."""
    if Nonce.get_or_none(Nonce.value == payload.nonce) is not None:
        raise ProblemError("replayed_nonce")
    campaign = Campaign.get_or_none(Campaign.plan_year == payload.plan_year)
    if campaign is None:
        raise ProblemError("no_campaign", f"{payload.plan_year}年度")
    # An instant batch received on the last day of the year could cover nothing: its window ends the day before.
    last = campaign.payment_deadline if payload.kind == SubmissionKind.CENTRAL \
        else campaign.coverage_end - timedelta(days=1)
    if not is_open(ctx, campaign, campaign.enrollment_start, last):
        raise ProblemError("window_closed", f"办理时间为 {campaign.enrollment_start.isoformat()} 至 {last.isoformat()}")
    fixed = (Submission.select(Submission.plan_type)
             .where((Submission.union == union) & (Submission.plan_year == payload.plan_year)
                    & (Submission.status != SubmissionStatus.RETURNED))
             .first())
    if fixed is not None and fixed.plan_type != payload.plan_type:
        raise ProblemError("plan_type_mismatch", {"fixed_plan_type": fixed.plan_type})
    if Submission.get_or_none((Submission.union == union) & (Submission.batch_no == payload.batch_no)):
        raise ProblemError("validation", f"批次编号 {payload.batch_no} 已被使用，请重新生成批次")
    replaces = None
    if payload.replaces is not None:
        replaces = Submission.get_or_none((Submission.union == union) & (Submission.batch_no == payload.replaces))
        if replaces is None or replaces.status != SubmissionStatus.RETURNED:
            raise ProblemError("validation", "只有被退回的批次可以被重新提交替换")
    return campaign, replaces


def _check_members(union: Union, payload: wire.Submission, categories: tuple[str, ...]) -> list[dict[str, Any]]:
    """Every member eligible by the shared rule (the campaign's `categories`) and not enrolled this
    year (else `ineligible`); returns the warnings (probably retired)."""
    numbers = [row.id_number for row in payload.members]
    refuse_elsewhere(union, numbers)
    found: dict[str, Member] = {}
    enrolled: set[str] = set()
    for chunk in chunked(numbers, IN_LIST):
        for member in Member.select().where((Member.union == union) & Member.id_number.in_(chunk)):
            found[member.id_number] = member
        enrolled.update(row.id_number for row in Enrollment.select(Enrollment.id_number).where(
            (Enrollment.plan_year == payload.plan_year) & Enrollment.id_number.in_(chunk)))
    problems = []
    warnings = []
    for row in payload.members:
        member = found.get(row.id_number)
        reason = _ineligible_reason(member, row, payload.channel, payload.plan_year, categories)
        if reason is None and row.id_number in enrolled:
            reason = "本保障年度已参保"
        if reason is not None:
            problems.append({"id_number": row.id_number, "name": row.name, "reason": reason})
        elif member is not None and member.birth_date and member.gender and member.life_status == "in_service":
            try:
                if probably_retired(date.fromisoformat(member.birth_date), member.gender, member.post_type,
                                    payload.plan_year):
                    warnings.append({"id_number": row.id_number, "reason": "probably_retired"})
            except (ValueError, TypeError):
                pass
    if problems:
        raise ProblemError("ineligible", {"members": problems[:200], "count": len(problems)})
    return warnings


def decided_coverage(ctx: ServerContext, campaign: Campaign, payload: wire.Submission) -> tuple[date, Coverage]:
    """办理参保日 (the Shanghai date the server receives the batch on) and the coverage it gives:
    the server's decision, from its own clock and the campaign."""
    received_on = shanghai_today(ctx)
    try:
        return received_on, coverage_for(payload.kind, payload.plan_year, received_on,
                                         HalfYearRule.from_config(campaign.half_year))
    except RuleError as exc:
        raise ProblemError("window_closed", exc.problem.message) from None


def _check_coverage(payload: wire.Submission, received_on: date, cover: Coverage) -> None:
    """Every row must carry the server's coverage; a row that differs is refused, not corrected."""
    expected = (cover.start, cover.end, cover.period)
    wrong = [row for row in payload.members if (row.coverage_start, row.coverage_end, row.period) != expected]
    if wrong:
        raise ProblemError("coverage_mismatch", {
            "received_on": received_on.isoformat(), "count": len(wrong),
            "expected": {"coverage_start": cover.start.isoformat(), "coverage_end": cover.end.isoformat(),
                         "period": cover.period},
            "members": [mask_id(row.id_number) for row in wrong[:20]]})


def apply(ctx: ServerContext, user: User, prepared: PreparedSubmission, digest: str) -> dict[str, Any]:
    """The checks that need the database, then the insert (call inside the write transaction)."""
    payload, union = prepared.submission, prepared.union
    campaign, replaces = _check_batch(ctx, union, payload)
    warnings = _check_members(union, payload, enrolled_categories(campaign))
    received_on, cover = decided_coverage(ctx, campaign, payload)
    _check_coverage(payload, received_on, cover)
    totals, per_person = expected_totals(campaign, union, payload.plan_type, payload.members)
    if not (_same_amounts(payload.totals, totals) and _same_amounts(payload.fee_split, per_person)):
        raise ProblemError("price_mismatch", {"expected": {"totals": totals, "fee_split": per_person}})

    now = ctx.now_naive()
    Nonce.create(value=payload.nonce, seen_at=now)
    sub = Submission.create(
        union=union, user=user, device=prepared.device, batch_no=payload.batch_no, kind=payload.kind,
        plan_year=payload.plan_year, channel=payload.channel, plan_type=payload.plan_type,
        member_count=len(payload.members), totals=totals, payload=prepared.canonical or canonical_text(prepared.payload),
        fee_split=per_person,
        payload_sha256=digest, signature=prepared.signature, pdf=prepared.pdf,
        pdf_sha256=payload.notice_pdf_sha256, status=SubmissionStatus.UNDER_REVIEW, replaces=replaces, received=now,
    )
    batch = [{"plan_year": payload.plan_year, "id_number": row.id_number, "union": union.id, "submission": sub.id,
              "channel": payload.channel} for row in payload.members]
    for chunk in chunked(batch, IN_LIST):
        Enrollment.insert_many(chunk).execute()
    emit_change(ctx, union.id, Entity.SUBMISSION, sub.batch_no, submission_record(sub))
    audit(ctx, "submission_received", user=user, union=union, entity="submission", entity_key=sub.batch_no,
          detail={"count": len(payload.members), "plan_type": sub.plan_type, "channel": sub.channel})
    return {
        "batch_no": sub.batch_no,
        "submission_id": sub.id,
        "status": sub.status,
        "received_at": format_timestamp(ctx.now()),
        "payload_sha256": digest,
        "signature_fingerprint": prepared.device.fingerprint,
        "member_count": len(payload.members),
        "totals": totals,
        "fee_split": per_person,
        "received_on": received_on.isoformat(),
        "coverage": {"start": cover.start.isoformat(), "end": cover.end.isoformat(), "period": cover.period},
        "warnings": warnings[:200],
    }


# --- Reading and reviewing -----------------------------------------------------------------------


def get_submission(user: User, submission_id: int) -> Submission:
    sub = Submission.get_or_none(Submission.id == submission_id)
    if sub is None:
        raise ProblemError("not_found", "没有这个批次")
    if not can_access(user, Union.get_by_id(sub.union_id)):
        raise ProblemError("union_scope")
    return sub


def list_submissions(user: User, union: Union, plan_year: int | None, status: str | None) -> list[dict[str, Any]]:
    """Submissions of `union` and its subordinates (the caller's scope was checked on `union`)."""
    query = (Submission.select(Submission, Union)
             .join(Union, on=(Submission.union == Union.id))
             .where(Union.path.startswith(union.path)))
    if plan_year is not None:
        query = query.where(Submission.plan_year == plan_year)
    if status:
        query = query.where(Submission.status == status)
    out = []
    for sub in query.order_by(Submission.received.desc()).limit(1000):
        record = submission_record(sub)
        record["union"] = {"org_code": sub.union.org_code, "name": sub.union.name}
        out.append(record)
    return out


def decide(ctx: ServerContext, actor: User, submission_id: int, decision: str, reason: str | None) -> dict[str, Any]:
    """A superior union approves or returns a batch by its id (POST /submissions/{id}/decision,
    `union-server review`): the same decision as the review lists make (server/superior/review.py) —
    a secondary's approval marks it 二级工会, a district's puts it in 待提交; it stays 区局确认中."""
    from server.superior import review

    if decision not in ("approve", "return"):
        raise ProblemError("validation", "decision 应为 approve 或 return")
    sub = get_submission(actor, submission_id)
    if decision == "return":
        return review.return_batch(ctx, actor, sub.batch_no, reason or "")
    [result] = review.approve(ctx, actor, [sub.batch_no])["results"]
    if result["status"] != "ok":
        raise ProblemError(result["problem"], message=result["message"])
    return review.batch_record(Submission.get_by_id(sub.id))

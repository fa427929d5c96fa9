"""集中参保审核 (manual §4.3; SPEC §5.10): the 待审批 and 待提交 lists of a reviewer's subtree,
添加至待提交 (approve, one or many), 退回 with a reason, 移除 back to 待审批.

A grassroots batch stays 区局确认中 until its district submits it to the center. A secondary's
approval marks it 审核标识 二级工会 and passes it to the district's 待审批 list; the district's
approval puts it in the district's 待提交 list (审核标识 区局(产业)); 移除 takes it back out. Every
approval verifies the batch's signature again, so a batch changed after signing is refused.
Every change of a batch's status or mark goes into its grassroots union's feed.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from peewee import JOIN, chunked

from app.protocol import Entity, SubmissionKind, SubmissionStatus, payload_sha256, verify
from app.protocol.superior import MAX_BATCHES_PER_DECISION, MAX_REASON_CHARS, REVIEW_MARK_LABELS, ReviewMark, ReviewQueue
from app.rules.cards import mask_card_no
from app.rules.idcard import mask_id
from server.accounts import audit
from server.campaigns import day_end, day_start
from server.changes import emit_change
from server.db import IN_LIST, is_sqlite, write_tx
from server.models import BatchReview, Device, Enrollment, Submission, Union, User
from server.problems import ProblemError
from server.settings import ServerContext
from server.submissions import submission_record
from server.superior.scope import district_union, in_subtree, reviewer_union

Parent = Union.alias()
#: The `kind` filter's value for both instant kinds (即时参保审核).
INSTANT = "instant"


@dataclass(frozen=True)
class ReviewFilter:
    """The 待审批 list's filters (manual §4.3), every one optional."""

    name: str | None = None  # 单位名称 contains
    org_code: str | None = None  # 组织机构代码 (exact)
    received_from: date | None = None  # 提交时间, Shanghai days, inclusive
    received_to: date | None = None
    parent: str | None = None  # 上级工会: org code of a union whose subtree holds the batch's union
    plan_type: str | None = None
    channel: str | None = None
    kind: str | None = None
    plan_year: int | None = None


def feed_record(sub: Submission, review: BatchReview | None, district_batch: str | None = None) -> dict[str, Any]:
    """A grassroots batch as its union's feed and the review lists carry it (`district_batch`: the
    number of the district batch holding it, when the caller knows it already)."""
    record = submission_record(sub)
    mark = review.mark if review is not None else None
    if district_batch is None and review is not None and review.district_batch_id is not None:
        district_batch = review.district_batch.batch_no
    record.update(review_mark=mark, review_mark_label=REVIEW_MARK_LABELS.get(mark or "", ""),
                  district_batch=district_batch)
    return record


def batch_record(sub: Submission) -> dict[str, Any]:
    """A batch's feed record as it stands now."""
    return feed_record(sub, BatchReview.get_or_none(BatchReview.submission == sub))


def _queue_condition(own: Union, queue: ReviewQueue) -> Any:
    waiting = BatchReview.mark.is_null()
    if queue == ReviewQueue.READY:
        return (BatchReview.mark == ReviewMark.DISTRICT) & BatchReview.district_batch.is_null()
    if own.level == "district":
        return waiting | (BatchReview.mark == ReviewMark.SECONDARY)
    return waiting


def _filtered(query: Any, wanted: ReviewFilter) -> Any:
    if wanted.name:
        query = query.where(Union.name.contains(wanted.name.strip()))
    if wanted.org_code:
        query = query.where(Union.org_code == wanted.org_code.strip())
    if wanted.received_from:
        query = query.where(Submission.received >= day_start(wanted.received_from).replace(tzinfo=None))
    if wanted.received_to:
        query = query.where(Submission.received < day_end(wanted.received_to).replace(tzinfo=None))
    if wanted.parent:
        parent = Union.get_or_none(Union.org_code == wanted.parent.strip())
        query = query.where(Union.path.startswith(parent.path if parent is not None else "//none/"))
    if wanted.kind == INSTANT:  # 即时参保审核: both instant kinds, apart from the central ones
        query = query.where(Submission.kind != SubmissionKind.CENTRAL)
    for column, value in ((Submission.plan_type, wanted.plan_type), (Submission.channel, wanted.channel),
                          (Submission.kind, None if wanted.kind == INSTANT else wanted.kind),
                          (Submission.plan_year, wanted.plan_year)):
        if value:
            query = query.where(column == value)
    return query


def queue_query(own: Union, queue: ReviewQueue, wanted: ReviewFilter) -> Any:
    """The batches of `own`'s subtree in `queue`, filtered (rows: Submission with .union,
    .union.parent_row and .review joined)."""
    query = (Submission.select(Submission, Union, BatchReview, Parent)
             .join(Union, on=(Submission.union == Union.id))
             .join(Parent, JOIN.LEFT_OUTER, on=(Union.parent == Parent.id), attr="parent_row")
             .switch(Submission)
             .join(BatchReview, JOIN.LEFT_OUTER, on=(BatchReview.submission == Submission.id), attr="review")
             .where(in_subtree(own) & (Submission.status == SubmissionStatus.UNDER_REVIEW)
                    & _queue_condition(own, queue)))
    return _filtered(query, wanted)


def list_row(sub: Submission) -> dict[str, Any]:
    review = getattr(sub, "review", None)
    review = review if review is not None and review.id is not None else None
    record = feed_record(sub, review)
    parent = getattr(sub.union, "parent_row", None)
    record["union"] = {"org_code": sub.union.org_code, "name": sub.union.name,
                       "parent": parent.name if parent is not None and parent.id is not None else None}
    return record


def list_batches(user: User, queue: ReviewQueue, wanted: ReviewFilter, offset: int = 0,
                 limit: int = 100) -> dict[str, Any]:
    own = district_union(user) if queue == ReviewQueue.READY else reviewer_union(user)
    query = queue_query(own, queue, wanted)
    total = query.count()
    rows = query.order_by(Submission.received, Submission.id).offset(offset).limit(limit)
    return {"queue": str(queue), "total": total, "offset": offset, "batches": [list_row(sub) for sub in rows]}


# --- One batch -----------------------------------------------------------------------------------


def _device(device_id: int) -> Device:
    return Device.get_by_id(device_id)


def signature_check(sub: Submission) -> dict[str, Any]:
    """Verify again what the grassroots PC signed: the payload's hash, the signature by its
    device's key, the notice PDF's hash. {"valid", "fingerprint", "problem"}."""
    device = _device(sub.device_id)
    payload = json.loads(sub.payload)
    problem = None
    if payload_sha256(payload) != sub.payload_sha256:
        problem = "名单内容与签名时的校验值不一致"
    elif not verify(device.public_key, payload, sub.signature):
        problem = "签名校验不通过"
    elif hashlib.sha256(bytes(sub.pdf)).hexdigest() != sub.pdf_sha256 or payload.get("notice_pdf_sha256") != sub.pdf_sha256:
        problem = "告知书 PDF 与签名时的校验值不一致"
    return {"valid": problem is None, "fingerprint": device.fingerprint, "problem": problem}


def _resolve(own: Union, batch_nos: list[str]) -> dict[str, Submission]:
    """The batches of `own`'s subtree with these numbers (absent ones are left out)."""
    found: dict[str, Submission] = {}
    for chunk in chunked(batch_nos, IN_LIST):
        query = (Submission.select(Submission).join(Union, on=(Submission.union == Union.id))
                 .where(Submission.batch_no.in_(chunk) & in_subtree(own)))
        if not is_sqlite():
            query = query.for_update(of=Submission)
        for sub in query:
            if sub.batch_no in found:
                raise ProblemError("validation", f"批次编号 {sub.batch_no} 不唯一，请联系管理员")
            found[sub.batch_no] = sub
    return found


def _one(own: Union, batch_no: str) -> Submission:
    sub = _resolve(own, [batch_no]).get(batch_no)
    if sub is None:
        raise ProblemError("union_scope", f"批次 {batch_no} 不在本工会的审核范围内")
    return sub


def _card(card_no: Any) -> str | None:
    """A roster's card number as every screen shows it ("6231 **** 0624", app.rules.cards): the
    reviewer checks that a member has a card and which one it looks like, never needs it whole."""
    return mask_card_no(card_no) if isinstance(card_no, str) and card_no else None


def batch_detail(user: User, batch_no: str) -> dict[str, Any]:
    """One batch for a reviewer: its record, the roster with masked ID and card numbers, the
    signature check (made on the stored payload, which keeps them whole)."""
    own = reviewer_union(user)
    sub = _one(own, batch_no)
    payload = json.loads(sub.payload)
    roster = [{"name": row.get("name"), "id_number": mask_id(row["id_number"]), "card_no": _card(row.get("card_no")),
               "coverage_start": row.get("coverage_start"), "coverage_end": row.get("coverage_end"),
               "period": row.get("period")} for row in payload.get("members", [])]
    union = Union.get_by_id(sub.union_id)
    record = feed_record(sub, BatchReview.get_or_none(BatchReview.submission == sub))
    record.update(union={"org_code": union.org_code, "name": union.name}, roster=roster,
                  fee_split=payload.get("fee_split"), signature=signature_check(sub))
    return record


# --- Decisions -----------------------------------------------------------------------------------


def _review_of(ctx: ServerContext, sub: Submission) -> BatchReview:
    review = BatchReview.get_or_none(BatchReview.submission == sub)
    if review is None:
        review = BatchReview.create(submission=sub, updated=ctx.now_naive())
    return review


def publish(ctx: ServerContext, sub: Submission, review: BatchReview | None) -> dict[str, Any]:
    record = feed_record(sub, review)
    emit_change(ctx, sub.union_id, Entity.SUBMISSION, sub.batch_no, record)
    return record


def _approve_one(ctx: ServerContext, actor: User, own: Union, sub: Submission) -> dict[str, Any]:
    if sub.status != SubmissionStatus.UNDER_REVIEW:
        raise ProblemError("batch_state", "该批次不在待审批状态（可能已被退回或已提交），请刷新列表")
    review = _review_of(ctx, sub)
    if review.district_batch_id is not None or review.mark == ReviewMark.DISTRICT:
        raise ProblemError("batch_state", "该批次已在区局(产业)工会的待提交列表中")
    if own.level == "secondary" and review.mark == ReviewMark.SECONDARY:
        raise ProblemError("batch_state", "该批次已审核通过，正等待区局(产业)工会审核")
    check = signature_check(sub)
    if not check["valid"]:
        raise ProblemError("bad_signature", f"{check['problem']}：该批次在签名后被改动，不能审批，请退回")
    now = ctx.now_naive()
    if own.level == "district" and sub.kind != SubmissionKind.CENTRAL:
        # 即时参保审核: an instant batch never waits for the central submission window; the
        # district's approval completes it (covered from the day after the server received it).
        sub.status, sub.decided, sub.decided_by = SubmissionStatus.COMPLETED, now, actor
        sub.save()
    if own.level == "secondary":
        review.mark, review.secondary_by, review.secondary_at = ReviewMark.SECONDARY, actor, now
    else:
        review.mark, review.district_by, review.district_at = ReviewMark.DISTRICT, actor, now
    review.updated = now
    review.save()
    audit(ctx, "review_approve", user=actor, union=Union.get_by_id(sub.union_id), entity="submission",
          entity_key=sub.batch_no, detail={"mark": review.mark, "status": sub.status})
    return publish(ctx, sub, review)


def approve(ctx: ServerContext, actor: User, batch_nos: list[str]) -> dict[str, Any]:
    """添加至待提交 (a district) or 审核通过 (a secondary), batch by batch: each gets its own result."""
    own = reviewer_union(actor)
    wanted = _batch_list(batch_nos)
    results = []
    with write_tx():
        found = _resolve(own, wanted)
        for batch_no in wanted:
            sub = found.get(batch_no)
            try:
                if sub is None:
                    raise ProblemError("union_scope", f"批次 {batch_no} 不在本工会的审核范围内")
                record = _approve_one(ctx, actor, own, sub)
                results.append({"batch_no": batch_no, "status": "ok", "review_mark": record["review_mark"]})
            except ProblemError as refused:
                results.append({"batch_no": batch_no, "status": "error", "problem": refused.code,
                                "message": refused.message})
    return {"results": results, "approved": sum(1 for r in results if r["status"] == "ok")}


def _batch_list(batch_nos: list[str]) -> list[str]:
    wanted = list(dict.fromkeys(str(b).strip() for b in batch_nos if str(b).strip()))
    if not wanted:
        raise ProblemError("validation", "请至少选择一个批次")
    if len(wanted) > MAX_BATCHES_PER_DECISION:
        raise ProblemError("validation", f"一次最多审批 {MAX_BATCHES_PER_DECISION} 个批次，请分批操作")
    return wanted


def return_batch(ctx: ServerContext, actor: User, batch_no: str, reason: str) -> dict[str, Any]:
    """退回: the batch goes back to its grassroots union with the reason; its members are free."""
    text = (reason or "").strip()
    if not text:
        raise ProblemError("validation", "退回时必须填写退回原因，基层工会经办人会看到它")
    if len(text) > MAX_REASON_CHARS:
        raise ProblemError("validation", f"退回原因最多 {MAX_REASON_CHARS} 个字")
    own = reviewer_union(actor)
    with write_tx():
        sub = _one(own, batch_no)
        review = BatchReview.get_or_none(BatchReview.submission == sub)
        if sub.status != SubmissionStatus.UNDER_REVIEW or (review is not None and review.district_batch_id):
            raise ProblemError("batch_state", "只有区局确认中、尚未提交至职保中心的批次可以退回")
        if own.level == "secondary" and review is not None and review.mark is not None:
            raise ProblemError("batch_state", "该批次已审核通过并转交区局(产业)工会，二级工会不能再退回")
        sub.status, sub.return_reason = SubmissionStatus.RETURNED, text
        sub.decided, sub.decided_by = ctx.now_naive(), actor
        sub.save()
        Enrollment.delete().where(Enrollment.submission == sub).execute()
        audit(ctx, "review_return", user=actor, union=Union.get_by_id(sub.union_id), entity="submission",
              entity_key=sub.batch_no, detail={"reason": text})
        return publish(ctx, sub, review)


def remove(ctx: ServerContext, actor: User, batch_no: str) -> dict[str, Any]:
    """移除: out of the district's 待提交 list, back to its 待审批 list (a secondary's mark stays)."""
    own = district_union(actor)
    with write_tx():
        sub = _one(own, batch_no)
        review = BatchReview.get_or_none(BatchReview.submission == sub)
        if (sub.status != SubmissionStatus.UNDER_REVIEW or review is None or review.mark != ReviewMark.DISTRICT
                or review.district_batch_id is not None):
            raise ProblemError("batch_state", "该批次不在待提交列表中")
        review.mark = ReviewMark.SECONDARY if review.secondary_by_id is not None else None
        review.district_by, review.district_at, review.updated = None, None, ctx.now_naive()
        review.save()
        audit(ctx, "review_remove", user=actor, union=Union.get_by_id(sub.union_id), entity="submission",
              entity_key=sub.batch_no)
        return publish(ctx, sub, review)

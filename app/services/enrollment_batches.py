"""Enrollment batches made on this PC (参保批次管理, SPEC.md §5.9): their kinds and statuses, who is
already submitted, the plan type the year's first batch fixed, and the counts a notice prints.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from peewee import fn

from app.models import Batch, BatchMember
from app.protocol.superior import REVIEW_MARK_LABELS
from app.rules.coverage import KIND_CENTRAL, KIND_INSTANT_CARDED, KIND_INSTANT_NEW_CARD
from app.rules.eligibility import CHANNEL_CARD, CHANNEL_SS

__all__ = ["KIND_CENTRAL", "KIND_INSTANT_CARDED", "KIND_INSTANT_NEW_CARD"]

KIND_LABELS = {KIND_CENTRAL: "集中参保", KIND_INSTANT_CARDED: "有卡无保", KIND_INSTANT_NEW_CARD: "新办卡"}

#: Batch statuses → what the clerk reads (manual §3.2.8, §4.8; SPEC §5.9).
STATUS_LABELS = {
    "queued": "待发送",
    "under_review": "区局确认中",
    "returned": "退回",
    "approved": "区局确认中",  # a first-wave server's district approval: the manual has no 已通过
    "completed": "已完成",
    "not_accepted": "未被受理",  # the district's payment to the center failed (SPEC §5.9)
    "refused": "服务器未接收",  # the server refused the batch when it was sent (see its problem)
}
#: Statuses whose members count as submitted (a returned or refused batch frees its members).
LIVE_STATUSES = ("queued", "under_review", "approved", "completed")


def _live(union_id: int, plan_year: int):
    return (Batch.union == union_id) & (Batch.plan_year == plan_year) & Batch.status.in_(LIVE_STATUSES)


def submitted_ids(union_id: int, plan_year: int, channel: str | None = None) -> set[int]:
    """Members already in a live batch of this plan year (either channel unless given)."""
    query = BatchMember.select(BatchMember.member).join(Batch).where(_live(union_id, plan_year))
    if channel:
        query = query.where(Batch.channel == channel)
    return {r[0] for r in query.tuples() if r[0] is not None}


def fixed_plan_type(union_id: int, plan_year: int) -> str | None:
    """The plan type the union's first live submission fixed for the year (either channel)."""
    first = Batch.select(Batch.plan_type).where(_live(union_id, plan_year)).order_by(Batch.id).first()
    return first.plan_type if first else None


def first_central_submission(union_id: int, plan_year: int) -> datetime | None:
    """When the union's first live central batch of the plan year was made, if any."""
    return (Batch.select(fn.MIN(Batch.submitted_at))
            .where(_live(union_id, plan_year) & (Batch.kind == KIND_CENTRAL)).scalar())


def has_central_batch(union_id: int, plan_year: int, channel: str) -> bool:
    """Whether a live central batch of this channel exists (a new one is then 补充提交)."""
    return Batch.select().where(_live(union_id, plan_year) & (Batch.kind == KIND_CENTRAL)
                                & (Batch.channel == channel)).exists()


def central_counts(union_id: int, plan_year: int) -> dict[str, int]:
    """Members in live central batches this plan year, per channel (the central notice counts
    both channels; instant batches are never mixed in)."""
    rows = (BatchMember.select(Batch.channel, fn.COUNT(BatchMember.id)).join(Batch)
            .where(_live(union_id, plan_year) & (Batch.kind == KIND_CENTRAL))
            .group_by(Batch.channel).tuples())
    counts = {CHANNEL_CARD: 0, CHANNEL_SS: 0}
    counts.update({c: n for c, n in rows})
    return counts


@dataclass(frozen=True)
class BatchInfo:
    id: int
    batch_no: str
    kind: str
    channel: str
    plan_year: int
    plan_type: str
    member_count: int
    status: str
    return_reason: str | None
    problem: str | None
    submitted_at: datetime
    updated_at: datetime
    notice_path: str | None
    replaces: str | None
    note: str | None = None  # what re-pricing by the server's date changed before it was sent
    review_mark: str | None = None  # 审核标识: who approved it so far (secondary / district)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def review_mark_label(self) -> str:
        """审核标识 as the clerk reads it: 二级工会, 区局(产业), or nothing yet."""
        return REVIEW_MARK_LABELS.get(self.review_mark or "", "")

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


def batches(union_id: int, *, channel: str | None = None, status: str | None = None,
            kind: str | None = None, plan_year: int | None = None) -> list[BatchInfo]:
    query = Batch.select().where(Batch.union == union_id)
    if channel:
        query = query.where(Batch.channel == channel)
    if status:
        query = query.where(Batch.status == status)
    if kind:
        query = query.where(Batch.kind == kind)
    if plan_year:
        query = query.where(Batch.plan_year == plan_year)
    return [BatchInfo(b.id, b.batch_no, b.kind, b.channel, b.plan_year, b.plan_type, b.member_count, b.status,
                      b.return_reason, b.problem, b.submitted_at, b.updated_at, b.notice_path, b.replaces,
                      b.note, b.review_mark)
            for b in query.order_by(Batch.submitted_at.desc(), Batch.id.desc())]


def latest_notice(union_id: int, plan_year: int | None = None) -> Path | None:
    """重新下载集中参保告知书: the newest central batch's notice."""
    query = Batch.select().where((Batch.union == union_id) & (Batch.kind == KIND_CENTRAL)
                                 & Batch.status.in_(LIVE_STATUSES))
    if plan_year:
        query = query.where(Batch.plan_year == plan_year)
    b = query.order_by(Batch.id.desc()).first()
    return Path(b.notice_path) if b and b.notice_path else None

"""The district's 待提交参保列表 and its submission to the center (manual §4.3–4.5; SPEC §5.10).

The totals line sums the batches of the list as the server stored and priced them. 提交列表中的参保
信息 is accepted only inside the campaign's submission window by the server's clock, with the
handler's name and phone; it is final: a district batch holds the list's grassroots batches, which
become 已完成 (manual §3.2.8) in their unions' feeds, and the answer carries every figure of the
district notice (§4.5: counts per plan type, 参保资金总额, the center's bank account, the date).
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta, timezone
from decimal import Decimal
from typing import Any

from peewee import chunked

from app.protocol import SHANGHAI, Entity, SubmissionStatus, canonical_text, format_timestamp, money
from app.protocol.superior import DISTRICT_BATCH_LABELS, ReviewQueue
from app.rules.codes import PlanType
from app.rules.fees import format_yuan
from app.rules.phone import normalize_phone
from app.rules.problems import RuleError
from server.accounts import audit
from server.changes import emit_change
from server.campaigns import current_campaign, day_end, day_start, is_open
from server.db import IN_LIST, is_sqlite, write_tx
from server.models import BatchReview, Campaign, DistrictBatch, Submission, Union, User
from server.problems import ProblemError
from server.settings import ServerContext
from server.superior.review import ReviewFilter, feed_record, queue_query
from server.superior.scope import district_union

PLAN_TYPES: tuple[str, ...] = tuple(str(p) for p in PlanType)
AMOUNTS: tuple[str, ...] = ("fee", "city", "district", "grassroots")


@dataclass
class ListTotals:
    """The 待提交 list's sums: members by channel and by plan type, and the money."""

    count: int = 0
    channels: dict[str, int] = field(default_factory=lambda: {"card": 0, "ss": 0})
    plan_types: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PLAN_TYPES, 0))
    amounts: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(AMOUNTS, Decimal(0)))

    @property
    def notice_amount(self) -> Decimal:
        """参保资金总额: what the district pays the center, Σ (district + grassroots shares)
        (RULES.md "Fees": 9988 A at a 13.00 district share → 129,844.00)."""
        return self.amounts["district"] + self.amounts["grassroots"]

    def line(self) -> str:
        """The manual's totals line (§4.3), word for word."""
        a = {key: format_yuan(value) for key, value in self.amounts.items()}
        return (f"合计参保人数：{self.count}人(会员卡参保人数{self.channels['card']}人，社保卡参保人数{self.channels['ss']}人)。"
                f"保障费用：{a['fee']}元；市总统一划拨：{a['city']}元；区局/各级工会缴费：{a['district']}元；"
                f"基层单位缴费：{a['grassroots']}。")

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "channels": dict(self.channels), "plan_types": dict(self.plan_types),
                "totals": {key: money(value) for key, value in self.amounts.items()},
                "amount": money(self.notice_amount), "line": self.line()}


def sum_batches(batches: Iterable[tuple[str, str, int, dict[str, Any]]]) -> ListTotals:
    """Totals of (channel, plan_type, member_count, stored totals) rows."""
    out = ListTotals()
    for channel, plan_type, count, totals in batches:
        out.count += count
        out.channels[channel] = out.channels.get(channel, 0) + count
        out.plan_types[plan_type] = out.plan_types.get(plan_type, 0) + count
        for key in AMOUNTS:
            out.amounts[key] += Decimal(str(totals[key]))
    return out


def _window(ctx: ServerContext, campaign: Campaign) -> dict[str, Any]:
    opens = day_start(campaign.submission_window_start)
    closes = day_end(campaign.submission_window_end) + timedelta(seconds=campaign.grace_seconds)
    return {"start": campaign.submission_window_start.isoformat(), "end": campaign.submission_window_end.isoformat(),
            "opens_at": format_timestamp(opens), "closes_at": format_timestamp(closes),
            "open": is_open(ctx, campaign, campaign.submission_window_start, campaign.submission_window_end),
            "server_time": format_timestamp(ctx.now())}


def _ready(own: Union, campaign: Campaign) -> Any:
    return queue_query(own, ReviewQueue.READY, ReviewFilter(plan_year=campaign.plan_year))


def totals(ctx: ServerContext, user: User, plan_year: int | None) -> dict[str, Any]:
    """The 待提交 list's totals line and the submission window (server clock)."""
    own = district_union(user)
    campaign = current_campaign(ctx, plan_year)
    rows = _ready(own, campaign).select(Submission.channel, Submission.plan_type, Submission.member_count,
                                        Submission.totals)
    sums = sum_batches((sub.channel, sub.plan_type, sub.member_count, sub.totals) for sub in rows)
    batches = _ready(own, campaign).count()
    return {"plan_year": campaign.plan_year, "batches": batches, **sums.as_dict(), "window": _window(ctx, campaign)}


def _handler(name: str, phone: str) -> tuple[str, str]:
    name = (name or "").strip()
    if not 2 <= len(name) <= 30:
        raise ProblemError("validation", "请填写经办人姓名（2–30个字）")
    try:
        return name, normalize_phone(phone)
    except RuleError as exc:
        raise ProblemError("validation", f"经办人手机号码：{exc.problem.message}") from None


def submit(ctx: ServerContext, user: User, handler_name: str, handler_phone: str,
           plan_year: int | None) -> dict[str, Any]:
    """提交列表中的参保信息: final; the district batch and its notice figures."""
    own = district_union(user)
    name, phone = _handler(handler_name, handler_phone)
    campaign = current_campaign(ctx, plan_year)
    if not is_open(ctx, campaign, campaign.submission_window_start, campaign.submission_window_end):
        raise ProblemError("window_closed", f"区局(产业)工会提交时间为 {campaign.submission_window_start.isoformat()} 至 "
                                            f"{campaign.submission_window_end.isoformat()}")
    with write_tx():
        if not is_sqlite():  # one submission of the district at a time (SQLite: the write lock)
            Union.select(Union.id).where(Union.id == own.id).for_update().execute()
        subs = list(_ready(own, campaign).order_by(Submission.id))
        if not subs:
            raise ProblemError("batch_state", "待提交参保列表为空：请先在待审批列表中添加批次")
        sums = sum_batches((s.channel, s.plan_type, s.member_count, s.totals) for s in subs)
        now = ctx.now_naive()
        number = DistrictBatch.select().where(DistrictBatch.union == own).count() + 1
        batch = DistrictBatch.create(
            union=own, batch_no=f"QJ{campaign.plan_year}-{own.id:04d}-{number:03d}", plan_year=campaign.plan_year,
            counts=sums.plan_types, channels=sums.channels, totals=sums.as_dict()["totals"],
            amount=sums.notice_amount, handler_name=name, handler_phone=phone, submitted_by=user, submitted=now,
            updated=now)
        ids = [s.id for s in subs]
        for chunk in chunked(ids, IN_LIST):
            BatchReview.update(district_batch=batch, updated=now).where(BatchReview.submission.in_(chunk)).execute()
            Submission.update(status=SubmissionStatus.COMPLETED, decided=now, decided_by=user).where(
                Submission.id.in_(chunk)).execute()
        for sub in subs:  # each grassroots union's feed: 已完成, in which district batch
            sub.status, sub.decided = SubmissionStatus.COMPLETED, now
            emit_change(ctx, sub.union_id, Entity.SUBMISSION, sub.batch_no,
                        feed_record(sub, sub.review, district_batch=batch.batch_no))
        audit(ctx, "district_submit", user=user, union=own, entity="district_batch", entity_key=batch.batch_no,
              detail={"batches": len(ids), "count": sums.count, "amount": money(sums.notice_amount)})
    return receipt(ctx, batch, campaign)


def receipt(ctx: ServerContext, batch: DistrictBatch, campaign: Campaign) -> dict[str, Any]:
    """A district batch with every figure of its notice (manual §4.5)."""
    union = Union.get_by_id(batch.union_id)
    body = {
        "batch_no": batch.batch_no, "plan_year": batch.plan_year, "status": batch.status,
        "status_label": DISTRICT_BATCH_LABELS.get(batch.status, batch.status),
        "union": {"org_code": union.org_code, "name": union.name},
        "counts": dict(batch.counts), "channels": dict(batch.channels), "totals": dict(batch.totals),
        "amount": money(batch.amount), "handler_name": batch.handler_name,
        "submitted_at": batch.submitted.isoformat() + "Z",
        "issued_on": batch.submitted.replace(tzinfo=timezone.utc).astimezone(SHANGHAI).date().isoformat(),
        "coverage": {"start": campaign.coverage_start.isoformat(), "end": campaign.coverage_end.isoformat()},
        "bank_account": {"name": campaign.bank_account_name, "number": campaign.bank_account_number,
                         "bank": campaign.bank_name},
        "voucher_deadline": (campaign.voucher_deadline or campaign.submission_window_end).isoformat(),
    }
    # The notice's facts only: the fingerprint a notice downloaded again prints is the first one's,
    # whatever the batch's status has become since.
    body["receipt_sha256"] = _digest({k: v for k, v in body.items() if k not in ("status", "status_label")})
    return body


def _digest(body: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_text(body).encode("utf-8")).hexdigest()


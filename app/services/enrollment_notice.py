"""What an enrollment notice (告知书) says, from the batches: the notice made with a submission and
the one 重新下载集中参保告知书 makes again (SPEC.md §5.6, §5.8).

A central notice counts the union's central batches only, both channels, "截至今日"; its money
line is this batch's ("本次"), or, made again, everything submitted so far ("截至今日累计") — priced
row by row with the one pricing function (`app.rules.fees.roster_totals`). An instant batch's notice
has its own wording, count and coverage. Dates are Shanghai dates.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from app.models import Batch, BatchMember, Union
from app.rules.coverage import shanghai_date
from app.rules.eligibility import CHANNEL_CARD, CHANNEL_SS
from app.rules.fees import roster_totals
from app.services.campaign import CampaignInfo, business_now, require_campaign
from app.services.enrollment_batches import LIVE_STATUSES, central_counts, has_central_batch
from app.services.errors import ClerkError
from app.services.notices import GrassrootsNotice, RosterRow, grassroots_notice_pdf, save_notice

if TYPE_CHECKING:
    from app.services.enrollment import Draft

KIND_CENTRAL = "central"


def for_draft(d: Draft, union_name: str, info: CampaignInfo, *, batch_no: str, fingerprint: str,
              issued_on: date, replaces: str | None = None) -> GrassrootsNotice:
    """The notice of the batch `d` is about to become."""
    roster = [RosterRow(name=r.name, id_number=r.id_number, card_no=r.card_no, coverage_start=r.coverage.start,
                        coverage_end=r.coverage.end, period=r.coverage.period, channel=d.channel) for r in d.rows]
    if d.kind == KIND_CENTRAL:
        counts = central_counts(d.union_id, d.plan_year)
        supplementary = has_central_batch(d.union_id, d.plan_year, d.channel)
        counts[d.channel] += len(d.rows)
        start, end = info.coverage_start, info.coverage_end
    else:
        counts = {CHANNEL_CARD: 0, CHANNEL_SS: 0, d.channel: len(d.rows)}
        supplementary = False
        cover = d.rows[0].coverage if d.rows else None
        start, end = (cover.start, cover.end) if cover else (info.coverage_start, info.coverage_end)
    return GrassrootsNotice(
        union_name=union_name, plan_year=d.plan_year, plan_type=d.plan_type, card_count=counts[CHANNEL_CARD],
        ss_count=counts[CHANNEL_SS], payment_deadline=info.payment_deadline, coverage_start=start,
        coverage_end=end, issued_on=issued_on, batch_no=batch_no, signature_fingerprint=fingerprint,
        totals=d.totals, roster=roster, supplementary=supplementary, replaces=replaces, kind=d.kind)


def regenerate_latest_notice(union_id: int, plan_year: int, *, fingerprint: str, documents: Path,
                             today: date | None = None) -> Path:
    """重新下载集中参保告知书: the central notice made again from everything submitted now (both
    channels' central batches), under the newest central batch's number, dated today in Shanghai."""
    live = (Batch.union == union_id) & (Batch.plan_year == plan_year) & (Batch.kind == KIND_CENTRAL) \
        & Batch.status.in_(LIVE_STATUSES)
    b = Batch.select().where(live).order_by(Batch.id.desc()).first()
    if b is None:
        raise ClerkError(f"本工会{plan_year}年度还没有提交过集中参保。", "请先办理集中参保并提交至上级审核。")
    info = require_campaign(plan_year)
    rows = list(BatchMember.select(BatchMember, Batch.channel).join(Batch).where(live).order_by(BatchMember.id))
    roster = [RosterRow(name=r.name, id_number=r.id_number, card_no=r.card_no, coverage_start=r.coverage_start,
                        coverage_end=r.coverage_end, period=r.period, channel=r.batch.channel) for r in rows]
    counts = central_counts(union_id, plan_year)
    totals = roster_totals((r.period for r in roster), info.split(b.plan_type), info.half_year.price_factor)
    pdf = grassroots_notice_pdf(GrassrootsNotice(
        union_name=Union.get_by_id(union_id).name, plan_year=plan_year, plan_type=b.plan_type,
        card_count=counts[CHANNEL_CARD], ss_count=counts[CHANNEL_SS], payment_deadline=info.payment_deadline,
        coverage_start=info.coverage_start, coverage_end=info.coverage_end, issued_on=today or shanghai_date(business_now()),
        batch_no=b.batch_no, signature_fingerprint=fingerprint, totals=totals, roster=roster, cumulative=True))
    return save_notice(pdf, documents, b.batch_no)

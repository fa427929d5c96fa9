"""Campaign configuration: plan types with their fee split, windows, deadlines, bank account.

Campaign days are Shanghai calendar days; a window "ends on Dec 25" means it closes at the start
of Dec 26 in Shanghai, plus the campaign's grace seconds. The server's clock decides.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

from peewee import chunked

from app.protocol import SHANGHAI, Entity, format_timestamp, money
from app.rules.codes import PLAN_TYPE_LABELS, PlanType
from app.rules.eligibility import union_categories
from app.rules.fees import FeeSplit
from server.changes import emit_change
from server.db import write_tx
from server.models import Campaign, PlanFee, Union
from server.problems import ProblemError
from server.settings import ServerContext

PLAN_TYPES: tuple[str, ...] = tuple(str(p) for p in PlanType)


def day_start(day: date) -> datetime:
    """The UTC instant a Shanghai calendar day begins."""
    return datetime.combine(day, time(0, 0), tzinfo=SHANGHAI).astimezone(timezone.utc)


def day_end(day: date) -> datetime:
    """The UTC instant a Shanghai calendar day ends (the next day's start)."""
    return day_start(day + timedelta(days=1))


def shanghai_today(ctx: ServerContext) -> date:
    return ctx.now().astimezone(SHANGHAI).date()


def is_open(ctx: ServerContext, campaign: Campaign, first: date, last: date) -> bool:
    """Whether now is inside [first, last] in Shanghai days, allowing the campaign's grace."""
    now = ctx.now()
    return day_start(first) <= now < day_end(last) + timedelta(seconds=campaign.grace_seconds)


def district_of(union: Union) -> Union | None:
    """The district union above (or equal to) `union`, if any."""
    current: Union | None = union
    while current is not None and current.level != "district":
        current = Union.get_by_id(current.parent_id) if current.parent_id else None
    return current


def _fee_rows(campaign: Campaign, union: Union | None) -> dict[str, PlanFee]:
    """The plan fees valid for `union`: the city-wide rows, overridden by its district's own."""
    rows: dict[str, PlanFee] = {}
    for row in PlanFee.select().where((PlanFee.campaign == campaign) & PlanFee.union.is_null()).order_by(PlanFee.valid_from):
        rows[row.plan_type] = row
    district = district_of(union) if union is not None else None
    if district is not None:
        for row in (PlanFee.select()
                    .where((PlanFee.campaign == campaign) & (PlanFee.union == district))
                    .order_by(PlanFee.valid_from)):
            rows[row.plan_type] = row
    return rows


def fee_split(campaign: Campaign, plan_type: str, union: Union) -> FeeSplit:
    row = _fee_rows(campaign, union).get(plan_type)
    if row is None:
        raise ProblemError("validation", f"保障类型 {plan_type} 在 {campaign.plan_year} 年度没有费用标准")
    return FeeSplit(fee=Decimal(row.fee), city=Decimal(row.city), district=Decimal(row.district),
                    grassroots=Decimal(row.grassroots))


def enrolled_categories(campaign: Campaign) -> tuple[str, ...]:
    """The member categories the unions enroll in this campaign (RULES.md "Who the union enrolls"):
    its `union_categories`, or the shared default — the value the PCs cache and the server checks."""
    return union_categories({"union_categories": campaign.union_categories})


def campaign_config(campaign: Campaign, union: Union | None) -> dict[str, Any]:
    """The campaign as the client caches it, with `union`'s fee split."""
    plan_types = []
    for plan_type, row in sorted(_fee_rows(campaign, union).items(), key=lambda kv: PLAN_TYPES.index(kv[0]) if kv[0] in PLAN_TYPES else 99):
        plan_types.append({
            "plan_type": plan_type,
            "label": PLAN_TYPE_LABELS.get(plan_type, plan_type),
            "fee": money(row.fee),
            "city": money(row.city),
            "district": money(row.district),
            "grassroots": money(row.grassroots),
            "valid_from": row.valid_from.isoformat(),
            "valid_to": row.valid_to.isoformat(),
        })
    return {
        "plan_year": campaign.plan_year,
        "timezone": "+08:00",
        "windows": {
            "fee_window": {"start": campaign.fee_window_start.isoformat(), "end": campaign.fee_window_end.isoformat()},
            "enrollment": {"start": campaign.enrollment_start.isoformat(), "end": campaign.payment_deadline.isoformat()},
            "submission_window": {"start": campaign.submission_window_start.isoformat(),
                                  "end": campaign.submission_window_end.isoformat()},
            "coverage": {"start": campaign.coverage_start.isoformat(), "end": campaign.coverage_end.isoformat()},
        },
        "payment_deadline": campaign.payment_deadline.isoformat(),
        # The district unions' vouchers are accepted by this day, else 未被受理.
        "voucher_deadline": (campaign.voucher_deadline or campaign.submission_window_end).isoformat(),
        "enrollment_closes_at": format_timestamp(day_end(campaign.payment_deadline)
                                                 + timedelta(seconds=campaign.grace_seconds)),
        "grace_seconds": campaign.grace_seconds,
        "bank_account": {
            "name": campaign.bank_account_name,
            "number": campaign.bank_account_number,
            "bank": campaign.bank_name,
        },
        "half_year": campaign.half_year or {},
        # The categories the union enrolls (RULES.md "Who the union enrolls"); the server refuses the
        # others with the same rule and value (server.submissions).
        "union_categories": list(enrolled_categories(campaign)),
        "plan_types": plan_types,
        "version": campaign.version,
        "updated": campaign.updated.isoformat() + "Z",
    }


def current_campaign(ctx: ServerContext, plan_year: int | None = None) -> Campaign:
    """The campaign for `plan_year`, or else the one clerks work on today: the latest whose
    enrollment has opened, or failing that the next to open."""
    if plan_year is not None:
        campaign = Campaign.get_or_none(Campaign.plan_year == plan_year)
        if campaign is None:
            raise ProblemError("no_campaign", f"{plan_year}年度")
        return campaign
    today = shanghai_today(ctx)
    opened = (Campaign.select().where(Campaign.enrollment_start <= today)
              .order_by(Campaign.plan_year.desc()).first())
    if opened is not None:
        return opened
    upcoming = Campaign.select().order_by(Campaign.plan_year).first()
    if upcoming is None:
        raise ProblemError("no_campaign")
    return upcoming


def set_plan_fee(campaign: Campaign, plan_type: str, fee: object, city: object, district: object,
                 grassroots: object, *, union: Union | None = None) -> PlanFee:
    """Create or replace a plan type's split (city-wide, or a district's own)."""
    split = FeeSplit.from_strings(fee, city, district, grassroots)
    PlanFee.delete().where((PlanFee.campaign == campaign) & (PlanFee.plan_type == plan_type)
                           & (PlanFee.union.is_null() if union is None else PlanFee.union == union)).execute()
    return PlanFee.create(campaign=campaign, union=union, plan_type=plan_type, fee=split.fee, city=split.city,
                          district=split.district, grassroots=split.grassroots,
                          valid_from=campaign.coverage_start, valid_to=campaign.coverage_end)


def publish_campaign(ctx: ServerContext, campaign: Campaign) -> int:
    """Put the campaign's config into every union's feed (after it is created or changed)."""
    ids = [u.id for u in Union.select(Union.id).order_by(Union.id)]
    for chunk in chunked(ids, 200):  # a transaction per 200 unions' feed rows
        with write_tx():
            for union in Union.select().where(Union.id.in_(chunk)):
                emit_change(ctx, union.id, Entity.CAMPAIGN, str(campaign.plan_year), campaign_config(campaign, union))
    return len(ids)


def publish_campaigns_to(ctx: ServerContext, union: Union) -> None:
    """Give a newly created union the campaigns that are still running."""
    today = shanghai_today(ctx)
    with write_tx():
        for campaign in Campaign.select().where(Campaign.coverage_end >= today).order_by(Campaign.plan_year):
            emit_change(ctx, union.id, Entity.CAMPAIGN, str(campaign.plan_year), campaign_config(campaign, union))

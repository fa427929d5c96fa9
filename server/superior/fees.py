"""保障金额设置 (manual §4.1–4.2; SPEC §5.10): each plan type's fee, 市总统一划拨, 区局/各级工会默认缴纳,
基层单位默认缴纳 and 有效期.

The center sets the city-wide figures (any time; a district's own split that no longer adds up to
the new fee is dropped, and said so). A district union may change only its district/grassroots
split, only inside the campaign's fee window by the server's clock, and the shares must add up to
the fee. Setting the city-wide values again removes the district's own row. Every change is
audited (`fee_split_set`) and goes into the feed of every union it prices, so the grassroots
clerks' wizard headers show it after their next sync. Batches already received keep the split
they were priced with (`Submission.fee_split`, also in their signed payload).
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from peewee import chunked

from app.protocol import Entity, format_timestamp, money
from app.rules.codes import PLAN_TYPE_LABELS
from app.rules.fees import FeeSplit, parse_yuan
from app.rules.problems import RuleError
from server.accounts import audit
from server.campaigns import PLAN_TYPES, _fee_rows, campaign_config, current_campaign, day_end, day_start, is_open
from server.changes import emit_change
from server.db import write_tx
from server.models import AuditEntry, Campaign, PlanFee, Union, User
from server.problems import ProblemError
from server.settings import ServerContext
from server.superior.scope import district_or_center

AMOUNTS: tuple[str, ...] = ("fee", "city", "district", "grassroots")
HISTORY = 20


def window(ctx: ServerContext, campaign: Campaign) -> dict[str, Any]:
    """The fee window (区局调整费用分担) by the server's clock."""
    closes = day_end(campaign.fee_window_end) + timedelta(seconds=campaign.grace_seconds)
    return {"start": campaign.fee_window_start.isoformat(), "end": campaign.fee_window_end.isoformat(),
            "opens_at": format_timestamp(day_start(campaign.fee_window_start)), "closes_at": format_timestamp(closes),
            "open": is_open(ctx, campaign, campaign.fee_window_start, campaign.fee_window_end),
            "server_time": format_timestamp(ctx.now())}


def _row(row: PlanFee, default: PlanFee | None) -> dict[str, Any]:
    out: dict[str, Any] = {"plan_type": row.plan_type, "label": PLAN_TYPE_LABELS.get(row.plan_type, row.plan_type),
                           **{k: money(getattr(row, k)) for k in AMOUNTS},
                           "valid_from": row.valid_from.isoformat(), "valid_to": row.valid_to.isoformat(),
                           "source": "city" if row.union_id is None else "district"}
    if default is not None:
        out["city_default"] = {k: money(getattr(default, k)) for k in AMOUNTS}
    return out


def _history(own: Union, plan_year: int) -> list[dict[str, Any]]:
    rows = (AuditEntry.select().where((AuditEntry.action == "fee_split_set") & (AuditEntry.union == own))
            .order_by(AuditEntry.id.desc()).limit(HISTORY))
    return [{"at": e.at.isoformat() + "Z", "username": e.username, **dict(e.detail)} for e in rows
            if dict(e.detail).get("plan_year") == plan_year]


def show(ctx: ServerContext, user: User, plan_year: int | None = None) -> dict[str, Any]:
    """The fee table as `user`'s union sees and may edit it, the window and the recent changes."""
    own, center = district_or_center(user)
    campaign = current_campaign(ctx, plan_year)
    defaults = _fee_rows(campaign, None)
    rows = defaults if center else _fee_rows(campaign, own)
    ordered = sorted(rows.values(), key=lambda r: PLAN_TYPES.index(r.plan_type) if r.plan_type in PLAN_TYPES else 99)
    fee_window = window(ctx, campaign)
    return {"plan_year": campaign.plan_year, "union": {"org_code": own.org_code, "name": own.name},
            "scope": "city" if center else "district", "editable": center or bool(fee_window["open"]),
            "window": fee_window, "plan_types": [_row(r, defaults.get(r.plan_type)) for r in ordered],
            "history": _history(own, campaign.plan_year)}


def _parse(values: dict[str, Any], current: PlanFee, center: bool) -> FeeSplit:
    for key in ("fee", "city"):
        if not center and key in values and _yuan(values[key]) != Decimal(getattr(current, key)):
            raise ProblemError("validation", "参保费用和市总统一划拨由市总工会设置，区局(产业)工会只能调整"
                                             "区局/各级工会缴纳和基层单位缴纳")
    try:
        if center:
            return FeeSplit.from_strings(*(values.get(k, getattr(current, k)) for k in AMOUNTS))
        return FeeSplit.from_strings(current.fee, current.city, values.get("district", current.district),
                                     values.get("grassroots", current.grassroots))
    except RuleError as exc:
        raise ProblemError("validation", exc.problem.message) from None


def _yuan(value: object) -> Decimal | None:
    try:
        return parse_yuan(value)
    except RuleError:
        return None


def _validity(values: dict[str, Any], current: PlanFee) -> tuple[date, date]:
    try:
        start = date.fromisoformat(str(values.get("valid_from") or current.valid_from.isoformat()))
        end = date.fromisoformat(str(values.get("valid_to") or current.valid_to.isoformat()))
    except ValueError:
        raise ProblemError("validation", "有效期应为日期，如 2025-01-01") from None
    if end < start:
        raise ProblemError("validation", "有效期结束不能早于有效期开始")
    return start, end


def _refuse_closed(campaign: Campaign) -> ProblemError:
    return ProblemError("fee_window_closed", f"本年度区局(产业)工会调整费用分担的时间为 {campaign.fee_window_start.isoformat()} 至 "
                                             f"{campaign.fee_window_end.isoformat()}")


def set_split(ctx: ServerContext, user: User, plan_type: str, values: dict[str, Any],
              plan_year: int | None = None) -> dict[str, Any]:
    """保存设置: the center's city-wide row, or a district's own split (inside the fee window)."""
    own, center = district_or_center(user)
    campaign = current_campaign(ctx, plan_year)
    if not center and not is_open(ctx, campaign, campaign.fee_window_start, campaign.fee_window_end):
        raise _refuse_closed(campaign)
    with write_tx():
        default = _fee_rows(campaign, None).get(plan_type)
        if default is None:
            raise ProblemError("validation", f"保障类型 {plan_type} 在 {campaign.plan_year} 年度没有费用标准")
        current = default if center else _fee_rows(campaign, own)[plan_type]
        before = {k: money(getattr(current, k)) for k in AMOUNTS}
        split = _parse(values, current, center)
        dropped = _save_city(campaign, default, split, _validity(values, current)) if center \
            else _save_district(campaign, own, default, split)
        after = {k: money(getattr(split, k)) for k in AMOUNTS}
        audit(ctx, "fee_split_set", user=user, union=own, entity="plan_fee", entity_key=f"{campaign.plan_year}:{plan_type}",
              detail={"plan_year": campaign.plan_year, "plan_type": plan_type, "before": before, "after": after,
                      "scope": "city" if center else "district", "dropped": dropped})
        if center:
            campaign.version += 1
            campaign.updated = ctx.now_naive()
            campaign.save()
    _publish(ctx, campaign, None if center else own)
    return {**show(ctx, user, campaign.plan_year), "saved": {"plan_type": plan_type, **after},
            "dropped_districts": dropped}


def _save_city(campaign: Campaign, default: PlanFee, split: FeeSplit, valid: tuple[date, date]) -> list[str]:
    """The city-wide row; districts' own splits that no longer add up to the fee are dropped."""
    for key in AMOUNTS:
        setattr(default, key, getattr(split, key))
    default.valid_from, default.valid_to = valid
    default.save()
    PlanFee.update(valid_from=valid[0], valid_to=valid[1]).where(
        (PlanFee.campaign == campaign) & (PlanFee.plan_type == default.plan_type) & PlanFee.union.is_null(False)).execute()
    stale = list(PlanFee.select(PlanFee, Union).join(Union).where(
        (PlanFee.campaign == campaign) & (PlanFee.plan_type == default.plan_type)
        & ((PlanFee.fee != split.fee) | (PlanFee.city != split.city))))
    PlanFee.delete().where(PlanFee.id.in_([r.id for r in stale] or [0])).execute()
    return [r.union.org_code for r in stale]


def _save_district(campaign: Campaign, own: Union, default: PlanFee, split: FeeSplit) -> list[str]:
    PlanFee.delete().where((PlanFee.campaign == campaign) & (PlanFee.plan_type == default.plan_type)
                           & (PlanFee.union == own)).execute()
    same = all(Decimal(getattr(default, k)) == getattr(split, k) for k in AMOUNTS)
    if not same:  # the city-wide values again: no row of its own
        PlanFee.create(campaign=campaign, union=own, plan_type=default.plan_type, fee=split.fee, city=split.city,
                       district=split.district, grassroots=split.grassroots, valid_from=default.valid_from,
                       valid_to=default.valid_to)
    return []


def _publish(ctx: ServerContext, campaign: Campaign, district: Union | None) -> None:
    """The campaign config, with each union's split, into the feeds of the unions it prices."""
    if district is None:
        from server.campaigns import publish_campaign

        publish_campaign(ctx, campaign)
        return
    config = campaign_config(campaign, district)  # every union below the district is priced alike
    ids = [u.id for u in Union.select(Union.id).where(Union.path.startswith(district.path)).order_by(Union.id)]
    for chunk in chunked(ids, 200):
        with write_tx():
            for union_id in chunk:
                emit_change(ctx, union_id, Entity.CAMPAIGN, str(campaign.plan_year), config)

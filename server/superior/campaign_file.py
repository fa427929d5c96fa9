"""The center's campaign set-up from a TOML file (SPEC §5.10, §6): `union-server campaign create
--file F.toml` and `campaign show`. Configuration, never constants.

    plan_year = 2025
    grace_seconds = 0                                     # optional
    union_categories = ["linked_enterprise"]              # optional
    [windows]                                             # Shanghai calendar days, inclusive
    fee_window = ["2024-10-25", "2024-10-31"]
    enrollment = ["2024-10-01", "2024-12-25"]             # grassroots submit and pay by the end
    submission_window = ["2024-12-26", "2024-12-31"]      # districts submit to the center
    voucher_deadline = "2025-01-10"                       # optional; default the window's end
    coverage = ["2025-01-01", "2025-12-31"]
    [bank_account]
    name = "…"  number = "…"  bank = "…"
    [half_year]                                           # optional
    enabled = true  from_month = 7  price_factor = "0.5"
    [plan_types.A]                                        # A, B, A_PLUS, B_PLUS
    fee = "26"  city = "13"  district = "13"  grassroots = "0"

Validated: every date a date, each window in order, the windows in the year's order, coverage
the plan year, every plan type's shares adding up to its fee (app.rules.fees). One campaign per
plan year: the same file again before the enrollment opens replaces it (version + 1); after
that it is refused — the clerks' PCs already work with it.
"""
from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from app.rules.codes import CATEGORY_LABELS, PlanType
from app.rules.eligibility import DEFAULT_UNION_CATEGORIES
from app.rules.fees import FeeSplit
from app.rules.problems import RuleError
from server.campaigns import campaign_config, publish_campaign, set_plan_fee, shanghai_today
from server.db import write_tx
from server.models import Campaign, PlanFee
from server.problems import ProblemError
from server.settings import ServerContext

PLAN_TYPES = tuple(str(p) for p in PlanType)


def _day(value: object, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ProblemError("validation", f"{where}：“{value}”不是日期（YYYY-MM-DD）") from None


def _span(windows: dict[str, Any], name: str) -> tuple[date, date]:
    pair = windows.get(name)
    if not isinstance(pair, list) or len(pair) != 2:
        raise ProblemError("validation", f"windows.{name} 应为 [开始日期, 结束日期]")
    first, last = _day(pair[0], f"windows.{name}"), _day(pair[1], f"windows.{name}")
    if last < first:
        raise ProblemError("validation", f"windows.{name} 的结束日期早于开始日期")
    return first, last


def _fees(raw: object) -> dict[str, FeeSplit]:
    if not isinstance(raw, dict) or not raw:
        raise ProblemError("validation", "plan_types 至少要有一个保障类型")
    out = {}
    for plan_type, split in raw.items():
        if plan_type not in PLAN_TYPES or not isinstance(split, dict):
            raise ProblemError("validation", f"保障类型 {plan_type} 无效，应为 {', '.join(PLAN_TYPES)}")
        try:
            fee = FeeSplit.from_strings(*(str(split.get(k, "")) for k in ("fee", "city", "district", "grassroots")))
        except RuleError as exc:
            raise ProblemError("validation", f"保障类型 {plan_type}：{exc.problem.message}") from None
        out[plan_type] = fee
    return out


def _categories(raw: object) -> list[str]:
    """`union_categories`: member categories the unions enroll (RULES.md "Who the union enrolls")."""
    if raw is None:
        return list(DEFAULT_UNION_CATEGORIES)
    if not isinstance(raw, list) or not raw or any(c not in CATEGORY_LABELS for c in raw):
        raise ProblemError("validation", "union_categories 应为非空列表，取值为 " + "、".join(CATEGORY_LABELS))
    return list(dict.fromkeys(str(c) for c in raw))


def read_campaign(text: str) -> dict[str, Any]:
    """The campaign a TOML text describes, validated (ProblemError validation otherwise)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProblemError("validation", f"TOML 格式错误：{exc}") from None
    year = raw.get("plan_year")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ProblemError("validation", "plan_year 应为年份，如 2025")
    windows = raw.get("windows") or {}
    fee, enroll = _span(windows, "fee_window"), _span(windows, "enrollment")
    submit, cover = _span(windows, "submission_window"), _span(windows, "coverage")
    voucher = _day(windows.get("voucher_deadline", submit[1].isoformat()), "windows.voucher_deadline")
    if cover != (date(year, 1, 1), date(year, 12, 31)):
        raise ProblemError("validation", f"coverage 应为 {year}-01-01 至 {year}-12-31")
    if not (fee[0] <= enroll[1] < submit[0] <= submit[1] <= voucher and fee[1] <= enroll[1]
            and enroll[1] < cover[0]):
        raise ProblemError("validation", "时间顺序不对：应为 费用设置 → 基层提交与缴费截止 → 区局提交 → 凭证截止，且都在保障年度开始之前")
    bank = raw.get("bank_account") or {}
    if not all(isinstance(bank.get(k), str) and bank[k].strip() for k in ("name", "number", "bank")):
        raise ProblemError("validation", "bank_account 需要 name、number、bank（户名、帐号、开户行）")
    categories = _categories(raw.get("union_categories"))
    return {"plan_year": year, "fee": fee, "enroll": enroll, "submit": submit, "voucher": voucher, "cover": cover,
            "bank": bank, "half_year": raw.get("half_year") or {}, "grace": int(raw.get("grace_seconds", 0)),
            "categories": categories, "fees": _fees(raw.get("plan_types"))}


def create_campaign(ctx: ServerContext, text: str) -> dict[str, Any]:
    """Create (or, before its enrollment opens, replace) the campaign; publish it to every union."""
    spec = read_campaign(text)
    with write_tx():
        campaign = Campaign.get_or_none(Campaign.plan_year == spec["plan_year"])
        if campaign is not None and shanghai_today(ctx) >= campaign.enrollment_start:
            raise ProblemError("validation", f"{spec['plan_year']}年度的参保活动已开始办理，不能再改")
        version = campaign.version + 1 if campaign is not None else 1
        fields = dict(
            plan_year=spec["plan_year"], fee_window_start=spec["fee"][0], fee_window_end=spec["fee"][1],
            enrollment_start=spec["enroll"][0], payment_deadline=spec["enroll"][1],
            submission_window_start=spec["submit"][0], submission_window_end=spec["submit"][1],
            voucher_deadline=spec["voucher"], coverage_start=spec["cover"][0], coverage_end=spec["cover"][1],
            grace_seconds=spec["grace"], bank_account_name=spec["bank"]["name"].strip(),
            bank_account_number=spec["bank"]["number"].strip(), bank_name=spec["bank"]["bank"].strip(),
            half_year=spec["half_year"], union_categories=spec["categories"], version=version,
            updated=ctx.now_naive())
        if campaign is None:
            campaign = Campaign.create(**fields)
        else:
            Campaign.update(**fields).where(Campaign.id == campaign.id).execute()
            campaign = Campaign.get_by_id(campaign.id)
            PlanFee.delete().where((PlanFee.campaign == campaign) & PlanFee.union.is_null()).execute()
        for plan_type, split in spec["fees"].items():
            set_plan_fee(campaign, plan_type, split.fee, split.city, split.district, split.grassroots)
    publish_campaign(ctx, campaign)
    return show_campaign(ctx, campaign.plan_year)


def show_campaign(ctx: ServerContext, plan_year: int | None) -> dict[str, Any]:
    from server.campaigns import current_campaign

    return campaign_config(current_campaign(ctx, plan_year), None)


def load(path: Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProblemError("validation", f"无法读取 {path}：{exc}") from None

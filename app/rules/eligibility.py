"""Who may be enrolled, in which channel, and which count of the wizard each member lands in
(SPEC.md §5.5, §5.7; RULES.md "Who the union enrolls", "Retirement answers").

Pure functions over a member given as a mapping of code values (the local row or the server's
record alike), so the client's lists and the server's check agree.

Each member gets exactly one reason (or None: eligible), tested in a fixed order, and each reason
belongs to exactly one count (`COUNT_OF_REASON`), so the counts of a channel add up to 会员总人数.
- Both channels first set aside members the union does not enroll: categories outside the
  campaign's `union_categories` (灵活就业类 / 企业外入会类 by default) go through 申工社 themselves.
- Card channel (会员卡参保): has a member card; then not already enrolled this plan year, not
  deceased, not recorded retired before Jan 1, not pending confirmation.
- SS channel (社保卡参保): its population is members without a member card holding a 身份证; then
  not enrolled, deceased or retired; then the SS card checked and normal (else 待校验); then
  employed, or confirmed by the clerk (else pending confirmation, which the clerk can settle).
A probable statutory retirement is a flag the clerk settles, not a silent exclusion.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from app.rules.codes import Category, EmploymentStatus, IdType, InsuranceStatus, LifeStatus, SsCardStatus

CHANNEL_CARD = "card"
CHANNEL_SS = "ss"
CHANNELS = (CHANNEL_CARD, CHANNEL_SS)

#: The categories a union enrolls unless the campaign says otherwise (manual §3.1.1, FAQ 6).
DEFAULT_UNION_CATEGORIES: tuple[str, ...] = (str(Category.LINKED_ENTERPRISE),)

#: Reason code → what a clerk reads.
REASONS = {
    "individual": "灵活就业/企业外入会会员，请其通过申工社个人办理",
    "deceased": "已死亡",
    "retired": "已退休（退休日期在保障年度开始前）",
    "pending_confirmation": "人保状态待确认，请先在“集中参保待确认名单”中确认",
    "no_card": "未办会员卡，需先办卡才可参保",
    "has_card": "已有会员卡，应通过会员卡参保",
    "not_mainland": "证件类型不是身份证，不能通过社保卡参保",
    "ss_unchecked": "待校验：尚未获取社保卡和就业状态",
    "ss_abnormal": "待校验：社保卡状态异常",
    "employment_unclear": "就业状态不明确，请先在“集中参保待确认名单”中确认",
    "enrolled": "本保障年度已参保",
    "retirement_unsettled": "可能已到法定退休年龄，请先确认是否仍在职",
}

#: Which count of the wizard a reason puts a member in; None is 可参保 ("eligible").
COUNT_OF_REASON: dict[str | None, str] = {
    "individual": "individual",
    "no_card": "no_card",
    "has_card": "has_card",
    "not_mainland": "not_mainland",
    "enrolled": "submitted",
    "deceased": "deceased",
    "retired": "retired",
    "pending_confirmation": "pending",
    "employment_unclear": "pending",
    "ss_unchecked": "awaiting_check",
    "ss_abnormal": "awaiting_check",
    None: "eligible",
}

#: The counts that split a channel's members, each member in exactly one.
PARTITION: dict[str, tuple[str, ...]] = {
    CHANNEL_CARD: ("individual", "no_card", "submitted", "deceased", "retired", "pending", "eligible"),
    CHANNEL_SS: ("individual", "has_card", "not_mainland", "submitted", "deceased", "retired", "awaiting_check",
                 "pending", "eligible"),
}

PENDING_REASONS = frozenset({"pending_confirmation", "employment_unclear"})


def union_categories(config: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The campaign's `union_categories`, or the default (关联企业类 only)."""
    value = (config or {}).get("union_categories")
    if not value:
        return DEFAULT_UNION_CATEGORIES
    return tuple(str(v) for v in value)


def individual_categories(categories: Iterable[str]) -> tuple[str, ...]:
    """The member categories a campaign's `union_categories` leaves out: those members get their
    protection individually (申工社), counted but never enrolled or billed by the union."""
    enrolled = {str(c) for c in categories}
    return tuple(str(c) for c in Category if str(c) not in enrolled)


def _value(member: Mapping[str, Any], name: str) -> Any:
    value = member.get(name)
    return str(value) if value is not None and not isinstance(value, (date, bool)) else value


def _as_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _retired_before(member: Mapping[str, Any], plan_start: date) -> bool:
    retired_on = _as_date(member.get("life_status_date") or member.get("retired_on"))
    if retired_on is None:
        return True  # recorded retired without a date: treat as retired
    return retired_on < plan_start


def _life_reason(member: Mapping[str, Any], plan_year: int) -> str | None:
    life = _value(member, "life_status") or LifeStatus.IN_SERVICE
    if life == LifeStatus.DECEASED:
        return "deceased"
    if life == LifeStatus.RETIRED and _retired_before(member, date(plan_year, 1, 1)):
        return "retired"
    return None


def ineligible_reason(member: Mapping[str, Any], *, channel: str, plan_year: int, enrolled: bool = False,
                      categories: Iterable[str] = DEFAULT_UNION_CATEGORIES) -> str | None:
    """The reason code why `member` cannot be enrolled in `channel` for `plan_year`, or None.

    Retirement flags are not checked here (see `retirement_standing`)."""
    category = _value(member, "category") or Category.LINKED_ENTERPRISE
    if category not in tuple(categories):
        return "individual"
    has_card = bool(member.get("card_no"))
    if channel == CHANNEL_CARD:
        if not has_card:
            return "no_card"
    else:
        if has_card:
            return "has_card"
        if (_value(member, "id_type") or IdType.MAINLAND) != IdType.MAINLAND:
            return "not_mainland"
    if enrolled:
        return "enrolled"
    life = _life_reason(member, plan_year)
    if life is not None:
        return life
    insurance = _value(member, "insurance_status")
    if channel == CHANNEL_SS:
        ss = _value(member, "ss_card_status")
        if ss is None:
            return "ss_unchecked"
        if ss != SsCardStatus.NORMAL:
            return "ss_abnormal"
    if insurance == InsuranceStatus.PENDING:
        return "pending_confirmation"
    if channel == CHANNEL_SS and _value(member, "employment_status") != EmploymentStatus.EMPLOYED \
            and insurance != InsuranceStatus.CONFIRMED:
        return "employment_unclear"
    return None


def confirmable(member: Mapping[str, Any], *, plan_year: int, enrolled: bool = False,
                categories: Iterable[str] = DEFAULT_UNION_CATEGORIES) -> bool:
    """Whether a confirmation (确认) would change the member's standing: they wait for one in a
    channel whose other conditions they meet. Nobody is listed for a confirmation that changes
    nothing (an SS card abnormal and no member card: 待校验 either way)."""
    categories = tuple(categories)
    return any(ineligible_reason(member, channel=c, plan_year=plan_year, enrolled=enrolled,
                                 categories=categories) in PENDING_REASONS for c in CHANNELS)


def retirement_standing(answer: str | None, retired_on: date | None, plan_year: int,
                        probably_retired: bool) -> str | None:
    """What the clerk's answer for this plan year (RULES.md "Retirement answers") makes of a flag:
    "retired" (retired before Jan 1 of the plan year: excluded, counted in 退休人数),
    "retirement_unsettled" (flagged, no answer yet: blocks submission) or None (not flagged,
    still working, or retired on or after Jan 1 — the plan covers them)."""
    if answer == "working":
        return None
    if answer == "retired":
        return "retired" if retired_on is None or retired_on < date(plan_year, 1, 1) else None
    return "retirement_unsettled" if probably_retired else None

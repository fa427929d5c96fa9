"""Who may be enrolled, in which channel, and the coverage they get (SPEC.md §5.5, §5.7, §5.8).

Pure functions over a member given as a mapping of code values (the local row or the server's
record alike), so the client's lists and the server's check agree.

Card channel (会员卡参保): has a member card, in service, not deceased, not recorded retired
before Jan 1 of the plan year, not pending confirmation, not enrolled this plan year anywhere.
SS channel (社保卡参保): no member card, a mainland ID, SS card normal, and employed — or
employment unclear but confirmed by the clerk; never checked or abnormal is 待校验.
A probable statutory retirement is a flag the clerk settles, not a silent exclusion.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from app.rules.codes import EmploymentStatus, IdType, InsuranceStatus, LifeStatus, SsCardStatus

CHANNEL_CARD = "card"
CHANNEL_SS = "ss"

#: Reason code → what a clerk reads.
REASONS = {
    "deceased": "已死亡",
    "retired": "已退休（退休日期在保障年度开始前）",
    "pending_confirmation": "人保状态待确认，请先在“集中参保待确认名单”中确认",
    "no_card": "未办会员卡，需先办卡才可参保",
    "has_card": "已有会员卡，应通过会员卡参保",
    "not_mainland": "证件类型不是身份证，不能通过社保卡参保",
    "ss_unchecked": "待校验：尚未获取社保卡和就业状态",
    "ss_abnormal": "待校验：社保卡状态异常",
    "employment_unclear": "就业状态不明确，请先确认",
    "enrolled": "本保障年度已参保",
    "retirement_unsettled": "可能已到法定退休年龄，请先确认是否仍在职",
    "retired_confirmed": "经办人已确认退休",
}


def _value(member: Mapping[str, Any], name: str) -> Any:
    value = member.get(name)
    return str(value) if value is not None and not isinstance(value, (date, bool)) else value


def _retired_before(member: Mapping[str, Any], plan_start: date) -> bool:
    retired_on = member.get("life_status_date") or member.get("retired_on")
    if retired_on is None or retired_on == "":
        return True  # recorded retired without a date: treat as retired
    if not isinstance(retired_on, date):
        retired_on = date.fromisoformat(str(retired_on)[:10])
    return retired_on < plan_start


def ineligible_reason(member: Mapping[str, Any], *, channel: str, plan_year: int, enrolled: bool = False) -> str | None:
    """The reason code why `member` cannot be enrolled in `channel` for `plan_year`, or None.

    Retirement flags are not checked here (see `retirement_reason`).
    """
    plan_start = date(plan_year, 1, 1)
    life = _value(member, "life_status") or LifeStatus.IN_SERVICE
    if life == LifeStatus.DECEASED:
        return "deceased"
    if life == LifeStatus.RETIRED and _retired_before(member, plan_start):
        return "retired"
    if _value(member, "insurance_status") == InsuranceStatus.PENDING:
        return "pending_confirmation"
    if enrolled:
        return "enrolled"
    has_card = bool(member.get("card_no"))
    if channel == CHANNEL_CARD:
        return None if has_card else "no_card"
    if has_card:
        return "has_card"
    if (_value(member, "id_type") or IdType.MAINLAND) != IdType.MAINLAND:
        return "not_mainland"
    ss = _value(member, "ss_card_status")
    if ss is None:
        return "ss_unchecked"
    if ss != SsCardStatus.NORMAL:
        return "ss_abnormal"
    if _value(member, "employment_status") != EmploymentStatus.EMPLOYED \
            and _value(member, "insurance_status") != InsuranceStatus.CONFIRMED:
        return "employment_unclear"
    return None


def retirement_reason(member: Mapping[str, Any], probably_retired: bool) -> str | None:
    """A probable retirement blocks submission until the clerk settles it."""
    answer = member.get("retirement_confirmation")
    if answer == "working":
        return None
    if answer == "retired":
        return "retired_confirmed"
    return "retirement_unsettled" if probably_retired else None


@dataclass(frozen=True)
class Coverage:
    start: date
    end: date
    period: str  # "full" (全年) or "half" (半年)

    @property
    def period_label(self) -> str:
        return "全年" if self.period == "full" else "半年"


def central_coverage(plan_year: int) -> Coverage:
    """集中参保: Jan 1 – Dec 31 of the plan year."""
    return Coverage(date(plan_year, 1, 1), date(plan_year, 12, 31), "full")


def instant_coverage(plan_year: int, confirmed_on: date, half_year: Mapping[str, Any] | None = None) -> Coverage:
    """即时参保: from the day after the superior union confirms to Dec 31 of the plan year; 半年
    when the campaign has half-year pricing and the start falls in or after its first month."""
    start = max(confirmed_on + timedelta(days=1), date(plan_year, 1, 1))
    end = date(plan_year, 12, 31)
    period = "full"
    if half_year and half_year.get("enabled") and start.month >= int(half_year.get("from_month", 7)):
        period = "half"
    return Coverage(start, end, period)

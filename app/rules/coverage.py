"""Whose "today", and the coverage a batch gets (RULES.md "Fees", SPEC.md §5.5, §5.8).

Every business date is a Shanghai calendar date: the day a batch is received, the date a notice is
signed, the day a window closes. The server decides coverage from the Shanghai date on which it
received a batch; a client computes the same thing as a display copy (and the server refuses a copy
that disagrees). Pure functions: the moment is always passed in.

集中参保 covers Jan 1 – Dec 31 of the plan year, always 全年. 即时参保 covers the day after 办理参保日
(the day the server received the batch) to Dec 31; a batch received before the plan year starts
covers from Jan 1. Whether a late start is priced 半年 is campaign config (`HalfYearRule`).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from app.rules.fees import PERIOD_FULL, PERIOD_HALF
from app.rules.problems import fail

#: China Standard Time has had no daylight saving since 1991: a fixed offset is exact and needs no
#: tz database (absent on many Windows PCs).
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")

KIND_CENTRAL = "central"  # 集中参保
KIND_INSTANT_CARDED = "instant_carded"  # 有卡无保人员即时参保
KIND_INSTANT_NEW_CARD = "instant_new_card"  # 新办卡人员即时参保
KINDS = (KIND_CENTRAL, KIND_INSTANT_CARDED, KIND_INSTANT_NEW_CARD)


def shanghai_date(moment: datetime) -> date:
    """The Shanghai calendar date of an aware moment (a naive one is refused: whose clock is it?)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("shanghai_date needs an aware datetime")
    return moment.astimezone(SHANGHAI).date()


def shanghai_today() -> date:
    """Today in Shanghai by this machine's clock (a PC on UTC still gets the Shanghai date)."""
    return shanghai_date(datetime.now(timezone.utc))


def default_plan_year(today: date) -> int:
    """The plan year being prepared on `today`: central enrollment for next year runs from September."""
    return today.year + 1 if today.month >= 9 else today.year


@dataclass(frozen=True)
class HalfYearRule:
    """半年 pricing: coverage starting on or after `starts` (month, day) of the plan year is priced
    at `factor` of the full fee. Disabled when the campaign has none."""

    enabled: bool = False
    starts: tuple[int, int] = (7, 1)
    factor: Decimal = Decimal("0.5")

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None) -> HalfYearRule:
        """From the campaign's `half_year` object: {"enabled", "from_date": "07-01" | "from_month": 7,
        "price_factor": "0.5"}."""
        if not config or not config.get("enabled"):
            return cls()
        raw = config.get("from_date")
        try:
            if raw:
                month, day = (int(x) for x in str(raw)[-5:].split("-"))
            else:
                month, day = int(config.get("from_month", 7)), 1
            date(2000, month, day)  # a leap year: 02-29 is a real start
            factor = Decimal(str(config.get("price_factor", config.get("factor", "0.5"))))
        except (ValueError, TypeError, InvalidOperation):
            raise fail("half_year_config", f"参保活动的半年保障配置无效：{dict(config)}。请联系职保中心。") from None
        if not factor.is_finite() or not Decimal(0) < factor <= Decimal(1):
            raise fail("half_year_config", f"参保活动的半年保障系数“{factor}”无效，应在0到1之间。请联系职保中心。")
        return cls(True, (month, day), factor)

    @property
    def price_factor(self) -> Decimal | None:
        """The factor `fees.row_price` applies to a 半年 row, or None when there is no 半年."""
        return self.factor if self.enabled else None

    def period(self, plan_year: int, start: date) -> str:
        if not self.enabled:
            return PERIOD_FULL
        month, day = self.starts
        if month == 2 and day == 29 and plan_year % 4:
            month, day = 3, 1
        return PERIOD_HALF if start >= date(plan_year, month, day) else PERIOD_FULL


@dataclass(frozen=True)
class Coverage:
    start: date
    end: date
    period: str  # "full" (全年) or "half" (半年)

    @property
    def period_label(self) -> str:
        return "全年" if self.period == PERIOD_FULL else "半年"


def central_coverage(plan_year: int) -> Coverage:
    """集中参保: Jan 1 – Dec 31 of the plan year."""
    return Coverage(date(plan_year, 1, 1), date(plan_year, 12, 31), PERIOD_FULL)


def instant_coverage(plan_year: int, received_on: date, half_year: HalfYearRule | None = None) -> Coverage:
    """即时参保: from the day after `received_on` (办理参保日, a Shanghai date) to Dec 31 of the plan year."""
    start = max(received_on + timedelta(days=1), date(plan_year, 1, 1))
    end = date(plan_year, 12, 31)
    if start > end:
        raise fail("coverage_after_year",
                   f"{received_on.isoformat()}办理的即时参保已无法在{plan_year}年度内起保（保障期至{end.isoformat()}止）。"
                   f"请办理下一保障年度的参保。")
    return Coverage(start, end, (half_year or HalfYearRule()).period(plan_year, start))


def coverage_for(kind: str, plan_year: int, received_on: date, half_year: HalfYearRule | None = None) -> Coverage:
    """The coverage of a batch of `kind` received (or, for a display copy, to be received) on
    `received_on`: what the server decides and the client shows."""
    if kind == KIND_CENTRAL:
        return central_coverage(plan_year)
    if kind not in KINDS:
        raise fail("kind_unknown", f"参保类型“{kind}”无效。")
    return instant_coverage(plan_year, received_on, half_year)

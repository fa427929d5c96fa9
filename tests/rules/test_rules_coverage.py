"""Coverage dates, 全年/半年, Shanghai dates and the one pricing function (RULES.md "Fees")."""
from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from app.rules.coverage import (
    HalfYearRule,
    central_coverage,
    coverage_for,
    default_plan_year,
    instant_coverage,
    shanghai_date,
    shanghai_today,
)
from app.rules.fees import FeeSplit, FeeTotals, batch_totals, roster_totals, row_price
from app.rules.problems import RuleError

SPLIT_26 = FeeSplit.from_strings("26", "13", "13", "0")
HALF = HalfYearRule.from_config({"enabled": True, "from_month": 7, "price_factor": "0.5"})


def test_central_coverage_is_the_whole_plan_year() -> None:
    c = coverage_for("central", 2025, date(2024, 10, 29), HALF)
    assert c == central_coverage(2025)
    assert (c.start, c.end, c.period_label) == (date(2025, 1, 1), date(2025, 12, 31), "全年")
    # A central batch is always 全年, whenever it arrives.
    assert coverage_for("central", 2025, date(2025, 8, 1), HALF).period == "full"


def test_instant_coverage_starts_the_day_after_receipt() -> None:
    i = instant_coverage(2025, date(2025, 3, 10), HALF)
    assert (i.start, i.end, i.period) == (date(2025, 3, 11), date(2025, 12, 31), "full")
    half = coverage_for("instant_carded", 2025, date(2025, 6, 30), HALF)
    assert (half.start, half.period_label) == (date(2025, 7, 1), "半年")
    assert coverage_for("instant_new_card", 2025, date(2025, 6, 29), HALF).period == "full"
    # Received before the plan year starts: covered from Jan 1.
    assert instant_coverage(2025, date(2024, 12, 20), HALF).start == date(2025, 1, 1)
    with pytest.raises(RuleError) as caught:
        instant_coverage(2025, date(2025, 12, 31), HALF)
    assert caught.value.code == "coverage_after_year"


def test_half_year_rule_from_config() -> None:
    assert not HalfYearRule.from_config(None).enabled
    assert HalfYearRule.from_config({"enabled": False, "from_month": 7}).price_factor is None
    rule = HalfYearRule.from_config({"enabled": True, "from_date": "2025-07-15", "price_factor": "0.6"})
    assert rule.starts == (7, 15) and rule.factor == Decimal("0.6")
    assert rule.period(2025, date(2025, 7, 14)) == "full" and rule.period(2025, date(2025, 7, 15)) == "half"
    for bad in ({"enabled": True, "from_month": 13}, {"enabled": True, "price_factor": "2"},
                {"enabled": True, "price_factor": "x"}):
        with pytest.raises(RuleError):
            HalfYearRule.from_config(bad)


def test_shanghai_date_of_a_moment() -> None:
    """Defect 11: a PC on UTC dated a notice 2026-11-30 while Shanghai was on 12-01."""
    late_utc = datetime(2026, 11, 30, 20, 0, tzinfo=timezone.utc)
    assert shanghai_date(late_utc) == date(2026, 12, 1)
    assert shanghai_date(datetime(2026, 12, 1, 0, 0, tzinfo=timezone(timedelta(hours=8)))) == date(2026, 12, 1)
    with pytest.raises(ValueError):
        shanghai_date(datetime(2026, 12, 1))


def test_shanghai_today_on_a_pc_set_to_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        expected = (datetime.now(timezone.utc) + timedelta(hours=8)).date()
        assert shanghai_today() == expected
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_default_plan_year() -> None:
    assert default_plan_year(date(2024, 8, 31)) == 2024
    assert default_plan_year(date(2024, 9, 1)) == 2025


def test_a_roster_is_priced_row_by_row() -> None:
    """Defect 5: 重新下载 billed a 半年 member at the full price (156 vs 130 for 5 + 1 rows)."""
    periods = ["full"] * 5 + ["half"]
    totals = roster_totals(periods, SPLIT_26, HALF.price_factor)
    assert totals == FeeTotals(6, Decimal("143.00"), Decimal("71.50"), Decimal("71.50"), Decimal("0.00"))
    assert totals.fee == sum(row_price(SPLIT_26, p, HALF.price_factor).fee for p in periods)
    assert roster_totals(["full"] * 53, SPLIT_26) == batch_totals(53, SPLIT_26)
    assert batch_totals(53, SPLIT_26).fee == Decimal("1378.00")
    with pytest.raises(RuleError) as caught:
        roster_totals(["half"], SPLIT_26, None)
    assert caught.value.code == "half_year_disabled"


def test_half_price_of_an_odd_share_rounds_each_share_and_still_adds_up() -> None:
    split = FeeSplit.from_strings("25", "12.5", "12.5", "0")
    half = row_price(split, "half", Decimal("0.5"))
    assert (half.city, half.district, half.fee) == (Decimal("6.25"), Decimal("6.25"), Decimal("12.50"))
    half.validate()

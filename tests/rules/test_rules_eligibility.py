"""Eligibility per channel, retirement flags and coverage periods."""
from __future__ import annotations

from datetime import date

import pytest

from app.rules.eligibility import (
    CHANNEL_CARD,
    CHANNEL_SS,
    REASONS,
    central_coverage,
    ineligible_reason,
    instant_coverage,
    retirement_reason,
)

CARDED = {"card_no": "6231000000000000001", "id_type": "mainland", "life_status": "in_service",
          "insurance_status": "paid"}
UNCARDED = {"card_no": None, "id_type": "mainland", "life_status": "in_service", "insurance_status": "paid",
            "ss_card_status": "normal", "employment_status": "employed"}


@pytest.mark.parametrize("changes, channel, reason", [
    ({}, CHANNEL_CARD, None),
    ({"card_no": None}, CHANNEL_CARD, "no_card"),
    ({"life_status": "deceased"}, CHANNEL_CARD, "deceased"),
    ({"life_status": "retired", "life_status_date": date(2024, 12, 31)}, CHANNEL_CARD, "retired"),
    ({"life_status": "retired", "life_status_date": date(2025, 1, 1)}, CHANNEL_CARD, None),  # retires in the year
    ({"life_status": "retired", "life_status_date": None}, CHANNEL_CARD, "retired"),
    ({"insurance_status": "pending"}, CHANNEL_CARD, "pending_confirmation"),
    ({"insurance_status": "confirmed"}, CHANNEL_CARD, None),
    ({}, CHANNEL_SS, "has_card"),
])
def test_card_member(changes, channel, reason) -> None:
    assert ineligible_reason({**CARDED, **changes}, channel=channel, plan_year=2025) == reason


@pytest.mark.parametrize("changes, reason", [
    ({}, None),
    ({"id_type": "passport"}, "not_mainland"),
    ({"ss_card_status": None}, "ss_unchecked"),
    ({"ss_card_status": "sealed"}, "ss_abnormal"),
    ({"ss_card_status": "reported_lost"}, "ss_abnormal"),
    ({"ss_card_status": "locked"}, "ss_abnormal"),
    ({"ss_card_status": "cancelled"}, "ss_abnormal"),
    ({"ss_card_status": "unknown"}, "ss_abnormal"),
    ({"employment_status": "unknown"}, "employment_unclear"),
    ({"employment_status": "unknown", "insurance_status": "confirmed"}, None),
    ({"employment_status": "unknown", "insurance_status": "pending"}, "pending_confirmation"),
])
def test_ss_member(changes, reason) -> None:
    assert ineligible_reason({**UNCARDED, **changes}, channel=CHANNEL_SS, plan_year=2025) == reason


def test_enrolled_anywhere_is_refused_in_both_channels() -> None:
    assert ineligible_reason(CARDED, channel=CHANNEL_CARD, plan_year=2025, enrolled=True) == "enrolled"
    assert ineligible_reason(UNCARDED, channel=CHANNEL_SS, plan_year=2025, enrolled=True) == "enrolled"


def test_retirement_flag_must_be_settled() -> None:
    assert retirement_reason({}, probably_retired=True) == "retirement_unsettled"
    assert retirement_reason({"retirement_confirmation": "working"}, probably_retired=True) is None
    assert retirement_reason({"retirement_confirmation": "retired"}, probably_retired=True) == "retired_confirmed"
    assert retirement_reason({}, probably_retired=False) is None


def test_reasons_are_all_worded() -> None:
    assert all(REASONS.values())


def test_coverage() -> None:
    c = central_coverage(2025)
    assert (c.start, c.end, c.period_label) == (date(2025, 1, 1), date(2025, 12, 31), "全年")
    i = instant_coverage(2025, date(2025, 3, 10))
    assert (i.start, i.end, i.period) == (date(2025, 3, 11), date(2025, 12, 31), "full")
    half = instant_coverage(2025, date(2025, 7, 5), {"enabled": True, "from_month": 7})
    assert (half.start, half.period_label) == (date(2025, 7, 6), "半年")
    early = instant_coverage(2025, date(2024, 12, 20))
    assert early.start == date(2025, 1, 1)

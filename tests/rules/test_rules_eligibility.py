"""Eligibility per channel, the count each member lands in, confirmations and retirement answers."""
from __future__ import annotations

from datetime import date

import pytest

from app.rules.eligibility import (
    CHANNEL_CARD,
    CHANNEL_SS,
    COUNT_OF_REASON,
    DEFAULT_UNION_CATEGORIES,
    PARTITION,
    REASONS,
    confirmable,
    individual_categories,
    ineligible_reason,
    retirement_standing,
    union_categories,
)

CARDED = {"card_no": "6231000000000000001", "id_type": "mainland", "life_status": "in_service",
          "insurance_status": "paid", "category": "linked_enterprise"}
UNCARDED = {"card_no": None, "id_type": "mainland", "life_status": "in_service", "insurance_status": "paid",
            "ss_card_status": "normal", "employment_status": "employed", "category": "linked_enterprise"}


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
    ({"life_status": "deceased"}, CHANNEL_SS, "has_card"),  # not the SS population: not an SS count
])
def test_card_member(changes, channel, reason) -> None:
    assert ineligible_reason({**CARDED, **changes}, channel=channel, plan_year=2025) == reason


@pytest.mark.parametrize("changes, reason", [
    ({}, None),
    ({"id_type": "passport"}, "not_mainland"),
    ({"id_type": "passport", "life_status": "deceased"}, "not_mainland"),
    ({"ss_card_status": None}, "ss_unchecked"),
    ({"ss_card_status": "sealed"}, "ss_abnormal"),
    ({"ss_card_status": "reported_lost"}, "ss_abnormal"),
    ({"ss_card_status": "locked"}, "ss_abnormal"),
    ({"ss_card_status": "cancelled"}, "ss_abnormal"),
    ({"ss_card_status": "unknown"}, "ss_abnormal"),
    ({"ss_card_status": "sealed", "insurance_status": "pending"}, "ss_abnormal"),
    ({"employment_status": "unknown"}, "employment_unclear"),
    ({"employment_status": "unknown", "insurance_status": "confirmed"}, None),
    ({"employment_status": "unknown", "insurance_status": "pending"}, "pending_confirmation"),
])
def test_ss_member(changes, reason) -> None:
    assert ineligible_reason({**UNCARDED, **changes}, channel=CHANNEL_SS, plan_year=2025) == reason


def test_enrolled_anywhere_is_refused_in_both_channels() -> None:
    assert ineligible_reason(CARDED, channel=CHANNEL_CARD, plan_year=2025, enrolled=True) == "enrolled"
    assert ineligible_reason(UNCARDED, channel=CHANNEL_SS, plan_year=2025, enrolled=True) == "enrolled"


@pytest.mark.parametrize("category", ["flexible", "outside_enterprise"])
@pytest.mark.parametrize("member, channel", [(CARDED, CHANNEL_CARD), (UNCARDED, CHANNEL_SS)])
def test_flexible_and_outside_enterprise_members_go_through_shengongshe(category, member, channel) -> None:
    """Defect 2: 灵活就业类 / 企业外入会类 members were enrolled (and billed) centrally."""
    member = {**member, "category": category}
    assert ineligible_reason(member, channel=channel, plan_year=2025) == "individual"
    assert "申工社" in REASONS["individual"]
    # The campaign may widen the categories without a code change.
    widened = union_categories({"union_categories": ["linked_enterprise", category]})
    assert ineligible_reason(member, channel=channel, plan_year=2025, categories=widened) is None


def test_union_categories_default_to_linked_enterprise() -> None:
    assert union_categories({}) == union_categories(None) == DEFAULT_UNION_CATEGORIES == ("linked_enterprise",)
    assert ineligible_reason({**CARDED, "category": None}, channel=CHANNEL_CARD, plan_year=2025) is None


@pytest.mark.parametrize("enrolled, left", [
    (DEFAULT_UNION_CATEGORIES, ("flexible", "outside_enterprise")),
    (("linked_enterprise", "flexible"), ("outside_enterprise",)),
    (("outside_enterprise", "linked_enterprise", "flexible"), ()),
])
def test_individual_categories_are_those_the_campaign_leaves_out(enrolled, left) -> None:
    assert individual_categories(enrolled) == left


def test_normal_ss_card_with_unclear_employment_can_be_confirmed() -> None:
    """Defect 7: SS normal + employment unclear + insurance paid was neither confirmable nor counted."""
    stuck = {**UNCARDED, "employment_status": "unknown"}
    assert COUNT_OF_REASON[ineligible_reason(stuck, channel=CHANNEL_SS, plan_year=2025)] == "pending"
    assert confirmable(stuck, plan_year=2025)
    confirmed = {**stuck, "insurance_status": "confirmed"}
    assert ineligible_reason(confirmed, channel=CHANNEL_SS, plan_year=2025) is None


def test_nobody_is_listed_for_a_confirmation_that_changes_nothing() -> None:
    """Defect 7: an abnormal SS card and no member card: 待校验 before and after confirming."""
    abnormal = {**UNCARDED, "ss_card_status": "sealed", "insurance_status": "pending"}
    assert not confirmable(abnormal, plan_year=2025)
    assert confirmable({**CARDED, "insurance_status": "pending"}, plan_year=2025)
    assert not confirmable({**CARDED, "insurance_status": "pending", "life_status": "deceased"}, plan_year=2025)
    assert not confirmable({**CARDED, "insurance_status": "pending"}, plan_year=2025, enrolled=True)
    assert not confirmable({**CARDED, "insurance_status": "pending", "category": "flexible"}, plan_year=2025)


def test_every_reason_has_a_count_and_the_partitions_cover_them() -> None:
    assert set(REASONS) - {"retirement_unsettled"} <= {r for r in COUNT_OF_REASON if r}
    for channel in (CHANNEL_CARD, CHANNEL_SS):
        assert len(set(PARTITION[channel])) == len(PARTITION[channel])
    assert set(COUNT_OF_REASON.values()) == set(PARTITION[CHANNEL_CARD]) | set(PARTITION[CHANNEL_SS])


@pytest.mark.parametrize("answer, retired_on, flagged, standing", [
    (None, None, True, "retirement_unsettled"),
    (None, None, False, None),
    ("working", None, True, None),
    ("retired", date(2024, 10, 15), True, "retired"),
    # Defect 4: the plan covers members retired on or after Jan 1 ("1月1日前（不含当日）").
    ("retired", date(2025, 1, 1), True, None),
    ("retired", date(2025, 3, 1), True, None),
])
def test_retirement_standing(answer, retired_on, flagged, standing) -> None:
    assert retirement_standing(answer, retired_on, 2025, flagged) == standing


def test_reasons_are_all_worded() -> None:
    assert all(REASONS.values())

"""Fees and their split (RULES.md "Fees", SPEC.md §9 figures)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from app.rules.fees import FeeSplit, FeeTotals, batch_totals, district_notice_amount, format_yuan, parse_yuan
from app.rules.problems import RuleError

SPLIT_26 = FeeSplit.from_strings("26", "13", "13", "0")


@pytest.mark.parametrize(
    ("count", "fee", "city", "district", "grassroots"),
    [
        (53, "1378", "689", "689", "0"),
        (36, "936", "468", "468", "0"),
        (2, "52", "26", "26", "0"),
        (0, "0", "0", "0", "0"),
    ],
)
def test_manual_batch_figures(count: int, fee: str, city: str, district: str, grassroots: str) -> None:
    totals = batch_totals(count, SPLIT_26)
    assert totals == FeeTotals(count, Decimal(fee), Decimal(city), Decimal(district), Decimal(grassroots))
    assert totals.fee == Decimal(fee).quantize(Decimal("0.01"))
    assert str(totals.fee).endswith(".00")
    assert [format_yuan(x) for x in (totals.fee, totals.city, totals.district, totals.grassroots)] == [
        fee, city, district, grassroots]


def test_district_notice_example() -> None:
    amount = district_notice_amount({"A": 9988}, {"A": SPLIT_26})
    assert amount == Decimal("129844.00")
    assert str(amount) == "129844.00"
    assert format_yuan(amount) == "129844"


def test_district_notice_sums_district_and_grassroots_over_plan_types() -> None:
    splits = {
        "A": FeeSplit.from_strings("26", "13", "13", "0"),
        "B": FeeSplit.from_strings("52.50", "26.00", "20.25", "6.25"),
    }
    amount = district_notice_amount({"A": 10, "B": 3, "A_PLUS": 0}, splits)
    assert amount == Decimal("130") + Decimal("26.50") * 3


def test_district_notice_needs_a_split_for_every_counted_plan() -> None:
    with pytest.raises(RuleError) as caught:
        district_notice_amount({"B": 1}, {"A": SPLIT_26})
    assert caught.value.problem.code == "fee_plan_missing"


@pytest.mark.parametrize(
    ("values", "code"),
    [
        (("26", "13", "12", "0"), "fee_split_mismatch"),
        (("26", "13", "13", "0.01"), "fee_split_mismatch"),
        (("26", "30", "-4", "0"), "fee_negative"),
        (("26", "13", "13", "abc"), "amount_format"),
        (("26", "13.005", "12.995", "0"), "amount_precision"),
        (("NaN", "13", "13", "0"), "amount_format"),
    ],
)
def test_invalid_splits(values: tuple[str, str, str, str], code: str) -> None:
    with pytest.raises(RuleError) as caught:
        FeeSplit.from_strings(*values)
    assert caught.value.problem.code == code


def test_validate_on_a_directly_built_split() -> None:
    FeeSplit(Decimal("26"), Decimal("13"), Decimal("13"), Decimal("0")).validate()
    with pytest.raises(RuleError):
        FeeSplit(Decimal("26"), Decimal("13"), Decimal("12"), Decimal("0")).validate()
    with pytest.raises(RuleError):
        batch_totals(1, FeeSplit(Decimal("26"), Decimal("13"), Decimal("12"), Decimal("0")))


@pytest.mark.parametrize(
    ("value", "expected"),
    [("13", "13.00"), ("13.5", "13.50"), ("１３．００", "13.00"), ("1,378.00", "1378.00"), ("26元", "26.00"),
     (26, "26.00"), (13.1, "13.10"), (Decimal("0.3"), "0.30")],
)
def test_parse_yuan(value: object, expected: str) -> None:
    assert parse_yuan(value) == Decimal(expected)
    assert str(parse_yuan(value)) == expected


def test_no_float_rounding_error() -> None:
    split = FeeSplit.from_strings(0.3, 0.1, 0.1, 0.1)  # 0.1 + 0.1 + 0.1 != 0.3 in float
    assert batch_totals(3, split).fee == Decimal("0.90")


@pytest.mark.parametrize("count", [-1, True, 1.0])
def test_count_must_be_a_non_negative_int(count: object) -> None:
    with pytest.raises(RuleError):
        batch_totals(count, SPLIT_26)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "text"),
    [(Decimal("1378"), "1378"), (Decimal("1378.00"), "1378"), (Decimal("12.5"), "12.50"), (Decimal("0.05"), "0.05"),
     (Decimal("0"), "0"), (Decimal("129844.00"), "129844"), (Decimal("-12.50"), "-12.50")],
)
def test_format_yuan(amount: Decimal, text: str) -> None:
    assert format_yuan(amount) == text

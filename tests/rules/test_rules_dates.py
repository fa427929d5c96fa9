"""Dates as typed or stored by Excel, and ID card expiry values (SPEC.md §4)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rules.dates import LONG_TERM, format_expiry, parse_date, parse_expiry
from app.rules.problems import RuleError

D = date(2033, 1, 1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D, D),
        (datetime(2033, 1, 1, 15, 30), D),
        ("2033-01-01", D),
        ("2033/1/1", D),
        ("2033/01/01", D),
        ("2033-1-1", D),
        ("20330101", D),
        ("2033.01.01", D),
        ("2033.1.1", D),
        ("2033年1月1日", D),
        ("2033年01月01日", D),
        ("2033年1月1号", D),
        ("2033年1月1", D),
        ("2033 年 1 月 1 日", D),
        ("２０３３－０１－０１", D),
        ("２０３３年１月１日", D),
        ("２０３３．１．１", D),
        ("  2033-01-01  ", D),
        ("2033-01-01 00:00:00", D),
        ("2033-01-01T00:00", D),
        ("2033/1/1 8:05", D),
        (20330101, D),
        (20330101.0, D),
        (48580, D),  # Excel serial of 2033-01-01
        (48580.75, D),  # with a time of day
        ("48580", D),
        ("48580.0", D),
        (Decimal("48580"), D),
        (1, date(1900, 1, 1)),
        (59, date(1900, 2, 28)),
        (61, date(1900, 3, 1)),
        (45658, date(2025, 1, 1)),
        ("1", date(1900, 1, 1)),
        (99999, date(2173, 10, 13)),
        ("2024-02-29", date(2024, 2, 29)),
    ],
)
def test_accepted(value: object, expected: date) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("2033-02-30", "date_invalid"),
        ("2033-13-01", "date_invalid"),
        ("2033-00-10", "date_invalid"),
        ("20331301", "date_invalid"),
        ("20330230", "date_invalid"),
        ("2033年2月30日", "date_invalid"),
        ("2023-02-29", "date_invalid"),
        ("2033.1.32", "date_invalid"),
        (60, "date_invalid"),  # Excel's phantom 1900-02-29
        ("60", "date_invalid"),
        (None, "date_format"),
        ("", "date_format"),
        ("abc", "date_format"),
        ("2033-1/1", "date_format"),
        ("33-1-1", "date_format"),
        ("1/1/2033", "date_format"),
        ("2033-01", "date_format"),
        ("2033010", "date_format"),
        ("203301011", "date_format"),
        ("100000", "date_format"),
        ("1.5", "date_format"),
        (0, "date_format"),
        (-5, "date_format"),
        (100000, "date_format"),
        (True, "date_format"),
        (float("nan"), "date_format"),
        (float("inf"), "date_format"),
        ("长期", "date_format"),
    ],
)
def test_rejected(value: object, code: str) -> None:
    with pytest.raises(RuleError) as caught:
        parse_date(value)
    assert caught.value.problem.code == code


def test_format_message_lists_the_accepted_forms() -> None:
    with pytest.raises(RuleError) as caught:
        parse_date("next year")
    for form in ("2033-01-01", "2033/1/1", "20330101", "2033.01.01"):
        assert form in str(caught.value)


@given(st.dates(min_value=date(1900, 3, 1), max_value=date(2173, 10, 13)))
def test_excel_serials_after_the_leap_bug(day: date) -> None:
    serial = (day - date(1899, 12, 30)).days
    assert parse_date(serial) == day
    assert parse_date(str(serial)) == day


@given(st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)))
def test_iso_round_trip(day: date) -> None:
    assert parse_date(day.isoformat()) == day
    assert parse_date(f"{day.year}年{day.month}月{day.day}日") == day
    assert parse_date(f"{day.year}/{day.month}/{day.day}") == day


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("长期", LONG_TERM),
        (" 长期 ", LONG_TERM),
        ("长期有效", LONG_TERM),
        ("永久", LONG_TERM),
        ("long-term", LONG_TERM),
        ("Long Term", LONG_TERM),
        ("2033-01-01", D),
        (48580, D),
        (D, D),
        ("2013.01.01-2033.01.01", D),  # validity period as printed on the card
        ("2013.01.01-长期", LONG_TERM),
        ("20130101至20330101", D),
    ],
)
def test_parse_expiry(value: object, expected: date | str) -> None:
    assert parse_expiry(value) == expected


@pytest.mark.parametrize(("value", "code"), [(None, "expiry_missing"), ("  ", "expiry_missing"),
                                             ("短期", "date_format"), ("2033-02-30", "date_invalid")])
def test_parse_expiry_rejects(value: object, code: str) -> None:
    with pytest.raises(RuleError) as caught:
        parse_expiry(value)
    assert caught.value.problem.code == code


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, ""), ("", ""), (D, "2033-01-01"), (LONG_TERM, "长期"), ("长期有效", "长期"), ("2033/1/1", "2033-01-01")],
)
def test_format_expiry(value: date | str | None, expected: str) -> None:
    assert format_expiry(value) == expected

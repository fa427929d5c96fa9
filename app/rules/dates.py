"""Dates as clerks type them or Excel stores them (SPEC.md §4 id_expiry), always stored as ISO.

Excel's 1900 date system counts days from 1900-01-01 = 1 and, copying Lotus 1-2-3, believes in a
1900-02-29 (serial 60); serials after it are therefore one day off from a plain count.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

from app.rules.normalize import compact, normalize_text
from app.rules.problems import fail

LONG_TERM = "长期"

# What a clerk may write for a long-term (长期) ID card, compared after normalisation, lower-cased,
# with spaces removed.
LONG_TERM_SPELLINGS: frozenset[str] = frozenset(
    {"长期", "长期有效", "永久", "永久有效", "long-term", "longterm", "long_term"}
)

ACCEPTED_FORMS = "2033-01-01、2033/1/1、2033-1-1、20330101、2033.01.01、2033年1月1日 或 Excel 日期"

_EXCEL_LEAP_BUG_SERIAL = 60
_MAX_EXCEL_SERIAL_DIGITS = 5

_SEPARATED = re.compile(r"^([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})$")
_CHINESE = re.compile(r"^([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})[日号]?$")
_EIGHT_DIGITS = re.compile(r"^([0-9]{4})([0-9]{2})([0-9]{2})$")
_SERIAL = re.compile(r"^([0-9]{1,5})(?:\.0*)?$")  # "45000.0" when Excel exports a number as text
# A time of day after the date ("2033-01-01 00:00:00", "2033-01-01T00:00") is dropped.
_TRAILING_TIME = re.compile(r"^(.*?)(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)$")
# A validity period as printed on the card's back: "2013.01.01-2033.01.01", "2013.01.01-长期".
_PERIOD = re.compile(r"^([0-9]{4}\.[0-9]{1,2}\.[0-9]{1,2}|[0-9]{8})(?:-|~|至|—|–)(.+)$")


def _format_error(shown: str) -> Exception:
    return fail("date_format", f"“{shown}”不是能识别的日期。请按以下格式之一填写：{ACCEPTED_FORMS}。")


def _make_date(year: int, month: int, day: int, shown: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise fail(
            "date_invalid",
            f"“{shown}”不是真实存在的日期（请检查月份是否在1–12之间、日是否超过当月天数）。请改正后重新填写。",
        ) from None


def from_excel_serial(serial: int, shown: str | None = None) -> date:
    """The date of an Excel (1900 date system) serial number."""
    shown = shown if shown is not None else str(serial)
    if serial == _EXCEL_LEAP_BUG_SERIAL:
        raise fail(
            "date_invalid",
            f"Excel 日期“{shown}”对应1900年2月29日，这一天并不存在。请在表格中改为正确的日期。",
        )
    if serial < 1 or serial > 10 ** _MAX_EXCEL_SERIAL_DIGITS - 1:
        raise _format_error(shown)
    if serial > _EXCEL_LEAP_BUG_SERIAL:
        return date(1899, 12, 30) + timedelta(days=serial)
    return date(1899, 12, 31) + timedelta(days=serial)


def _from_number(value: int | float | Decimal) -> date:
    shown = str(value)
    number = value if isinstance(value, int) else Decimal(str(value))
    if isinstance(number, Decimal) and not number.is_finite():  # NaN from an empty cell
        raise _format_error(shown)
    if number < 0:
        raise _format_error(shown)
    whole = int(number)  # a fractional part is a time of day
    if 10_000_000 <= whole <= 99_999_999:
        # A YYYYMMDD typed into a number-formatted cell.
        return _parse_text(str(whole), shown)
    return from_excel_serial(whole, shown)


def _parse_text(text: str, shown: str) -> date:
    for pattern in (_SEPARATED, _CHINESE):
        match = pattern.match(text)
        if match:
            groups = [g for g in match.groups() if g not in "-/."]
            return _make_date(int(groups[0]), int(groups[1]), int(groups[2]), shown)
    match = _EIGHT_DIGITS.match(text)
    if match:
        return _make_date(int(match[1]), int(match[2]), int(match[3]), shown)
    match = _SERIAL.match(text)
    if match:
        return from_excel_serial(int(match[1]), shown)
    raise _format_error(shown)


def parse_date(value: object) -> date:
    """A date from a cell: a date/datetime, a typed date in any accepted form, or an Excel serial.

    Raises RuleError "date_format" for text that is not a date form, "date_invalid" for a
    well-formed but impossible date (2033-02-30, month 13, Excel's 1900-02-29).
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise _format_error(str(value))
    if isinstance(value, int | float | Decimal):
        return _from_number(value)
    shown = normalize_text(value)
    if not shown:
        raise fail("date_format", f"日期为空。请按以下格式之一填写：{ACCEPTED_FORMS}。")
    time_match = _TRAILING_TIME.match(shown)
    text = compact(time_match[1] if time_match else shown)
    return _parse_text(text, shown)


def is_long_term(value: object) -> bool:
    """Whether `value` spells 长期 (long-term validity) in any accepted way."""
    return isinstance(value, str) and compact(value).lower() in LONG_TERM_SPELLINGS


def parse_expiry(value: object) -> date | str:
    """An ID card's expiry: `LONG_TERM` for 长期 (or its variants), else a date via `parse_date`.

    A whole validity period as printed on the card ("2013.01.01-2033.01.01") yields its end.
    An empty value raises RuleError "expiry_missing"; callers decide whether that matters.
    """
    if value is None or (isinstance(value, str) and not compact(value)):
        raise fail(
            "expiry_missing",
            "身份证有效期为空。请填写证件背面的有效期截止日期（如2033-01-01），长期有效的填“长期”。",
            "id_expiry",
        )
    if is_long_term(value):
        return LONG_TERM
    if isinstance(value, str):
        period = _PERIOD.match(compact(value))
        if period:
            end = period[2]
            return LONG_TERM if is_long_term(end) else parse_date(end)
    return parse_date(value)


def format_expiry(value: date | str | None) -> str:
    """The stored form of an expiry: ISO date, 长期, or "" when missing."""
    if value is None:
        return ""
    if isinstance(value, str) and not compact(value):
        return ""
    parsed = parse_expiry(value)
    return parsed if isinstance(parsed, str) else parsed.isoformat()


#: What a member's past date is called, by field.
PAST_DATE_LABELS = {"birth_date": "出生日期", "join_date": "入会日期"}
MIN_YEAR = 1900


def parse_past_date(value: object, field: str, today: date) -> date:
    """A member's birth or join date: a readable date, not after `today` (a Shanghai date), not
    before 1900 — the importer's rule and the server's alike."""
    day = parse_date(value)
    label = PAST_DATE_LABELS[field]
    if day > today:
        raise fail(f"{field}_future", f"{label}{day.isoformat()}晚于今天。请核对后修改。", field)
    if day.year < MIN_YEAR:
        raise fail(f"{field}_too_early", f"{label}{day.isoformat()}早于1900年。请核对后修改。", field)
    return day

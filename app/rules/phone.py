"""Mainland mobile phone numbers (RULES.md "Mobile phone").

Spreadsheets hand us phones as text with spaces and dashes, with a +86 / 0086 prefix, or as
numbers (13812345678.0, even 1.3812345678E10 when a column was formatted as a number).
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from app.rules.normalize import compact, normalize_text
from app.rules.problems import fail

FIELD = "phone"

_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_DASHES = re.compile(r"[-\u2010-\u2015\u2212\u30fc]")
_COUNTRY_PREFIX = re.compile(r"^(?:\+86|0086|86)(?=[0-9]{11}$)")
_NUMERIC_TEXT = re.compile(r"^[0-9]+(?:\.[0-9]*)?(?:[eE]\+?[0-9]+)?$")


def _from_number(value: object) -> str | None:
    """The digits of a phone that Excel stored as a number, or None if `value` is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (float, Decimal)):
        try:
            as_decimal = Decimal(str(value))
        except InvalidOperation:
            return None
        # A phone has 11 digits; anything far larger is not a phone (and huge ints are costly).
        if as_decimal.is_finite() and as_decimal.adjusted() < 20 and as_decimal == as_decimal.to_integral_value():
            return str(int(as_decimal))
    return None


def normalize_phone(raw: object) -> str:
    """The 11-digit mobile number in `raw`, or RuleError (code "phone_format") saying what is wrong."""
    digits = _from_number(raw)
    if digits is None:
        text = _DASHES.sub("", compact(raw))
        if _NUMERIC_TEXT.match(text) and ("." in text or "e" in text.lower()):
            digits = _from_number(Decimal(text)) or text
        else:
            digits = text
    digits = _COUNTRY_PREFIX.sub("", digits)
    if not digits:
        raise fail("phone_format", "手机号码为空。请填写11位手机号码，例如13812345678。", FIELD)
    if not _MOBILE.match(digits):
        raise fail(
            "phone_format",
            f"手机号码“{normalize_text(raw)}”格式不对：应为1开头、第二位为3–9的11位手机号码（可带+86前缀），"
            "不能填座机号码。请核对后修改。",
            FIELD,
        )
    return digits

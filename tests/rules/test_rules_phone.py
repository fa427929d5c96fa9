"""Mainland mobile phone numbers (RULES.md "Mobile phone")."""
from __future__ import annotations

from decimal import Decimal

import pytest

from app.rules.phone import normalize_phone
from app.rules.problems import RuleError


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        " 138 1234 5678 ",
        "138-1234-5678",
        "138 - 1234 - 5678",
        "+8613812345678",
        "+86 138 1234 5678",
        "+86-138-1234-5678",
        "008613812345678",
        "0086 13812345678",
        "8613812345678",
        "１３８１２３４５６７８",
        "＋８６　１３８１２３４５６７８",
        13812345678,
        13812345678.0,
        Decimal("13812345678"),
        "13812345678.0",
        "1.3812345678E10",
        "1.3812345678E+10",
    ],
)
def test_accepted_forms(raw: object) -> None:
    assert normalize_phone(raw) == "13812345678"


@pytest.mark.parametrize("prefix", ["13", "14", "15", "16", "17", "18", "19"])
def test_every_second_digit_3_to_9(prefix: str) -> None:
    number = prefix + "912345678"
    assert normalize_phone(number) == number


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "   ",
        "12812345678",  # second digit 2
        "10812345678",
        "23812345678",
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "021-12345678",  # landline
        "+85213812345678",
        "86138123456",  # "86" then only 9 digits: not a prefix
        "1381234567a",
        "138.1234.5678",
        13812345678.5,
        True,
        "1e999999",
    ],
)
def test_rejected(raw: object) -> None:
    with pytest.raises(RuleError) as caught:
        normalize_phone(raw)
    assert caught.value.problem.code == "phone_format"
    assert caught.value.problem.field == "phone"

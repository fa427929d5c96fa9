"""Work address length rule (RULES.md "Work address")."""
from __future__ import annotations

import pytest

from app.rules.address import _is_cjk, count_cjk, validate_work_address
from app.rules.problems import RuleError


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("", 0),
        ("上海市", 3),
        ("上海市黄浦区南京东路100号B座", 12),
        ("abc 123 ,.-", 0),
        ("，。、（）【】", 0),  # CJK punctuation is not an ideograph
        ("㐀䶿", 2),  # Extension A
        ("豈", 1),  # compatibility ideograph U+F900
        ("\U00020000\U0002a6d6", 2),  # Extension B
        ("〇", 0),
    ],
)
def test_count_cjk(text: str, count: int) -> None:
    assert count_cjk(text) == count


def test_count_cjk_agrees_with_the_ranges_at_every_code_point() -> None:
    # count_cjk is one regex (the server counts every pushed address); each code point, alone and
    # among others, counts exactly as the range test says.
    every = [chr(cp) for cp in range(0x110000)]
    assert [count_cjk(ch) for ch in every] == [int(_is_cjk(ch)) for ch in every]
    assert count_cjk("".join(every)) == sum(map(_is_cjk, every))


def chars(n: int) -> str:
    return ("上海市黄浦区南京东路人民广场附近大楼东侧办公室" * 2)[:n]


@pytest.mark.parametrize("n", [7, 8, 18, 19])
def test_seven_to_nineteen_chinese_characters_pass(n: int) -> None:
    assert validate_work_address(chars(n), required=True) == chars(n)


@pytest.mark.parametrize(("n", "code"), [(1, "address_too_short"), (6, "address_too_short"),
                                         (20, "address_too_long"), (30, "address_too_long")])
def test_six_or_twenty_chinese_characters_fail(n: int, code: str) -> None:
    for required in (True, False):
        with pytest.raises(RuleError) as caught:
            validate_work_address(chars(n), required=required)
        assert caught.value.problem.code == code
        assert str(n) in str(caught.value)  # the message gives the count


def test_digits_and_letters_do_not_count() -> None:
    with pytest.raises(RuleError) as caught:
        validate_work_address("浦东新XX路1234号5678室ABCDEFG", required=True)  # 6 ideographs
    assert caught.value.problem.code == "address_too_short"
    assert validate_work_address("浦东新区张江路1234号5678室ABCDEFG", required=True)


def test_normalised_before_counting() -> None:
    assert validate_work_address("  上海市　黄浦区  南京东路１００号 ", required=False) == "上海市 黄浦区 南京东路100号"


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000"])
def test_empty(raw: object) -> None:
    assert validate_work_address(raw, required=False) == ""
    with pytest.raises(RuleError) as caught:
        validate_work_address(raw, required=True)
    assert caught.value.problem.code == "address_required"
    assert "办理会员卡必须填写工作单位详细地址" in str(caught.value)
    assert caught.value.problem.field == "work_address"

"""Work address (工作单位详细地址), RULES.md "Work address".

The old system counts only Chinese characters: more than 6 and fewer than 20. Digits and letters
(building numbers, "B座") may appear but do not count.
"""
from __future__ import annotations

import re

from app.rules.normalize import normalize_text
from app.rules.problems import fail

FIELD = "work_address"

MIN_EXCLUSIVE = 6
MAX_EXCLUSIVE = 20

# CJK Unified Ideographs, Extension A, Extensions B–H, and the two compatibility blocks.
_CJK_RANGES: tuple[tuple[int, int], ...] = (
    (0x4E00, 0x9FFF),
    (0x3400, 0x4DBF),
    (0x20000, 0x323AF),
    (0xF900, 0xFAFF),
    (0x2F800, 0x2FA1F),
)


_CJK = re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _CJK_RANGES) + "]")


def _is_cjk(char: str) -> bool:
    cp = ord(char)
    return any(lo <= cp <= hi for lo, hi in _CJK_RANGES)


def count_cjk(text: str) -> int:
    """How many CJK ideographs `text` contains (punctuation, digits and letters are not counted).
    One regex over the ranges (a server checks every pushed member's address): the same count as
    testing each character with `_is_cjk` (tests/rules/test_rules_address.py)."""
    return len(_CJK.findall(text))


def validate_work_address(raw: object, required: bool) -> str:
    """The normalised work address; RuleError if missing when `required` or of the wrong length."""
    address = normalize_text(raw)
    if not address:
        if required:
            raise fail(
                "address_required",
                "办理会员卡必须填写工作单位详细地址。请填写7–19个汉字的地址，例如“上海市黄浦区南京东路100号”。",
                FIELD,
            )
        return ""
    count = count_cjk(address)
    if count <= MIN_EXCLUSIVE:
        raise fail(
            "address_too_short",
            f"工作单位详细地址“{address}”只有{count}个汉字，至少需要7个汉字（数字和字母不计入）。"
            "请补充区、路名、门牌号等信息。",
            FIELD,
        )
    if count >= MAX_EXCLUSIVE:
        raise fail(
            "address_too_long",
            f"工作单位详细地址“{address}”有{count}个汉字，最多只能有19个汉字。请删去单位名称等多余文字。",
            FIELD,
        )
    return address

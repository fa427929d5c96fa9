"""Text clean-up applied before any rule looks at a value typed or pasted by a clerk.

Spreadsheets from union offices carry full-width digits and letters (typed with a Chinese IME),
ideographic and non-breaking spaces, and zero-width characters copied from web pages.
"""
from __future__ import annotations

import re

# Full-width ASCII U+FF01..U+FF5E maps onto U+0021..U+007E by a fixed offset.
_FULLWIDTH_TABLE: dict[int, str | None] = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH_TABLE[0x3000] = " "  # ideographic space
_FULLWIDTH_TABLE[0x00A0] = " "  # no-break space
_FULLWIDTH_TABLE[0x202F] = " "  # narrow no-break space
# Zero-width characters are invisible in a cell but break every exact comparison.
for _cp in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF):
    _FULLWIDTH_TABLE[_cp] = None

_WHITESPACE = re.compile(r"\s+")
# What normalize_text would change: a character of the table, whitespace other than a space, two
# spaces, or a space at either end. Text without any is already clean (most of what a server
# checks): returned as it is, without the table's pass and the whitespace pass.
_TO_CLEAN = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_FULLWIDTH_TABLE)) + r"]|[^\S ]|  |^ | $")


def normalize_text(value: object) -> str:
    """`value` as clean text: half-width ASCII, stripped, inner whitespace runs collapsed to one space."""
    if value is None:
        return ""
    text = str(value)
    if _TO_CLEAN.search(text) is None:
        return text
    return _WHITESPACE.sub(" ", text.translate(_FULLWIDTH_TABLE)).strip()


def compact(value: object) -> str:
    """`normalize_text(value)` with every whitespace character removed (ID numbers, phones)."""
    if type(value) is str and value.isascii() and value.isalnum():
        return value  # ASCII letters and digits only (most numbers a server checks): nothing to clean
    return _WHITESPACE.sub("", normalize_text(value))

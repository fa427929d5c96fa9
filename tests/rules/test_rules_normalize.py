"""Text normalisation and the Problem/RuleError types."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rules.normalize import _FULLWIDTH_TABLE, _WHITESPACE, compact, normalize_text
from app.rules.problems import Problem, RuleError


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("", ""),
        ("  abc  ", "abc"),
        ("ＡＢＣ１２３", "ABC123"),
        ("！～", "!~"),
        ("上海\u3000市", "上海 市"),
        ("a\u00a0b", "a b"),
        ("a \t\n  b", "a b"),
        ("\u200b138\ufeff", "138"),
        (123, "123"),
        (1.5, "1.5"),
        ("　　全角　空格　", "全角 空格"),
    ],
)
def test_normalize_text(value: object, expected: str) -> None:
    assert normalize_text(value) == expected


def _by_the_table(value: object) -> str:
    """normalize_text as first written: the table's pass, then the whitespace pass, every time."""
    if value is None:
        return ""
    return _WHITESPACE.sub(" ", str(value).translate(_FULLWIDTH_TABLE)).strip()


def test_normalize_text_skips_only_text_that_is_already_clean() -> None:
    # normalize_text returns clean text as it is: every code point between letters answers as the
    # two passes do, and every space or character of the table in other places too.
    every = [chr(cp) for cp in range(0x110000)]
    assert [normalize_text(f"a{ch}b") for ch in every] == [_by_the_table(f"a{ch}b") for ch in every]
    for ch in (ch for ch in every if ch.isspace() or ord(ch) in _FULLWIDTH_TABLE):
        for text in (ch, f" {ch}", f"{ch} ", f"a {ch} b", f"{ch}{ch}"):
            assert normalize_text(text) == _by_the_table(text), hex(ord(ch))


@given(st.text(alphabet=st.sampled_from(" \t\n\u3000\u00a0\u200bａ１上a1-"), max_size=12) | st.text(max_size=12))
def test_normalize_text_fast_path_is_exact(text: str) -> None:
    assert normalize_text(text) == _by_the_table(text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (" 6101 0419\u30006209 ", "610104196209"),
        ("Ｈ １２ ３４", "H1234"),
        ("a\tb\nc", "abc"),
    ],
)
def test_compact(value: object, expected: str) -> None:
    assert compact(value) == expected


def test_rule_error_carries_its_problem() -> None:
    problem = Problem("id_check_char", "身份证号码校验不通过。请核对。", field="id_number")
    error = RuleError(problem)
    assert isinstance(error, ValueError)
    assert error.problem is problem
    assert str(error) == problem.message
    assert problem.severity == "error"
    assert Problem("x", "y", "warning").severity == "warning"
    with pytest.raises(AttributeError):
        problem.code = "other"  # type: ignore[misc]

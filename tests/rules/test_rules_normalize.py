"""Text normalisation and the Problem/RuleError types."""
from __future__ import annotations

import pytest

from app.rules.normalize import compact, normalize_text
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

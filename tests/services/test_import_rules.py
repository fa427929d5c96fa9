"""The importer's fast paths give exactly the rules' answers on what they accept, and decline
everything else (so the rule, with its message, decides)."""
from __future__ import annotations

import random
from datetime import date

from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.rules import idcard, phone
from app.rules.problems import RuleError
from app.services.importer import fast_mainland_id, fast_phone

TODAY = date(2026, 11, 28)


def _rule_id(raw: object) -> tuple[str, str, date] | None:
    try:
        parsed = idcard.parse_mainland_id(str(raw), TODAY)
    except RuleError:
        return None
    return parsed.number, str(parsed.gender), parsed.birth_date


def _valid_id(rng: random.Random) -> str:
    region = rng.choice(sorted(idcard.PROVINCE_CODES)) + f"{rng.randrange(10000):04d}"
    birth = date(rng.randrange(1900, 2027), rng.randrange(1, 13), rng.randrange(1, 29))
    first17 = f"{region}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + idcard.check_character(first17)


def test_fast_id_agrees_with_the_rule_on_many_valid_and_mutated_numbers() -> None:
    rng = random.Random(11643)
    for _ in range(20_000):
        number = _valid_id(rng)
        mutated = list(number)
        pos = rng.randrange(18)
        mutated[pos] = rng.choice("0123456789Xx ａ")
        for candidate in (number, "".join(mutated)):
            fast = fast_mainland_id(candidate, TODAY)
            rule = _rule_id(candidate)
            if fast is not None:
                assert (fast[0], str(fast[1]), fast[2]) == rule, candidate
            else:
                # Declined: either invalid for the rule too, or not in the clean form the fast path takes.
                assert rule is None or candidate != rule[0], candidate


@settings(max_examples=3000)
@given(st.text(alphabet="0123456789Xx -８", min_size=15, max_size=19))
@example("610104196209276908")
@example("11010519491231002x")
@example("810000199408230021")
@example("830000199201300022")
@example("310101202701010011")
def test_fast_id_never_accepts_what_the_rule_refuses(raw: str) -> None:
    fast = fast_mainland_id(raw, TODAY)
    if fast is not None:
        assert (fast[0], str(fast[1]), fast[2]) == _rule_id(raw)


@settings(max_examples=3000)
@given(st.one_of(st.text(alphabet="0123456789+- ", min_size=9, max_size=14),
                 st.from_regex(r"1[0-9]{10}", fullmatch=True)))
def test_fast_phone_agrees_with_the_rule(raw: str) -> None:
    fast = fast_phone(raw)
    if fast is not None:
        assert fast == phone.normalize_phone(raw)


def test_fast_paths_decline_non_text() -> None:
    assert fast_mainland_id(610104196209276908, TODAY) is None
    assert fast_phone(13812345678) is None and fast_phone(13812345678.0) is None
    assert fast_phone("13812345678") == "13812345678" and fast_phone("12812345678") is None

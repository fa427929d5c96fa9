"""The importer's fast paths give exactly the rules' answers on what they accept, and decline
everything else (so the rule, with its message, decides)."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.rules import dates, idcard, phone
from app.rules.problems import RuleError
from app.rules.dates import LONG_TERM
from app.rules.expiry import add_years, check_id_expiry
from app.services.importer import cleaning
from app.services.importer.cleaning import clean_name, expiry_fine, fast_mainland_id, fast_name, fast_phone

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
    births: dict = {}
    for _ in range(20_000):
        number = _valid_id(rng)
        mutated = list(number)
        pos = rng.randrange(18)
        mutated[pos] = rng.choice("0123456789Xx ａ")
        for candidate in (number, "".join(mutated)):
            fast = fast_mainland_id(candidate, TODAY, births)
            assert fast == fast_mainland_id(candidate, TODAY)  # the birth-date cache changes nothing
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


@settings(max_examples=3000)
@given(st.one_of(st.text(alphabet="张王李欧阳娜·ａA1 \u3000\u200b\t", max_size=8),
                 st.text(alphabet=st.characters(min_codepoint=0x4DF0, max_codepoint=0xA010), min_size=1, max_size=55)))
@example("张三")
@example("欧阳娜娜")
@example("张" * 50)
@example("张" * 51)
def test_fast_name_agrees_with_the_rule(raw: str) -> None:
    fast = fast_name(raw)
    if fast is not None:
        assert fast == clean_name(raw)


def test_fast_name_declines_what_needs_cleaning() -> None:
    assert fast_name("张三") == "张三"
    assert fast_name(" 张三") is None and fast_name("张 三") is None and fast_name("") is None
    assert fast_name("阿依古丽·买买提") is None and fast_name(123) is None and fast_name("张" * 51) is None


@settings(max_examples=1000)
@given(st.lists(st.one_of(st.text(alphabet="张王李欧阳娜·ａ1 \n\u3000", max_size=6),
                          st.text(alphabet=st.characters(min_codepoint=0x4DF0, max_codepoint=0xA010), min_size=1,
                                  max_size=55),
                          st.integers()), max_size=6))
@example(["张三", "李四"])
@example(["张三\n李四"])
@example(["张三", ""])
@example(["张" * 50, "张" * 51])
def test_fast_names_is_fast_name_on_every_cell(raws: list[object]) -> None:
    fast = cleaning.fast_names(raws)
    if fast is not None:
        assert fast is raws and all(fast_name(raw) == raw for raw in raws)
    else:
        assert not raws or any(fast_name(raw) is None for raw in raws)


def test_fast_names_declines_a_column_needing_the_rule() -> None:
    assert cleaning.fast_names(["张三", "欧阳娜娜"]) == ["张三", "欧阳娜娜"]
    assert cleaning.fast_names(["张三", " 李四"]) is None and cleaning.fast_names(["张三", 1]) is None and cleaning.fast_names([]) is None
    assert cleaning.fast_names(["张三\n李四"]) is None  # one cell holding two names is not two plain names


@settings(max_examples=3000)
@given(st.one_of(st.from_regex(r"[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}", fullmatch=True),
                 st.text(alphabet="0123456789-/.年月日 ０", max_size=12),
                 st.dates(min_value=date(1, 1, 1)).map(lambda d: f"{d.year:04d}.{d.month}.{d.day:02d}")))
@example("2033-01-01")
@example("2033/1/1")
@example("2033.02.30")
@example("2033-01/01")
@example("0000-01-01")
def test_fast_typed_date_agrees_with_the_rule(raw: str) -> None:
    fast = cleaning.fast_typed_date(raw)
    if fast is not None:
        assert fast == dates.parse_date(raw) == dates.parse_expiry(raw)


def test_fast_typed_date_declines_what_needs_the_rule() -> None:
    assert cleaning.fast_typed_date("2033.01.01") == date(2033, 1, 1) and cleaning.fast_typed_date("2033/1/1") == date(2033, 1, 1)
    assert cleaning.fast_typed_date("2033-02-30") is None and cleaning.fast_typed_date("2033年1月1日") is None
    assert cleaning.fast_typed_date(" 2033-01-01") is None and cleaning.fast_typed_date("20330101") is None
    assert cleaning.fast_typed_date(date(2033, 1, 1)) is None and cleaning.fast_typed_date("2013.01.01-2033.01.01") is None


_DAYS = st.dates(min_value=date(1900, 1, 1), max_value=date(2060, 12, 31))
_EDGES = [date(2028, 2, 29), date(2026, 2, 28), date(2026, 3, 1), date(2024, 2, 29), TODAY]


@settings(max_examples=4000)
@given(st.sampled_from(_EDGES) | _DAYS, st.one_of(st.just(LONG_TERM), _DAYS), st.none() | _DAYS,
       st.integers(-3, 3))
def test_expiry_fast_path_only_passes_what_the_rule_passes(today: date, expiry: object, birth: date | None,
                                                          nudge: int) -> None:
    # Pull the draws onto the boundaries: ages 16 / 26 / 46 today, limits 5 / 10 / 20 years ahead.
    if birth is not None and nudge:
        birth = add_years(today, -(16, 26, 46)[abs(nudge) % 3]) + timedelta(days=nudge // 2)
    if isinstance(expiry, date) and nudge:
        expiry = add_years(today, (5, 10, 20)[abs(nudge) % 3]) + timedelta(days=nudge // 2)
    if birth is not None and birth > today:
        return
    if expiry_fine(today)(expiry, birth):
        assert check_id_expiry(expiry, today, birth) == []


def test_expiry_fast_path_takes_the_common_cases() -> None:
    fine = expiry_fine(TODAY)
    assert fine(date(2036, 1, 1), date(1990, 5, 5)) and fine(LONG_TERM, date(1970, 1, 1))
    assert not fine(LONG_TERM, date(1990, 1, 1)) and not fine(date(2027, 1, 1), date(1990, 1, 1))
    assert not fine(date(2036, 1, 1), None) and not fine(date(2040, 1, 1), date(2005, 1, 1))


def test_memo_gives_each_value_its_own_result_across_slices_and_types() -> None:
    calls: list[object] = []

    def fn(raw: object) -> str:
        calls.append(raw)
        return f"{type(raw).__name__}:{raw}"

    memo = cleaning.Memo(fn)
    assert memo.map(["1", date(2033, 1, 1), None]) == ["str:1", "date:2033-01-01", "NoneType:None"]
    assert memo.map([None, "1", "1"]) == ["NoneType:None", "str:1", "str:1"]  # all cached: one lookup pass
    assert len(calls) == 3
    # A value equal to another of a different type (1 == 1.0 == True) is never given its result.
    assert memo.map([1, True, 1.0, "1", datetime(2033, 1, 1)]) == [
        "int:1", "bool:True", "float:1.0", "str:1", "datetime:2033-01-01 00:00:00"]
    assert memo.map([1.0, 1, date(2033, 1, 1)]) == ["float:1.0", "int:1", "date:2033-01-01"]
    assert len(calls) == 7

"""Statutory retirement age (RULES.md, NPC Standing Committee decision of 2024-09-13)."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rules.codes import Gender, PostType
from app.rules.problems import RuleError
from app.rules.retirement import (
    RetirementCategory,
    categories_for,
    probably_retired,
    retirement_age,
    retirement_date,
    retirement_dates,
)

MEN, W55, W50 = RetirementCategory.MEN, RetirementCategory.WOMEN_55, RetirementCategory.WOMEN_50

# Every example of RULES.md: birth month, category, age (years, months), retirement month.
RULES_EXAMPLES = [
    ("1964-12", MEN, (60, 0), "2024-12"),
    ("1965-01", MEN, (60, 1), "2025-02"),
    ("1965-12", MEN, (60, 3), "2026-03"),
    ("1966-01", MEN, (60, 4), "2026-05"),
    ("1975-06", MEN, (62, 8), "2038-02"),
    ("1976-09", MEN, (63, 0), "2039-09"),
    ("1970-01", W55, (55, 1), "2025-02"),
    ("1971-04", W55, (55, 4), "2026-08"),
    ("1971-06", W55, (55, 5), "2026-11"),
    ("1975-01", W50, (50, 1), "2025-02"),
    ("1976-06", W50, (50, 9), "2027-03"),
    ("1977-01", W50, (51, 1), "2028-02"),
    ("1984-11", W50, (55, 0), "2039-11"),
]


def ym(text: str) -> tuple[int, int]:
    year, month = text.split("-")
    return int(year), int(month)


@pytest.mark.parametrize(("birth_month", "category", "age", "retires_in"), RULES_EXAMPLES)
@pytest.mark.parametrize("day", [1, 15, 28])
def test_rules_examples(birth_month: str, category: RetirementCategory, age: tuple[int, int],
                        retires_in: str, day: int) -> None:
    birth = date(*ym(birth_month), day)
    assert retirement_age(birth, category) == age
    retires = retirement_date(birth, category)
    assert (retires.year, retires.month) == ym(retires_in)
    assert retires.day == day


@pytest.mark.parametrize(
    ("birth", "category", "expected"),
    [
        (date(1965, 1, 31), MEN, date(2025, 2, 28)),  # clamped to February's end
        (date(1966, 1, 31), MEN, date(2026, 5, 31)),
        (date(1965, 12, 31), MEN, date(2026, 3, 31)),
        (date(1970, 1, 30), W55, date(2025, 2, 28)),
        (date(1971, 6, 30), W55, date(2026, 11, 30)),
        (date(1975, 6, 30), MEN, date(2038, 2, 28)),
        (date(1964, 2, 29), MEN, date(2024, 2, 29)),
        (date(1975, 7, 31), W50, date(2025, 11, 30)),
    ],
)
def test_day_clamped_to_month_end(birth: date, category: RetirementCategory, expected: date) -> None:
    assert retirement_date(birth, category) == expected


@pytest.mark.parametrize(
    ("category", "last_unaffected", "first_max", "base", "max_delay"),
    [
        (MEN, date(1964, 12, 1), date(1976, 9, 1), 60, 36),
        (W55, date(1969, 12, 1), date(1981, 9, 1), 55, 36),
        (W50, date(1974, 12, 1), date(1984, 11, 1), 50, 60),
    ],
)
def test_schedule_boundaries(category: RetirementCategory, last_unaffected: date, first_max: date,
                             base: int, max_delay: int) -> None:
    assert retirement_age(date(1940, 1, 1), category) == (base, 0)
    assert retirement_age(last_unaffected, category) == (base, 0)
    full = divmod(base * 12 + max_delay, 12)
    assert retirement_age(first_max, category) == full
    assert retirement_age(date(2000, 1, 1), category) == full
    previous = date(first_max.year - (first_max.month == 1), (first_max.month - 2) % 12 + 1, 1)
    assert retirement_age(previous, category) == divmod(base * 12 + max_delay - 1, 12)


@given(st.dates(min_value=date(1930, 1, 1), max_value=date(2010, 12, 31)), st.sampled_from(list(RetirementCategory)))
def test_age_never_decreases_with_later_birth(birth: date, category: RetirementCategory) -> None:
    later = date(birth.year + (birth.month == 12), birth.month % 12 + 1, 1)
    years, months = retirement_age(birth, category)
    later_years, later_months = retirement_age(later, category)
    assert 0 <= (later_years * 12 + later_months) - (years * 12 + months) <= 1
    assert retirement_date(later, category) > retirement_date(date(birth.year, birth.month, 1), category)


def test_category_accepts_strings() -> None:
    assert retirement_age(date(1965, 1, 1), "men") == (60, 1)


@pytest.mark.parametrize(
    ("gender", "post_type", "expected"),
    [
        (Gender.MALE, None, (MEN,)),
        (Gender.MALE, PostType.WORKER, (MEN,)),
        ("male", "managerial", (MEN,)),
        ("男", None, (MEN,)),
        (Gender.FEMALE, PostType.MANAGERIAL, (W55,)),
        (Gender.FEMALE, PostType.WORKER, (W50,)),
        ("female", "worker", (W50,)),
        ("女", "管理岗位", (W55,)),
        ("女", "工人岗位", (W50,)),
        (Gender.FEMALE, PostType.UNKNOWN, (W55, W50)),
        (Gender.FEMALE, None, (W55, W50)),
        (Gender.FEMALE, "", (W55, W50)),
        ("女", "不明", (W55, W50)),
    ],
)
def test_categories_for(gender: str, post_type: str | None, expected: tuple[RetirementCategory, ...]) -> None:
    assert categories_for(gender, post_type) == expected


@pytest.mark.parametrize(("gender", "post_type", "code"), [("?", None, "gender_unknown"), ("", None, "gender_unknown"),
                                                            ("female", "clerk", "post_type_unknown")])
def test_categories_for_rejects_unknown_values(gender: str, post_type: str | None, code: str) -> None:
    with pytest.raises(RuleError) as caught:
        categories_for(gender, post_type)
    assert caught.value.problem.code == code


def test_retirement_dates_sorted() -> None:
    birth = date(1975, 1, 10)
    assert retirement_dates(birth, Gender.MALE, None) == (date(2037, 8, 10),)  # 62y7m
    assert retirement_dates(birth, Gender.FEMALE, PostType.MANAGERIAL) == (date(2031, 5, 10),)  # 56y4m
    assert retirement_dates(birth, Gender.FEMALE, PostType.WORKER) == (date(2025, 2, 10),)  # 50y1m
    assert retirement_dates(birth, Gender.FEMALE, None) == (date(2025, 2, 10), date(2031, 5, 10))


@pytest.mark.parametrize(
    ("birth", "gender", "post_type", "plan_year", "expected"),
    [
        (date(1964, 12, 15), Gender.MALE, None, 2025, True),  # retired 2024-12-15
        (date(1965, 1, 15), Gender.MALE, None, 2025, False),  # retires 2025-02-15
        (date(1965, 1, 15), Gender.MALE, None, 2026, True),
        (date(1964, 12, 31), Gender.MALE, None, 2025, True),  # retired on 2024-12-31
        (date(1965, 12, 1), Gender.MALE, None, 2026, False),  # retires 2026-03-01
        (date(1975, 1, 10), Gender.FEMALE, PostType.WORKER, 2026, True),
        (date(1975, 1, 10), Gender.FEMALE, PostType.MANAGERIAL, 2026, False),
        (date(1975, 1, 10), Gender.FEMALE, PostType.UNKNOWN, 2026, True),  # either date counts
        (date(1975, 1, 10), Gender.FEMALE, None, 2025, False),
        (date(1990, 1, 1), Gender.FEMALE, None, 2026, False),
    ],
)
def test_probably_retired(birth: date, gender: str, post_type: str | None, plan_year: int, expected: bool) -> None:
    assert probably_retired(birth, gender, post_type, plan_year) is expected

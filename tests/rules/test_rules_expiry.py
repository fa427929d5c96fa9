"""ID card validity checks (RULES.md "ID card validity")."""
from __future__ import annotations

from datetime import date

import pytest

from app.rules.dates import LONG_TERM
from app.rules.expiry import EXPIRY_WARNING_DAYS, add_years, age_on, check_id_expiry

TODAY = date(2025, 6, 1)


def born_aged(years: int) -> date:
    """A birth date making the member exactly `years` old today (birthday yesterday)."""
    return date(TODAY.year - years, 5, 31)


def codes(problems: list) -> list[tuple[str, str]]:
    return [(p.code, p.severity) for p in problems]


def test_warning_window_is_90_days() -> None:
    assert EXPIRY_WARNING_DAYS == 90


@pytest.mark.parametrize(
    ("expiry", "birth", "for_card", "expected"),
    [
        # missing
        (None, None, False, []),
        ("", None, False, []),
        (None, None, True, [("expiry_missing", "error")]),
        ("", born_aged(30), True, [("expiry_missing", "error")]),
        # long-term
        (LONG_TERM, None, True, []),
        (LONG_TERM, born_aged(46), True, []),
        (LONG_TERM, born_aged(70), False, []),
        (LONG_TERM, born_aged(45), False, [("expiry_long_term_impossible", "error")]),
        (LONG_TERM, date(1979, 6, 2), True, [("expiry_long_term_impossible", "error")]),  # 46 tomorrow
        (LONG_TERM, date(1979, 6, 1), True, []),  # 46 today
        (LONG_TERM, born_aged(10), False, [("expiry_long_term_impossible", "error")]),
        ("长期有效", born_aged(50), True, []),
        # past
        (date(2025, 5, 31), None, True, [("expiry_past", "error")]),
        (date(2025, 5, 31), None, False, [("expiry_past", "warning")]),
        (date(2000, 1, 1), born_aged(60), False, [("expiry_past", "warning")]),
        ("2020-01-01", None, True, [("expiry_past", "error")]),
        # within 90 days
        (TODAY, None, True, [("expiry_soon", "warning")]),
        (date(2025, 8, 30), None, True, [("expiry_soon", "warning")]),  # today + 90 days
        (date(2025, 8, 31), None, True, []),  # today + 91 days
        (date(2025, 7, 1), born_aged(30), False, [("expiry_soon", "warning")]),
        # too far in any case
        (date(2045, 6, 1), None, False, []),  # exactly 20 years
        (date(2045, 6, 2), None, False, [("expiry_too_far", "error")]),
        (date(2060, 1, 1), born_aged(30), True, [("expiry_too_far", "error")]),
        # bounded by the age band
        (date(2030, 6, 1), born_aged(15), True, []),  # under 16: 5 years
        (date(2030, 6, 2), born_aged(15), True, [("expiry_too_far", "error")]),
        (date(2035, 6, 1), born_aged(16), True, []),  # 16-25: 10 years
        (date(2035, 6, 1), born_aged(25), True, []),
        (date(2035, 6, 2), born_aged(25), True, [("expiry_too_far", "error")]),
        (date(2045, 6, 1), born_aged(26), True, []),  # 26-45: 20 years
        (date(2045, 6, 1), born_aged(45), True, []),
        (date(2045, 6, 1), born_aged(50), True, []),  # 20-year card issued at 45: don't flag
        (date(2035, 1, 1), born_aged(47), True, []),  # renewed after 46 with a date: don't flag
        # text is parsed
        ("2033/1/1", born_aged(30), True, []),
        ("2033-02-30", None, True, [("date_invalid", "error")]),
    ],
)
def test_check_id_expiry(expiry: date | str | None, birth: date | None, for_card: bool,
                         expected: list[tuple[str, str]]) -> None:
    problems = check_id_expiry(expiry, TODAY, birth, for_card=for_card)
    assert codes(problems) == expected
    assert all(p.field == "id_expiry" and p.message for p in problems)


def test_past_message_tells_the_clerk_what_to_do() -> None:
    [problem] = check_id_expiry(date(2025, 1, 1), TODAY, for_card=True)
    assert "2025-01-01" in problem.message
    assert "换领" in problem.message


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [(date(1979, 6, 1), TODAY, 46), (date(1979, 6, 2), TODAY, 45), (date(2000, 2, 29), date(2025, 2, 28), 24),
     (date(2000, 2, 29), date(2025, 3, 1), 25)],
)
def test_age_on(birth: date, day: date, age: int) -> None:
    assert age_on(birth, day) == age


def test_add_years_clamps_leap_day() -> None:
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)

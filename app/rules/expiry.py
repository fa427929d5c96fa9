"""ID card validity checks (RULES.md "ID card validity", 居民身份证法 art. 5).

A card is valid 5 years if issued under 16, 10 years at 16–25, 20 years at 26–45 and long-term
(长期) from 46. The card was issued no later than today at an age no greater than today's age, so
an expiry can be at most today + the validity of today's age band ahead.
"""
from __future__ import annotations

from datetime import date, timedelta

from app.rules.dates import LONG_TERM, is_long_term, parse_expiry
from app.rules.problems import ERROR, WARNING, Problem, RuleError

FIELD = "id_expiry"

EXPIRY_WARNING_DAYS = 90
MAX_VALIDITY_YEARS = 20
LONG_TERM_MIN_AGE = 46


def age_on(birth_date: date, day: date) -> int:
    """Full years of age on `day`."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def add_years(day: date, years: int) -> date:
    """`day` moved by whole years; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def max_validity_years(age: int) -> int:
    """The longest validity a card issued at `age` or younger can have (46+: a 20-year card from 45)."""
    if age < 16:
        return 5
    if age <= 25:
        return 10
    return MAX_VALIDITY_YEARS


def check_id_expiry(
    expiry: date | str | None,
    today: date,
    birth_date: date | None = None,
    *,
    for_card: bool = False,
) -> list[Problem]:
    """Problems with a mainland ID card's expiry, most serious first; [] when it is fine.

    `for_card` means the member is applying for a member card: a missing or past expiry then
    blocks the application (errors) instead of being a warning or nothing.
    """
    if expiry is None or (isinstance(expiry, str) and not expiry.strip()):
        if for_card:
            return [
                Problem(
                    "expiry_missing",
                    "办理会员卡必须填写身份证有效期。请按证件背面填写截止日期（如2033-01-01），长期有效的填“长期”。",
                    ERROR,
                    FIELD,
                )
            ]
        return []
    if isinstance(expiry, str) and not is_long_term(expiry):
        try:
            expiry = parse_expiry(expiry)
        except RuleError as error:
            return [Problem(error.problem.code, error.problem.message, ERROR, FIELD)]
    if isinstance(expiry, str):  # LONG_TERM
        return _check_long_term(today, birth_date)
    return _check_date(expiry, today, birth_date, for_card)


def _check_long_term(today: date, birth_date: date | None) -> list[Problem]:
    if birth_date is None:
        return []
    age = age_on(birth_date, today)
    if age >= LONG_TERM_MIN_AGE:
        return []
    return [
        Problem(
            "expiry_long_term_impossible",
            f"身份证有效期填的是“{LONG_TERM}”，但按出生日期该会员现在{age}岁，"
            f"长期身份证只发给{LONG_TERM_MIN_AGE}岁及以上的人。请对照证件背面填写有效期截止日期。",
            ERROR,
            FIELD,
        )
    ]


def _check_date(expiry: date, today: date, birth_date: date | None, for_card: bool) -> list[Problem]:
    shown = expiry.isoformat()
    if expiry < today:
        if for_card:
            message = f"身份证已于{shown}过期，不能办理会员卡。请会员先换领新身份证，再按新证更新有效期。"
            return [Problem("expiry_past", message, ERROR, FIELD)]
        message = f"身份证已于{shown}过期。请提醒会员换领新身份证，并按新证更新有效期。"
        return [Problem("expiry_past", message, WARNING, FIELD)]
    if expiry <= today + timedelta(days=EXPIRY_WARNING_DAYS):
        days = (expiry - today).days
        message = (
            f"身份证将于{shown}到期（还有{days}天），办卡期间可能过期而被退回。"
            "请提醒会员尽快换领新身份证。"
        )
        return [Problem("expiry_soon", message, WARNING, FIELD)]
    if expiry > add_years(today, MAX_VALIDITY_YEARS):
        message = (
            f"身份证有效期截止{shown}，距今超过{MAX_VALIDITY_YEARS}年，不可能是真实的有效期。"
            "请对照证件背面检查年份。"
        )
        return [Problem("expiry_too_far", message, ERROR, FIELD)]
    if birth_date is not None:
        age = age_on(birth_date, today)
        years = max_validity_years(age)
        if expiry > add_years(today, years):
            message = (
                f"身份证有效期截止{shown}，但该会员现在{age}岁，所持身份证的有效期最长{years}年，"
                f"截止日期不应晚于{add_years(today, years).isoformat()}。请对照证件背面检查有效期或出生日期。"
            )
            return [Problem("expiry_too_far", message, ERROR, FIELD)]
    return []

"""Statutory retirement age under the NPC Standing Committee decision of 2024-09-13 (RULES.md).

From 2025-01-01 the age rises by one month for every n birth months from the first affected
birth month S, up to M months. Used to flag "probably retired" members — a flag for the clerk to
confirm, never a silent exclusion.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.rules.codes import GENDER_LABELS, POST_TYPE_LABELS, Gender, PostType, code_for_label
from app.rules.problems import fail


class RetirementCategory(StrEnum):
    MEN = "men"
    WOMEN_55 = "women_55"  # women whose original age is 55: managerial posts
    WOMEN_50 = "women_50"  # women whose original age is 50: worker posts


@dataclass(frozen=True)
class _Schedule:
    base_age: int  # A, years
    first_year: int  # S, the first birth month affected
    first_month: int
    months_per_step: int  # n birth months per month of delay
    max_delay: int  # M, months


_SCHEDULES: dict[RetirementCategory, _Schedule] = {
    RetirementCategory.MEN: _Schedule(60, 1965, 1, 4, 36),
    RetirementCategory.WOMEN_55: _Schedule(55, 1970, 1, 4, 36),
    RetirementCategory.WOMEN_50: _Schedule(50, 1975, 1, 2, 60),
}


def _delay_months(birth_date: date, schedule: _Schedule) -> int:
    k = (birth_date.year - schedule.first_year) * 12 + (birth_date.month - schedule.first_month)
    if k < 0:
        return 0
    return min(schedule.max_delay, k // schedule.months_per_step + 1)


def retirement_age(birth_date: date, category: RetirementCategory | str) -> tuple[int, int]:
    """Statutory retirement age as (years, months)."""
    schedule = _SCHEDULES[RetirementCategory(category)]
    total = schedule.base_age * 12 + _delay_months(birth_date, schedule)
    return divmod(total, 12)


def retirement_date(birth_date: date, category: RetirementCategory | str) -> date:
    """Statutory retirement date: birth month + retirement age, on the birth day (clamped to month end)."""
    years, months = retirement_age(birth_date, category)
    index = birth_date.year * 12 + (birth_date.month - 1) + years * 12 + months
    year, month0 = divmod(index, 12)
    last_day = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(birth_date.day, last_day))


def _gender_code(gender: Gender | str) -> str:
    code = code_for_label(GENDER_LABELS, str(gender or ""))
    if code is None:
        raise fail("gender_unknown", f"性别“{gender}”无法识别，无法计算退休年龄。请填写“男”或“女”。", "gender")
    return code


def _post_type_code(post_type: PostType | str | None) -> str:
    if post_type is None or not str(post_type).strip():
        return PostType.UNKNOWN
    code = code_for_label(POST_TYPE_LABELS, str(post_type))
    if code is None:
        labels = "、".join(POST_TYPE_LABELS.values())
        raise fail("post_type_unknown", f"岗位类型“{post_type}”无法识别。请选择：{labels}。", "post_type")
    return code


def categories_for(gender: Gender | str, post_type: PostType | str | None) -> tuple[RetirementCategory, ...]:
    """The retirement categories that may apply: one, or both women's when her post type is unknown."""
    if _gender_code(gender) == Gender.MALE:
        return (RetirementCategory.MEN,)
    post = _post_type_code(post_type)
    if post == PostType.MANAGERIAL:
        return (RetirementCategory.WOMEN_55,)
    if post == PostType.WORKER:
        return (RetirementCategory.WOMEN_50,)
    return (RetirementCategory.WOMEN_55, RetirementCategory.WOMEN_50)


def retirement_dates(
    birth_date: date, gender: Gender | str, post_type: PostType | str | None
) -> tuple[date, ...]:
    """The possible statutory retirement dates, earliest first (two for a woman of unknown post)."""
    return tuple(sorted({retirement_date(birth_date, c) for c in categories_for(gender, post_type)}))


def probably_retired(
    birth_date: date, gender: Gender | str, post_type: PostType | str | None, plan_year: int
) -> bool:
    """Whether any possible statutory retirement date falls before 1 January of the plan year."""
    cutoff = date(plan_year, 1, 1)
    return any(d < cutoff for d in retirement_dates(birth_date, gender, post_type))

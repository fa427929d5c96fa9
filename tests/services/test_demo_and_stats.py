"""The demo profile covers every case SPEC.md names; the workbench figures add up."""
from __future__ import annotations

from collections import Counter
from datetime import date

from app.models import Enterprise, Member
from app.models.queries import MemberFilter
from app.paths import Profile
from app.rules.codes import CardStatus, Category, IdType, InsuranceStatus, LifeStatus, SsCardStatus
from app.rules.idcard import parse_mainland_id
from app.services import members as svc
from app.services import stats


def test_demo_covers_every_case(demo_profile: Profile) -> None:
    today = date.today()
    plan_year = svc.default_plan_year(today)
    members = list(Member.select())
    assert 250 <= len(members) <= 300
    assert Enterprise.select().count() == 2
    assert {m.card_status for m in members} >= {CardStatus.ISSUED, CardStatus.NONE}
    ss = Counter(m.ss_card_status for m in members if m.card_status == CardStatus.NONE)
    assert set(ss) >= {None, *SsCardStatus}
    assert any(m.insurance_status == InsuranceStatus.PENDING for m in members)
    assert {m.life_status for m in members} == set(LifeStatus)
    assert {m.category for m in members} == set(Category)
    assert {IdType.HK_MACAO, IdType.TAIWAN, IdType.PASSPORT} <= {m.id_type for m in members}
    for m in members:
        if m.id_type == IdType.MAINLAND:
            parsed = parse_mainland_id(m.id_number)
            assert parsed.birth_date == m.birth_date and parsed.gender == m.gender
    rows = svc.list_page(1, MemberFilter(), limit=300, plan_year=plan_year, today=today)
    flags = Counter(f for r in rows for f in r.flags)
    assert flags["probably_retired"] and flags["id_expired"] and flags["id_expiring"]
    # Retiring Sep–Dec before the plan year: the case the old system cannot see.
    sep_dec = [m for m in members if m.life_status == LifeStatus.IN_SERVICE and m.birth_date and any(
        date(plan_year - 1, 9, 1) <= d <= date(plan_year - 1, 12, 31)
        for d in svc.retirement_dates_of(m.gender, m.birth_date, m.post_type))]
    assert len(sep_dec) >= 6


def test_workbench_figures(demo_profile: Profile) -> None:
    figures = stats.workbench_figures(1)
    assert figures.members == Member.select().count()
    assert figures.enterprises == 2
    assert figures.grassroots_unions == 1


def test_join_series_buckets_cover_the_range(demo_profile: Profile) -> None:
    today = date.today()
    start = date(today.year - 1, 1, 1)
    months = stats.join_series(1, start, today, "month")
    assert months[0].start == start and months[-1].start == today.replace(day=1)
    joined = Member.select().where((Member.join_date >= start) & (Member.join_date <= today)).count()
    assert sum(b.new for b in months) == joined
    days = stats.join_series(1, today.replace(day=1), today, "day")
    assert len(days) == today.day
    weeks = stats.join_series(1, start, today, "week")
    assert all(b.start.weekday() == 0 for b in weeks)
    assert sum(b.new for b in weeks) >= sum(b.new for b in months) - 7  # first week may start before


def test_no_demo_member_joins_in_the_future(demo_profile: Profile) -> None:
    """Issue #13 item 10: the demo's join dates and the times its members were recorded are today
    or before, and nobody was recorded before joining."""
    from datetime import datetime

    today, now = date.today(), datetime.now()
    members = list(Member.select(Member.join_date, Member.created_at))
    assert members and all(m.join_date <= today for m in members)
    assert all(m.created_at <= now and m.join_date <= m.created_at.date() for m in members)

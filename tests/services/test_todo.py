"""业务工作台 → 待办事项: each figure counts what it says and its list holds those members; the days left
come from the cached campaign's calendar; the join chart's headline never counts an import as joins."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.models import Batch, Member, Union
from app.models.tables import CardBatch, CardQueue
from app.paths import Profile
from app.rules.codes import Gender, InsuranceStatus
from app.rules.idcard import check_character
from app.services import enrollment, stats, todo
from app.services.campaign import cache_campaign

TODAY = date(2024, 11, 20)
PLAN_YEAR = 2025
CAMPAIGN = {
    "plan_year": PLAN_YEAR,
    "payment_deadline": "2024-12-25",
    "windows": {"coverage": {"start": "2025-01-01", "end": "2025-12-31"},
                "enrollment": {"start": "2024-10-01", "end": "2024-12-25"},
                "submission_window": {"start": "2024-12-26", "end": "2024-12-31"},
                "fee_window": {"start": "2024-10-25", "end": "2024-10-31"}},
    "bank_account": {"name": "户名", "number": "1", "bank": "行"},
    "plan_types": [{"plan_type": "A", "fee": "26.00", "city": "13.00", "district": "13.00", "grassroots": "0.00"}],
}


def _member(union_id: int, n: int, *, birth: date = date(1990, 1, 1), card: bool = True, **extra) -> Member:
    first17 = f"310101{birth:%Y%m%d}{n:02d}1"
    return Member.create(union=union_id, member_no=f"{n:05d}", name=f"会员{n}", id_type="mainland",
                         id_number=first17 + check_character(first17), gender=Gender.MALE, birth_date=birth,
                         phone=f"139{n:08d}", card_no=f"6231{n:015d}" if card else None,
                         card_status="issued" if card else "none", **extra)


@pytest.fixture
def union(profile: Profile) -> int:
    union = Union.create(name="测试工会", org_code="91310101MA1FL0XX1X")
    cache_campaign(CAMPAIGN)
    return union.id


def test_each_figure_counts_what_it_says(union: int) -> None:
    fine = _member(union, 1)
    expiring = _member(union, 2, card=False, id_expiry="2024-12-20")  # before the Dec 25 deadline
    _member(union, 3, card=False, id_expiry="2025-01-05")  # after it: fine
    _member(union, 4, card=False, id_expiry="长期")
    _member(union, 5, card=True, id_expiry="2024-12-01")  # has a card already: nothing to apply for
    _member(union, 6, insurance_status=InsuranceStatus.PENDING)
    _member(union, 7, birth=date(1964, 10, 3))  # retires 2024-10: flagged for 2025
    queued = _member(union, 8, card=False)
    CardQueue.create(union=union, member=queued, result="failed", reason="证件已过期")
    for n, status in enumerate(("returned", "queued", "under_review", "refused")):
        Batch.create(union=union, batch_no=f"B{n}", kind="central", channel="card", plan_year=PLAN_YEAR,
                     plan_type="A", member_count=1, totals="{}", status=status)

    for n, asked in enumerate(("pending", "refused", None)):  # a card batch's 申请撤销 waiting for the district
        CardBatch.create(union=union, batch_no=f"BK{n}", member_count=1, status="issuing", withdrawal_status=asked)

    data = todo.todo(union, PLAN_YEAR, TODAY)
    figures = {i.key: i.count for i in data.items}
    assert figures == {"id_expiring": 1, "card_failed": 1, "pending": 1, "retirement": 1,
                       "not_enrolled": figures["not_enrolled"], "returned": 1, "refused": 1,
                       "withdrawal_pending": 1, "queued": 1}
    card = enrollment.count(union, PLAN_YEAR, "card")
    assert figures["not_enrolled"] == card.eligible + enrollment.count(union, PLAN_YEAR, "ss").eligible > 0
    assert data.card_deadline == date(2024, 12, 25)
    assert [c.id for c in todo.todo_members(union, PLAN_YEAR, "id_expiring", TODAY)] == [expiring.id]
    assert [c.member_no for c in todo.todo_members(union, PLAN_YEAR, "flagged", TODAY)] == ["00007"]
    assert fine.id in {c.id for c in todo.todo_members(union, PLAN_YEAR, "eligible", TODAY)}
    targets = {i.key: i.opens for i in data.items}
    assert targets["returned"] == "page:card_enrollment:returned" and targets["pending"] == "dialog:pending"
    assert targets["withdrawal_pending"] == "page:card_batches"


def test_days_left_to_each_date_of_the_servers_calendar(union: int) -> None:
    days = {d.label: d.days_left for d in todo.todo(union, PLAN_YEAR, TODAY).deadlines}
    assert days == {"集中参保开始": -50, "集中参保提交及缴费截止": 35, "区局（产业）工会提交截止": 41, "保障开始": 42}
    deadline = next(d for d in todo.deadlines(CAMPAIGN, TODAY) if d.days_left == 35)
    assert deadline.text == "集中参保提交及缴费截止：2024年12月25日，还有 35 天"
    assert todo.deadlines(CAMPAIGN, date(2024, 12, 25))[1].text.endswith("就是今天")


def test_without_a_synced_campaign_there_is_no_calendar(profile: Profile) -> None:
    union = Union.create(name="测试工会", org_code="X").id
    data = todo.todo(union, PLAN_YEAR, TODAY)
    assert data.deadlines == [] and data.card_deadline is None


def test_an_import_is_not_this_weeks_joins(union: int) -> None:
    """Members imported today who joined years ago are 原有 of today, never 新增."""
    for n in range(10):
        _member(union, 10 + n, join_date=date(2015, 3, 1))
    _member(union, 30, join_date=date.today())
    today = date.today()
    week = stats.join_series(union, today - timedelta(days=today.weekday()), today, "day")
    assert sum(b.new for b in week) == 1
    assert sum(b.existing for b in week) == 10
    assert all(m.created_at.date() == today for m in Member.select())

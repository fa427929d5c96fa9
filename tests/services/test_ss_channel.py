"""社保卡参保 (manual §3.2): the tabs 待校验 / 待提交 as the manual's table says, the header's figures,
the check request kept in the outbox, FAQ 3 (why someone is not listed) and FAQ 4 (card advice)."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from enrollment_kit import PLAN_YEAR, add, open_union

from app.models import Batch, BatchMember, Member, Outbox
from app.models.tables import CardQueue
from app.paths import Profile
from app.services import confirmations, enrollment, ss_channel


@pytest.fixture
def union(profile: Profile) -> int:
    return open_union()


def _ss(union_id: int, n: int, ss: str | None, employment: str | None, **extra) -> Member:
    extra.setdefault("insurance_status", "pending" if ss == "normal" and employment != "employed" else "paid")
    return add(union_id, n, card=False, ss_card_status=ss, employment_status=employment, **extra)


def _names(rows) -> set[str]:
    return {r.name for r in rows}


def test_tabs_follow_the_manuals_table(union: int) -> None:
    """§3.2.5: abnormal card (any employment) or never checked → 待校验; normal and employed → 待提交;
    normal and unclear → 参保待确认名单 until confirmed, then 待提交."""
    _ss(union, 1, None, None)
    for n, status in enumerate(("sealed", "reported_lost", "locked", "cancelled", "unknown"), start=2):
        _ss(union, n, status, "employed" if n % 2 else "unknown")
    _ss(union, 10, "normal", "employed")
    unclear = _ss(union, 11, "normal", "unknown")
    add(union, 20)  # a member card: the card channel's
    _ss(union, 21, "normal", "employed", id_type="passport", id_number="E12345678")
    awaiting = ss_channel.rows(union, PLAN_YEAR, ss_channel.TAB_AWAITING)
    assert _names(awaiting) == {f"会员{n}" for n in range(1, 7)}
    assert {r.ss_status for r in awaiting} == {"-", "封存", "挂失", "锁定", "注销", "不明确"}
    assert _names(ss_channel.rows(union, PLAN_YEAR, ss_channel.TAB_READY)) == {"会员10"}
    assert [r.id for r in confirmations.pending(union, plan_year=PLAN_YEAR)] == [unclear.id]
    assert _names(ss_channel.rows(union, PLAN_YEAR, ss_channel.TAB_AWAITING, ss_status="sealed")) == {"会员2"}
    assert _names(ss_channel.rows(union, PLAN_YEAR, ss_channel.TAB_AWAITING, ss_status="none")) == {"会员1"}

    confirmations.confirm(union, [unclear.id], actor="clerk", plan_year=PLAN_YEAR)
    assert _names(ss_channel.rows(union, PLAN_YEAR, ss_channel.TAB_READY)) == {"会员10", "会员11"}
    counts = enrollment.count(union, PLAN_YEAR, "ss")
    assert (counts.awaiting_check, counts.eligible, counts.pending, counts.has_card, counts.not_mainland) == (6, 2, 0, 1, 1)


@pytest.mark.parametrize(("people", "header"), [
    (36, "保障年度：2025年。可参保人数：36人。——保障费用：936元；市总统一划拨：468元；区局/各级工会缴费：468元；基层单位缴费：0元。"),
    (2, "保障年度：2025年。可参保人数：2人。——保障费用：52元；市总统一划拨：26元；区局/各级工会缴费：26元；基层单位缴费：0元。"),
])
def test_the_manuals_figures_in_the_ss_header(union: int, people: int, header: str) -> None:
    for n in range(people):
        _ss(union, n, "normal", "employed")
    _ss(union, 99, "sealed", "employed")  # 待校验: not counted in 可参保人数
    d = enrollment.draft(union, PLAN_YEAR, "A", channel="ss")
    assert d.header == header and not d.blocking


def test_the_check_request_is_queued_and_answers_move_members(union: int) -> None:
    never = _ss(union, 1, None, None)
    sealed = _ss(union, 2, "sealed", "employed", ss_checked_at=datetime(2024, 10, 1))
    _ss(union, 3, "normal", "employed")
    asked = ss_channel.request_check(union, PLAN_YEAR, actor="clerk")
    assert asked.count == 2 and ss_channel.last_request(union) == asked
    [row] = Outbox.select().where(Outbox.kind == "ss_check_request")
    assert sorted(json.loads(row.payload)["id_numbers"]) == sorted([never.id_number, sealed.id_number])
    assert all(r.checking for r in ss_channel.rows(union, PLAN_YEAR, ss_channel.TAB_AWAITING))
    assert ss_channel.card_advice_ids(union, PLAN_YEAR) == []

    # The answers, as the pull applies them: one normal and employed, one still sealed.
    later = asked.asked_at + timedelta(minutes=5)
    Member.update(ss_card_status="normal", employment_status="employed", insurance_status="paid",
                  ss_checked_at=later).where(Member.id == never.id).execute()
    Member.update(ss_checked_at=later).where(Member.id == sealed.id).execute()
    [still] = ss_channel.rows(union, PLAN_YEAR, ss_channel.TAB_AWAITING)
    assert still.id == sealed.id and not still.checking and "会员服务卡" in still.advice
    assert _names(ss_channel.rows(union, PLAN_YEAR, ss_channel.TAB_READY)) == {"会员1", "会员3"}
    assert ss_channel.card_advice_ids(union, PLAN_YEAR) == [sealed.id]
    assert "已加入待办会员列表 1 人" in ss_channel.add_to_card_queue(union, [sealed.id], actor="clerk")
    assert CardQueue.select().where(CardQueue.member == sealed.id).count() == 1


def test_nothing_to_check_queues_nothing(union: int) -> None:
    _ss(union, 1, "normal", "employed")
    assert ss_channel.request_check(union, PLAN_YEAR, actor="clerk").count == 0
    assert Outbox.select().count() == 0


def test_why_someone_is_not_listed(union: int) -> None:
    """FAQ 3: already enrolled this year, has a member card, not a 身份证 (and who is listed)."""
    enrolled = _ss(union, 1, "normal", "employed")
    batch = Batch.create(union=union, batch_no="JZ1", kind="central", channel="ss", plan_year=PLAN_YEAR, plan_type="A",
                         member_count=1, totals="{}", status="under_review", submitted_at=datetime(2024, 10, 2),
                         updated_at=datetime(2024, 10, 2), actor="clerk")
    BatchMember.create(batch=batch, member=enrolled, id_number=enrolled.id_number, name=enrolled.name,
                       coverage_start=date(2025, 1, 1), coverage_end=date(2025, 12, 31), period="full")
    add(union, 2)
    _ss(union, 3, None, None, id_type="passport", id_number="E12345678")
    _ss(union, 4, "normal", "employed")
    found = {w.name: w for w in ss_channel.why_not_listed(union, PLAN_YEAR, "会员")}
    assert "已参加" in found["会员1"].text and not found["会员1"].listed
    assert "会员卡参保" in found["会员2"].text and found["会员2"].reason == "has_card"
    assert "不是身份证" in found["会员3"].text
    assert found["会员4"].listed and "待提交" in found["会员4"].text
    assert [w.name for w in ss_channel.why_not_listed(union, PLAN_YEAR, enrolled.id_number)] == ["会员1"]
    assert ss_channel.why_not_listed(union, PLAN_YEAR, "  ") == []

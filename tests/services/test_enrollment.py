"""Central and instant enrollment: who is eligible, the counts, the manual's figures, retirement
flags and answers, the categories a union enrolls, 有卡无保 vs 新办卡 — offline, on a cached campaign."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from enrollment_kit import CAMPAIGN, PLAN_YEAR, add, open_union, set_clock

from app.models import AuditEntry, Member, RetirementAnswer, Setting
from app.models.tables import CardBatch, CardBatchMember
from app.paths import Profile
from app.rules.codes import LifeStatus, PostType
from app.services import campaign, enrollment
from app.services.errors import ClerkError


@pytest.fixture
def union(profile: Profile) -> int:
    return open_union()


@pytest.mark.parametrize("count, fee, city, district", [(53, "1378", "689", "689"), (36, "936", "468", "468"),
                                                       (2, "52", "26", "26")])
def test_manual_figures(union: int, count: int, fee: str, city: str, district: str) -> None:
    for n in range(count):
        add(union, n)
    d = enrollment.draft(union, PLAN_YEAR, "A", today=date(2024, 10, 29))
    assert d.header == (f"保障年度：2025年。可参保人数：{count}人。——保障费用：{fee}元；市总统一划拨：{city}元；"
                        f"区局/各级工会缴费：{district}元；基层单位缴费：0元。")
    assert not d.blocking


def test_counts_and_exclusions(union: int) -> None:
    for n in range(10):
        add(union, n)
    for n in range(10, 14):
        add(union, n, card=False)
    add(union, 20, life_status=LifeStatus.DECEASED)
    add(union, 21, life_status=LifeStatus.RETIRED, life_status_date=date(2024, 6, 1))
    add(union, 22, life_status=LifeStatus.RETIRED, life_status_date=date(2025, 3, 1))  # retires in the year: in
    add(union, 23, insurance_status="pending")
    c = enrollment.count(union, PLAN_YEAR)
    assert (c.total, c.carded, c.no_card, c.deceased, c.retired, c.pending) == (18, 14, 4, 1, 1, 1)
    assert c.eligible == 11
    assert sum(c.partition("card").values()) == c.total
    ids = {x.id for x in enrollment.members_for_count(union, PLAN_YEAR, "card", "eligible")}
    assert Member.get(Member.member_no == "00020").id not in ids
    assert Member.get(Member.member_no == "00022").id in ids
    assert [x.name for x in enrollment.members_for_count(union, PLAN_YEAR, "card", "deceased")] == ["会员20"]
    assert campaign.deadline_text(campaign.campaign(PLAN_YEAR)).startswith(
        "请于2024年12月25日之前，将对应的参保费用划入所属区局（产业）工会账户，保障日期为2025年1月1日起至2025年12月31日止。")


def test_sep_dec_retiree_is_flagged_and_blocks_until_settled(union: int) -> None:
    add(union, 1)
    # A man born 1964-10: statutory age 60 (before the 2025 reform), retires 2024-10 — the
    # Sep–Dec case the old system cannot see.
    late = add(union, 2, birth="19641015")
    d = enrollment.draft(union, PLAN_YEAR, "A")
    assert [p.code for p in d.blocking] == ["retirement_unsettled"]
    assert "会员2" in d.blocking[0].message
    with pytest.raises(ClerkError):
        enrollment.submit(d, actor="clerk", documents=Path("/nonexistent"), fingerprint="x")
    flagged = enrollment.members_for_count(union, PLAN_YEAR, "card", "flagged")
    assert [f.id for f in flagged] == [late.id] and flagged[0].retirement_dates == (date(2024, 10, 15),)

    enrollment.settle_retirement(late.id, "working", plan_year=PLAN_YEAR, actor="clerk")
    d = enrollment.draft(union, PLAN_YEAR, "A")
    assert not d.blocking and d.totals.count == 2

    enrollment.settle_retirement(late.id, "retired", plan_year=PLAN_YEAR, actor="clerk", retired_on=date(2024, 10, 15))
    d = enrollment.draft(union, PLAN_YEAR, "A")
    assert not d.blocking and d.totals.count == 1
    assert Member.get_by_id(late.id).life_status == LifeStatus.RETIRED
    assert enrollment.count(union, PLAN_YEAR).retired == 1
    assert AuditEntry.select().where(AuditEntry.action == "retirement.settle").count() == 2


def test_still_working_holds_for_one_plan_year_only(union: int) -> None:
    """Defect 3: "仍在职" was remembered for ever; it is an answer for one plan year."""
    late = add(union, 2, birth="19641015")
    enrollment.settle_retirement(late.id, "working", plan_year=PLAN_YEAR, actor="clerk")
    assert enrollment.count(union, PLAN_YEAR).flagged == 0
    next_year = dict(CAMPAIGN, plan_year=PLAN_YEAR + 1,
                     windows={"coverage": {"start": "2026-01-01", "end": "2026-12-31"}}, payment_deadline="2025-12-25")
    campaign.cache_campaign(next_year)
    assert enrollment.count(union, PLAN_YEAR + 1).flagged == 1
    next_draft = enrollment.draft(union, PLAN_YEAR + 1, "A", today=date(2025, 12, 25))
    assert [p.code for p in next_draft.blocking] == ["retirement_unsettled"]
    assert enrollment.count(union, PLAN_YEAR).flagged == 0
    answer = RetirementAnswer.get(RetirementAnswer.member == late.id)
    assert (answer.plan_year, answer.answer) == (PLAN_YEAR, "working")


def test_answers_of_one_wizard_run_are_saved_together_or_not_at_all(union: int) -> None:
    a = add(union, 2, birth="19641015")
    b = add(union, 3, birth="19641016")
    with pytest.raises(ClerkError):
        enrollment.settle_retirements([(a.id, "working", None), (b.id, "retired", None)],
                                      plan_year=PLAN_YEAR, actor="clerk")
    assert RetirementAnswer.select().count() == 0
    assert enrollment.settle_retirements([(a.id, "working", None), (b.id, "retired", date(2024, 11, 1))],
                                         plan_year=PLAN_YEAR, actor="clerk") == 2
    assert RetirementAnswer.select().count() == 2


@pytest.mark.parametrize("retired_on", [date(2025, 1, 1), date(2025, 3, 1)])
def test_retired_on_or_after_jan_1_is_eligible_and_counted(union: int, retired_on: date) -> None:
    """Defect 4: a member the clerk answered "retired on or after Jan 1" vanished from every count."""
    add(union, 1)
    late = add(union, 2, birth="19641015")
    enrollment.settle_retirement(late.id, "retired", plan_year=PLAN_YEAR, actor="clerk", retired_on=retired_on)
    c = enrollment.count(union, PLAN_YEAR)
    assert (c.eligible, c.retired, c.flagged) == (2, 0, 0)
    assert sum(c.partition("card").values()) == c.total == 2
    d = enrollment.draft(union, PLAN_YEAR, "A")
    assert not d.blocking and {r.member_id for r in d.rows} == {m.id for m in Member.select()}


def test_woman_with_unknown_post_is_flagged_if_either_date_is_before(union: int) -> None:
    # Born 1972-06: worker (50) → 2022-06; managerial (55y…) → 2027: unknown post ⇒ flagged.
    w = add(union, 3, birth="19720610", male=False, post_type=PostType.UNKNOWN)
    assert enrollment.candidates(union, PLAN_YEAR, "card")[0].retirement == "retirement_unsettled"
    Member.update(post_type=PostType.MANAGERIAL).where(Member.id == w.id).execute()
    assert enrollment.candidates(union, PLAN_YEAR, "card")[0].retirement is None


@pytest.mark.parametrize("channel", ["card", "ss"])
def test_flexible_and_outside_enterprise_members_are_counted_apart_and_never_billed(union: int, channel: str) -> None:
    """Defect 2: flexible and outside-enterprise members were enrolled and billed centrally."""
    card = channel == "card"
    for n in range(3):
        add(union, n, card=card, ss_card_status="normal", employment_status="employed")
    add(union, 10, card=card, category="flexible", ss_card_status="normal", employment_status="employed")
    add(union, 11, card=card, category="outside_enterprise", ss_card_status="normal", employment_status="employed")
    c = enrollment.count(union, PLAN_YEAR, channel)
    assert (c.individual, c.eligible, c.total) == (2, 3, 5)
    d = enrollment.draft(union, PLAN_YEAR, "A", channel=channel)
    assert d.totals.count == 3 and str(d.totals.fee) == "78.00"
    assert {m.name for m in enrollment.members_for_count(union, PLAN_YEAR, channel, "individual")} == {"会员10", "会员11"}
    # The center widens the categories in the campaign: no code change.
    campaign.cache_campaign(dict(CAMPAIGN, union_categories=["linked_enterprise", "flexible"]))
    assert enrollment.draft(union, PLAN_YEAR, "A", channel=channel).totals.count == 4


def test_ss_counts_count_only_the_ss_population(union: int) -> None:
    """Defect 6: the SS channel's 退休/死亡/待确认/待校验 counted carded and non-身份证 members."""
    add(union, 1, card=False, ss_card_status="normal", employment_status="employed")
    add(union, 2, card=False, ss_card_status=None)  # 待校验
    add(union, 3, card=False, life_status=LifeStatus.DECEASED)
    # Not the SS population, whatever their state:
    add(union, 4, card=True, life_status=LifeStatus.DECEASED)
    add(union, 5, card=True, insurance_status="pending")
    add(union, 6, card=True, life_status=LifeStatus.RETIRED, life_status_date=date(2024, 5, 1))
    add(union, 7, card=False, id_type="passport", id_number="E12345678", life_status=LifeStatus.DECEASED)
    add(union, 8, card=False, id_type="passport", id_number="E12345679", ss_card_status=None)
    c = enrollment.count(union, PLAN_YEAR, "ss")
    assert (c.eligible, c.awaiting_check, c.deceased, c.retired, c.pending) == (1, 1, 1, 0, 0)
    assert (c.has_card, c.not_mainland) == (3, 2)
    assert sum(c.partition("ss").values()) == c.total == 8


def _card_batch(union_id: int, member: Member, made: datetime, no: str) -> None:
    batch = CardBatch.create(union=union_id, batch_no=no, member_count=1, status="done", submitted_at=made,
                             updated_at=made)
    CardBatchMember.create(batch=batch, member=member, id_number=member.id_number, name=member.name,
                           outcome="issued", card_no=member.card_no)


def test_carded_unprotected_and_newly_carded_are_two_disjoint_lists(union: int, tmp_path: Path) -> None:
    """Defect 8: 有卡无保 and 新办卡 drafted the same population."""
    old_card = add(union, 1)  # a card from before (no card batch of ours)
    early = add(union, 2)
    _card_batch(union, early, datetime(2024, 10, 10, 9, 0), "BK-EARLY")
    first = enrollment.submit(enrollment.draft(union, PLAN_YEAR, "A", member_ids=[old_card.id]),
                              actor="clerk", documents=tmp_path, fingerprint="x",
                              now=datetime.fromisoformat("2024-10-20T10:00:00+08:00"))
    assert first.count == 1
    late = add(union, 3)
    _card_batch(union, late, datetime(2024, 11, 5, 9, 0), "BK-LATE")
    after_window = add(union, 4)
    _card_batch(union, after_window, datetime(2024, 12, 28, 9, 0), "BK-DEC")
    carded = enrollment.draft(union, PLAN_YEAR, "A", kind="instant_carded", today=date(2025, 3, 10))
    new = enrollment.draft(union, PLAN_YEAR, "A", kind="instant_new_card", today=date(2025, 3, 10))
    assert {r.member_id for r in carded.rows} == {early.id}
    assert {r.member_id for r in new.rows} == {late.id, after_window.id}
    assert all(r.coverage.start == date(2025, 3, 11) for r in carded.rows + new.rows)


def test_the_window_is_shown_from_the_servers_calendar_and_a_shut_one_blocks(union: int) -> None:
    """Defect 10: the client never said the central window had closed (closes_at unused); the
    server refused such a batch only after the clerk pressed submit."""
    add(union, 1)
    info = campaign.require_campaign(PLAN_YEAR)
    before = campaign.window(info, "central", datetime.fromisoformat("2024-12-24T10:00:00+08:00"))
    assert before.is_open and before.text.startswith("集中参保办理截止：2024年12月25日（北京时间当日24时，以服务器时间为准），"
                                                     "还剩1天14小时。")
    # set_clock put this PC's clock years away from the server's: the clerk is told to fix it.
    assert "本机时钟比服务器快" in before.text and "调准" in before.text
    Setting.replace(key="clock:skew_seconds", value="12.5").execute()
    assert "本机时钟" not in campaign.window(info, "central", datetime.fromisoformat("2024-12-24T10:00:00+08:00")).text
    d = enrollment.draft(union, PLAN_YEAR, "A", now=datetime.fromisoformat("2024-12-26T00:00:01+08:00"))
    assert d.blocking[0].code == "window_closed"
    assert "集中参保办理已于2024年12月25日截止" in d.blocking[0].message and "即时参保" in d.blocking[0].message
    # The server's closes_at (with its grace) is what counts, not the bare date.
    campaign.cache_campaign(dict(CAMPAIGN, enrollment_closes_at="2024-12-25T18:00:00Z"))
    late = enrollment.draft(union, PLAN_YEAR, "A", now=datetime.fromisoformat("2024-12-26T01:00:00+08:00"))
    assert not late.blocking
    # The business clock follows the server's calendar as measured at the last sync.
    set_clock(datetime.fromisoformat("2024-12-27T09:00:00+08:00"))
    assert enrollment.draft(union, PLAN_YEAR, "A").blocking[0].code == "window_closed"
    assert not enrollment.draft(union, PLAN_YEAR, "A", kind="instant_carded").blocking or \
        enrollment.draft(union, PLAN_YEAR, "A", kind="instant_carded").blocking[0].code == "empty"

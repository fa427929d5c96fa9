"""社保卡参保 end to end against a real server (issue #14): request the check → the server's job asks
the demo registry → the answers arrive through the pull → 待校验 / 待提交 split as §3.2.5 says →
confirm an unclear one → submit a selection → 区局确认中 → 退回 → fixed and resubmitted → 已完成;
a second plan type refused in either order; the notice counts both channels."""
from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from app.models import Batch, Member, Outbox
from app.paths import Profile
from app.services import confirmations, enrollment, ss_channel
from app.sync import account

from server.embedded import DEMO_CLERK
from tests.sync import test_enrollment_e2e as card_e2e

signed = card_e2e.signed  # the card channel's fixture: a demo server, the clerk signed in and synced
reviewer, submission_id = card_e2e.reviewer, card_e2e.submission_id

ABNORMAL = {"封存", "挂失", "锁定", "注销", "不明确", "-"}


def wait_for_answers(engine, year: int) -> None:
    """Sync until no member of 待校验 is still 校验中 (the server's job runs in its worker thread)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        engine.sync()
        if not any(r.checking for r in ss_channel.rows(engine.union_id, year, ss_channel.TAB_AWAITING)):
            return
        time.sleep(0.1)
    raise AssertionError("the SS check answers did not arrive")


def checked(engine, year: int) -> None:
    ss_channel.request_check(engine.union_id, year, actor=DEMO_CLERK)
    wait_for_answers(engine, year)


def settle_flags(engine, year: int, channel: str) -> None:
    for c in enrollment.members_for_count(engine.union_id, year, channel, "flagged"):
        enrollment.settle_retirement(c.id, "working", plan_year=year, actor=DEMO_CLERK)


def submit(engine, profile: Profile, year: int, plan_type: str, channel: str, ids: list[int], **kw) -> str:
    d = enrollment.draft(engine.union_id, year, plan_type, channel=channel, member_ids=ids)
    assert not d.blocking, d.blocking
    sent = enrollment.submit(d, actor=DEMO_CLERK, documents=profile.documents, fingerprint=engine.device_fingerprint,
                             **kw)
    engine.sync()
    return sent.batch_no


def pdf_text(path: str | Path) -> str:
    """The PDF's text with its line breaks removed (a sentence wraps anywhere)."""
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.replace("\n", "")


def test_ss_channel_round_trip(signed: account.SignedIn, profile: Profile) -> None:
    engine = signed.engine
    union_id, year = engine.union_id, enrollment.require_campaign().plan_year
    before = enrollment.count(union_id, year, "ss")
    assert before.awaiting_check > 0 and before.eligible == 0  # nobody checked yet

    asked = ss_channel.request_check(union_id, year, actor=DEMO_CLERK)
    assert asked.count == before.awaiting_check
    assert ss_channel.last_request(union_id) == asked
    wait_for_answers(engine, year)

    # §3.2.5: the registry's realistic mix lands in the manual's tabs.
    awaiting = ss_channel.rows(union_id, year, ss_channel.TAB_AWAITING)
    ready = ss_channel.rows(union_id, year, ss_channel.TAB_READY)
    unclear = [p for p in confirmations.pending(union_id, plan_year=year) if not p.confirmed
               and Member.get_by_id(p.id).card_no is None]
    assert awaiting and ready and unclear
    assert {r.ss_status for r in awaiting} <= ABNORMAL and {r.ss_status for r in awaiting} != {"-"}
    assert all(r.advice for r in awaiting)  # FAQ 4: checked and still abnormal → a member card instead
    assert {(r.ss_status, r.employment) for r in ready} == {("正常", "在职")}
    assert all(Member.get_by_id(p.id).ss_card_status == "normal" for p in unclear)

    # An unclear one confirmed (final) moves to 待提交, on the server too.
    confirmations.confirm(union_id, [unclear[0].id], actor=DEMO_CLERK, plan_year=year)
    engine.sync()
    assert unclear[0].id in {r.id for r in ss_channel.rows(union_id, year, ss_channel.TAB_READY)}

    # Submit a selection: 区局确认中; returned; fixed and resubmitted; approved.
    settle_flags(engine, year, "ss")
    chosen = [r.id for r in ss_channel.rows(union_id, year, ss_channel.TAB_READY)][:3]
    first = submit(engine, profile, year, "A", "ss", chosen)
    batch = Batch.get(Batch.batch_no == first)
    assert batch.status == "under_review" and batch.channel == "ss"
    assert "社保卡参保 3 人" in pdf_text(batch.notice_path)
    district = reviewer(engine)
    district.decide(submission_id(engine, first), "return", "名单中有人已离职，请核对后重新提交")
    engine.sync()
    assert Batch.get(Batch.batch_no == first).status == "returned"
    again = submit(engine, profile, year, "A", "ss", chosen[:2], replaces=first)
    district.decide(submission_id(engine, again), "approve")
    engine.sync()
    # The district's approval puts it in its 待提交 list: still 区局确认中 until the district submits
    # it to the center (tests/sync/test_superior_e2e.py goes on to 已完成).
    assert Batch.get(Batch.batch_no == again).status == "under_review"
    assert enrollment.count(union_id, year, "ss").submitted == 2

    # The card channel's batch: the notice then counts both channels (会员卡参保 a 人,社保卡参保 b 人).
    settle_flags(engine, year, "card")
    cards = [c.id for c in enrollment.members_for_count(union_id, year, "card", "eligible")][:4]
    both = submit(engine, profile, year, "A", "card", cards)
    text = pdf_text(Batch.get(Batch.batch_no == both).notice_path)
    assert "共计 6 人(会员卡参保 4 人,社保卡参保 2 人)" in text


@pytest.mark.parametrize("first_channel", ["card", "ss"])
def test_a_second_plan_type_is_refused_in_either_order(signed: account.SignedIn, profile: Profile,
                                                      first_channel: str) -> None:
    engine = signed.engine
    union_id, year = engine.union_id, enrollment.require_campaign().plan_year
    checked(engine, year)
    settle_flags(engine, year, "card")
    settle_flags(engine, year, "ss")
    other = "ss" if first_channel == "card" else "card"
    people = {ch: [c.id for c in enrollment.members_for_count(union_id, year, ch, "eligible")][:2]
              for ch in ("card", "ss")}
    submit(engine, profile, year, "A", first_channel, people[first_channel])
    second = enrollment.draft(union_id, year, "B", channel=other, member_ids=people[other])
    assert second.blocking[0].code == "plan_type_fixed"  # refused on this PC …
    second.blocking.clear()  # … and by the server, for a PC that did not know
    refused = enrollment.submit(second, actor=DEMO_CLERK, documents=profile.documents,
                                fingerprint=engine.device_fingerprint)
    assert engine.sync().refused == 1
    batch = Batch.get(Batch.batch_no == refused.batch_no)
    assert batch.status == "refused" and "保障类型" in batch.problem
    assert Outbox.get(Outbox.id == batch.outbox_id).problem == "plan_type_mismatch"

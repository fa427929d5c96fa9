"""End to end over a real server: an instant batch prepared offline on day D and sent on D+2 is
covered from D+3 (the day after the server received it), its notice says so, and the wizard, the
notice, 重新下载 and the server agree on every total to the fen (issue #12).

The server's clock and this "PC's" clock are moved together to 2026-06-30 (D+2): D = 06-28 gives
coverage from 06-29 at the full price when prepared; the server's date gives 07-01, which the
campaign prices 半年 — so both the dates and the money change on the way.
"""
from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

import httpx
import pytest

from app.models import Batch, BatchMember, Outbox
from app.paths import Profile
from app.protocol import SHANGHAI
from app.services import campaign, enrollment, enrollment_notice
from app.services.enrollment_send import reprice_for_send
from app.sync import account
from server.embedded import DEMO_CLERK, DEMO_PASSWORD, start_demo_server
from server.settings import ServerContext
from tests.server.union_server_testkit import MovableClock

PLAN_YEAR = 2026
D = date(2026, 6, 28)
SENT_ON = date(2026, 6, 30)


@pytest.fixture
def signed(tmp_path: Path, profile: Profile, file_keyring) -> Iterator[tuple[account.SignedIn, MovableClock]]:
    from server.campaigns import publish_campaign
    from server.db import open_database, session
    from server.demo import create_campaign, init_demo
    from server.migrations import migrate

    clock = MovableClock()
    clock.offset = datetime.combine(SENT_ON, time(10), SHANGHAI) - clock()
    ctx = ServerContext(clock=clock)
    db_file = tmp_path / "server.db"
    open_database(f"sqlite:///{db_file}")
    migrate()
    with session():
        init_demo(ctx, password=DEMO_PASSWORD, members_per_union=60)
        publish_campaign(ctx, create_campaign(ctx, PLAN_YEAR, SENT_ON))  # covers 2026, half from July
    url, stop = start_demo_server(db_file, clock=clock)
    signed = account.sign_in(url, DEMO_CLERK, DEMO_PASSWORD, profile_root=profile.root)
    signed.engine.now = clock  # this PC's clock reads what the server's does
    signed.engine.prepare_submission = reprice_for_send
    signed.engine.sync()
    yield signed, clock
    stop()


def _text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", "", out)


def _eligible(union_id: int) -> list[int]:
    for c in enrollment.members_for_count(union_id, PLAN_YEAR, "card", "flagged"):
        enrollment.settle_retirement(c.id, "working", plan_year=PLAN_YEAR, actor=DEMO_CLERK)
    return [c.id for c in enrollment.members_for_count(union_id, PLAN_YEAR, "card", "eligible")]


def test_instant_batch_prepared_offline_is_covered_from_the_day_after_the_server_received_it(
        signed: tuple[account.SignedIn, MovableClock], profile: Profile) -> None:
    signed_in, clock = signed
    engine = signed_in.engine
    union_id = engine.union_id
    assert campaign.require_campaign(PLAN_YEAR).half_year.enabled
    people = _eligible(union_id)
    assert len(people) >= 8
    instant_ids, central_ids = people[:5], people[5:8]

    # Day D, offline: the wizard prices the batch as if the server received it today.
    prepared_at = datetime.combine(D, time(16), SHANGHAI)
    d = enrollment.draft(union_id, PLAN_YEAR, "A", kind="instant_carded", member_ids=instant_ids, now=prepared_at)
    assert not d.blocking and d.rows[0].coverage.start == date(2026, 6, 29) and d.rows[0].coverage.period == "full"
    assert str(d.totals.fee) == "130.00"
    # What the wizard shows for the same members on D+2, the day the server will receive them.
    wizard = enrollment.draft(union_id, PLAN_YEAR, "A", kind="instant_carded", member_ids=instant_ids, today=SENT_ON)
    assert str(wizard.totals.fee) == "65.00"
    sent = enrollment.submit(d, actor=DEMO_CLERK, documents=profile.documents, fingerprint=engine.device_fingerprint,
                             now=prepared_at)
    assert "保障日期为2026年6月29日起至2026年12月31日止" in _text(sent.notice_path)
    central = enrollment.submit(
        enrollment.draft(union_id, PLAN_YEAR, "A", member_ids=central_ids, now=prepared_at), actor=DEMO_CLERK,
        documents=profile.documents, fingerprint=engine.device_fingerprint, now=prepared_at)

    report = engine.sync()
    assert report.refused == 0, report.errors
    assert len(report.notices) == 1 and "2026年6月30日" in report.notices[0] and "2026年7月1日起（半年）" in report.notices[0]
    batch = Batch.get(Batch.batch_no == sent.batch_no)
    assert batch.status == "under_review" and batch.note == report.notices[0]
    rows = list(BatchMember.select().where(BatchMember.batch == batch))
    assert {(r.coverage_start, r.coverage_end, r.period) for r in rows} == {(date(2026, 7, 1), date(2026, 12, 31), "half")}

    # The notice says so: coverage from D+3, the half-year price, dated the day it was sent.
    text = _text(sent.notice_path)
    for phrase in ("即时参保2026年度上海工会会员专享基本保障计划（有卡无保人员）", "保障日期为2026年7月1日起至2026年12月31日止",
                   "本次参保5人，保障费用：65元；市总统一划拨：32.50元；区局/各级工会缴费：32.50元", "2026年6月30日"):
        assert phrase in text, phrase

    # The server decided the same, keeps the same notice, and agrees on every total to the fen.
    receipt = json.loads(Outbox.get_by_id(batch.outbox_id).receipt)
    assert receipt["received_on"] == "2026-06-30"
    assert receipt["coverage"] == {"start": "2026-07-01", "end": "2026-12-31", "period": "half"}
    assert receipt["totals"] == {"count": 5, "fee": "65.00", "city": "32.50", "district": "32.50", "grassroots": "0.00"}
    wizard_totals = {"count": wizard.totals.count, **{k: f"{getattr(wizard.totals, k)}" for k in
                                                      ("fee", "city", "district", "grassroots")}}
    assert json.loads(batch.totals) == receipt["totals"] == wizard_totals
    server_id = next(s["submission_id"] for s in engine.client.submissions() if s["batch_no"] == sent.batch_no)
    with httpx.Client(base_url=engine.client.base_url, timeout=30) as http:
        stored = http.get(f"/submissions/{server_id}/pdf",
                          headers={"Authorization": f"Bearer {engine.client.access_token}"})
    assert stored.status_code == 200 and stored.content == sent.notice_path.read_bytes()

    # 重新下载集中参保告知书: the central batch only, priced row by row, equal to the server's total.
    central_receipt = json.loads(Outbox.get_by_id(Batch.get(Batch.batch_no == central.batch_no).outbox_id).receipt)
    again = enrollment_notice.regenerate_latest_notice(union_id, PLAN_YEAR, fingerprint=engine.device_fingerprint,
                                                       documents=profile.documents, today=SENT_ON)
    assert central_receipt["totals"]["fee"] == "78.00" and central_receipt["coverage"]["start"] == "2026-01-01"
    assert "截至今日累计参保3人，保障费用：78元" in _text(again) and "有卡无保" not in _text(again)


def test_a_batch_priced_for_a_day_that_ended_is_priced_again_and_lands(
        signed: tuple[account.SignedIn, MovableClock], profile: Profile) -> None:
    """Midnight between the re-pricing and the server's receipt: the server refuses the copy
    (coverage_mismatch); the engine prices it again for the server's date and it lands once."""
    signed_in, _ = signed
    engine = signed_in.engine
    people = _eligible(engine.union_id)[:2]
    prepared_at = datetime.combine(D, time(16), SHANGHAI)
    sent = enrollment.submit(enrollment.draft(engine.union_id, PLAN_YEAR, "A", kind="instant_carded",
                                              member_ids=people, now=prepared_at),
                             actor=DEMO_CLERK, documents=profile.documents, fingerprint=engine.device_fingerprint,
                             now=prepared_at)
    real, days = engine.server_today, []

    def yesterday_once() -> date:  # the first pricing still sees the day that just ended
        days.append(real() if days else date(2026, 6, 29))
        return days[-1]

    engine.server_today = yesterday_once
    report = engine.sync()
    assert report.refused == 0, report.errors
    assert days == [date(2026, 6, 29), SENT_ON]
    row = Outbox.get_by_id(Batch.get(Batch.batch_no == sent.batch_no).outbox_id)
    assert row.state == "sent" and row.attempts == 2
    assert json.loads(row.receipt)["coverage"]["start"] == "2026-07-01"
    assert "2026年7月1日起（半年）" in report.notices[-1]

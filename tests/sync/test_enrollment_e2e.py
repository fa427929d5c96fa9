"""Card-channel enrollment end to end against a real server: confirm → enroll → submit → notice →
区局确认中 → 退回 with a reason → corrected → resubmitted → approved; a second plan type refused;
a submission retried after a dropped connection lands once."""
from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.models import Batch, Outbox
from app.paths import Profile
from app.services import confirmations, enrollment, enrollment_batches
from app.sync import account
from app.sync.client import Offline, ServerClient

from server.embedded import DEMO_CLERK, DEMO_PASSWORD, start_demo_server


@pytest.fixture
def signed(tmp_path: Path, profile: Profile, file_keyring) -> Iterator[account.SignedIn]:
    url, stop = start_demo_server(tmp_path / "server.db", members_per_union=60)
    signed = account.sign_in(url, DEMO_CLERK, DEMO_PASSWORD, profile_root=profile.root)
    signed.engine.sync()
    yield signed
    stop()


def reviewer(engine) -> ServerClient:
    client = ServerClient(engine.client.base_url)
    client.login("district", DEMO_PASSWORD)
    return client


def submission_id(engine, batch_no: str) -> int:
    rows = engine.client.submissions()
    return next(r["submission_id"] for r in rows if r["batch_no"] == batch_no)


def test_enrollment_round_trip(signed: account.SignedIn, profile: Profile) -> None:
    engine = signed.engine
    union_id = engine.union_id
    info = enrollment.require_campaign()
    year = info.plan_year

    # 待确认: confirming is final and goes up.
    before = enrollment.count(union_id, year)
    assert before.pending > 0
    assert confirmations.confirm(union_id, None, actor=DEMO_CLERK) == before.pending
    assert enrollment.count(union_id, year).pending == 0

    # Retirement flags must be settled before submitting.
    d = enrollment.draft(union_id, year, "A")
    flagged = enrollment.members_for_count(union_id, year, "card", "flagged")
    if flagged:
        assert any(p.code == "retirement_unsettled" for p in d.blocking)
        for c in flagged:
            enrollment.settle_retirement(c.id, "working", plan_year=year, actor=DEMO_CLERK)
        d = enrollment.draft(union_id, year, "A")
    assert not d.blocking and d.totals.count > 0
    sent = enrollment.submit(d, actor=DEMO_CLERK, documents=profile.documents,
                             fingerprint=engine.device_fingerprint)
    text = subprocess.run(["pdftotext", str(sent.notice_path), "-"], capture_output=True, text=True).stdout
    assert sent.batch_no in text and str(d.totals.count) in text
    report = engine.sync()
    assert report.refused == 0, report.errors
    batch = Batch.get(Batch.batch_no == sent.batch_no)
    assert batch.status == "under_review"
    assert enrollment_batches.batches(union_id)[0].status_label == "区局确认中"

    # The district returns it with a reason; the clerk sees the reason after a sync.
    district = reviewer(engine)
    district.decide(submission_id(engine, sent.batch_no), "return", "名单中有人已离职，请核对后重新提交")
    engine.sync()
    batch = Batch.get(Batch.batch_no == sent.batch_no)
    assert batch.status == "returned" and "离职" in batch.return_reason

    # Corrected (one member removed) and resubmitted as a new batch naming the returned one.
    d2 = enrollment.draft(union_id, year, "A", member_ids=[r.member_id for r in d.rows[1:]])
    assert d2.totals.count == d.totals.count - 1
    again = enrollment.submit(d2, actor=DEMO_CLERK, documents=profile.documents,
                              fingerprint=engine.device_fingerprint, replaces=sent.batch_no)
    engine.sync()
    assert Batch.get(Batch.batch_no == again.batch_no).status == "under_review"
    district.decide(submission_id(engine, again.batch_no), "approve")
    engine.sync()
    # The district's approval puts it in its 待提交 list: still 区局确认中 until the district submits
    # it to the center (tests/sync/test_superior_e2e.py goes on to 已完成).
    assert Batch.get(Batch.batch_no == again.batch_no).status == "under_review"
    server_rows = {r["batch_no"]: r for r in engine.client.submissions()}
    assert server_rows[again.batch_no]["replaces"] == sent.batch_no


def test_second_plan_type_is_refused_by_the_server(signed: account.SignedIn, profile: Profile) -> None:
    engine = signed.engine
    year = enrollment.require_campaign().plan_year
    for c in enrollment.members_for_count(engine.union_id, year, "card", "flagged"):
        enrollment.settle_retirement(c.id, "working", plan_year=year, actor=DEMO_CLERK)
    people = [c.id for c in enrollment.members_for_count(engine.union_id, year, "card", "eligible")]
    first = enrollment.draft(engine.union_id, year, "A", member_ids=people[:3])
    enrollment.submit(first, actor=DEMO_CLERK, documents=profile.documents, fingerprint=engine.device_fingerprint)
    engine.sync()
    second = enrollment.draft(engine.union_id, year, "B", member_ids=people[3:6])
    assert second.blocking[0].code == "plan_type_fixed"  # refused here already …
    second.blocking.clear()  # … and by the server, for a PC that did not know
    refused = enrollment.submit(second, actor=DEMO_CLERK, documents=profile.documents,
                                fingerprint=engine.device_fingerprint)
    report = engine.sync()
    assert report.refused == 1
    batch = Batch.get(Batch.batch_no == refused.batch_no)
    assert batch.status == "refused" and "保障类型" in batch.problem
    assert Outbox.get(Outbox.id == batch.outbox_id).problem == "plan_type_mismatch"


def test_submission_retried_after_a_dropped_connection_lands_once(signed: account.SignedIn, profile: Profile,
                                                                  monkeypatch) -> None:
    engine = signed.engine
    year = enrollment.require_campaign().plan_year
    for c in enrollment.members_for_count(engine.union_id, year, "card", "flagged"):
        enrollment.settle_retirement(c.id, "working", plan_year=year, actor=DEMO_CLERK)
    d = enrollment.draft(engine.union_id, year, "A")
    sent = enrollment.submit(d, actor=DEMO_CLERK, documents=profile.documents, fingerprint=engine.device_fingerprint)
    real_push = engine.client.push

    def commit_then_drop(fingerprint, records):
        real_push(fingerprint, records)
        raise Offline("connection reset after the server committed")

    monkeypatch.setattr(engine.client, "push", commit_then_drop)
    with pytest.raises(Offline):
        engine.sync()
    assert Batch.get(Batch.batch_no == sent.batch_no).status == "queued"
    monkeypatch.setattr(engine.client, "push", real_push)
    engine.sync()
    assert Batch.get(Batch.batch_no == sent.batch_no).status == "under_review"
    on_server = [r for r in engine.client.submissions() if r["batch_no"] == sent.batch_no]
    assert len(on_server) == 1 and on_server[0]["member_count"] == d.totals.count


def test_union_server_review_command(signed: account.SignedIn, profile: Profile, tmp_path: Path, monkeypatch) -> None:
    from server import cli as server_cli

    engine = signed.engine
    year = enrollment.require_campaign().plan_year
    for c in enrollment.members_for_count(engine.union_id, year, "card", "flagged"):
        enrollment.settle_retirement(c.id, "working", plan_year=year, actor=DEMO_CLERK)
    people = [c.id for c in enrollment.members_for_count(engine.union_id, year, "card", "eligible")][:2]
    sent = enrollment.submit(enrollment.draft(engine.union_id, year, "A", member_ids=people), actor=DEMO_CLERK,
                             documents=profile.documents, fingerprint=engine.device_fingerprint)
    engine.sync()
    monkeypatch.setenv("UNION_SERVER_ACTOR_PASSWORD", DEMO_PASSWORD)
    db_url = f"sqlite:///{tmp_path / 'server.db'}"
    assert server_cli.main(["review", "--db", db_url, "return", sent.batch_no, "--actor", "district"]) == 2
    assert server_cli.main(["review", "--db", db_url, "return", sent.batch_no, "--actor", "district",
                            "--reason", "请补充缴费凭证"]) == 0
    engine.sync()
    batch = Batch.get(Batch.batch_no == sent.batch_no)
    assert batch.status == "returned" and batch.return_reason == "请补充缴费凭证"

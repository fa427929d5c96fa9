"""撤销办卡批次 and 撤销办卡批次审核 over a real loopback server: a clerk asks to withdraw a card batch
whose cards are not made; its cards are held; the district approves (the batch withdrawn, its
members applied for again) or refuses with a reason (the cards are made); every step audited, in
the clerk's feed, and scoped to the district."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from server import card_jobs
from server.db import session, write_tx
from server.models import AuditEntry, CardBatch, CardBatchMember, CardJob
from test_server_cards import _batch, _one, _server_member
from test_server_queries import _other_district
from union_server_testkit import G1_NO_CARD, Server, Session


@pytest.fixture
def slow_issuer(server: Server) -> Iterator[None]:
    """Cards made an hour after the batch arrives, so a batch stays 制卡中 meanwhile."""
    server.ctx.settings.card_issue_delay_seconds = 3600
    yield
    server.ctx.settings.card_issue_delay_seconds = 0


def _card_batch(clerk: Session, numbers: list[str]) -> str:
    record = _batch(clerk, numbers)
    assert _one(clerk.push(record))["status"] == "ok"
    return str(record["payload"]["batch_no"])


def _issue_now(server: Server) -> None:
    """Make every card job due (as if the issuer's delay had passed) and run them here."""
    with session(), write_tx():
        CardJob.update(not_before=server.ctx.now_naive() - timedelta(seconds=1)).execute()
    card_jobs.run_pending(server.ctx, "test-worker")


def _batch_feed(clerk: Session, batch_no: str) -> dict:
    rows = [c["data"] for c in clerk.changes()["changes"] if c["entity"] == "card_batch" and c["key"] == batch_no]
    return rows[-1]


def _outcomes(batch_no: str) -> set[str]:
    with session():
        batch = CardBatch.get(CardBatch.batch_no == batch_no)
        return {m.outcome for m in CardBatchMember.select().where(CardBatchMember.batch == batch)}


def test_withdrawal_approved_frees_the_members(server: Server, clerk: Session, clerk2: Session,
                                              slow_issuer: None) -> None:
    batch = _card_batch(clerk, G1_NO_CARD)
    assert _server_member(G1_NO_CARD[0])["card_status"] == "applying"
    assert clerk.post(f"/card-batches/{batch}/withdrawal", {"reason": " "}).json()["problem"] == "validation"
    r = clerk.post(f"/card-batches/{batch}/withdrawal", {"reason": "照片未采集，申请撤销"})
    assert r.status_code == 200, r.text
    asked = r.json()
    assert (asked["status"], asked["status_label"], asked["member_count"]) == ("pending", "撤销审核中", 2)
    again = clerk.post(f"/card-batches/{batch}/withdrawal", {"reason": "再次申请"})
    assert again.status_code == 409 and again.json()["problem"] == "batch_state"
    assert clerk2.post(f"/card-batches/{batch}/withdrawal", {"reason": "x"}).status_code == 404  # not its batch
    assert _batch_feed(clerk, batch)["withdrawal"]["status"] == "pending"

    # The cards are held while the request waits, even past the issuer's delay.
    _issue_now(server)
    assert _server_member(G1_NO_CARD[0])["card_status"] == "applying" and _outcomes(batch) == {"pending"}

    # Only the batch's district decides: a secondary is refused, another district sees nothing.
    secondary, district, jingan = Session(server, "secondary"), Session(server, "district"), _other_district(server)
    assert secondary.get("/withdrawals").json()["problem"] == "union_scope"
    assert jingan.get("/withdrawals").json() == {"total": 0, "withdrawals": []}
    assert jingan.post(f"/withdrawals/{asked['id']}/approve", {}).status_code == 403
    listed = district.get("/withdrawals").json()
    assert [(w["batch_no"], w["union"]["org_code"], w["reason"]) for w in listed["withdrawals"]] == [
        (batch, clerk.org_code, "照片未采集，申请撤销")]

    r = district.post(f"/withdrawals/{asked['id']}/approve", {})
    assert r.status_code == 200 and r.json()["status"] == "approved" and r.json()["batch_status"] == "withdrawn"
    assert district.post(f"/withdrawals/{asked['id']}/approve", {}).json()["problem"] == "batch_state"
    assert district.get("/withdrawals").json()["total"] == 0
    assert district.get("/withdrawals", status="").json()["withdrawals"][0]["status_label"] == "已同意撤销"
    assert _outcomes(batch) == {"withdrawn"}
    assert all(_server_member(n)["card_status"] == "none" for n in G1_NO_CARD)
    seen = _batch_feed(clerk, batch)
    assert (seen["status"], seen["withdrawal"]["status"]) == ("withdrawn", "approved")
    members = {c["key"]: c["data"] for c in clerk.changes()["changes"] if c["entity"] == "member"}
    assert all(members[n]["card_status"] == "none" for n in G1_NO_CARD)
    with session():
        actions = [a.action for a in AuditEntry.select().where(AuditEntry.entity_key == batch).order_by(AuditEntry.id)]
    assert actions[-2:] == ["card_withdrawal_requested", "card_withdrawal_approved"]
    # The members may be applied for again, and a withdrawn batch cannot be asked again.
    assert clerk.post(f"/card-batches/{batch}/withdrawal", {"reason": "x"}).json()["problem"] == "batch_state"
    _card_batch(clerk, G1_NO_CARD)
    assert _server_member(G1_NO_CARD[1])["card_status"] == "applying"


def test_withdrawal_refused_with_a_reason_and_the_cards_are_made(server: Server, clerk: Session,
                                                                 slow_issuer: None) -> None:
    batch = _card_batch(clerk, G1_NO_CARD[:1])
    asked = clerk.post(f"/card-batches/{batch}/withdrawal", {"reason": "填错了"}).json()
    district = Session(server, "district")
    r = district.post(f"/withdrawals/{asked['id']}/refuse", {"reason": ""})
    assert r.status_code == 422
    r = district.post(f"/withdrawals/{asked['id']}/refuse", {"reason": "已提交制卡机构，无法撤销"})
    assert r.status_code == 200 and r.json()["status"] == "refused", r.text
    seen = _batch_feed(clerk, batch)["withdrawal"]
    assert (seen["status"], seen["decision_reason"]) == ("refused", "已提交制卡机构，无法撤销")
    [mine] = clerk.get("/withdrawals", status="").json()["withdrawals"]  # the clerk reads the answer too
    assert (mine["status_label"], mine["decision_reason"]) == ("未同意撤销", "已提交制卡机构，无法撤销")
    card_jobs.run_pending(server.ctx, "test-worker")  # the held job runs at once, no delay left
    assert _server_member(G1_NO_CARD[0])["card_status"] == "issued" and _outcomes(batch) == {"issued"}
    with session():
        assert AuditEntry.select().where(AuditEntry.action == "card_withdrawal_refused").count() == 1
    # A batch whose cards are made can no longer be withdrawn.
    assert clerk.post(f"/card-batches/{batch}/withdrawal", {"reason": "x"}).json()["problem"] == "batch_state"

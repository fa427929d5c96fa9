"""The client's sync engine against a real server on a loopback port.

Login, device registration, first pull, member push and pull, a conflict resolved both ways, an
SS check requested and its result pulled, and a retried push after a lost answer landing once.
"""
from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from app.models import AuditEntry, Member, Outbox, SyncState
from app.models.outbox import enqueue
from app.paths import Profile
from app.protocol import MemberUpsert, PushRecord, SsCheckRequest, generate_device_key, public_key_b64
from app.services import members as member_service
from app.sync import engine as sync_engine
from app.sync.client import ClockSkew, Offline, ServerClient
from app.sync.engine import SyncEngine, link_union
from server.embedded import DEMO_CLERK, DEMO_PASSWORD, start_demo_server

MEMBERS = 40


@pytest.fixture
def server_url(tmp_path: Path) -> Iterator[str]:
    from server.settings import Settings

    url, stop = start_demo_server(tmp_path / "server.db", members_per_union=MEMBERS,
                                  settings=Settings(worker_poll_seconds=0.05))
    yield url
    stop()


def login(url: str) -> tuple[ServerClient, dict]:
    client = ServerClient(url)
    client.login(DEMO_CLERK, DEMO_PASSWORD)
    return client, client.me()


@pytest.fixture
def engine(server_url: str, profile: Profile) -> SyncEngine:
    client, me = login(server_url)
    union_id = link_union(me["union"], me["enterprises"])
    key = generate_device_key()
    device = client.register_device(public_key_b64(key), "test PC")
    return SyncEngine(client, union_id=union_id, org_code=me["union"]["org_code"], device_key=key,
                      device_fingerprint=device["fingerprint"], actor=DEMO_CLERK)


def server_member(url: str, id_number: str) -> dict:
    """What another PC of the same union pulls for this member now."""
    client, _ = login(url)
    latest: dict = {}
    since = 0
    while True:
        page = client.changes(since)
        for change in page["changes"]:
            if change["entity"] == "member" and change["key"] == id_number:
                latest = change["data"]
        since = page["next"]
        if not page["more"]:
            return latest


def test_first_pull_brings_members_and_campaign(engine: SyncEngine) -> None:
    report = engine.sync()
    assert report.pulled >= MEMBERS
    assert Member.select().count() == MEMBERS
    assert SyncState.get(SyncState.scope == engine.scope).cursor == report.cursor > 0
    assert all(m.sync_state == "sent" for m in Member.select())
    assert any(m.card_no and m.card_no.startswith("6231") for m in Member.select())
    from app.models import Setting

    year = Setting.get(Setting.key == "campaign:current").value
    campaign = json.loads(Setting.get(Setting.key == f"campaign:{year}").value)
    assert campaign["plan_year"] == int(year)
    # A second sync has nothing new to do.
    again = engine.sync()
    assert again.pulled == 0 and again.pushed == 0


def test_member_edit_goes_up(engine: SyncEngine, server_url: str) -> None:
    engine.sync()
    m = Member.select().where(Member.id_type == "mainland").order_by(Member.id).first()
    member_service.update_member(m.id, {"phone": "13912345678"}, actor="clerk", plan_year=2027, today=date.today())
    assert Member.get_by_id(m.id).sync_state == "to_send"
    assert sync_engine.pending_changes() == 1
    report = engine.sync()
    assert report.pushed == 1 and report.refused == 0
    assert Member.get_by_id(m.id).sync_state == "sent"
    assert server_member(server_url, m.id_number)["phone"] == "13912345678"
    assert sync_engine.pending_changes() == 0


def _other_pc_sets(url: str, id_number: str, field: str, value: str) -> None:
    client, me = login(url)
    current = server_member(url, id_number)
    change = MemberUpsert(id_number, {field: value}, current["versions"], union=me["union"]["org_code"])
    result = client.push(None, [PushRecord(f"other-pc-{field}-{time.time_ns()}", change.KIND,
                                           change.to_wire()).to_wire()])
    assert result[0]["status"] == "ok", result


@pytest.mark.parametrize("choice", ["mine", "server"])
def test_conflict_resolved_both_ways(engine: SyncEngine, server_url: str, choice: str) -> None:
    engine.sync()
    m = Member.select().where(Member.category == "linked_enterprise").order_by(Member.id).first()
    _other_pc_sets(server_url, m.id_number, "work_address", "上海市静安区南京西路一千号十二楼")
    member_service.update_member(m.id, {"work_address": "上海市徐汇区漕溪北路八十八号"}, actor="clerk",
                                 plan_year=2027, today=date.today())
    report = engine.sync()
    assert report.conflicts == 1 and report.refused == 1
    local = Member.get_by_id(m.id)
    assert local.sync_state == "conflict"
    assert local.work_address == "上海市徐汇区漕溪北路八十八号"  # nothing silently overwritten
    [conflict] = sync_engine.conflicts(local.union_id)
    assert conflict["fields"]["work_address"]["server"] == "上海市静安区南京西路一千号十二楼"

    sync_engine.resolve_conflict(m.id, {"work_address": choice}, actor="clerk")
    engine.sync()
    expected = "上海市徐汇区漕溪北路八十八号" if choice == "mine" else "上海市静安区南京西路一千号十二楼"
    assert Member.get_by_id(m.id).work_address == expected
    assert Member.get_by_id(m.id).sync_state == "sent"
    assert server_member(server_url, m.id_number)["work_address"] == expected
    action = "sync.conflict.keep_mine" if choice == "mine" else "sync.conflict.take_server"
    assert AuditEntry.select().where(AuditEntry.action == action).count() == 1


def test_ss_check_result_is_pulled(engine: SyncEngine) -> None:
    engine.sync()
    unchecked = [m for m in Member.select().where((Member.id_type == "mainland") & (Member.card_status != "issued"))]
    assert unchecked
    numbers = [m.id_number for m in unchecked]
    enqueue(SsCheckRequest(numbers, union=engine.org_code))
    report = engine.sync()
    assert report.pushed == 1
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        engine.sync()
        if all(Member.get_by_id(m.id).ss_card_status for m in unchecked):
            break
        time.sleep(0.1)
    statuses = {Member.get_by_id(m.id).ss_card_status for m in unchecked}
    assert None not in statuses and "normal" in statuses


def test_push_after_a_lost_answer_lands_once(engine: SyncEngine, server_url: str, monkeypatch) -> None:
    engine.sync()
    m = Member.select().order_by(Member.id).first()
    member_service.update_member(m.id, {"label": "劳模"}, actor="clerk", plan_year=2027, today=date.today())
    real_push = engine.client.push
    calls = []

    def push_then_lose_answer(fingerprint, records):
        calls.append([r["key"] for r in records])
        real_push(fingerprint, records)  # the server commits ...
        raise Offline("connection reset")  # ... but the answer never arrives

    monkeypatch.setattr(engine.client, "push", push_then_lose_answer)
    with pytest.raises(Offline):
        engine.sync()
    row = Outbox.get()
    assert row.state == "sending" and row.attempts == 1
    answers = []

    def push_and_keep_answer(fingerprint, records):
        calls.append([r["key"] for r in records])
        answers.extend(real_push(fingerprint, records))
        return answers

    monkeypatch.setattr(engine.client, "push", push_and_keep_answer)
    report = engine.sync()
    assert report.pushed == 1
    assert calls[1] == calls[0]  # resent under the same key
    # Its answer applied, the row left the outbox (app/sync/member_queue.py).
    assert Outbox.select().count() == 0
    receipt = answers[0]["receipt"]
    # The retry got the first answer back: one effect, one version step on the server.
    assert receipt["changed"] == ["label"]
    on_server = server_member(server_url, m.id_number)
    assert on_server["label"] == "劳模" and on_server["version"] == receipt["version"]
    assert json.loads(Member.get_by_id(m.id).field_versions)["label"] == receipt["versions"]["label"]


def test_clock_skew_refuses_to_sync(engine: SyncEngine, monkeypatch) -> None:
    from datetime import datetime, timedelta, timezone

    with pytest.raises(ClockSkew) as caught:
        engine.client.check_clock(now=datetime.now(timezone.utc) + timedelta(minutes=7))
    assert "5分钟" in caught.value.message
    engine.client.check_clock()  # a right clock passes


def test_sync_keeps_the_servers_notices_for_offline_reading(engine: SyncEngine) -> None:
    from app.services.notices_feed import cached_notices

    assert cached_notices() == ([], None)
    engine.sync()
    notices, fetched = cached_notices()
    assert fetched is not None and len(notices) == 2
    assert any("集中参保开始办理" in n.title for n in notices) and notices[0].publisher

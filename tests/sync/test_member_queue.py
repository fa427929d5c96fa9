"""Member changes queued in chunks (app/sync/member_queue.py): each change exactly once, a kill -9
between or inside chunks loses nothing, and an answered member_upsert row leaves the outbox."""
from __future__ import annotations

import json
import os
import queue
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from app.models import Member, Outbox, Union, close_database, db, open_database
from app.models.bulk import insert_rows
from app.paths import Profile
from app.protocol import CLERK_OWNED_FIELDS, MemberUpsert, RecordKind, generate_device_key, public_key_b64
from app.services import members as member_service
from app.sync import member_queue
from app.sync.client import ServerClient
from app.sync.engine import SyncEngine, link_union
from server.embedded import DEMO_CLERK, DEMO_PASSWORD, start_demo_server

ROOT = Path(__file__).resolve().parents[2]
ORG = "91310101MA1FL0QUEX"


def _member_rows(union_id: int, count: int, start: int = 0, **extra: object) -> list[dict[str, object]]:
    return [{"union": union_id, "member_no": f"{n:08d}", "name": f"会员{n}", "id_type": "mainland",
             "id_number": f"31010119900101{n:04d}", "gender": "male", "birth_date": date(1990, 1, 1),
             "phone": f"139{n:08d}", "work_address": "上海市黄浦区九江路二百号", **extra}
            for n in range(start, start + count)]


def _fill(count: int) -> int:
    union = Union.create(name="上海排队测试有限公司工会委员会", org_code=ORG)
    with db.atomic():
        insert_rows(Member, _member_rows(union.id, count))
    return int(union.id)


def _outbox_by_member() -> Counter[int]:
    return Counter(r.member_id for r in Outbox.select(Outbox.member).where(Outbox.kind == RecordKind.MEMBER_UPSERT))


def test_chunks_queue_each_change_once(profile: Profile) -> None:
    union_id = _fill(2500)
    # Members the server already knows: only their dirty clerk-owned fields go up, or nothing.
    with db.atomic():
        insert_rows(Member, _member_rows(union_id, 3, 5000, field_versions='{"label": 2, "phone": 1}',
                                         dirty_fields='["label"]', label="劳模"))
        insert_rows(Member, _member_rows(union_id, 2, 6000, field_versions='{"label": 1}', dirty_fields="[]"))

    assert member_queue.queue_member_changes(union_id, ORG, chunk=1000) == 2503
    by_member = _outbox_by_member()
    assert len(by_member) == 2503 and set(by_member.values()) == {1}
    assert Member.select().where(Member.sync_state == "sending").count() == 2503
    assert Member.select().where(Member.sync_state == "sent").count() == 2  # nothing to send
    label_only = Outbox.get(Outbox.member == Member.get(Member.member_no == "00005000").id)
    payload = MemberUpsert.from_wire(json.loads(label_only.payload))
    assert (payload.fields, payload.base_versions) == ({"label": "劳模"}, {"label": 2})
    # A member the server has never seen: every clerk-owned field, no base (each from version 0).
    never_sent = Outbox.get(Outbox.member == Member.select().order_by(Member.id).first().id)
    payload = MemberUpsert.from_wire(json.loads(never_sent.payload))
    assert sorted(payload.fields) == sorted(CLERK_OWNED_FIELDS) and payload.base_versions == {}
    assert '"base_versions":{}' in never_sent.payload
    # A second call finds nothing left: no change goes up twice.
    assert member_queue.queue_member_changes(union_id, ORG, chunk=1000) == 0
    assert Outbox.select().count() == 2503


# The child queues 1,000 members 100 at a time and stops inside its 4th chunk's transaction,
# after writing that chunk's outbox rows and before committing them, to be killed there.
CHILD = """
import sys, time
from pathlib import Path
from app.models import open_database
from app.paths import Profile
from app.sync import member_queue

root, union_id, org = sys.argv[1], int(sys.argv[2]), sys.argv[3]
profile = Profile(Path(root))
open_database(profile.database, backup_dir=profile.backups)
real_chunk = member_queue._queue_chunk
chunks = []

def chunk_then_pause(*args):
    queued = real_chunk(*args)
    chunks.append(queued)
    if len(chunks) == 4:
        print("PAUSED", flush=True)
        time.sleep(600)
    return queued

member_queue._queue_chunk = chunk_then_pause
member_queue.queue_member_changes(union_id, org, chunk=100)
print("DONE", flush=True)
"""


def _wait_for(proc: subprocess.Popen[str], word: str) -> None:
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout or []], daemon=True).start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if lines.get(timeout=0.2).startswith(word):
                return
        except queue.Empty:
            if proc.poll() is not None:
                break
    proc.kill()
    raise AssertionError(f"the child never said {word}: {proc.stderr.read() if proc.stderr else ''}")


def test_a_kill_between_chunks_loses_nothing(tmp_path: Path) -> None:
    profile = Profile(tmp_path / "profile").create()
    open_database(profile.database, backup_dir=profile.backups)
    union_id = _fill(1000)
    close_database()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(profile.root), str(union_id), ORG], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(proc, "PAUSED")
    finally:
        proc.kill()
        proc.wait(30)
    # Three chunks committed whole; the fourth, killed inside its transaction, left no trace.
    with sqlite3.connect(profile.database) as raw:
        assert raw.execute("SELECT COUNT(*), COUNT(DISTINCT member_id) FROM outbox").fetchone() == (300, 300)
        states = dict(raw.execute("SELECT sync_state, COUNT(*) FROM member GROUP BY sync_state").fetchall())
        assert states == {"sending": 300, "to_send": 700}
        assert raw.execute("SELECT COUNT(*) FROM outbox o JOIN member m ON m.id = o.member_id "
                           "WHERE m.sync_state != 'sending'").fetchone() == (0,)
    open_database(profile.database, backup_dir=profile.backups)
    try:
        assert member_queue.queue_member_changes(union_id, ORG, chunk=100) == 700
        by_member = _outbox_by_member()
        assert len(by_member) == 1000 and set(by_member.values()) == {1}
        assert Member.select().where(Member.sync_state != "sending").count() == 0
    finally:
        close_database()


@pytest.fixture
def engine(tmp_path: Path, profile: Profile) -> Iterator[SyncEngine]:
    from server.settings import Settings

    url, stop = start_demo_server(tmp_path / "server.db", members_per_union=30,
                                  settings=Settings(worker_poll_seconds=0.05))
    client = ServerClient(url)
    client.login(DEMO_CLERK, DEMO_PASSWORD)
    me = client.me()
    key = generate_device_key()
    device = client.register_device(public_key_b64(key), "test PC")
    yield SyncEngine(client, union_id=link_union(me["union"], me["enterprises"]), org_code=me["union"]["org_code"],
                     device_key=key, device_fingerprint=device["fingerprint"], actor=DEMO_CLERK)
    stop()


@pytest.mark.parametrize("server_packs", [True, False], ids=["packed-receipts", "older-server"])
def test_answered_upserts_leave_the_outbox(engine: SyncEngine, server_packs: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if not server_packs:  # a server older than packed receipts ignores the request's "receipts"
        import server.routes.sync

        monkeypatch.setattr(server.routes.sync, "PACKED", "not known to this server")
    engine.sync()  # the first pull
    edited = [m.id for m in Member.select().order_by(Member.id).limit(5)]
    for n, member_id in enumerate(edited):
        member_service.update_member(member_id, {"work_address": f"上海市黄浦区九江路{300 + n}号"}, actor="clerk",
                                     plan_year=2027, today=date.today())
    answers: list[dict[str, object]] = []
    real_push = engine.client.push

    def recording(fingerprint, records):  # type: ignore[no-untyped-def]
        results = real_push(fingerprint, records)
        answers.extend(results)
        return results

    engine.client.push = recording  # type: ignore[method-assign]
    report = engine.sync()
    assert report.pushed == 5 and report.refused == 0
    assert [a["status"] for a in answers] == ["ok"] * 5
    # The answers were applied (each member holds the address's new server version) and the rows
    # that carried them are gone.
    assert Outbox.select().where(Outbox.kind == RecordKind.MEMBER_UPSERT).count() == 0
    for member_id, answer in zip(edited, answers):
        member = Member.get_by_id(member_id)
        receipt = answer["receipt"]
        assert isinstance(receipt, dict)  # whole, either way
        assert receipt["id_number"] == member.id_number and receipt["changed"] == ["work_address"]
        assert receipt["created"] is False and receipt["version"] == receipt["versions"]["work_address"]
        assert member.sync_state == "sent"
        assert json.loads(member.field_versions)["work_address"] == receipt["versions"]["work_address"] > 1
    assert engine.sync().pushed == 0  # nothing left to send again


def test_keys_are_random_uuid4_text() -> None:
    keys = member_queue.uuid4_texts(2000)
    assert len(set(keys)) == 2000 and member_queue.uuid4_texts(0) == []
    for key in keys:
        parsed = uuid.UUID(key)
        assert str(parsed) == key and parsed.version == 4 and parsed.variant == uuid.RFC_4122

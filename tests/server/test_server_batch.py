"""Batch-shaped pushes (server/push.py, server/batch.py): a request is written in one transaction,
each record still answered on its own and applied exactly once — on SQLite and PostgreSQL.

- 10 identical pushes at once (new members, a submission, a refused record): every caller gets
  the same answers; each member, change, audit row, idempotency record and submission exists once.
- `union-server serve` killed -9 while a big push is being written: each request landed whole or
  not at all; after a restart the same requests again end with exactly one effect per record.
"""
from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from server.audit import member_entries
from server.db import session
from server.receipts import stored_key
from server.models import Change, IdempotencyRecord, Member, Submission, Union
from union_server_testkit import (G1_CARDED, Server, Session, mainland_id, member_upsert, push_at_once, submission_payload,
                                  submission_record)

ROOT = Path(__file__).resolve().parents[2]
BAD_NUMBER = "110101199003071234"  # a wrong check digit: refused with validation, never remembered


def new_number(k: int) -> str:
    birth = (date(1970, 1, 1) + timedelta(days=k // 90)).strftime("%Y%m%d")
    return mainland_id(birth, k % 90 + 10)


def new_members(first: int, count: int) -> list[dict[str, Any]]:
    return [member_upsert(new_number(k), {"name": f"批量{k}", "id_type": "身份证", "phone": f"1590000{k:04d}"})
            for k in range(first, first + count)]


def effects(union_id: int, numbers: list[str], keys: list[str]) -> dict[str, Any]:
    """What the server holds of these members and keys."""
    with session():
        return {
            "members": {m.id_number: m.version for m in Member.select().where(Member.id_number.in_(numbers))},
            # A member's feed change is its row's place (server/changes.py), or a change row.
            "changes": Change.select().where((Change.union == union_id) & (Change.entity == "member")
                                             & Change.entity_key.in_(numbers)).count()
            + Member.select().where((Member.union == union_id) & Member.id_number.in_(numbers)
                                    & Member.feed_seq.is_null(False)).count(),
            "created": sum(1 for e in member_entries(union_id) if e["action"] == "member_created"),
            "keys": IdempotencyRecord.select().where(IdempotencyRecord.key.in_([stored_key(k) for k in keys])).count(),
            "submissions": Submission.select().count(),
        }


def _union_id(clerk: Session) -> int:
    with session():
        return int(Union.get(Union.org_code == clerk.org_code).id)


def test_concurrent_identical_pushes_have_one_effect(server: Server, clerk: Session) -> None:
    upserts = new_members(0, 60)
    bad = member_upsert(BAD_NUMBER, {"name": "错号", "id_type": "身份证"})
    submission = submission_record(clerk, submission_payload(clerk, G1_CARDED[:2]))
    records = upserts[:30] + [bad, submission] + upserts[30:]
    answers = push_at_once(server, clerk, records)
    assert all(a == answers[0] for a in answers)
    first = answers[0]
    assert [r["key"] for r in first] == [r["key"] for r in records]
    assert first[30]["problem"] == "validation" and first[30]["status"] == "error"
    assert all(r["status"] == "ok" for i, r in enumerate(first) if i != 30), first
    assert sum(1 for r in first if r["status"] == "ok" and r["receipt"].get("created") is True) == 60

    numbers = [new_number(k) for k in range(60)]
    keys = [r["key"] for r in records if r is not bad]
    assert effects(_union_id(clerk), numbers, keys) == {
        "members": {n: 1 for n in numbers}, "changes": 60, "created": 60, "keys": 61, "submissions": 1}
    with session():
        assert IdempotencyRecord.get_or_none(IdempotencyRecord.key == stored_key(bad["key"])) is None
    # The feed numbers stay gapless and in order after the batches.
    feed = clerk.changes(limit=1000)
    seqs = [c["seq"] for c in feed["changes"]]
    assert seqs == list(range(1, len(seqs) + 1)) and feed["latest"] == seqs[-1]


def test_refused_record_in_a_batch_leaves_the_others(server: Server, clerk: Session) -> None:
    """A record refused halfway (its member saved, then the phone clash found) rolls back alone."""
    first = new_members(100, 3)
    clash = member_upsert(new_number(103), {"name": "撞号", "id_type": "身份证", "phone": "15900000100"})
    answers = clerk.push(first[0], clash, first[1], first[2])
    assert [a["status"] for a in answers] == ["ok", "error", "ok", "ok"], answers
    numbers = [new_number(k) for k in range(100, 104)]
    with session():
        held = {m.id_number for m in Member.select().where(Member.id_number.in_(numbers))}
    assert held == set(numbers[:3])
    again = clerk.push(member_upsert(new_number(103), {"name": "撞号", "id_type": "身份证"}, key=clash["key"]))
    assert again[0]["status"] == "ok" and again[0]["receipt"]["created"]


# --- kill -9 in the middle of a batch ---------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(db_url: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    script = Path(sys.executable).with_name("union-server")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "server.cli"]
    with open(log, "ab") as out:
        proc = subprocess.Popen([*command, "serve", "--db", db_url, "--port", str(port), "--no-worker",
                                 "--log-level", "warning"], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        assert proc.poll() is None, log.read_text(errors="replace")[-2000:]
        try:
            httpx.get(url + "/time", timeout=1)
            return proc, url
        except httpx.TransportError:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)


def _landed(keys: list[str]) -> int:
    with session():
        return IdempotencyRecord.select().where(IdempotencyRecord.key.in_([stored_key(k) for k in keys])).count()


def test_killed_mid_batch_has_one_effect_per_record(server: Server, clerk: Session, tmp_path: Path) -> None:
    size = 400
    requests = [new_members(1000 + i * size, size) for i in range(3)]
    requests[1].insert(size // 2, submission_record(clerk, submission_payload(clerk, G1_CARDED[:2])))
    for request in requests:
        request.insert(7, member_upsert(BAD_NUMBER, {"name": "错号", "id_type": "身份证"}, key=str(uuid.uuid4())))
    keys = [[r["key"] for r in request if r["payload"].get("id_number") != BAD_NUMBER] for request in requests]
    all_keys = [k for part in keys for k in part]
    body = [{"device_fingerprint": clerk.fingerprint, "records": request} for request in requests]

    proc, url = _serve(server.db_url, tmp_path / "serve.log")
    answered: list[list[dict[str, Any]]] = []

    def push_all() -> None:
        with httpx.Client(base_url=url, timeout=300) as http:
            for request in body:
                answered.append(http.post("/push", json=request, headers=clerk.headers).json()["results"])

    with ThreadPoolExecutor(1) as pool:
        pushing = pool.submit(push_all)
        deadline = time.monotonic() + 120
        while _landed(all_keys) == 0:  # the first request committed: the second is being written
            assert time.monotonic() < deadline and not pushing.done(), "no request landed"
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        try:
            pushing.result(60)
        except httpx.TransportError:
            pass
    # Each request landed whole or not at all, and not every one of them did.
    landed = [_landed(part) for part in keys]
    assert all(n in (0, len(part)) for n, part in zip(landed, keys)), landed
    assert 0 < sum(landed) < len(all_keys), landed

    proc, url = _serve(server.db_url, tmp_path / "serve.log")
    try:
        with httpx.Client(base_url=url, timeout=300) as http:
            again = [http.post("/push", json=request, headers=clerk.headers).json()["results"] for request in body]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    for i, answers in enumerate(again):
        assert [a["status"] for a in answers].count("error") == 1, answers
        if i < len(answered):
            assert answers == answered[i]  # the stored answers of what had landed
    numbers = [r["payload"]["id_number"] for request in requests for r in request
               if r["kind"] == "member_upsert" and r["payload"]["id_number"] != BAD_NUMBER]
    assert effects(_union_id(clerk), numbers, all_keys) == {
        "members": {n: 1 for n in numbers}, "changes": len(numbers), "created": len(numbers),
        "keys": len(all_keys), "submissions": 1}


def test_a_member_added_and_removed_in_one_request_leaves_no_claim(server: Server, clerk: Session,
                                                                   clerk2: Session) -> None:
    from app.protocol import MemberRemoval, PushRecord

    from server.models import CLAIMED

    added, kept = new_members(200, 2)
    number = added["payload"]["id_number"]
    removal = MemberRemoval(number, "录入有误")
    remove = PushRecord(str(uuid.uuid4()), removal.KIND, removal.to_wire()).to_wire()
    answers = clerk.push(added, remove, kept)
    assert [a["status"] for a in answers] == ["ok", "ok", "ok"], answers
    assert answers[1]["receipt"]["removed"] is True
    with session():
        claims = {c.id_number for c in Member.select(Member.id_number).where(
            Member.id_number.in_([number, kept["payload"]["id_number"]]) & CLAIMED)}
    assert claims == {kept["payload"]["id_number"]}
    # The person is free: another union may add them.
    again = clerk2.push(member_upsert(number, {"name": "批量200", "id_type": "身份证"}))
    assert again[0]["status"] == "ok", again


def test_stored_answers_are_compact_and_given_back_whole(server: Server, clerk: Session) -> None:
    """A member upsert's first answer is stored as a few fields (issue #19: database size) and
    the same key gets that answer back whole — a new member's, and an update's that keeps the
    versions of the fields it did not change."""
    number = new_number(300)
    created = member_upsert(number, {"name": "简存", "id_type": "身份证", "phone": "15900000300"})
    first = clerk.push(created)[0]
    assert first["status"] == "ok" and first["receipt"]["created"] is True
    versions = first["receipt"]["versions"]
    updated = member_upsert(number, {"phone": "15900000301"}, {"phone": versions["phone"]})
    second = clerk.push(updated)[0]
    assert second["receipt"]["changed"] == ["phone"] and second["receipt"]["version"] == 2
    assert second["receipt"]["versions"] == {**versions, "phone": 2}
    assert clerk.push(created, updated) == [first, second]  # both answered from the stored answers
    with session():
        stored = [IdempotencyRecord.get(IdempotencyRecord.key == stored_key(r["key"])).response for r in (created, updated)]
    # [version, created, changed fields (birth_date, gender read off the number, id_type, name, phone:
    # one letter each, in name order), the other fields' versions]; the ID number is the payload's.
    assert stored[0] == [1, 1, "edcbf"]
    assert stored[1] == [2, 0, "f", {k: v for k, v in versions.items() if k != "phone"}]


def test_feed_serves_member_rows_for_pushed_members(server: Server, clerk: Session) -> None:
    """A pushed member's feed change is its row's place in the feed (member.feed_seq, issue #19:
    database size), no change row; the feed serves the member's whole record from the row, once,
    at its latest place — to a reviewer cut as before — and a removed member's is gone (the
    removal's own change says so)."""
    from app.protocol import MemberRemoval, PushRecord

    from union_server_testkit import Session as Client

    kept, gone = new_members(400, 2)
    numbers = [kept["payload"]["id_number"], gone["payload"]["id_number"]]
    assert [a["status"] for a in clerk.push(kept, gone)] == ["ok", "ok"]
    with session():
        assert Change.select().where(Change.entity_key.in_(numbers)).count() == 0
        places = {m.id_number: m.feed_seq for m in Member.select().where(Member.id_number.in_(numbers))}
        latest = Union.get(Union.org_code == clerk.org_code).change_seq
    assert sorted(places.values()) == [latest - 1, latest]
    served = {c["key"]: c for c in clerk.changes()["changes"] if c["key"] in numbers}
    assert {key: c["seq"] for key, c in served.items()} == places
    record = served[numbers[0]]["data"]
    assert record["name"] == "批量400" and record["phone"] == "15900000400"
    assert record["version"] == 1 and record["versions"]["phone"] == 1

    update = member_upsert(numbers[0], {"phone": "15900000499"}, {"phone": 1})
    removal = MemberRemoval(numbers[1], "录入有误")
    answers = clerk.push(update, PushRecord(str(uuid.uuid4()), removal.KIND, removal.to_wire()).to_wire())
    assert [a["status"] for a in answers] == ["ok", "ok"], answers
    feed = [c for c in clerk.changes()["changes"] if c["key"] in numbers]
    # The kept member once, at its latest place, as it is now; the removed one's row is gone.
    assert [(c["entity"], c["key"]) for c in feed] == [("member", numbers[0]), ("member_removal", numbers[1])]
    assert feed[0]["data"]["phone"] == "15900000499" and feed[0]["data"]["version"] == 2
    assert feed[1]["seq"] == feed[0]["seq"] + 1
    review = [c for c in Client(server, "district").changes(union=clerk.org_code)["changes"]
              if c["entity"] == "member" and c["data"]["id_number"] != numbers[0]
              and c["data"]["name"] == "批量400"]
    assert len(review) == 1 and all("phone" not in c["data"] and "*" in c["data"]["id_number"] for c in review)


def test_a_member_changed_twice_in_one_request_keeps_each_record(server: Server, clerk: Session) -> None:
    """Only a member's last change of a request is its row's place in the feed; an earlier change
    of the same request is a change row with the record as that change left it — one right after
    the other, and with a record of another kind between them."""
    from app.protocol import Confirmation, PushRecord

    numbers = [new_number(500), new_number(501)]
    created = [member_upsert(n, {"name": "两改", "id_type": "身份证", "phone": f"1590000050{i}"})
               for i, n in enumerate(numbers)]
    updated = [member_upsert(n, {"phone": f"1590000059{i}"}, {"phone": 1}) for i, n in enumerate(numbers)]
    confirm = Confirmation([numbers[1]])
    between = PushRecord(str(uuid.uuid4()), confirm.KIND, confirm.to_wire()).to_wire()
    answers = clerk.push(created[0], updated[0], created[1], between, updated[1])
    assert [answers[i]["status"] for i in (0, 1, 2, 4)] == ["ok"] * 4, answers
    for i, number in enumerate(numbers):
        with session():
            stored = [(c.seq, c.payload) for c in Change.select().where(Change.entity_key == number).order_by(Change.seq)]
            member = Member.get(Member.id_number == number)
        assert len(stored) == 1 and member.feed_seq > stored[0][0] and member.version == 2
        first = stored[0][1]
        assert first["version"] == 1 and first["phone"] == f"1590000050{i}" and first["name"] == "两改"
        assert "phone" in first["versions"] and set(first["versions"].values()) == {1}
    # In sequence order, each member's row (its latest state) after its earlier records.
    feed = [(c["key"], c["data"]["version"]) for c in clerk.changes()["changes"] if c["key"] in numbers]
    assert feed == [(numbers[0], 1), (numbers[0], 2), (numbers[1], 1), (numbers[1], 2)]

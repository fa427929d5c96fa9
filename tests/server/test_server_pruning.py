"""Idempotency records and nonces are pruned after their replay windows (server/pruning.py).

Inside its window a record sent again is answered from the stored first answer; after it the
resend is handled as a new record and still has no second effect (a member upsert changes
nothing, a submission is refused as stale). On SQLite and PostgreSQL, against a real server.
"""
from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from peewee import fn

import server.cli as cli
from server.db import open_database, session
from server.migrations import migrate
from server.receipts import stored_key
from server.models import Change, IdempotencyRecord, Member, Nonce, Submission, Union, User
from server.pruning import prune
from union_server_testkit import G1_CARDED, Server, Session, member_upsert, submission_payload, submission_record


def _relogin(server: Server, clerk: Session) -> Session:
    """A fresh login after the clock moved past the access token's life, on the same device."""
    fresh = Session(server, "grassroots")
    fresh.key, fresh.fingerprint = clerk.key, clerk.fingerprint
    return fresh


def _member_changes(number: str) -> int:
    """The member's latest feed change: its row's place (server/changes.py), or a change row
    (pruning also compacts the older ones away)."""
    row = Member.select(fn.MAX(Member.feed_seq)).where(Member.id_number == number).scalar()
    kept = Change.select(fn.MAX(Change.seq)).where((Change.entity == "member") & (Change.entity_key == number)).scalar()
    return max(int(row or 0), int(kept or 0))


def test_replays_inside_and_after_the_windows(server: Server, clerk: Session) -> None:
    number = G1_CARDED[0]
    upsert = member_upsert(number, {"label": "劳模"}, {"label": 1})
    payload = submission_payload(clerk, G1_CARDED[1:3])
    submission = submission_record(clerk, payload)
    first_upsert, first_submission = clerk.push(upsert, submission)
    assert first_upsert["status"] == first_submission["status"] == "ok", (first_upsert, first_submission)
    keys = [upsert["key"], submission["key"]]
    with session():
        changes = _member_changes(number)
        version = Member.get(Member.id_number == number).version
    # The same signed payload under another key: its nonce refuses it. Pruning now keeps both.
    again = submission_record(clerk, payload, key=str(uuid.uuid4()))
    assert clerk.push(again)[0]["problem"] == "replayed_nonce"
    prune(server.ctx)
    with session():
        assert IdempotencyRecord.select().where(IdempotencyRecord.key.in_([stored_key(k) for k in keys])).count() == 2
        assert Nonce.select().where(Nonce.value == payload["nonce"]).count() == 1

    # 30 days on: the nonce is gone (its timestamp is stale anyway), the answers are kept.
    server.clock.offset = timedelta(days=30)
    clerk = _relogin(server, clerk)
    prune(server.ctx)
    with session():
        assert IdempotencyRecord.select().where(IdempotencyRecord.key.in_([stored_key(k) for k in keys])).count() == 2
        assert Nonce.select().where(Nonce.value == payload["nonce"]).count() == 0
    assert clerk.push(upsert, submission) == [first_upsert, first_submission]
    assert clerk.push(submission_record(clerk, payload, key=str(uuid.uuid4())))[0]["problem"] == "stale_timestamp"

    # 91 days on, pruned by the server's own job worker: a resend is a new record with no effect.
    server.ctx.settings.prune_interval_seconds = 0
    server.clock.offset = timedelta(days=91)
    clerk = _relogin(server, clerk)
    deadline = time.monotonic() + 30
    while True:
        with session():
            if IdempotencyRecord.select().where(IdempotencyRecord.key.in_([stored_key(k) for k in keys])).count() == 0:
                break
        assert time.monotonic() < deadline, "the job worker never pruned the idempotency records"
        time.sleep(0.05)
    upsert_again, submission_again = clerk.push(upsert, submission)
    assert submission_again["problem"] == "stale_timestamp"
    assert upsert_again["status"] == "ok" and upsert_again["receipt"]["changed"] == []
    assert upsert_again["receipt"]["version"] == first_upsert["receipt"]["version"]
    with session():
        assert Submission.select().count() == 1
        assert Member.get(Member.id_number == number).version == version
        assert _member_changes(number) == changes


def test_prune_and_worker_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'prune.db'}"
    open_database(db)
    migrate()
    old, recent = datetime(2020, 1, 1), datetime.utcnow()
    with session():
        union = Union.create(name="上海某某有限公司工会委员会", org_code="813101010000000041", union_type="工会委员会",
                             level="grassroots", created=recent)
        User.create(username="clerk", password_hash="x", union=union, role="clerk", created=recent)
        for n, created in enumerate((old, old, recent)):
            IdempotencyRecord.create(key=f"key-{n}", union=union, digest="0" * 32, response={}, created=created)
            Nonce.create(value=f"nonce-{n:016d}", seen_at=created)
    assert cli.main(["prune", "--db", db]) == 0
    assert "幂等记录 2 条" in capsys.readouterr().out
    with session():
        assert [r.key for r in IdempotencyRecord.select()] == ["key-2"]
        assert [n.value for n in Nonce.select()] == [f"nonce-{2:016d}"]
    # `union-server worker` prunes as it starts (and hourly), as serve's job worker does.
    with session():
        Nonce.create(value="nonce-old-for-worker", seen_at=old)
    assert cli.main(["worker", "--db", db, "--once"]) == 0
    with session():
        assert [n.value for n in Nonce.select()] == [f"nonce-{2:016d}"]

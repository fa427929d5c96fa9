"""A push request whose batch cannot be written as one transaction (server/push.py: a key or
nonce taken meanwhile by a writer outside the union's lock) is written one record at a time: the
same per-record answers — each bad record refused alone, in Chinese, beside good ones — every
effect once, and a warning in the log (it was silent), which names no ID number.
"""
from __future__ import annotations

import re
from typing import Any

import pytest
from peewee import IntegrityError

from server.db import session
from server.models import CLAIMED, IdempotencyRecord, Member
from union_server_testkit import Server, Session, mainland_id, member_upsert

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_a_batch_that_cannot_commit_is_written_record_by_record_with_a_warning(
        server: Server, clerk: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    from server import push

    real = push._write_batch
    failed: list[int] = []

    def fails_once(*args: Any) -> Any:
        if not failed:
            failed.append(1)
            raise IntegrityError("UNIQUE constraint failed: idempotency_record.key")
        return real(*args)

    monkeypatch.setattr(push, "_write_batch", fails_once)
    numbers = [mainland_id("19800101", 50 + k) for k in range(3)]
    records = [member_upsert(numbers[0], {"name": "回退甲", "id_type": "身份证", "phone": "15900000001"}),
               member_upsert(numbers[1], {"name": "回退乙", "id_type": "身份证", "phone": "021-1234"}),
               member_upsert(numbers[2], {"name": "回退丙", "id_type": "身份证"})]
    answers = clerk.push(*records)
    assert failed == [1]
    assert [a["key"] for a in answers] == [r["key"] for r in records]
    assert [a["status"] for a in answers] == ["ok", "error", "ok"]
    assert answers[1]["problem"] == "validation" and answers[1]["detail"]["field"] == "phone"
    assert CHINESE.search(answers[1]["detail"]["message"])
    warnings = [line for line in server.logs.lines if "one at a time" in line]
    assert len(warnings) == 1 and "3 records" in warnings[0] and "IntegrityError" in warnings[0]
    assert not any(number in line for line in server.logs.lines for number in numbers)
    # Exactly once: a replay (now as one batch) gives the first answers and writes nothing again.
    assert clerk.push(records[0], records[2]) == [answers[0], answers[2]]
    with session():
        stored = list(Member.select().where(Member.id_number.in_(numbers)))
        claimed = Member.select().where(Member.id_number.in_(numbers) & CLAIMED).count()
        remembered = IdempotencyRecord.select().count()
    assert sorted(m.id_number for m in stored) == [numbers[0], numbers[2]] and claimed == 2
    assert all(m.version == 1 for m in stored)
    assert remembered >= 2

"""Edits of existing members in a push request (server/members.py `_store`, server/batch.py
`write_edits`): buffered and written with multi-row UPDATEs at the end of the request's
transaction (or before a record of another kind), instead of a savepoint and a whole-row save
each — every edit still answered on its own and applied exactly once, on SQLite and PostgreSQL.
"""
from __future__ import annotations

import uuid
from datetime import date, timedelta

from app.protocol import MemberRemoval, PushRecord
from server.audit import member_entries
from server.db import session
from server.models import Change, IdempotencyRecord, Member, Union
from server.receipts import stored_key
from union_server_testkit import Server, Session, mainland_id, member_upsert, push_at_once


def number(k: int) -> str:
    return mainland_id((date(1971, 1, 1) + timedelta(days=k // 90)).strftime("%Y%m%d"), k % 90 + 10)


def created(clerk: Session, first: int, count: int) -> list[str]:
    numbers = [number(k) for k in range(first, first + count)]
    answers = clerk.push(*[member_upsert(n, {"name": f"改{k}", "id_type": "身份证", "phone": f"1580000{k:04d}"})
                           for k, n in enumerate(numbers, start=first)])
    assert all(a["status"] == "ok" for a in answers), answers
    return numbers


def rows(numbers: list[str]) -> dict[str, Member]:
    with session():
        return {m.id_number: m for m in Member.select().where(Member.id_number.in_(numbers))}


def union_of(clerk: Session) -> Union:
    with session():
        return Union.get(Union.org_code == clerk.org_code)


def test_a_request_of_edits_writes_each_edit_once_and_refuses_a_conflict_alone(server: Server, clerk: Session) -> None:
    numbers = created(clerk, 0, 12)
    before = rows(numbers)
    seq_before = union_of(clerk).change_seq
    edits = [member_upsert(n, {"phone": f"1570000{k:04d}"}, {"phone": 1}) for k, n in enumerate(numbers)]
    # A conflict (the server's phone is at version 1, the client's base 0, another value): refused alone.
    edits[4] = member_upsert(numbers[4], {"phone": "15799999999"})
    # The same member twice (the second edit's base is the first's version), and an edit changing nothing.
    edits.insert(7, member_upsert(numbers[6], {"name": "改名", "work_address": "上海市黄浦区九江路二百号"},
                                  {"name": 1}))
    edits[10] = member_upsert(numbers[9], {"phone": before[numbers[9]].phone}, {"phone": 1})
    answers = clerk.push(*edits)
    assert [a["status"] for a in answers] == ["ok"] * 4 + ["error"] + ["ok"] * 8, answers
    assert answers[4]["problem"] == "conflict"
    assert answers[10]["receipt"]["changed"] == [] and answers[10]["receipt"]["version"] == 1
    assert answers[7]["receipt"]["changed"] == ["name", "work_address"] and answers[7]["receipt"]["version"] == 3

    after = rows(numbers)
    for k, n in enumerate(numbers):
        member, old = after[n], before[n]
        if k in (4, 9):  # refused, or nothing changed: the row as it was
            assert (member.phone, member.version, member.versions, member.feed_seq) == (
                old.phone, 1, old.versions, old.feed_seq)
            continue
        assert member.phone == f"1570000{k:04d}" and member.name == (f"改{k}" if k != 6 else "改名")
        assert member.version == (2 if k != 6 else 3) and member.versions["phone"] == 2
        assert member.versions["name"] == (1 if k != 6 else 3) and member.claimed == 1
        assert (member.card_status, member.id_type, member.birth_date) == (old.card_status, old.id_type, old.birth_date)
        assert member.updated > old.updated
    assert after[numbers[6]].work_address == "上海市黄浦区九江路二百号" and after[numbers[6]].versions["work_address"] == 3
    # Each edit took the union's next feed number in request order (the member edited twice: a
    # change row for its first edit, its row's place for the second), no gap.
    union = union_of(clerk)
    with session():
        kept = {c.entity_key: c.seq for c in Change.select().where((Change.union == union.id)
                                                                     & (Change.seq > seq_before))}
    places = [after[n].feed_seq for k, n in enumerate(numbers) if k not in (4, 9)]
    assert kept == {numbers[6]: seq_before + 6} and union.change_seq == seq_before + 11
    assert sorted(places + list(kept.values())) == list(range(seq_before + 1, seq_before + 12))
    assert places == sorted(places)
    updated = [e for e in member_entries(union.id) if e["action"] == "member_updated"]
    assert len(updated) == 11 and {"fields": ["phone"]} in [e["detail"] for e in updated]
    with session():
        keys = IdempotencyRecord.select().where(IdempotencyRecord.key.in_([stored_key(e["key"]) for e in edits])).count()
    assert keys == 12
    # Sent again: the first answers, nothing written again.
    assert clerk.push(*edits) == answers
    assert {n: (m.version, m.feed_seq) for n, m in rows(numbers).items()} == {
        n: (m.version, m.feed_seq) for n, m in after.items()}
    # A new PC's pull serves the edited rows as they are now.
    served = {c["key"]: c["data"] for c in clerk.changes()["changes"] if c["entity"] == "member"}
    assert served[numbers[0]]["phone"] == "15700000000" and served[numbers[6]]["name"] == "改名"


def test_an_edit_before_a_record_of_another_kind_is_written_first(server: Server, clerk: Session) -> None:
    """A member edited, then removed, in one request: the removal sees (and removes) the edited
    row; an edit after it in the request is written at the end. No fall-back to one record at a
    time."""
    numbers = created(clerk, 100, 3)
    removal = MemberRemoval(numbers[1], "录入有误")
    answers = clerk.push(member_upsert(numbers[1], {"phone": "15711111111"}, {"phone": 1}),
                         PushRecord(str(uuid.uuid4()), removal.KIND, removal.to_wire()).to_wire(),
                         member_upsert(numbers[0], {"phone": "15722222222"}, {"phone": 1}),
                         member_upsert(numbers[2], {"phone": "15711111111"}, {"phone": 1}))
    assert [a["status"] for a in answers] == ["ok"] * 4, answers
    assert answers[1]["receipt"]["removed"] is True
    after = rows(numbers)
    assert set(after) == {numbers[0], numbers[2]}
    assert (after[numbers[0]].phone, after[numbers[0]].version) == ("15722222222", 2)
    # The removed member's phone is free again for the member edited after the removal.
    assert (after[numbers[2]].phone, after[numbers[2]].version) == ("15711111111", 2)
    assert not any("one at a time" in line for line in server.logs.lines)


def test_ten_identical_edit_pushes_apply_each_edit_once(server: Server, clerk: Session) -> None:
    numbers = created(clerk, 200, 40)
    records = [member_upsert(n, {"phone": f"1560000{k:04d}"}, {"phone": 1}) for k, n in enumerate(numbers)]
    seq_before = union_of(clerk).change_seq
    answers = push_at_once(server, clerk, records)
    assert all(a == answers[0] for a in answers)
    assert all(r["status"] == "ok" and r["receipt"]["version"] == 2 for r in answers[0])
    after = rows(numbers)
    assert all(after[n].version == 2 and after[n].phone == f"1560000{k:04d}" for k, n in enumerate(numbers))
    assert union_of(clerk).change_seq == seq_before + 40
    assert sorted(m.feed_seq for m in after.values()) == list(range(seq_before + 1, seq_before + 41))
    union = union_of(clerk)
    assert sum(1 for e in member_entries(union.id) if e["action"] == "member_updated") == 40

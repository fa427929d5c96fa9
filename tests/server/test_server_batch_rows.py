"""The push batch's own SQL (server/batch.py): `insert_rows` stores each value as peewee's own
insert would, and `rows_in` reads the same models as peewee's select — on SQLite and PostgreSQL.
Then a request of new members through /push: every row the batch writes is there, once.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from peewee import fn

from app.protocol import canonical_text

from server.audit import member_entries
from server.batch import insert_rows, lock_union, rows_in, select_in
from server.db import IN_LIST, is_sqlite, session, write_tx
from server.models import Change, IdempotencyRecord, Member, Union
from union_server_testkit import Server, Session, mainland_id, member_upsert

ORG = "813101010000000041"


def _values(member: Member) -> dict[str, Any]:
    return {name: value for name, value in member.__data__.items() if name not in ("id", "id_number")}


def test_insert_rows_stores_what_peewee_stores(server: Server) -> None:
    # Values of a column's own type are handed on as they are; any other goes through db_value,
    # so text in an integer column, a number in a text column, a datetime as text all end the same.
    at = datetime(2026, 12, 2, 6, 1, 2, 345678)
    kinds: list[dict[str, Any]] = [
        {"name": "张三", "version": 3, "updated": at, "versions": {"name": 3, "phone": 1}, "member_no": None},
        {"name": "李四", "version": "4", "updated": "2026-12-02 06:01:02.345678", "versions": {}, "member_no": 17},
        {"name": "王五", "version": 5, "updated": at, "versions": {"名": [1, "二", None, True]}, "label": "新就业形态"},
    ]
    with session():
        union = Union.get(Union.org_code == ORG)
        with write_tx():
            for k, row in enumerate(kinds):
                Member.insert(union=union, id_number=f"PEEWEE{k}", **row).execute()
            # Every column named, as the batch does (a column no row names is left to the database).
            insert_rows(Member, [{"union": union.id, "id_number": f"BATCH{k}", "life_status": "in_service",
                                  "card_status": "none", **row} for k, row in enumerate(kinds)])
        for k in range(len(kinds)):
            by_peewee = Member.get((Member.union == union) & (Member.id_number == f"PEEWEE{k}"))
            by_batch = Member.get((Member.union == union) & (Member.id_number == f"BATCH{k}"))
            assert _values(by_batch) == _values(by_peewee)
        assert Member.get(Member.id_number == "BATCH1").member_no == "17"
        assert Member.get(Member.id_number == "BATCH1").version == 4


def test_rows_in_reads_what_a_select_reads(server: Server) -> None:
    with session():
        union = Union.get(Union.org_code == ORG)
        numbers = [mainland_id("19800101", k % 900 + 100) + str(k) for k in range(IN_LIST + 7)]
        with write_tx():
            insert_rows(Member, [{"union": union.id, "id_number": n, "name": f"会员{k}", "phone": f"1500000{k:04d}",
                                  "life_status": "in_service", "card_status": "none", "versions": {"name": 1},
                                  "version": 1, "updated": datetime(2026, 1, 1)}
                                 for k, n in enumerate(numbers)])
        wanted = [*numbers, "NOT-THERE"]
        read = {m.id_number: m for m in rows_in(Member, "id_number", wanted, union_id=union.id)}
        selected = {m.id_number: m for m in Member.select().where(Member.union == union)
                    if m.id_number in set(wanted)}
        assert read.keys() == selected.keys() == set(numbers)  # more than one IN list, nothing else
        assert all(read[n].__data__ == selected[n].__data__ and not read[n]._dirty for n in numbers)
        other = Union.get(Union.org_code == "81310101000000005X")
        assert list(rows_in(Member, "id_number", numbers, union_id=other.id)) == []
        phones = list(rows_in(Member, "phone", ["15000000003"], union_id=union.id, columns=("id_number", "phone")))
        assert [(m.id_number, m.phone) for m in phones] == [(numbers[3], "15000000003")]
        assert list(rows_in(Member, "id_number", [], union_id=union.id)) == []
        # PostgreSQL: one statement of one shape, the values as one array; SQLite: IN_LIST at a time.
        statements = list(select_in(Member, [Member._meta.fields["id"]], "id_number", wanted, union_id=union.id))
        assert len(statements) == (2 if is_sqlite() else 1)


def test_a_request_of_new_members_writes_each_row_once(server: Server) -> None:
    clerk = Session(server, "grassroots")
    numbers = [mainland_id("19921231", k) for k in range(100, 160)]
    records = [member_upsert(n, {"name": f"新会员{k}", "id_type": "身份证", "phone": f"1580000{k:04d}",
                                 "work_address": "上海市黄浦区南京东路100号B座"}, key=f"batch-rows-{k:04d}")
               for k, n in enumerate(numbers)]
    records.append(member_upsert(numbers[0][:-1] + ("0" if numbers[0][-1] != "0" else "1"), {"name": "错号"},
                                 key="batch-rows-bad"))
    answers = clerk.push(*records)
    assert [a["status"] for a in answers] == ["ok"] * len(numbers) + ["error"]
    assert answers[-1]["problem"] == "validation" and "message" in answers[-1]["detail"]
    assert all(a["receipt"]["created"] and a["receipt"]["version"] == 1 for a in answers[:-1])
    with session():
        union = Union.get(Union.org_code == ORG)
        members = {m.id_number: m for m in Member.select().where(Member.id_number.in_(numbers))}
        assert set(members) == set(numbers)
        assert {m.work_address for m in members.values()} == {"上海市黄浦区南京东路100号B座"}
        assert {n: m.claimed for n, m in members.items()} == {n: 1 for n in numbers}  # inserted claimed
        # Each new member's feed change is its row's place (server/changes.py), not a change row.
        assert Change.select().where((Change.union == union) & Change.entity_key.in_(numbers)).count() == 0
        assert len({m.feed_seq for m in members.values()} - {None}) == len(numbers)
        created = [e for e in member_entries(union.id) if e["action"] == "member_created"]  # packed rows
        assert len(created) >= len(numbers)
        keys = IdempotencyRecord.select(fn.COUNT(IdempotencyRecord.id)).where(
            IdempotencyRecord.key.startswith("batch-rows-")).scalar()
        assert keys == len(numbers)  # the refused record is not remembered
        # The same answer for every member that set the same fields, stored as the same text (encoded
        # once per request), and the request's time in whole seconds.
        stored = list(IdempotencyRecord.select().where(IdempotencyRecord.key.startswith("batch-rows-")))
        assert {canonical_text(r.response) for r in stored} == {canonical_text(stored[0].response)}
        assert stored[0].response[:2] == [1, 1] and len({r.created for r in stored}) == 1
    assert clerk.push(*records[:3]) == answers[:3]  # the same keys again: the first answers


def test_lock_union_reads_the_whole_row_and_holds_its_lock(server: Server) -> None:
    """A push request reads its union's row once, with the lock: the same row as a select, and on
    PostgreSQL another transaction cannot lock it meanwhile."""
    with session():
        union = Union.get(Union.org_code == ORG)
    with session(), write_tx():
        locked = lock_union(union.id)
        assert locked.__data__ == union.__data__ and not locked._dirty
        if not is_sqlite():
            import psycopg

            with psycopg.connect(server.db_url) as other:
                try:
                    other.execute('SELECT 1 FROM "trade_union" WHERE "id" = %s FOR UPDATE NOWAIT', (union.id,))
                    raise AssertionError("the union's row was not locked")
                except psycopg.errors.LockNotAvailable:
                    pass


def test_start_up_leaves_its_objects_out_of_full_collections(server: Server) -> None:
    # server/app.py: once a process, after a collection, what start-up made is frozen (a big push
    # otherwise set off full passes over it again and again).
    import gc

    assert gc.get_freeze_count() > 0

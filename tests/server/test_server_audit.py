"""A push request's member audit entries stored as one row (server/audit.py) and read back one by
one as written — on SQLite and PostgreSQL, against a real server; rows stored before stay readable.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from app.rules.idcard import mask_id
from server.audit import PACKED, entries, member_entries, pack
from server.db import session, write_tx
from server.models import AuditEntry, Union
from union_server_testkit import G1_CARDED, Server, Session, mainland_id, member_upsert


def _union_id(clerk: Session) -> int:
    with session():
        return int(Union.get(Union.org_code == clerk.org_code).id)


def test_a_push_stores_its_member_entries_in_one_row_and_reads_each_back(server: Server, clerk: Session) -> None:
    numbers = [mainland_id("19800101", 20 + k) for k in range(5)]
    results = clerk.push(*[member_upsert(n, {"name": f"审计{k}", "id_type": "身份证", "phone": f"1590001{k:04d}"})
                           for k, n in enumerate(numbers)],
                         member_upsert(G1_CARDED[0], {"label": "劳模"}, {"label": 1}))
    assert [r["status"] for r in results] == ["ok"] * 6
    union_id = _union_id(clerk)
    with session():
        rows = list(AuditEntry.select().where((AuditEntry.union == union_id) & (AuditEntry.entity == PACKED)))
        read = member_entries(union_id)
    assert len(rows) == 1 and rows[0].action == "member_created"
    created = [e for e in read if e["action"] == "member_created"]
    assert [(e["entity"], e["entity_key"], e["detail"]) for e in created] == [
        ("member", mask_id(n), {"fields": ["birth_date", "gender", "id_type", "name", "phone"]}) for n in numbers]
    assert all(e["username"] == "grassroots" and e["union"] == union_id for e in created)
    assert [e["at"] for e in created] == sorted(e["at"] for e in created)
    [updated] = [e for e in read if e["action"] == "member_updated"]  # one entry: a plain row, as before
    assert (updated["entity_key"], updated["detail"]) == (mask_id(G1_CARDED[0]), {"fields": ["label"]})


def test_pack_keeps_every_entry_and_the_order_of_other_rows() -> None:
    at = datetime(2026, 12, 1, 9, 0, 0)
    # Masked as stored: an 18-digit ID, a short document number, a key not masked (kept plain).
    keys = [mask_id(mainland_id("19800101", 10)), mask_id("H1234567"), mask_id(mainland_id("19800101", 11)),
            mask_id(mainland_id("19800101", 12)), mask_id(mainland_id("19800101", 13)), "31010119800101XXXX"]

    def member(k: int, action: str = "member_created", fields: tuple[str, ...] = ("name", "phone")) -> dict[str, object]:
        return {"at": at + timedelta(microseconds=k), "username": "g", "union": 7, "action": action,
                "entity": "member", "entity_key": keys[k], "detail": {"fields": list(fields)}}

    other = {"at": at, "username": "g", "union": 7, "action": "member_removed", "entity": "member",
             "entity_key": "x", "detail": {"reason": "退会"}}
    rows = [member(0), member(1, fields=("name", "not_a_coded_field")), member(2, "member_updated", ("label",)),
            other, member(3), member(4), member(5)]
    packed = pack(rows)
    assert [r["entity"] for r in packed] == [PACKED, "member", "member", PACKED, "member"]
    stored = [AuditEntry(id=i, **{("union_id" if k == "union" else k): v for k, v in r.items()}) for i, r in enumerate(packed)]
    back = entries(stored)
    assert [(e["at"], e["action"], e["entity"], e["entity_key"], e["detail"]) for e in back] == [
        (r["at"], r["action"], r["entity"], r["entity_key"], r["detail"]) for r in rows]


def test_rows_stored_before_stay_readable(server: Server, clerk: Session) -> None:
    union_id = _union_id(clerk)
    old = {"at": datetime(2026, 1, 5, 8, 0), "username": "grassroots", "union": union_id, "action": "member_updated",
           "entity": "member", "entity_key": mask_id(G1_CARDED[1]), "detail": {"fields": ["phone", "name"]}}
    with session(), write_tx():
        AuditEntry.create(**old)
    with session():
        [entry] = member_entries(union_id)
    assert entry == old

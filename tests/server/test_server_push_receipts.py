"""Packed receipts on the wire (app/protocol/receipts.py): a push that asks for them gets each
member upsert's receipt as a short list, everything else as before; a push that does not ask (a
client older than them) gets every receipt whole — on SQLite and PostgreSQL. Either form of a
replay is the first answer, in the form the replay asked for.
"""
from __future__ import annotations

import uuid
from typing import Any

from app.protocol import CLERK_OWNED_FIELDS
from app.protocol.receipts import unpack_answers
from server.db import session
from server.models import Member
from union_server_testkit import Session, mainland_id, member_upsert

A = mainland_id("19800101", 21)
B = mainland_id("19810202", 22, male=False)
C = mainland_id("19820303", 23)


def _post(clerk: Session, records: list[dict[str, Any]], **extra: Any) -> list[dict[str, Any]]:
    response = clerk.post("/push", {"device_fingerprint": clerk.fingerprint, "records": records, **extra})
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    assert [r["key"] for r in results] == [r["key"] for r in records]
    return results


def _new(number: str, name: str, phone: str) -> dict[str, Any]:
    return member_upsert(number, {name_field: None for name_field in CLERK_OWNED_FIELDS}
                         | {"name": name, "id_type": "身份证", "phone": phone})


def test_a_push_that_asks_gets_member_receipts_packed_and_replays_in_either_form(clerk: Session) -> None:
    assert _post(clerk, [member_upsert(A, {"name": "甲", "id_type": "身份证", "phone": "13612340001"})],
                 receipts="packed")[0]["receipt"] == [1, 1, "edcbf", {}, A]  # birth date, gender (the number's), id_type, name, phone
    records = [
        member_upsert(A, {"phone": "13612340002"}, {"phone": 1}),  # an update of A
        _new(f" {B.lower()} ", "乙", "13612340003"),  # a new member sent with a lower-case x and spaces
        member_upsert(C, {"name": "丙", "id_type": "身份证", "phone": "021-1234"}),  # refused: the phone
        {"key": str(uuid.uuid4()), "kind": "ss_check_request", "payload": {"id_numbers": [A]}},
    ]
    packed = _post(clerk, records, receipts="packed")
    update, new, refused, check = packed
    assert update == {"key": records[0]["key"], "status": "ok", "receipt": [2, 0, "f", {"birth_date": 1, "gender": 1,
                                                                                         "id_type": 1, "name": 1}, A]}
    assert new["status"] == "ok" and new["receipt"][:2] == [1, 1] and new["receipt"][4] == B.upper()
    assert sorted(new["receipt"][2]) == sorted("abcdefghijklm")  # every field of the new member
    assert refused["status"] == "error" and refused["problem"] == "validation" and refused["detail"]["field"] == "phone"
    assert check["status"] == "ok" and isinstance(check["receipt"], dict) and check["receipt"]["count"] == 1
    with session():
        assert Member.get(Member.id_number == A).phone == "13612340002"
        assert Member.get(Member.id_number == B.upper()).name == "乙"
        assert Member.get_or_none(Member.id_number == C) is None

    # The same records again, from a client that does not ask (older): the first answers, whole.
    whole = _post(clerk, records[:2] + records[3:])
    assert whole[0]["receipt"] == {"id_number": A, "created": False, "changed": ["phone"], "version": 2,
                                   "versions": {"birth_date": 1, "gender": 1, "id_type": 1, "name": 1, "phone": 2}}
    assert whole[1]["receipt"]["id_number"] == B.upper() and whole[1]["receipt"]["created"] is True
    assert whole[1]["receipt"]["versions"] == dict.fromkeys(sorted(CLERK_OWNED_FIELDS), 1)
    assert whole == unpack_answers([update, new, check])
    # And again asking for packed receipts: the packed first answers.
    assert _post(clerk, records[:2] + records[3:], receipts="packed") == [update, new, check]
    with session():
        assert Member.select().where(Member.id_number.in_([A, B.upper()])).count() == 2


def test_receipts_other_than_packed_are_whole_and_a_wrong_type_is_refused(clerk: Session) -> None:
    record = member_upsert(A, {"name": "甲", "id_type": "身份证"})
    for form in ("whole", "packed-v2"):  # a form this server does not know: whole, which every client reads
        assert _post(clerk, [record], receipts=form)[0]["receipt"]["versions"] == {
            "birth_date": 1, "gender": 1, "id_type": 1, "name": 1}
    for wrong in (5, ["packed"], "p" * 33):
        response = clerk.post("/push", {"device_fingerprint": clerk.fingerprint, "records": [record], "receipts": wrong})
        assert response.status_code == 422, response.text

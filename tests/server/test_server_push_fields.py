"""A push request's new members (server/members.py _buffer_new: buffered as plain rows, no model
objects) are checked field by field as one member alone is: every bad field of a new member is
refused on its own, naming the field in Chinese, next to good members that are created with the
values the server normalised — on SQLite and PostgreSQL. A member named again later in the same
request (right after, or after a record of another kind) keeps one row and one claim.
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from server.db import session
from server.models import CLAIMED, Member
from union_server_testkit import Server, Session, mainland_id, member_upsert

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _number(k: int) -> str:
    birth = (date(1975, 1, 1) + timedelta(days=k // 90)).strftime("%Y%m%d")
    return mainland_id(birth, k % 90 + 10)


def _good(k: int, **extra: Any) -> dict[str, Any]:
    return {"name": f"字段{k}", "id_type": "身份证", "phone": f"1570000{k:04d}", **extra}


#: (field the refusal must name, fields of a new member with that one bad field)
BAD: list[tuple[str, dict[str, Any]]] = [
    ("id_type", _good(1, id_type="驾驶证")),
    ("gender", {**_good(2, id_type="护照"), "gender": "未知"}),
    ("birth_date", {**_good(3, id_type="护照"), "birth_date": "2999-01-01"}),
    ("join_date", _good(4, join_date="2999-01-01")),
    ("id_expiry", _good(5, id_expiry="2030-13-45")),
    ("phone", _good(6, phone="021-12345678")),
    ("work_address", _good(7, work_address="上海")),
    ("category", _good(8, category="不存在的类别")),
    ("post_type", _good(9, post_type="不存在的岗位")),
    ("name", _good(10, name="张\x01三")),
    ("name", _good(11, name="张" * 201)),
    ("name", _good(12, name=5)),
    ("name", _good(13, name="   ")),
    ("phone", _good(14, phone="15700000020")),  # the phone of the good member 20, sent just before
    ("birth_date", {**_good(15, id_type="护照"), "birth_date": "不是日期"}),
    ("join_date", _good(16, join_date="2020-02-30")),
    ("id_number", _good(17)),  # sent with a wrong check character
]
#: The k of BAD sent with a wrong ID number.
WRONG_NUMBER = 17


def _sent_number(k: int) -> str:
    number = _number(k)
    return number if k != WRONG_NUMBER else number[:-1] + ("0" if number[-1] != "0" else "1")


@pytest.fixture(autouse=True)
def one_transaction(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every request of these tests is written as one batch: a batch that failed at its inserts
    would be written record by record instead (server/push.py _alone) with the same answers,
    hiding the failure."""
    import server.push

    alone: list[Any] = []
    monkeypatch.setattr(server.push, "_alone", lambda *args: alone.append(args) or {})
    yield
    assert alone == []


def _answers(clerk: Session, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    answers = clerk.push(*records)
    assert [a["key"] for a in answers] == [r["key"] for r in records]
    return answers


def test_every_bad_field_of_a_new_member_is_refused_in_chinese(server: Server, clerk: Session) -> None:
    good = [member_upsert(_number(20), {**_good(20), "phone": "+86 157-0000-0020", "gender": "女",
                                         "work_address": " 上海市黄浦区南京东路１００号 "})]
    bad = [member_upsert(_sent_number(k), fields) for k, (_, fields) in enumerate(BAD, start=1)]
    good += [member_upsert(_number(k), _good(k)) for k in range(21, 24)]
    records = [good[0], *bad, *good[1:]]
    answers = _answers(clerk, records)
    for (field, _), answer in zip(BAD, answers[1:1 + len(BAD)]):
        assert answer["status"] == "error" and answer["problem"] == "validation", (field, answer)
        assert answer["detail"]["field"] == field, (field, answer)
        assert CHINESE.search(answer["detail"]["message"]), (field, answer)
    assert [a["status"] for a in (answers[0], *answers[1 + len(BAD):])] == ["ok"] * 4
    with session():
        stored = {m.id_number: m for m in Member.select().where(Member.id_number.in_([_number(k) for k in range(1, 24)]))}
        claims = {c.id_number: c.id for c in Member.select().where(Member.id_number.in_(list(stored)) & CLAIMED)}
    assert set(stored) == {_number(k) for k in range(20, 24)}  # none of the refused ones
    assert claims == {n: m.id for n, m in stored.items()}
    first = stored[_number(20)]
    # Normalised by the server, whatever the clerk's PC sent: the phone, the address, and the
    # birth date and gender read off the number (they win over what was typed).
    assert first.phone == "15700000020" and first.work_address == "上海市黄浦区南京东路100号"
    assert first.gender == "male" and first.birth_date == "1975-01-01"
    assert first.version == 1 and set(first.versions.values()) == {1}
    assert answers[0]["receipt"]["versions"] == first.versions
    # A refused record was not remembered: fixed and sent again under its key, it takes effect.
    fixed = member_upsert(_number(6), _good(6), key=bad[5]["key"])
    again = _answers(clerk, [*good, fixed])
    assert again[:4] == [answers[0], *answers[1 + len(BAD):]]  # the first answers, nothing written twice
    assert again[4]["status"] == "ok" and again[4]["receipt"]["created"] is True


def test_a_new_member_named_again_in_its_request_has_one_row_and_one_claim(server: Server, clerk: Session) -> None:
    from app.protocol import Confirmation, PushRecord

    numbers = [_number(40), _number(41)]
    created = [member_upsert(n, _good(40 + i)) for i, n in enumerate(numbers)]
    updated = [member_upsert(n, {"name": f"改名{i}"}, {"name": 1}) for i, n in enumerate(numbers)]
    between = Confirmation([numbers[1]])
    other = PushRecord(str(uuid.uuid4()), between.KIND, between.to_wire()).to_wire()
    answers = _answers(clerk, [created[0], updated[0], created[1], other, updated[1]])
    assert [answers[i]["status"] for i in (0, 1, 2, 4)] == ["ok"] * 4, answers
    assert [answers[i]["receipt"]["version"] for i in (1, 4)] == [2, 2]
    assert answers[1]["receipt"]["changed"] == ["name"] and answers[1]["receipt"]["created"] is False
    with session():
        rows = list(Member.select().where(Member.id_number.in_(numbers)))
        claims = {c.id_number: c.id for c in Member.select().where(Member.id_number.in_(numbers) & CLAIMED)}
    assert sorted(m.name for m in rows) == ["改名0", "改名1"] and len(rows) == 2
    assert all(m.versions["name"] == 2 and m.versions["phone"] == 1 for m in rows)
    assert claims == {m.id_number: m.id for m in rows}

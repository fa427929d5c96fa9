"""Member cards on the server over real HTTP: card applications verified by the worker and
answered through the feed, signed card batches, the card issuer, the identity registry adapter."""
from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from union_server_testkit import (
    G1_CARDED,
    G1_NO_CARD,
    G2_CARDED,
    Server,
    Session,
    mainland_id,
    member_upsert,
)

from app import protocol
from server import card_jobs
from server.card_jobs import Application, DemoCardIssuer, IssueResult, luhn_digit
from server.cards import IdentityRecord, check_application
from server.db import session
from server.models import CardBatch, CardBatchMember, CardJob, Member

UNKNOWN = mainland_id("19920505", 7)


def _one(results: list[dict]) -> dict:
    assert len(results) == 1
    return results[0]


def _verification(numbers: list[str], request_id: str | None = None) -> dict[str, Any]:
    return {"key": str(uuid.uuid4()), "kind": "card_verification",
            "payload": {"request_id": request_id or uuid.uuid4().hex, "id_numbers": numbers}}


def _batch(clerk: Session, numbers: list[str], *, batch_no: str | None = None, sign: bool = True) -> dict[str, Any]:
    payload = {"union": clerk.org_code, "batch_no": batch_no or f"BK{uuid.uuid4().hex[:12]}",
               "members": [{"id_number": n, "name": ""} for n in numbers]}
    record: dict[str, Any] = {"key": str(uuid.uuid4()), "kind": "card_batch", "payload": payload}
    if sign:
        assert clerk.key is not None
        record["signature"] = protocol.sign(clerk.key, payload)
    return record


def _wait_for(clerk: Session, cursor: int, entity: str, done, timeout: float = 10) -> dict[str, dict]:
    """Changes of `entity` after `cursor` by key (latest wins) once `done(found)` holds."""
    found: dict[str, dict] = {}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = clerk.changes(since=cursor, limit=5000)
        for change in page["changes"]:
            if change["entity"] == entity:
                found[change["key"]] = change["data"]
        cursor = page["next"]
        if done(found):
            return found
        time.sleep(0.05)
    raise AssertionError(f"no {entity} in time: {found}")


@pytest.fixture
def adapters() -> Iterator[None]:
    previous = card_jobs.configure()
    yield
    card_jobs.configure(identity=previous.identity, issuer=previous.issuer)


def test_verification_is_answered_through_the_feed(clerk: Session) -> None:
    cursor = clerk.changes(limit=5000)["next"]
    request_id = uuid.uuid4().hex
    result = _one(clerk.push(_verification([G1_NO_CARD[0], G1_CARDED[0], UNKNOWN], request_id)))
    assert result["status"] == "ok", result
    assert result["receipt"]["count"] == 3 and result["receipt"]["request_id"] == request_id
    checks = _wait_for(clerk, cursor, "card_check", lambda f: len(f) == 3)
    assert checks[G1_NO_CARD[0]]["result"] == "passed" and checks[G1_NO_CARD[0]]["request_id"] == request_id
    assert checks[G1_CARDED[0]]["result"] == "failed" and checks[G1_CARDED[0]]["code"] == "card_exists"
    assert "已有会员卡" in checks[G1_CARDED[0]]["reason"]
    assert checks[UNKNOWN]["code"] == "card_member_unknown" and "先同步上传会员信息" in checks[UNKNOWN]["reason"]


def test_verification_checks_the_servers_record(clerk: Session, today) -> None:
    past = (today.replace(year=today.year - 1)).isoformat()
    member = _server_member(G1_NO_CARD[1])
    assert _one(clerk.push(member_upsert(G1_NO_CARD[1], {"id_expiry": past}, member["versions"])))["status"] == "ok"
    cursor = clerk.changes(limit=5000)["next"]
    clerk.push(_verification([G1_NO_CARD[1]]))
    checks = _wait_for(clerk, cursor, "card_check", lambda f: len(f) == 1)
    assert checks[G1_NO_CARD[1]]["result"] == "failed"
    assert checks[G1_NO_CARD[1]]["code"] == "expiry_past" and "过期" in checks[G1_NO_CARD[1]]["reason"]


def _server_member(number: str) -> dict[str, Any]:
    with session():
        m = Member.get(Member.id_number == number)
        return {"versions": dict(m.versions or {}), "card_status": m.card_status, "card_no": m.card_no}


def test_verification_request_is_validated_and_scoped(clerk: Session) -> None:
    bad = _one(clerk.push({"key": str(uuid.uuid4()), "kind": "card_verification",
                           "payload": {"request_id": "x", "id_numbers": [G1_NO_CARD[0]]}}))
    assert bad["problem"] == "validation"
    empty = _one(clerk.push(_verification([])))
    assert empty["problem"] == "validation"
    other = _verification([G2_CARDED[0]])
    other["payload"]["union"] = clerk.server.union("grassroots2")
    assert _one(clerk.push(other))["problem"] == "union_scope"


def test_identity_registry_adapter_contradicts_a_name(clerk: Session, adapters: None) -> None:
    class Registry:
        def lookup(self, id_numbers: list[str]) -> dict[str, IdentityRecord]:
            return {G1_NO_CARD[0]: IdentityRecord(name="张三")}

    card_jobs.configure(identity=Registry())
    cursor = clerk.changes(limit=5000)["next"]
    clerk.push(_verification([G1_NO_CARD[0], G1_NO_CARD[1]]))
    checks = _wait_for(clerk, cursor, "card_check", lambda f: len(f) == 2)
    assert checks[G1_NO_CARD[0]]["code"] == "card_identity_name" and "姓名与证件号码不一致" in checks[G1_NO_CARD[0]]["reason"]
    assert checks[G1_NO_CARD[1]]["result"] == "passed"


def test_signed_batch_is_issued_and_cards_come_down(clerk: Session) -> None:
    cursor = clerk.changes(limit=5000)["next"]
    record = _batch(clerk, G1_NO_CARD)
    result = _one(clerk.push(record))
    assert result["status"] == "ok", result
    assert result["receipt"] == {"batch_no": record["payload"]["batch_no"], "status": "issuing",
                                 "accepted": 2, "refused": 0}
    batches = _wait_for(clerk, cursor, "card_batch",
                        lambda f: any(b["status"] == "done" for b in f.values()))
    state = batches[record["payload"]["batch_no"]]
    assert state["issued"] == 2 and state["refused"] == 0
    cards = {m["id_number"]: m["card_no"] for m in state["members"]}
    for number in G1_NO_CARD:
        card = cards[number]
        assert card.startswith("6231") and len(card) == 19 and luhn_digit(card[:-1]) == card[-1]
    members = {}
    for change in clerk.changes(since=cursor, limit=5000)["changes"]:
        if change["entity"] == "member":
            members[change["key"]] = change["data"]
    assert {members[n]["card_no"] for n in G1_NO_CARD} == set(cards.values())
    assert {members[n]["card_status"] for n in G1_NO_CARD} == {"issued"}
    with session():
        stored = CardBatch.get(CardBatch.batch_no == record["payload"]["batch_no"])
        assert protocol.verify(clerk.key and protocol.public_key_b64(clerk.key), record["payload"], stored.signature)
        assert stored.payload == protocol.canonical_json(record["payload"]).decode()
        assert CardJob.select().where(CardJob.status != "done").count() == 0
    # The same record again: the first answer, no second batch.
    assert _one(clerk.push(record)) == result
    again = _batch(clerk, [G1_CARDED[1]], batch_no=record["payload"]["batch_no"])
    assert _one(clerk.push(again))["problem"] == "card_batch_exists"


def test_batch_refuses_members_that_fail_the_checks_and_keeps_the_rest(clerk: Session) -> None:
    cursor = clerk.changes(limit=5000)["next"]
    record = _batch(clerk, [G1_NO_CARD[0], G1_CARDED[0]])
    result = _one(clerk.push(record))
    assert result["receipt"]["accepted"] == 1 and result["receipt"]["refused"] == 1
    batches = _wait_for(clerk, cursor, "card_batch", lambda f: any(b["status"] == "done" for b in f.values()))
    outcome = {m["id_number"]: m for m in batches[record["payload"]["batch_no"]]["members"]}
    assert outcome[G1_CARDED[0]]["outcome"] == "refused" and "已有会员卡" in outcome[G1_CARDED[0]]["reason"]
    assert outcome[G1_NO_CARD[0]]["outcome"] == "issued"
    assert _server_member(G1_CARDED[0])["card_no"].startswith("6231")  # the old card stays


def test_batch_needs_signature_known_members_and_own_union(clerk: Session) -> None:
    assert _one(clerk.push(_batch(clerk, G1_NO_CARD, sign=False)))["problem"] == "bad_signature"
    unknown = _one(clerk.push(_batch(clerk, [G1_NO_CARD[0], UNKNOWN])))
    assert unknown["problem"] == "card_members_unknown"
    assert UNKNOWN not in str(unknown["detail"])  # masked
    other = _batch(clerk, [G1_NO_CARD[0]])
    other["payload"]["union"] = clerk.server.union("grassroots2")
    other["signature"] = protocol.sign(clerk.key, other["payload"])
    assert _one(clerk.push(other))["problem"] == "union_scope"
    no_device = _one(clerk.push(_batch(clerk, G1_NO_CARD), fingerprint="0000 0000 0000 0000"))
    assert no_device["problem"] == "unknown_device"
    with session():
        assert CardBatch.select().count() == 0 and _server_member(G1_NO_CARD[0])["card_status"] == "none"


def test_issuer_refusal_puts_the_member_back_without_a_card(clerk: Session, adapters: None) -> None:
    class Picky:
        def issue(self, union_code: str, batch_no: str, applications: list[Application]) -> dict[str, IssueResult]:
            out = DemoCardIssuer().issue(union_code, batch_no, applications)
            out[G1_NO_CARD[1]] = IssueResult(None, "制卡照片不清晰。")
            return out

    card_jobs.configure(issuer=Picky())
    cursor = clerk.changes(limit=5000)["next"]
    record = _batch(clerk, G1_NO_CARD)
    clerk.push(record)
    batches = _wait_for(clerk, cursor, "card_batch", lambda f: any(b["status"] == "done" for b in f.values()))
    state = batches[record["payload"]["batch_no"]]
    assert (state["issued"], state["refused"]) == (1, 1)
    assert _server_member(G1_NO_CARD[1])["card_status"] == "none"
    assert _server_member(G1_NO_CARD[0])["card_status"] == "issued"
    with session():
        row = CardBatchMember.get(CardBatchMember.id_number == G1_NO_CARD[1])
        assert row.reason == "制卡照片不清晰。"


def test_card_issue_waits_for_the_configured_delay(server: Server, clerk: Session) -> None:
    server.ctx.settings.card_issue_delay_seconds = 3600
    try:
        record = _batch(clerk, [G1_NO_CARD[0]])
        assert _one(clerk.push(record))["status"] == "ok"
        time.sleep(0.3)
        assert _server_member(G1_NO_CARD[0])["card_status"] == "applying"
        server.clock.offset = timedelta(hours=2)
        deadline = time.monotonic() + 10
        while _server_member(G1_NO_CARD[0])["card_status"] != "issued":
            assert time.monotonic() < deadline
            server.ctx.wake_worker.set()
            time.sleep(0.05)
    finally:
        server.ctx.settings.card_issue_delay_seconds = 0


def test_check_application_rules(today) -> None:
    def member(**extra: Any) -> Member:
        row = {"id_number": G1_NO_CARD[0], "name": "乙0", "id_type": "mainland", "id_expiry": "2035-01-01", "gender": "male",
                   "birth_date": "1990-02-02", "phone": "13900000000", "work_address": "上海市黄浦区南京东路100号",
                   "category": "linked_enterprise", "life_status": "in_service", "card_status": "none"}
        row.update(extra)
        return Member(**row)

    assert check_application(member(), today) == []
    def codes(**kw: str) -> list[str]:
        return [p.code for p in check_application(member(**kw), today)]

    assert codes(card_status="applying") == ["card_applying"]
    assert check_application(member(card_status="applying"), today, in_batch=True) == []
    assert codes(life_status="retired") == ["card_not_in_service"]
    assert codes(category="flexible") == ["card_category"]
    assert codes(birth_date="1990-02-03") == ["card_id_inconsistent"]
    assert codes(gender="female") == ["card_id_inconsistent"]
    assert codes(id_expiry=None) == ["expiry_missing"]
    assert codes(work_address="上海") == ["address_too_short"]
    assert codes(phone="021-12345678") == ["phone_format"]
    assert codes(id_number=G1_NO_CARD[0][:-1] + ("0" if G1_NO_CARD[0][-1] != "0" else "1")) == ["id_check_char"]
    deceased = check_application(member(), today, IdentityRecord(name="乙0", deceased=True))
    assert [p.code for p in deceased] == ["card_identity_deceased"]


@pytest.mark.parametrize(("change", "codes"), [
    ({}, []),
    ({"card_status": "issued", "card_no": "6231000000000000001"}, ["card_exists"]),
    ({"life_status": "retired"}, ["card_not_in_service"]),
    ({"category": "flexible"}, ["card_category"]),
    ({"name": " "}, ["card_name_missing"]),
    ({"birth_date": "1990-02-03"}, ["card_id_inconsistent"]),
    ({"phone": None}, ["phone_missing"]),
    ({"id_type": None}, ["id_type_unknown"]),
    ({"id_type": "passport", "id_number": "E12345678", "id_expiry": "2001-01-01", "birth_date": None,
      "gender": None}, ["expiry_past"]),
])
def test_client_and_server_apply_one_card_rule(change: dict[str, Any], codes: list[str]) -> None:
    """The card queue on the PC and the server check a card application with the one rule of
    app.rules.cards and get the same problem codes; each side words them for where they are read."""
    from datetime import date

    from app.rules import cards as rule

    today = date.today()
    row = {"id_number": G1_NO_CARD[0], "name": "乙0", "id_type": "mainland", "id_expiry": "2035-01-01",
           "gender": "male", "birth_date": "1990-02-02", "phone": "13900000000",
           "work_address": "上海市黄浦区南京东路100号", "category": "linked_enterprise",
           "life_status": "in_service", "card_status": "none", "card_no": None, **change}
    assert [p.code for p in rule.application_problems(row, today)] == codes
    server = check_application(Member(**row), today)
    assert [p.code for p in server] == codes
    queue = rule.check_member(row, today)
    assert len(queue.reasons) == len(codes) and queue.result == ("failed" if codes else "passed")
    if codes == ["card_exists"]:
        assert queue.reasons == ("该会员已有会员卡（6231 **** 0001），无需再办，请移出待办。",)
        assert server[0].reason == "该会员已有会员卡，无需再办。"
    if codes == ["expiry_past"]:  # a passport: both say 证件, not 身份证
        assert "证件" in queue.reasons[0] and "身份证" not in queue.reasons[0] + server[0].reason

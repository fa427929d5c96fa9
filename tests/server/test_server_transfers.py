"""One union per person and 批量转移 (SPEC §5.10) over a real loopback server, SQLite and PostgreSQL.

The hole: a clerk added a person who is another union's member to their own union, got them a
second card and pre-empted that union's enrollment. Now every member route refuses such a person
with `member_elsewhere` and advice that names nothing of the other union; two unions adding the
same new person at once end with exactly one member; and a transfer moves a member with their
history, after which the old union no longer has them.
"""
from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest

from test_server_cards import _batch, _verification
from test_server_review import _approve, _submit
from union_server_testkit import (
    G1_CARDED,
    G1_NO_CARD,
    G2_CARDED,
    Server,
    Session,
    mainland_id,
    member_upsert,
    submission_payload,
    submission_record,
)

from app.protocol import PROBLEMS
from app.protocol import Entity, payload_sha256
from app.protocol.transfers import TransferRequest
from server import transfers
from server.batch import collecting
from server.changes import emit_change, member_record
from server.db import session, write_tx
from server.feed import compact_feeds
from server.models import CLAIMED, AuditEntry, Enrollment, Member, Union, User

G1 = "813101010000000041"
G2 = "81310101000000005X"
#: What the refusal must never show: the first union's name, code, member's name, phone, card.
G1_SECRETS = ("示范科技", G1, "甲0", "13800000000", "6231")
NEW_FIELDS = {"name": "新职工", "id_type": "身份证", "phone": "13612345678", "category": "关联企业类"}


def _refused(result: dict[str, Any]) -> None:
    assert result["status"] == "error", result
    assert result["problem"] == "member_elsewhere", result
    assert "其他工会的会员" in result["message"] and "转移" in result["message"]
    text = repr(result)
    assert not [s for s in G1_SECRETS if s in text], text


def _members_with(number: str) -> list[str]:
    with session():
        return [m.union.org_code for m in Member.select().where(Member.id_number == number)]


def test_a_member_of_another_union_is_refused_at_every_route(server: Server, clerk: Session,
                                                             clerk2: Session) -> None:
    carded, uncarded = G1_CARDED[0], G1_NO_CARD[0]
    # Member upsert (as typed, and with a lower-case check character where it has one).
    [upsert] = clerk2.push(member_upsert(carded, {**NEW_FIELDS, "name": "甲0"}))
    _refused(upsert)
    # Card application: the verification request and a signed card batch.
    [verify] = clerk2.push(_verification([carded]))
    _refused(verify)
    [batch] = clerk2.push(_batch(clerk2, [carded]))
    _refused(batch)
    # SS check request.
    [check] = clerk2.push({"key": str(uuid.uuid4()), "kind": "ss_check_request", "payload": {"id_numbers": [uncarded]}})
    _refused(check)
    # Confirmation of 人保状态 too.
    [confirm] = clerk2.push({"key": str(uuid.uuid4()), "kind": "confirmation", "payload": {"id_numbers": [uncarded]}})
    _refused(confirm)
    # An enrollment including them, next to the union's own member.
    [enrol] = clerk2.push(submission_record(clerk2, submission_payload(clerk2, [G2_CARDED[0], carded])))
    _refused(enrol)
    assert _members_with(carded) == [G1] and _members_with(uncarded) == [G1]
    with session():
        assert not Enrollment.select().where(Enrollment.id_number == carded).exists()
    # The real union is not pre-empted: it enrolls its member.
    _submit(clerk, [carded])
    # The code's own sentence, for the client, says what to do.
    assert "转移" in PROBLEMS["member_elsewhere"] and "其他工会" in PROBLEMS["member_elsewhere"]


def _race(number: str, phones: tuple[str, str], *clerks: Session) -> dict[str, dict[str, Any]]:
    """Both clerks push the same new person at the same moment; each union's answer."""
    barrier = threading.Barrier(len(clerks))
    results: dict[str, dict[str, Any]] = {}

    def add(who: Session, phone: str) -> None:
        record = member_upsert(number, {**NEW_FIELDS, "phone": phone})
        barrier.wait()
        [results[who.org_code]] = who.push(record)

    threads = [threading.Thread(target=add, args=(who, phone)) for who, phone in zip(clerks, phones, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_unions_adding_the_same_new_person_at_once_end_with_one(server: Server, clerk: Session,
                                                                    clerk2: Session) -> None:
    for round_ in range(6):
        number = mainland_id("19930707", 20 + round_)
        results = _race(number, (f"1361234{round_:02d}01", f"1361234{round_:02d}02"), clerk, clerk2)
        statuses = sorted(r["status"] for r in results.values())
        assert statuses == ["error", "ok"], results
        loser = next(r for r in results.values() if r["status"] == "error")
        assert loser["problem"] == "member_elsewhere", loser
        winner = next(code for code, r in results.items() if r["status"] == "ok")
        assert _members_with(number) == [winner]
        with session():
            claims = Member.select(Member.union).where((Member.id_number == number) & CLAIMED)
            assert [c.union.org_code for c in claims] == [winner]


def _transfer(who: Session, numbers: list[str], to: str = G2, *, key: str | None = None, **extra: Any) -> Any:
    body = {"key": key or uuid.uuid4().hex, "to_union": to, "reason": "调动至南东商贸", "id_numbers": numbers, **extra}
    return who.post("/transfers", body)


def _feed(who: Session, entity: str) -> dict[str, dict[str, Any]]:
    return {c["key"]: c["data"] for c in who.changes(limit=5000)["changes"] if c["entity"] == entity}


def test_a_transfer_moves_the_member_with_their_history(server: Server, clerk: Session, clerk2: Session) -> None:
    moving, staying = G1_CARDED[0], G1_CARDED[1]
    [card] = clerk.push(_batch(clerk, [moving]))  # refused at once (has a card): a line of card history
    assert card["status"] == "ok" and card["receipt"]["refused"] == 1, card
    batch = _submit(clerk, [moving, staying])
    # Under review (submitted, then approved by the district): not yet.
    r = _transfer(clerk, [moving])
    assert r.status_code == 409 and r.json()["problem"] == "transfer_under_review", r.text
    district = Session(server, "district")
    assert _approve(district, batch)["approved"] == 1
    assert _transfer(clerk, [moving]).json()["problem"] == "transfer_under_review"
    r = district.post("/district/submit", {"handler_name": "王经办", "handler_phone": "13812345678"})
    assert r.status_code == 200, r.text  # the batch is 已完成 now

    key = uuid.uuid4().hex
    r = _transfer(clerk, [moving], key=key)
    assert r.status_code == 200, r.text
    answer = r.json()
    assert (answer["count"], answer["from_union"], answer["to_union"]) == (1, G1, G2)
    # A retry gets the first answer; the same key for another request is refused.
    assert _transfer(clerk, [moving], key=key).json() == answer
    assert _transfer(clerk, [staying], key=key).json()["problem"] == "idempotency_conflict"

    assert _members_with(moving) == [G2] and _members_with(staying) == [G1]
    # The receiving union's feed: the member, and the transfer with the history.
    member = _feed(clerk2, "member")[moving]
    assert member["name"] == "甲0" and member["card_no"] == "6231" + moving[-15:]
    arrived = _feed(clerk2, "transfer")[moving]
    assert (arrived["direction"], arrived["other_union"], arrived["reason"]) == ("in", G1, "调动至南东商贸")
    [enrolled] = arrived["history"]["enrollments"]
    assert (enrolled["plan_year"], enrolled["status"], enrolled["channel"]) == (server.plan_year, "completed", "card")
    [applied] = arrived["history"]["cards"]
    assert applied["outcome"] == "refused" and "已有会员卡" in applied["reason"]
    # The releasing union's feed says the member left.
    left = _feed(clerk, "transfer")[moving]
    assert (left["direction"], left["other_union"]) == ("out", G2)
    # The old union no longer has them: every route refuses it now; the new one works with them.
    _refused(clerk.push(member_upsert(moving, {"label": "还在吗"}))[0])
    [ok] = clerk2.push(member_upsert(moving, {"label": "转入"}, member["versions"]))
    assert ok["status"] == "ok", ok
    # Audited on both sides.
    with session():
        actions = {(e.union.org_code, e.action) for e in AuditEntry.select().where(AuditEntry.entity == "member_transfer")}
    assert actions == {(G1, "members_transferred_out"), (G2, "members_transferred_in")}


def test_who_may_transfer_to_where(server: Server, clerk: Session, clerk2: Session) -> None:
    number = G1_CARDED[2]
    for target in ("813101010000009999", G1, "813101010000000025"):  # unknown, itself, a district
        r = _transfer(clerk, [number], to=target)
        assert r.status_code == 422 and r.json()["problem"] == "transfer_target", r.text
    r = _transfer(clerk, [G2_CARDED[0]])  # not its member (it is G2's): not found, nothing of G2 shown
    assert r.status_code == 404 and "丙" not in r.text
    r = _transfer(clerk2, [number], to=G2, from_union=G1)  # a clerk cannot move another union's member
    assert r.status_code == 403 and r.json()["problem"] == "union_scope"
    r = _transfer(clerk, [number], reason="")
    assert r.status_code == 422
    with session():  # a card being made for the member: not now either
        Member.update(card_status="applying").where(Member.id_number == number).execute()
    r = _transfer(clerk, [number])
    assert r.status_code == 409 and r.json()["detail"]["members"][0]["reason"] == "会员卡正在办理中", r.text
    with session():
        Member.update(card_status="issued").where(Member.id_number == number).execute()
    # A common superior (the street union over both) moves a member between its unions.
    secondary = Session(server, "secondary")
    r = _transfer(secondary, [G2_CARDED[1]], to=G1, from_union=G2)
    assert r.status_code == 200, r.text
    assert _members_with(G2_CARDED[1]) == [G1]
    r = _transfer(secondary, [number])  # a superior must name the releasing union
    assert r.status_code == 422
    # A superior reading a subordinate's feed sees the transfer with the number masked.
    changes = secondary.changes(union=G1)["changes"]
    seen = [c for c in changes if c["entity"] == "transfer"]
    assert seen and all(G2_CARDED[1] not in repr(c) for c in seen)


def test_a_moved_phone_that_clashes_is_cleared_for_the_receiving_union(server: Server, clerk: Session,
                                                                       clerk2: Session) -> None:
    with session():
        taken = Member.get(Member.id_number == G2_CARDED[0]).phone
        g1 = Union.get(Union.org_code == G1)
        Member.update(phone=taken).where((Member.union == g1) & (Member.id_number == G1_CARDED[3])).execute()
    r = _transfer(clerk, [G1_CARDED[3]])
    assert r.status_code == 200 and r.json()["phone_cleared"] == 1, r.text
    assert _feed(clerk2, "member")[G1_CARDED[3]]["phone"] is None
    assert _feed(clerk2, "transfer")[G1_CARDED[3]]["phone_cleared"] is True


def test_a_member_record_that_goes_takes_its_claim_with_it(server: Server, clerk: Session, clerk2: Session) -> None:
    """When a union's member record is deleted (a removal), the person is free to join another
    union: the claim goes with the record (ON DELETE CASCADE, enforced on both backends)."""
    number = G1_NO_CARD[1]
    _refused(clerk2.push(member_upsert(number, NEW_FIELDS))[0])
    with session():
        Member.delete().where(Member.id_number == number).execute()
        assert not Member.select().where((Member.id_number == number) & CLAIMED).exists()
    [joined] = clerk2.push(member_upsert(number, NEW_FIELDS))
    assert joined["status"] == "ok", joined
    assert _members_with(number) == [G2]


def _member_changes(who: Session, number: str, since: int = 0) -> list[dict[str, Any]]:
    return [c for c in who.changes(since=since, limit=5000)["changes"] if c["entity"] == "member" and c["key"] == number]


@pytest.mark.parametrize("counted", ["releasing", "receiving"])
def test_a_transfer_inside_a_push_batch_gives_the_member_a_place_in_the_new_feed(
        server: Server, clerk: Session, clerk2: Session, counted: str) -> None:
    """Inside a push request's batch (server/batch.py) a moved member's row must not keep its
    place of the releasing union's counter: the receiving feed carries the member once, from a
    PC's cursor too, after a compaction too, and a later change of that feed is not jumped over;
    the releasing feed no longer carries the member. `counted`: the union whose counter the batch
    read under its lock (the row then carries the receiving place; else its change row does)."""
    moving = G1_CARDED[2]
    ctx = server.ctx
    with session():
        g1, g2 = Union.get(Union.org_code == G1), Union.get(Union.org_code == G2)
        with write_tx():  # the member's place in G1's feed: far past G2's counter
            for _ in range(40):
                row = Member.get((Member.union == g1) & (Member.id_number == moving))
                emit_change(ctx, g1.id, Entity.MEMBER, moving, member_record(row))
    cursor = clerk2.changes(limit=5000)["next"]
    request = TransferRequest(key=uuid.uuid4().hex, to_union=G2, reason="调动", id_numbers=[moving])
    with session():
        user = User.get(User.username == "grassroots")
        with collecting() as batch, write_tx():
            batch.now = ctx.now_naive()
            locked = g1 if counted == "releasing" else g2
            batch.count_from(locked.id, int(Union.select(Union.change_seq).where(Union.id == locked.id).scalar()))
            transfers._apply(ctx, user, request, payload_sha256(request.to_wire()))
            batch.flush()
        top = int(Union.select(Union.change_seq).where(Union.id == g2.id).scalar())
        place = Member.get((Member.union == g2) & (Member.id_number == moving)).feed_seq
    assert place is None or cursor < place <= top
    assert len(_member_changes(clerk2, moving)) == 1
    [arrived] = _member_changes(clerk2, moving, since=cursor)
    assert arrived["data"]["card_no"] == "6231" + moving[-15:]
    page = clerk2.changes(since=cursor, limit=5000)
    assert page["next"] <= top
    assert not _member_changes(clerk, moving)  # the releasing feed: only the transfer "out"
    assert _feed(clerk, "transfer")[moving]["direction"] == "out"
    compact_feeds(ctx)
    assert len(_member_changes(clerk2, moving)) == 1
    # A later change of the receiving feed reaches a PC that pulled up to the transfer.
    newcomer = mainland_id("19950505", 1)
    [ok] = clerk2.push(member_upsert(newcomer, NEW_FIELDS))
    assert ok["status"] == "ok", ok
    assert _member_changes(clerk2, newcomer, since=page["next"])

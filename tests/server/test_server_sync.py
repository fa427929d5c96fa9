"""Sync over real HTTP: pull by cursor, member push with field ownership and conflicts, union
scope, SS checks through the worker, campaign config."""
from __future__ import annotations

import time
import uuid

from union_server_testkit import G1_CARDED, G1_NO_CARD, G2_CARDED, Server, Session, member_upsert

from server.db import session
from server.models import Change, Member, RegistryEntry, Union


def _one(results: list[dict]) -> dict:
    assert len(results) == 1
    return results[0]


def test_time_endpoint(server: Server) -> None:
    body = server.client().get("/time").json()
    assert body["max_clock_skew"] == 300 and body["protocol"] == 1
    assert body["server_time"].endswith("Z")


def test_first_pull_pages_through_members_and_campaign(clerk: Session) -> None:
    seen: list[dict] = []
    cursor = 0
    while True:
        page = clerk.changes(since=cursor, limit=3)
        seen.extend(page["changes"])
        assert page["next"] >= cursor
        cursor = page["next"]
        if not page["more"]:
            break
    seqs = [c["seq"] for c in seen]
    assert seqs == list(range(1, len(seen) + 1))
    assert cursor == page["latest"] == seqs[-1]
    members = {c["key"]: c["data"] for c in seen if c["entity"] == "member"}
    assert set(members) == set(G1_CARDED + G1_NO_CARD)
    assert members[G1_CARDED[0]]["card_no"].startswith("6231")
    assert members[G1_CARDED[0]]["versions"]["phone"] == 1
    campaigns = [c for c in seen if c["entity"] == "campaign"]
    assert campaigns and campaigns[0]["data"]["bank_account"]["number"] == "316023-03002745697"
    # Nothing after the cursor.
    assert clerk.changes(since=cursor)["changes"] == []


def test_campaign_config(clerk: Session) -> None:
    r = clerk.get("/campaigns/current")
    assert r.status_code == 200
    config = r.json()
    assert config["plan_year"] == clerk.server.plan_year
    plan_a = next(p for p in config["plan_types"] if p["plan_type"] == "A")
    assert (plan_a["fee"], plan_a["city"], plan_a["district"], plan_a["grassroots"]) == ("26.00", "13.00", "13.00", "0.00")
    assert {p["plan_type"] for p in config["plan_types"]} == {"A", "B", "A_PLUS", "B_PLUS"}
    assert config["bank_account"] == {"name": "上海市职工保障互助中心会员专享保障专户",
                                      "number": "316023-03002745697", "bank": "上海银行人民广场支行"}
    assert clerk.get("/campaigns/current", plan_year=1999).status_code == 422
    assert clerk.get("/campaigns/current", plan_year=2090).json()["problem"] == "no_campaign"


def test_grassroots_cannot_read_or_write_another_union(server: Server, clerk: Session) -> None:
    other = server.union("grassroots2")
    r = clerk.get("/changes", union=other)
    assert r.status_code == 403 and r.json()["problem"] == "union_scope"
    assert "其他工会" in r.json()["message"]
    assert clerk.get("/campaigns/current", union=other).status_code == 403
    assert clerk.get("/submissions", union=other).status_code == 403
    assert clerk.get("/changes", union="NO-SUCH-UNION").status_code == 403
    result = _one(clerk.push(member_upsert(G2_CARDED[0], {"phone": "13911112222"}, {"phone": 1}, union=other)))
    assert result["status"] == "error" and result["problem"] == "union_scope"
    result = _one(clerk.push({"key": str(uuid.uuid4()), "kind": "ss_check_request",
                              "payload": {"union": other, "id_numbers": [G2_CARDED[0]]}}))
    assert result["problem"] == "union_scope"
    with session():
        assert Member.get(Member.id_number == G2_CARDED[0]).phone != "13911112222"
    # Superiors see their subordinates; the center sees all.
    for username in ("secondary", "district", "center"):
        reader = Session(server, username)
        assert reader.get("/changes", union=other).status_code == 200, username
    assert len(Session(server, "secondary").get("/unions").json()["unions"]) == 3
    # …but change only their own union's members.
    district = Session(server, "district")
    result = _one(district.push(member_upsert(G2_CARDED[0], {"label": "劳模"}, {"label": 1}, union=other)))
    assert result["problem"] == "union_scope"
    assert len(clerk.get("/unions").json()["unions"]) == 1


def test_member_push_updates_the_server_and_the_feed(clerk: Session) -> None:
    cursor = clerk.changes(limit=5000)["next"]
    result = _one(clerk.push(member_upsert(G1_CARDED[0], {"phone": "13912345678", "label": "劳模"},
                                           {"phone": 1, "label": 1})))
    assert result["status"] == "ok", result
    receipt = result["receipt"]
    assert receipt["changed"] == ["label", "phone"] and receipt["versions"]["phone"] == 2
    page = clerk.changes(since=cursor)
    assert [c["entity"] for c in page["changes"]] == ["member"]
    assert page["changes"][0]["data"]["phone"] == "13912345678"


def test_new_member_is_validated_with_the_rules(clerk: Session) -> None:
    bad = _one(clerk.push(member_upsert("110101199003071234", {"name": "新人", "id_type": "身份证"})))
    assert bad["problem"] == "validation"
    assert bad["detail"]["field"] == "id_number"
    number = "610104196209276908"
    ok = _one(clerk.push(member_upsert(number, {"name": "新人", "id_type": "身份证", "phone": "+86 139-0000-8888",
                                                "work_address": "上海市黄浦区九江路二百号"})))
    assert ok["status"] == "ok", ok
    with session():
        member = Member.get(Member.id_number == number)
        assert (member.phone, member.gender, member.birth_date) == ("13900008888", "female", "1962-09-27")
    # Server-owned fields cannot be pushed; a phone another member has is refused.
    owned = _one(clerk.push(member_upsert(number, {"card_no": "6231000000000000000"})))
    assert owned["problem"] == "validation"
    clash = _one(clerk.push(member_upsert(number, {"phone": "13800000000"}, {"phone": 1})))
    assert clash["problem"] == "validation" and clash["detail"]["field"] == "phone"


def test_conflict_resolved_by_keeping_mine(server: Server, clerk: Session) -> None:
    other_pc = Session(server, "grassroots")
    assert _one(other_pc.push(member_upsert(G1_CARDED[1], {"phone": "13700001111"}, {"phone": 1})))["status"] == "ok"
    key = str(uuid.uuid4())
    conflict = _one(clerk.push(member_upsert(G1_CARDED[1], {"phone": "13600002222"}, {"phone": 1}, key=key)))
    assert conflict["problem"] == "conflict"
    field = conflict["detail"]["fields"]["phone"]
    assert field == {"mine": "13600002222", "server": "13700001111", "server_version": 2}
    # Keep mine: push again (same outbox row, same key) with the server's version as the base.
    kept = _one(clerk.push(member_upsert(G1_CARDED[1], {"phone": "13600002222"}, {"phone": 2}, key=key)))
    assert kept["status"] == "ok", kept
    with session():
        assert Member.get(Member.id_number == G1_CARDED[1]).phone == "13600002222"


def test_conflict_resolved_by_taking_the_servers(server: Server, clerk: Session) -> None:
    other_pc = Session(server, "grassroots")
    assert _one(other_pc.push(member_upsert(G1_CARDED[2], {"work_address": "上海市黄浦区福州路八十八号"},
                                            {"work_address": 1})))["status"] == "ok"
    conflict = _one(clerk.push(member_upsert(G1_CARDED[2], {"work_address": "上海市黄浦区广东路一百号",
                                                            "label": "新会员"}, {"work_address": 1, "label": 1})))
    assert conflict["problem"] == "conflict" and set(conflict["detail"]["fields"]) == {"work_address"}
    # Take the server's: the client drops its value for that field and sends the rest.
    taken = _one(clerk.push(member_upsert(G1_CARDED[2], {"label": "新会员"}, {"label": 1})))
    assert taken["status"] == "ok"
    with session():
        member = Member.get(Member.id_number == G1_CARDED[2])
        assert (member.work_address, member.label) == ("上海市黄浦区福州路八十八号", "新会员")
    # The same value on both sides is no conflict.
    same = _one(clerk.push(member_upsert(G1_CARDED[2], {"work_address": "上海市黄浦区福州路八十八号"},
                                         {"work_address": 1})))
    assert same["status"] == "ok"


def test_member_push_is_idempotent(clerk: Session) -> None:
    record = member_upsert(G1_CARDED[3], {"label": "工会干部"}, {"label": 1})
    first = _one(clerk.push(record))
    with session():
        union = Union.get(Union.org_code == clerk.org_code)
        placed = (union.change_seq, Member.get(Member.id_number == G1_CARDED[3]).feed_seq)
    assert placed[1] == placed[0]  # the member's feed change is its row's place (server/changes.py)
    assert _one(clerk.push(record)) == first
    with session():
        union = Union.get(Union.org_code == clerk.org_code)
        assert (union.change_seq, Member.get(Member.id_number == G1_CARDED[3]).feed_seq) == placed
        # The member's place before the push (the demo's), which this PC had not passed, stays as a change row.
        assert Change.select().where((Change.union == union) & (Change.entity_key == G1_CARDED[3])).count() == 1


def test_ss_check_runs_in_the_worker_and_arrives_by_pull(clerk: Session) -> None:
    with session():
        RegistryEntry.create(id_number=G1_NO_CARD[0], ss_card_status="normal", employment_status="unknown",
                             updated=clerk.server.ctx.now_naive())
    cursor = clerk.changes(limit=5000)["next"]
    result = _one(clerk.push({"key": str(uuid.uuid4()), "kind": "ss_check_request",
                              "payload": {"id_numbers": G1_NO_CARD}}))
    assert result["status"] == "ok", result
    assert result["receipt"]["count"] == 2
    deadline = time.monotonic() + 10
    results: dict[str, dict] = {}
    while time.monotonic() < deadline and len(results) < 2:
        for change in clerk.changes(since=cursor)["changes"]:
            if change["entity"] == "ss_check":
                results[change["key"]] = change["data"]
        time.sleep(0.05)
    assert results[G1_NO_CARD[0]]["ss_card_status"] == "normal"
    assert results[G1_NO_CARD[0]]["employment_status"] == "unknown"
    assert results[G1_NO_CARD[0]]["insurance_status"] == "pending"
    assert results[G1_NO_CARD[1]]["ss_card_status"] == "unknown"  # not in the registry
    missing = _one(clerk.push({"key": str(uuid.uuid4()), "kind": "ss_check_request",
                               "payload": {"id_numbers": ["310101199901011234"]}}))
    assert missing["problem"] == "not_found"


def test_floats_are_refused_per_record(clerk: Session) -> None:
    results = clerk.push(
        {"key": str(uuid.uuid4()), "kind": "member_upsert", "payload": {"id_number": G1_CARDED[0], "x": 1.5}},
        member_upsert(G1_CARDED[0], {"label": "劳模"}, {"label": 1}),
        {"key": "bad key!", "kind": "member_upsert", "payload": {}},
        {"key": str(uuid.uuid4()), "kind": "teleport", "payload": {}},
    )
    assert [r["status"] for r in results] == ["error", "ok", "error", "error"]
    assert all(r.get("problem") in (None, "validation") for r in results)


def test_a_large_integer_is_refused_for_its_record_and_the_others_answered(clerk: Session) -> None:
    # The body holds no float: only the integer past 2**53 makes the payloads be checked one by one.
    results = clerk.push(
        member_upsert(G1_CARDED[0], {"label": "劳模"}, {"label": 2**53 + 1}),
        member_upsert(G1_CARDED[1], {"label": "先进"}, {"label": 1}),
    )
    assert [r["status"] for r in results] == ["error", "ok"]
    assert results[0]["problem"] == "validation" and "规范化" in results[0]["detail"]

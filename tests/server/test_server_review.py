"""集中参保审核 over a real loopback server (manual §4.3): the 待审批 list of a reviewer's
subtree with its filters, a secondary's approval (审核标识 二级工会) passing the batch to the
district, the district's 添加至待提交 and 移除, 退回 with a reason the clerk reads in the feed,
the signature verified again — and every scope refusal over HTTP."""
from __future__ import annotations

import json
from typing import Any

from server import accounts
from server.db import session, write_tx
from server.models import Submission, Union
from union_server_testkit import G1_CARDED, G2_CARDED, PASSWORD, Server, Session, submission_payload, submission_record


def _submit(clerk: Session, members: list[str], **options: Any) -> str:
    payload = submission_payload(clerk, members, **options)
    [result] = clerk.push(submission_record(clerk, payload))
    assert result["status"] == "ok", result
    return str(payload["batch_no"])


def _pending(reviewer: Session, **filters: Any) -> list[dict[str, Any]]:
    r = reviewer.get("/review/batches", **filters)
    assert r.status_code == 200, r.text
    return list(r.json()["batches"])


def _approve(reviewer: Session, *batch_nos: str) -> dict[str, Any]:
    r = reviewer.post("/review/approve", {"batches": list(batch_nos)})
    assert r.status_code == 200, r.text
    return dict(r.json())


def _feed(clerk: Session, batch_no: str) -> dict[str, Any]:
    rows = [c["data"] for c in clerk.changes()["changes"] if c["entity"] == "submission" and c["key"] == batch_no]
    return rows[-1]


def test_secondary_approval_marks_the_batch_and_passes_it_to_the_district(
        server: Server, clerk: Session, clerk2: Session) -> None:
    card = _submit(clerk, G1_CARDED[:3])
    ss_batch = _submit(clerk2, G2_CARDED[:1])  # another grassroots union of the same secondary
    secondary, district = Session(server, "secondary"), Session(server, "district")
    rows = {row["batch_no"]: row for row in _pending(secondary)}
    assert set(rows) == {card, ss_batch}
    row = rows[card]
    assert row["union"]["name"] == "上海示范科技有限公司工会委员会"
    assert row["union"]["parent"] == "上海市黄浦区南京东路街道总工会"
    assert (row["plan_type"], row["member_count"], row["channel"], row["totals"]["fee"]) == ("A", 3, "card", "78.00")
    assert row["review_mark"] is None

    result = _approve(secondary, card)
    assert result["results"] == [{"batch_no": card, "status": "ok", "review_mark": "secondary"}]
    # Gone from the secondary's list, in the district's with 审核标识 二级工会; still 区局确认中.
    assert [r["batch_no"] for r in _pending(secondary)] == [ss_batch]
    marked = {r["batch_no"]: r for r in _pending(district)}[card]
    assert (marked["review_mark"], marked["review_mark_label"], marked["status"]) == ("secondary", "二级工会", "under_review")
    seen = _feed(clerk, card)
    assert (seen["status"], seen["review_mark"]) == ("under_review", "secondary")
    # A second approval by the secondary is refused, the batch named.
    again = _approve(secondary, card)["results"][0]
    assert again["status"] == "error" and again["problem"] == "batch_state"

    # The district adds both to 待提交 at once; 移除 takes one back to 待审批 (the secondary's mark kept).
    assert _approve(district, card, ss_batch)["approved"] == 2
    ready = district.get("/review/batches", queue="ready").json()
    assert ready["total"] == 2 and _pending(district) == []
    r = district.post(f"/review/batches/{card}/remove", {})
    assert r.status_code == 200 and r.json()["review_mark"] == "secondary"
    assert [b["batch_no"] for b in _pending(district)] == [card]
    assert _feed(clerk, card)["review_mark"] == "secondary"


def test_return_with_a_reason_the_clerk_reads_and_the_members_are_free(server: Server, clerk: Session) -> None:
    batch = _submit(clerk, G1_CARDED[:2])
    secondary = Session(server, "secondary")
    r = secondary.post(f"/review/batches/{batch}/return", {"reason": "  "})
    assert r.status_code == 422 and r.json()["problem"] == "validation"
    r = secondary.post(f"/review/batches/{batch}/return", {"reason": "第2行 证件到期日有误，请核对后重新提交"})
    assert r.status_code == 200, r.text
    seen = _feed(clerk, batch)
    assert (seen["status"], seen["return_reason"]) == ("returned", "第2行 证件到期日有误，请核对后重新提交")
    assert _pending(secondary) == []
    # Fixed and resubmitted, naming the returned batch: the same members are accepted again.
    again = _submit(clerk, G1_CARDED[:2], replaces=batch)
    assert [b["batch_no"] for b in _pending(secondary)] == [again]
    # Returning it once approved by the secondary is the district's business.
    _approve(secondary, again)
    r = secondary.post(f"/review/batches/{again}/return", {"reason": "再看看"})
    assert r.status_code == 409 and r.json()["problem"] == "batch_state"
    r = Session(server, "district").post(f"/review/batches/{again}/return", {"reason": "名单缺人"})
    assert r.status_code == 200 and r.json()["status"] == "returned"


def test_filters_of_the_pending_list(server: Server, clerk: Session, clerk2: Session, today: Any) -> None:
    card = _submit(clerk, G1_CARDED[:1], plan_type="B")
    second = _submit(clerk, G1_CARDED[1:2], plan_type="B")
    other = _submit(clerk2, G2_CARDED[:1], plan_type="A")
    district = Session(server, "district")
    names = lambda **f: {r["batch_no"] for r in _pending(district, **f)}  # noqa: E731
    assert names() == {card, second, other}
    assert names(name="示范科技") == {card, second}
    assert names(org_code="81310101000000005X") == {other}
    assert names(plan_type="A") == {other}
    assert names(channel="ss") == set()
    assert names(parent="813101010000000033") == {card, second, other}
    assert names(received_from=today.isoformat(), received_to=today.isoformat()) == {card, second, other}
    assert names(received_to=today.replace(year=today.year - 1).isoformat()) == set()
    page = district.get("/review/batches", limit=2).json()
    assert page["total"] == 3 and len(page["batches"]) == 2


def test_a_batch_changed_after_signing_cannot_be_approved(server: Server, clerk: Session) -> None:
    batch = _submit(clerk, G1_CARDED[:2])
    with session(), write_tx():
        sub = Submission.get(Submission.batch_no == batch)
        payload = json.loads(sub.payload)
        payload["members"] = payload["members"][:1]  # someone edits the stored list
        sub.payload = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        sub.save()
    district = Session(server, "district")
    detail = district.get(f"/review/batches/{batch}").json()
    assert detail["signature"]["valid"] is False
    result = _approve(district, batch)["results"][0]
    assert result["status"] == "error" and result["problem"] == "bad_signature"
    assert "签名后被改动" in result["message"]


def test_batch_detail_masks_the_roster_and_shows_the_signature(server: Server, clerk: Session) -> None:
    batch = _submit(clerk, G1_CARDED[:2])
    detail = Session(server, "secondary").get(f"/review/batches/{batch}").json()
    assert detail["signature"] == {"valid": True, "fingerprint": clerk.fingerprint, "problem": None}
    numbers = [row["id_number"] for row in detail["roster"]]
    assert numbers == [f"{n[:4]} **** **** {n[-4:]}" for n in G1_CARDED[:2]]
    assert G1_CARDED[0] not in json.dumps(detail)


def test_batch_detail_sends_card_numbers_masked_as_every_screen_shows_them(server: Server, clerk: Session) -> None:
    """The roster's card numbers leave the server as app.rules.cards masks them ("6231 **** 0624");
    the names the clerk's roster carried stay, and the signature (made on the whole numbers) holds."""
    cards = {n: "6231" + n[-15:] for n in G1_CARDED[:2]}
    payload = submission_payload(clerk, G1_CARDED[:3])
    for row in payload["members"]:
        row["name"], row["card_no"] = "甲", cards.get(row["id_number"])
    [result] = clerk.push(submission_record(clerk, payload))
    assert result["status"] == "ok", result
    detail = Session(server, "secondary").get(f"/review/batches/{payload['batch_no']}").json()
    assert detail["signature"]["valid"] is True
    shown = [(row["name"], row["card_no"]) for row in detail["roster"]]
    assert shown == [("甲", f"{cards[n][:4]} **** {cards[n][-4:]}") for n in G1_CARDED[:2]] + [("甲", None)]
    text = json.dumps(detail)
    assert not [c for c in cards.values() if c in text or c[4:] in text]


def _second_district(server: Server) -> None:
    """Another district with a secondary and a grassroots union, each with an account."""
    ctx = server.ctx
    with session():
        city = Union.get(Union.level == "city")
        d2 = accounts.create_union(ctx, name="上海市静安区总工会", org_code="813106000000000011", union_type="区总工会",
                                   level="district", parent=city)
        s2 = accounts.create_union(ctx, name="静安寺街道总工会", org_code="813106000000000029", union_type="街道总工会",
                                   level="secondary", parent=d2)
        g3 = accounts.create_union(ctx, name="静安某公司工会委员会", org_code="813106000000000037", union_type="工会委员会",
                                   level="grassroots", parent=d2)
        for username, union in (("district2", d2), ("secondary2", s2)):
            accounts.create_user(ctx, username=username, password=PASSWORD, union=union, role="reviewer")
        accounts.create_user(ctx, username="grassroots3", password=PASSWORD, union=g3, role="clerk")


def test_scope_refusals_over_http(server: Server, clerk: Session) -> None:
    batch = _submit(clerk, G1_CARDED[:1])
    _second_district(server)
    # Another district and another district's secondary see nothing of it and cannot act on it.
    for username in ("district2", "secondary2"):
        other = Session(server, username)
        assert _pending(other) == []
        assert other.get(f"/review/batches/{batch}").status_code == 403
        refused = _approve(other, batch)["results"][0]
        assert refused["problem"] == "union_scope"
        r = other.post(f"/review/batches/{batch}/return", {"reason": "不是我们的"})
        assert r.status_code == 403 and r.json()["problem"] == "union_scope"
    # A secondary has no 待提交 list and cannot 移除.
    secondary = Session(server, "secondary")
    assert secondary.get("/review/batches", queue="ready").status_code == 403
    assert secondary.post(f"/review/batches/{batch}/remove", {}).status_code == 403
    # Grassroots clerks, the city's reviewer and the center review nothing.
    for username in ("grassroots", "grassroots2", "city", "center"):
        someone = Session(server, username)
        for r in (someone.get("/review/batches"), someone.post("/review/approve", {"batches": [batch]}),
                  someone.post(f"/review/batches/{batch}/return", {"reason": "x"}),
                  someone.get(f"/review/batches/{batch}")):
            assert r.status_code == 403 and r.json()["problem"] == "union_scope", (username, r.text)
    # Nothing changed: the batch still waits for its first reviewer.
    assert [b["batch_no"] for b in _pending(secondary)] == [batch]
    assert _pending(secondary)[0]["review_mark"] is None


def test_workbench_figures_of_the_subtree(server: Server) -> None:
    for username in ("secondary", "district", "center"):
        figures = Session(server, username).get("/review/figures").json()
        assert (figures["members"], figures["grassroots_unions"]) == (8, 2), username
    r = Session(server, "grassroots").get("/review/figures")
    assert r.status_code == 403 and r.json()["problem"] == "union_scope"

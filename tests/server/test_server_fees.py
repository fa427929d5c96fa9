"""保障金额设置 over a real loopback server, SQLite and PostgreSQL (#16): a district's split refused
outside the fee window by the server's clock (Chinese message), accepted inside, shares adding up
to the fee, audited; its unions are priced with it (and their feeds carry it) while another
district keeps the city's; a batch received before the change keeps its split in the review list,
the totals line, the district batch and the statistics rows; the center's city-wide change."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from server.db import session
from server.models import AuditEntry, DistrictBatch, PlanFee, Submission
from test_server_review import _approve, _second_district, _submit
from union_server_testkit import G1_CARDED, G2_CARDED, Server, Session, submission_payload, submission_record


def _fees(who: Session) -> dict[str, Any]:
    r = who.get("/fees")
    assert r.status_code == 200, r.text
    return dict(r.json())


def _plan(table: dict[str, Any], plan_type: str = "A") -> dict[str, Any]:
    return next(p for p in table["plan_types"] if p["plan_type"] == plan_type)


def _campaign_split(who: Session, plan_type: str = "A") -> dict[str, str]:
    config = who.get("/campaigns/current").json()
    row = next(p for p in config["plan_types"] if p["plan_type"] == plan_type)
    return {k: row[k] for k in ("fee", "city", "district", "grassroots")}


def _priced(clerk: Session, members: list[str], split: dict[str, str]) -> dict[str, Any]:
    """A central batch priced with `split` per person (as the client prices it after a sync)."""
    payload = submission_payload(clerk, members)
    n = len(members)
    payload["fee_split"] = dict(split)
    payload["totals"] = {"count": n, **{k: f"{Decimal(v) * n:.2f}" for k, v in split.items()}}
    return payload


def test_district_split_only_inside_the_window_by_the_server_clock(server: Server, clerk: Session) -> None:
    district = Session(server, "district")
    table = _fees(district)
    assert table["scope"] == "district" and table["window"]["open"] is True and table["editable"] is True
    assert {k: _plan(table)[k] for k in ("fee", "city", "district", "grassroots", "source")} == {
        "fee": "26.00", "city": "13.00", "district": "13.00", "grassroots": "0.00", "source": "city"}

    server.clock.offset = timedelta(days=10)  # after the fee window (the demo's: today ± 3 days)
    late = Session(server, "district")
    assert _fees(late)["editable"] is False
    r = late.post("/fees", {"plan_type": "A", "district": "10", "grassroots": "3"})
    assert r.status_code == 403 and r.json()["problem"] == "fee_window_closed", r.text
    assert "调整时间" in r.json()["message"] and "以服务器时间为准" in r.json()["message"]
    with session():
        assert PlanFee.select().where(PlanFee.union.is_null(False)).count() == 0
    server.clock.offset = timedelta(0)

    district = Session(server, "district")
    r = district.post("/fees", {"plan_type": "A", "district": "10", "grassroots": "5"})  # 13 + 10 + 5 ≠ 26
    assert r.status_code == 422 and r.json()["problem"] == "validation" and "26" in r.json()["message"]
    r = district.post("/fees", {"plan_type": "A", "fee": "30", "city": "20", "district": "10", "grassroots": "0"})
    assert r.status_code == 422 and "由市总工会设置" in r.json()["message"]  # a district cannot change the fee
    r = district.post("/fees", {"plan_type": "A", "fee": "26", "city": "13.0", "district": "13", "grassroots": "0"})
    assert r.status_code == 200 and _plan(r.json())["source"] == "city"  # the city's split again: no own row
    r = district.post("/fees", {"plan_type": "A", "district": "10", "grassroots": "3"})
    assert r.status_code == 200, r.text
    assert {k: _plan(r.json())[k] for k in ("district", "grassroots", "source")} == {
        "district": "10.00", "grassroots": "3.00", "source": "district"}
    assert _plan(r.json())["city_default"]["district"] == "13.00"
    with session():
        entries = list(AuditEntry.select().where(AuditEntry.action == "fee_split_set").order_by(AuditEntry.id))
    assert [e.username for e in entries] == ["district", "district"]
    assert dict(entries[-1].detail)["before"]["district"] == "13.00"
    assert dict(entries[-1].detail)["after"] == {"fee": "26.00", "city": "13.00", "district": "10.00",
                                                 "grassroots": "3.00"}
    assert _fees(district)["history"][0]["after"]["grassroots"] == "3.00"

    # The district's grassroots union is priced with it now; its feed carries the new config.
    assert _campaign_split(clerk) == {"fee": "26.00", "city": "13.00", "district": "10.00", "grassroots": "3.00"}
    fed = [c["data"] for c in clerk.changes()["changes"] if c["entity"] == "campaign"][-1]
    assert _plan(fed)["grassroots"] == "3.00"
    # Grassroots and secondary accounts may not set it.
    for who in (clerk, Session(server, "secondary")):
        assert who.post("/fees", {"plan_type": "A", "district": "13", "grassroots": "0"}).status_code == 403


def test_a_batch_keeps_the_split_it_was_priced_with(server: Server, clerk: Session, clerk2: Session) -> None:
    _second_district(server)
    before = _submit(clerk, G1_CARDED[:3])  # priced 13 / 13 / 0
    district = Session(server, "district")
    assert district.post("/fees", {"plan_type": "A", "district": "10", "grassroots": "3"}).status_code == 200

    # A batch still priced with the old split is refused now; priced with the new one, accepted.
    stale = submission_record(clerk2, submission_payload(clerk2, G2_CARDED[:1]))
    [refused] = clerk2.push(stale)
    assert refused["status"] == "error" and refused["problem"] == "price_mismatch"
    new_split = {"fee": "26.00", "city": "13.00", "district": "10.00", "grassroots": "3.00"}
    after_payload = _priced(clerk2, G2_CARDED[:1], new_split)
    [ok] = clerk2.push(submission_record(clerk2, after_payload))
    assert ok["status"] == "ok", ok
    # Another district keeps the city's split.
    other = Session(server, "grassroots3")
    assert _campaign_split(other)["district"] == "13.00"

    with session():
        old = Submission.get(Submission.batch_no == before)
        assert (dict(old.fee_split)["district"], dict(old.totals)["district"], dict(old.totals)["grassroots"]) == (
            "13.00", "39.00", "0.00")
    assert _approve(district, before, after_payload["batch_no"])["approved"] == 2
    totals = district.get("/district/totals").json()
    assert totals["totals"] == {"fee": "104.00", "city": "52.00", "district": "49.00", "grassroots": "3.00"}

    table = district.get("/district/statistics").json()
    rows = {r["org_code"]: r for r in table["rows"]}
    g1, g2 = rows[server.union("grassroots")], rows[server.union("grassroots2")]
    assert (g1["count"], g1["card"], g1["district"], g1["fee_split"]["district"]) == (3, 3, "39.00", "13.00")
    assert (g2["count"], g2["district"], g2["grassroots"], g2["fee_split"]["grassroots"]) == (1, "10.00", "3.00", "3.00")
    assert table["totals"]["count"] == 4 and table["totals"]["fee"] == "104.00"
    assert table["totals"]["district"] == totals["totals"]["district"]
    assert "813106000000000037" not in rows  # another district's union

    r = district.post("/district/submit", {"handler_name": "王经办", "handler_phone": "13812345678"})
    assert r.status_code == 200, r.text
    batch_no = r.json()["batch_no"]
    assert r.json()["totals"]["district"] == "49.00" and r.json()["amount"] == "52.00"
    with session():  # the batch moves on (a voucher accepted); its notice's fingerprint stays
        DistrictBatch.update(status="completed").where(DistrictBatch.batch_no == batch_no).execute()
    again = district.get(f"/district/batches/{batch_no}/notice")
    assert again.status_code == 200 and again.json()["amount"] == "52.00" and again.json()["batch_no"] == batch_no
    assert again.json()["status_label"] == "已完成" and again.json()["receipt_sha256"] == r.json()["receipt_sha256"]
    assert Session(server, "district2").get(f"/district/batches/{batch_no}/notice").status_code == 403
    assert {r["status"] for r in district.get("/district/statistics").json()["rows"] if r["count"]} == {"已完成"}


def test_the_center_sets_the_city_wide_figures(server: Server, clerk: Session) -> None:
    district, center = Session(server, "district"), Session(server, "center")
    assert district.post("/fees", {"plan_type": "B", "district": "5", "grassroots": "3"}).status_code == 200
    table = _fees(center)
    assert table["scope"] == "city" and table["editable"] is True
    r = center.post("/fees", {"plan_type": "A", "fee": "30", "city": "15", "district": "15", "grassroots": "0",
                              "valid_from": "2020-01-01", "valid_to": "2030-12-31"})
    assert r.status_code == 200, r.text
    assert {k: _plan(r.json())[k] for k in ("fee", "city", "valid_from", "valid_to")} == {
        "fee": "30.00", "city": "15.00", "valid_from": "2020-01-01", "valid_to": "2030-12-31"}
    assert _campaign_split(clerk)["fee"] == "30.00"
    # The district's own B split still adds up (B's fee did not change) and stays; a new B fee drops it.
    assert _plan(_fees(district), "B")["source"] == "district"
    b = _plan(table, "B")
    fee = Decimal(b["fee"]) + 1
    r = center.post("/fees", {"plan_type": "B", "fee": f"{fee}", "city": f"{Decimal(b['city']) + 1}",
                              "district": b["district"], "grassroots": b["grassroots"]})
    assert r.status_code == 200 and r.json()["dropped_districts"] == [server.union("district")]
    assert _plan(_fees(district), "B")["source"] == "city"
    r = center.post("/fees", {"plan_type": "A", "fee": "30", "city": "15", "district": "15", "grassroots": "0",
                              "valid_from": "2031-01-01", "valid_to": "2030-12-31"})
    assert r.status_code == 422 and "有效期" in r.json()["message"]

"""The server decides who is enrolled and what it costs, with the shared rules (app.rules), over HTTP."""
from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from union_server_testkit import (
    G1_CARDED,
    G1_NO_CARD,
    Server,
    Session,
    member_upsert,
    submission_payload,
    submission_record,
)

from app.protocol import SHANGHAI
from server.db import session, write_tx
from server.models import Member


def _one(results: list[dict]) -> dict:
    assert len(results) == 1
    return results[0]


def _set(numbers: list[str], **fields) -> None:
    with session(), write_tx():
        Member.update(**fields).where(Member.id_number.in_(numbers)).execute()


def test_flexible_and_outside_enterprise_members_are_refused_per_member(clerk: Session) -> None:
    """Defect 2: a flexible or outside-enterprise member was accepted and billed to the union."""
    _set(G1_CARDED[1:2], category="flexible")
    _set(G1_CARDED[2:3], category="outside_enterprise")
    result = _one(clerk.push(submission_record(clerk, submission_payload(clerk, G1_CARDED[:3]))))
    assert result["problem"] == "ineligible"
    refused = {m["id_number"]: m["reason"] for m in result["detail"]["members"]}
    assert set(refused) == set(G1_CARDED[1:3]) and all("申工社" in r for r in refused.values())
    assert _one(clerk.push(submission_record(clerk, submission_payload(clerk, G1_CARDED[:1]))))["status"] == "ok"
    # The campaign tells the clients the same categories the server enrolls.
    assert clerk.get("/campaigns/current").json()["union_categories"] == ["linked_enterprise"]


def test_a_normal_ss_card_with_unclear_employment_can_be_confirmed(server: Server, clerk: Session) -> None:
    """Defect 7: SS card normal, employment unclear, insurance paid: the client lists it for
    confirmation, and the server takes that confirmation (it used to answer "no need")."""
    _set(G1_NO_CARD, ss_card_status="normal", employment_status="unknown", insurance_status="paid")
    confirm = {"key": str(uuid.uuid4()), "kind": "confirmation", "payload": {"id_numbers": G1_NO_CARD}}
    assert _one(clerk.push(confirm))["receipt"] == {"confirmed": 2, "already_confirmed": 0}
    result = _one(clerk.push(submission_record(clerk, submission_payload(clerk, G1_NO_CARD, channel="ss"))))
    assert result["status"] == "ok", result


def _at(server: Server, day: date, hour: int = 10) -> None:
    """Move the server's clock to `hour` o'clock on `day` in Shanghai."""
    server.clock.offset = timedelta(0)
    server.clock.offset = datetime.combine(day, time(hour), SHANGHAI) - server.clock()


def _rows(payload: dict, start: date, end: date, period: str, fee: str) -> dict:
    n = len(payload["members"])
    for row in payload["members"]:
        row.update(coverage_start=start.isoformat(), coverage_end=end.isoformat(), period=period)
    half = Decimal(fee) / 2
    payload["totals"] = {"count": n, "fee": f"{Decimal(fee) * n:.2f}", "city": f"{half * n:.2f}",
                         "district": f"{half * n:.2f}", "grassroots": "0.00"}
    return payload


def test_a_central_batch_is_always_a_whole_year(clerk: Session) -> None:
    """Defect 1: a central batch whose rows said 半年 was billed half price (129,844 → 64,922)."""
    year = clerk.server.plan_year
    payload = _rows(submission_payload(clerk, G1_CARDED[:2]), date(year, 1, 1), date(year, 12, 31), "half", "13")
    result = _one(clerk.push(submission_record(clerk, payload)))
    assert result["problem"] == "coverage_mismatch"
    assert result["detail"]["expected"] == {"coverage_start": f"{year}-01-01", "coverage_end": f"{year}-12-31",
                                            "period": "full"}
    assert "服务器" in result["message"]


def test_an_instant_batch_is_covered_from_the_day_after_the_server_received_it(server: Server) -> None:
    """Defect 1: an instant batch could carry any coverage_start (e.g. Jan 1) and the server took it."""
    year = server.plan_year
    _at(server, date(year, 7, 5))
    clerk = Session(server, "grassroots")
    clerk.register_device()
    numbers = G1_CARDED[:3]
    early = _rows(submission_payload(clerk, numbers, kind="instant_carded"), date(year, 1, 1), date(year, 12, 31),
                  "full", "26")
    refused = _one(clerk.push(submission_record(clerk, early)))
    assert refused["problem"] == "coverage_mismatch"
    assert refused["detail"]["received_on"] == f"{year}-07-05"
    assert refused["detail"]["expected"]["coverage_start"] == f"{year}-07-06"
    assert refused["detail"]["expected"]["period"] == "half"
    # The right dates but the full price: the money is refused on its own.
    full_price = _rows(submission_payload(clerk, numbers, kind="instant_carded"), date(year, 7, 6),
                       date(year, 12, 31), "half", "26")
    assert _one(clerk.push(submission_record(clerk, full_price)))["problem"] == "price_mismatch"
    right = _rows(submission_payload(clerk, numbers, kind="instant_carded"), date(year, 7, 6), date(year, 12, 31),
                  "half", "13")
    result = _one(clerk.push(submission_record(clerk, right)))
    assert result["status"] == "ok", result
    receipt = result["receipt"]
    assert receipt["received_on"] == f"{year}-07-05"
    assert receipt["coverage"] == {"start": f"{year}-07-06", "end": f"{year}-12-31", "period": "half"}
    assert receipt["totals"] == {"count": 3, "fee": "39.00", "city": "19.50", "district": "19.50", "grassroots": "0.00"}


def test_an_instant_batch_received_on_the_last_day_is_refused(server: Server) -> None:
    year = server.plan_year
    _at(server, date(year, 12, 31))
    clerk = Session(server, "grassroots")
    clerk.register_device()
    payload = _rows(submission_payload(clerk, G1_CARDED[:1], kind="instant_new_card"), date(year + 1, 1, 1),
                    date(year, 12, 31), "half", "13")
    assert _one(clerk.push(submission_record(clerk, payload)))["problem"] == "window_closed"


def test_member_dates_are_checked_with_the_importers_rules(clerk: Session, today: date) -> None:
    """Defect 11: the server took join dates in the future that the importer refuses."""
    future = (today + timedelta(days=1)).isoformat()
    result = _one(clerk.push(member_upsert(G1_CARDED[0], {"join_date": future}, {"join_date": 1})))
    assert result["problem"] == "validation"
    assert result["detail"]["field"] == "join_date" and "晚于今天" in result["detail"]["message"]
    early = _one(clerk.push(member_upsert(G1_CARDED[0], {"join_date": "1899-12-31"}, {"join_date": 1})))
    assert early["problem"] == "validation" and early["detail"]["code"] == "join_date_too_early"
    # An expiry no card can have (more than 20 years ahead) is refused as the importer refuses it.
    far = _one(clerk.push(member_upsert(G1_CARDED[0], {"id_expiry": f"{today.year + 25}-01-01"}, {"id_expiry": 1})))
    assert far["problem"] == "validation" and far["detail"]["field"] == "id_expiry"
    ok = _one(clerk.push(member_upsert(G1_CARDED[0], {"join_date": today.isoformat()}, {"join_date": 1})))
    assert ok["status"] == "ok", ok

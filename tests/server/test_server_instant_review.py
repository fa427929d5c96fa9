"""即时参保审核 over a real loopback server: the district reviews instant batches apart from the
central ones (kind=instant / kind=central), and its approval completes an instant batch at once —
it never waits for the central submission window — while a central one goes to 待提交."""
from __future__ import annotations

from datetime import date
from typing import Any

from server.db import session
from server.models import AuditEntry, Submission
from test_server_money import _rows
from test_server_queries import _other_district, _post
from union_server_testkit import G1_CARDED, Server, Session, submission_payload, submission_record


def _instant(clerk: Session, members: list[str]) -> str:
    """An instant batch at the coverage and price the server computes for today."""
    payload = submission_payload(clerk, members, kind="instant_carded")
    [first] = clerk.push(submission_record(clerk, payload))
    if first["status"] != "ok":
        assert first["problem"] == "coverage_mismatch", first
        expected = first["detail"]["expected"]
        payload = _rows(submission_payload(clerk, members, kind="instant_carded"),
                        date.fromisoformat(expected["coverage_start"]), date.fromisoformat(expected["coverage_end"]),
                        expected["period"], "26" if expected["period"] == "full" else "13")
        [first] = clerk.push(submission_record(clerk, payload))
    assert first["status"] == "ok", first
    return str(payload["batch_no"])


def _listed(reviewer: Session, **filters: Any) -> list[str]:
    r = reviewer.get("/review/batches", **filters)
    assert r.status_code == 200, r.text
    return [b["batch_no"] for b in r.json()["batches"]]


def test_instant_batches_are_reviewed_apart_and_completed_by_the_district(server: Server, clerk: Session) -> None:
    payload = submission_payload(clerk, G1_CARDED[:2])
    assert clerk.push(submission_record(clerk, payload))[0]["status"] == "ok"
    central = str(payload["batch_no"])
    instant = _instant(clerk, G1_CARDED[2:4])
    district = Session(server, "district")
    assert _listed(district, kind="instant") == [instant]
    assert _listed(district, kind="central") == [central]
    assert set(_listed(district)) == {central, instant}
    jingan = _other_district(server)
    assert _listed(jingan, kind="instant") == []
    refused = jingan.post("/review/approve", {"batches": [instant]}).json()["results"][0]
    assert refused["problem"] == "union_scope"

    r = district.post("/review/approve", {"batches": [instant, central]})
    assert r.status_code == 200 and r.json()["approved"] == 2
    with session():
        statuses = {s.batch_no: s.status for s in Submission.select()}
        assert AuditEntry.select().where((AuditEntry.action == "review_approve")
                                         & (AuditEntry.entity_key == instant)).count() == 1
    assert statuses == {instant: "completed", central: "under_review"}
    assert _listed(district, kind="instant") == [] and _listed(district, queue="ready") == [central]
    feed = [c["data"] for c in clerk.changes()["changes"] if c["entity"] == "submission" and c["key"] == instant]
    assert feed[-1]["status"] == "completed"
    # The instant batch's people are covered (not 审核中); the central one's still under review.
    rows = _post(district, "/query/coverage", {"batch_no": instant})["rows"]
    assert {r["state"] for r in rows} <= {"pending", "active"} and rows[0]["status_label"] == "已完成"
    assert _post(district, "/query/coverage", {"batch_no": central})["rows"][0]["state"] == "review"
    # A completed instant batch cannot be returned any more.
    again = district.post(f"/review/batches/{instant}/return", {"reason": "x"})
    assert again.status_code == 409 and again.json()["problem"] == "batch_state"

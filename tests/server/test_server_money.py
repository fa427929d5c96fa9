"""The server decides who is enrolled and what it costs, with the shared rules (app.rules), over HTTP."""
from __future__ import annotations

import uuid

from union_server_testkit import G1_CARDED, G1_NO_CARD, Server, Session, submission_payload, submission_record

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


def test_a_normal_ss_card_with_unclear_employment_can_be_confirmed(server: Server, clerk: Session) -> None:
    """Defect 7: SS card normal, employment unclear, insurance paid: the client lists it for
    confirmation, and the server takes that confirmation (it used to answer "no need")."""
    _set(G1_NO_CARD, ss_card_status="normal", employment_status="unknown", insurance_status="paid")
    confirm = {"key": str(uuid.uuid4()), "kind": "confirmation", "payload": {"id_numbers": G1_NO_CARD}}
    assert _one(clerk.push(confirm))["receipt"] == {"confirmed": 2, "already_confirmed": 0}
    result = _one(clerk.push(submission_record(clerk, submission_payload(clerk, G1_NO_CARD, channel="ss"))))
    assert result["status"] == "ok", result

"""Signed submissions over real HTTP: verification, replay protection, idempotency, rules."""
from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import timedelta

from union_server_testkit import (
    G1_CARDED,
    G1_NO_CARD,
    PDF,
    Server,
    Session,
    submission_payload,
    submission_record,
)

from app import protocol
from server.db import session
from server.receipts import stored_key
from server.models import Enrollment, IdempotencyRecord, Submission


def _one(results: list[dict]) -> dict:
    assert len(results) == 1
    return results[0]


def test_device_registration_returns_the_fingerprint(clerk: Session) -> None:
    assert clerk.key is not None
    assert clerk.fingerprint == protocol.key_fingerprint(protocol.public_key_b64(clerk.key))
    # Registering the same key again is harmless; another user's key is refused.
    again = clerk.post("/devices", {"public_key": protocol.public_key_b64(clerk.key)})
    assert again.status_code == 200 and again.json()["fingerprint"] == clerk.fingerprint
    other = Session(clerk.server, "grassroots2")
    taken = other.post("/devices", {"public_key": protocol.public_key_b64(clerk.key)})
    assert taken.status_code == 422
    bad = clerk.post("/devices", {"public_key": "bm90IGEga2V5"})
    assert bad.status_code == 422 and bad.json()["problem"] == "validation"


def test_signed_submission_is_accepted_and_stored_verbatim(clerk: Session) -> None:
    payload = submission_payload(clerk, G1_CARDED[:3])
    record = submission_record(clerk, payload)
    result = _one(clerk.push(record))
    assert result["status"] == "ok", result
    receipt = result["receipt"]
    assert receipt["status"] == "under_review"
    assert receipt["member_count"] == 3
    assert receipt["totals"] == {"count": 3, "fee": "78.00", "city": "39.00", "district": "39.00", "grassroots": "0.00"}
    assert receipt["signature_fingerprint"] == clerk.fingerprint
    assert receipt["payload_sha256"] == protocol.payload_sha256(payload)
    with session():
        sub = Submission.get(Submission.batch_no == payload["batch_no"])
        assert sub.payload.encode("utf-8") == protocol.canonical_json(payload)
        assert bytes(sub.pdf) == PDF
        assert sub.pdf_sha256 == hashlib.sha256(PDF).hexdigest()
        assert protocol.verify(protocol.public_key_b64(clerk.key), json.loads(sub.payload), sub.signature)
        assert Enrollment.select().where(Enrollment.submission == sub).count() == 3
    # The batch shows in the feed and its PDF can be downloaded again.
    feed = clerk.changes()
    batches = [c for c in feed["changes"] if c["entity"] == "submission"]
    assert batches[-1]["data"]["status"] == "under_review"
    pdf = clerk.get(f"/submissions/{receipt['submission_id']}/pdf")
    assert pdf.status_code == 200 and pdf.content == PDF


def test_tampered_payload_is_bad_signature(clerk: Session) -> None:
    payload = submission_payload(clerk, G1_CARDED[:2])
    record = submission_record(clerk, payload)
    record["payload"] = {**payload, "plan_type": "B"}
    result = _one(clerk.push(record))
    assert result["status"] == "error" and result["problem"] == "bad_signature"
    assert "签名" in result["message"]


def test_another_users_key_is_refused(server: Server, clerk: Session) -> None:
    other = Session(server, "grassroots2")
    other.register_device()
    payload = submission_payload(clerk, G1_CARDED[:2])
    # Signed with the other user's key but claiming our device: the signature does not verify.
    result = _one(clerk.push(submission_record(clerk, payload, signer=other.key)))
    assert result["problem"] == "bad_signature"
    # Naming the other user's device: it is not ours.
    result = _one(clerk.push(submission_record(clerk, payload, signer=other.key), fingerprint=other.fingerprint))
    assert result["problem"] == "unknown_device"
    result = _one(clerk.push(submission_record(clerk, payload), fingerprint="0000 0000 0000 0000"))
    assert result["problem"] == "unknown_device"


def test_replayed_nonce_is_refused(clerk: Session) -> None:
    payload = submission_payload(clerk, G1_CARDED[:2])
    assert _one(clerk.push(submission_record(clerk, payload)))["status"] == "ok"
    # The same signed payload under a fresh idempotency key: a replay.
    result = _one(clerk.push(submission_record(clerk, payload)))
    assert result["problem"] == "replayed_nonce"


def test_stale_timestamp_is_refused(server: Server, clerk: Session) -> None:
    payload = submission_payload(clerk, G1_CARDED[:2], timestamp=server.clock() - timedelta(minutes=6))
    result = _one(clerk.push(submission_record(clerk, payload)))
    assert result["problem"] == "stale_timestamp"
    assert "时间" in result["message"]
    ahead = submission_payload(clerk, G1_CARDED[:2], timestamp=server.clock() + timedelta(minutes=6))
    assert _one(clerk.push(submission_record(clerk, ahead)))["problem"] == "stale_timestamp"
    near = submission_payload(clerk, G1_CARDED[:2], timestamp=server.clock() - timedelta(minutes=4))
    assert _one(clerk.push(submission_record(clerk, near)))["status"] == "ok"


def test_submitting_for_another_union_is_union_scope(server: Server, clerk: Session) -> None:
    payload = submission_payload(clerk, G1_CARDED[:2])
    payload["union"] = server.union("grassroots2")
    result = _one(clerk.push(submission_record(clerk, payload)))
    assert result["problem"] == "union_scope"


def test_same_key_twice_gives_the_first_receipt_and_one_row(clerk: Session) -> None:
    payload = submission_payload(clerk, G1_CARDED[:2])
    record = submission_record(clerk, payload, key=str(uuid.uuid4()))
    first = _one(clerk.push(record))
    second = _one(clerk.push(record))
    assert first["status"] == "ok"
    assert second == first
    with session():
        assert Submission.select().where(Submission.batch_no == payload["batch_no"]).count() == 1
        assert IdempotencyRecord.select().where(IdempotencyRecord.key == stored_key(record["key"])).count() == 1


def test_same_key_different_payload_is_idempotency_conflict(clerk: Session) -> None:
    key = str(uuid.uuid4())
    first = submission_payload(clerk, G1_CARDED[:2])
    assert _one(clerk.push(submission_record(clerk, first, key=key)))["status"] == "ok"
    changed = submission_payload(clerk, G1_CARDED[2:4])
    result = _one(clerk.push(submission_record(clerk, changed, key=key)))
    assert result["problem"] == "idempotency_conflict"
    with session():
        assert Submission.select().count() == 1


def test_one_plan_type_per_union_and_year(clerk: Session) -> None:
    assert _one(clerk.push(submission_record(clerk, submission_payload(clerk, G1_CARDED[:1]))))["status"] == "ok"
    other = submission_payload(clerk, G1_CARDED[1:2], plan_type="B")
    result = _one(clerk.push(submission_record(clerk, other)))
    assert result["problem"] == "plan_type_mismatch"
    assert result["detail"] == {"fixed_plan_type": "A"}


def test_totals_are_recomputed(clerk: Session) -> None:
    payload = submission_payload(clerk, G1_CARDED[:2])
    payload["totals"]["fee"] = "50.00"
    result = _one(clerk.push(submission_record(clerk, payload)))
    assert result["problem"] == "price_mismatch"
    assert result["detail"]["expected"]["totals"]["fee"] == "52.00"


def test_ineligible_members_are_named(clerk: Session) -> None:
    payload = submission_payload(clerk, [G1_CARDED[0], G1_NO_CARD[0]])
    result = _one(clerk.push(submission_record(clerk, payload)))
    assert result["problem"] == "ineligible"
    assert [m["id_number"] for m in result["detail"]["members"]] == [G1_NO_CARD[0]]
    assert result["detail"]["members"][0]["reason"] == "未办会员卡"
    # Already enrolled this year (by an earlier batch) is ineligible too.
    assert _one(clerk.push(submission_record(clerk, submission_payload(clerk, G1_CARDED[:1]))))["status"] == "ok"
    again = _one(clerk.push(submission_record(clerk, submission_payload(clerk, G1_CARDED[:2]))))
    assert again["problem"] == "ineligible"
    assert again["detail"]["members"][0]["reason"] == "本保障年度已参保"


def test_pdf_must_match_the_signed_hash(clerk: Session) -> None:
    payload = submission_payload(clerk, G1_CARDED[:1])
    record = submission_record(clerk, payload)
    record["pdf_b64"] = base64.b64encode(PDF + b"x").decode()
    result = _one(clerk.push(record))
    assert result["problem"] == "validation"


def test_window_closed_by_the_server_clock(server: Server, clerk: Session) -> None:
    server.clock.offset = timedelta(days=120)  # long after the payment deadline
    clerk = Session(server, "grassroots")
    clerk.register_device()
    payload = submission_payload(clerk, G1_CARDED[:1])
    result = _one(clerk.push(submission_record(clerk, payload)))
    assert result["problem"] == "window_closed"


def test_return_and_resubmit_replacing_the_batch(server: Server, clerk: Session) -> None:
    payload = submission_payload(clerk, G1_CARDED[:2])
    receipt = _one(clerk.push(submission_record(clerk, payload)))["receipt"]
    reviewer = Session(server, "secondary")
    listed = reviewer.get("/submissions").json()["submissions"]
    assert [s["batch_no"] for s in listed] == [payload["batch_no"]]
    r = reviewer.post(f"/submissions/{receipt['submission_id']}/decision", {"decision": "return", "reason": "名单有误"})
    assert r.status_code == 200 and r.json()["status"] == "returned"
    # The clerk may not review their own batch.
    r = clerk.post(f"/submissions/{receipt['submission_id']}/decision", {"decision": "approve"})
    assert r.status_code == 403
    feed = [c for c in clerk.changes()["changes"] if c["entity"] == "submission"]
    assert feed[-1]["data"]["status"] == "returned" and feed[-1]["data"]["return_reason"] == "名单有误"
    # A resubmission is a new batch naming the returned one; its members are free again.
    again = submission_payload(clerk, G1_CARDED[:2], replaces=payload["batch_no"])
    result = _one(clerk.push(submission_record(clerk, again)))
    assert result["status"] == "ok", result
    detail = clerk.get(f"/submissions/{result['receipt']['submission_id']}").json()
    assert detail["replaces"] == payload["batch_no"]


def test_another_union_cannot_read_a_batch(server: Server, clerk: Session) -> None:
    receipt = _one(clerk.push(submission_record(clerk, submission_payload(clerk, G1_CARDED[:1]))))["receipt"]
    peer = Session(server, "grassroots2")
    r = peer.get(f"/submissions/{receipt['submission_id']}")
    assert r.status_code == 403 and r.json()["problem"] == "union_scope"
    r = peer.get(f"/submissions/{receipt['submission_id']}/pdf")
    assert r.status_code == 403
    district = Session(server, "district")
    assert district.get(f"/submissions/{receipt['submission_id']}").status_code == 200

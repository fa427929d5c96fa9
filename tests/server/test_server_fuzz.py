"""No input makes the server answer 5xx: random bodies and parameters against the live server.

(A light stand-in for a schemathesis run: every refusal must be a problem document with 4xx.)
"""
from __future__ import annotations

import uuid
from urllib.parse import quote

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from union_server_testkit import Server, Session

from app.protocol import RecordKind

junk_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
junk = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False, allow_infinity=False) | junk_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(junk_text, inner, max_size=4),
    max_leaves=12,
)
payload_keys = st.sampled_from(["union", "id_number", "fields", "base_versions", "id_numbers", "members", "totals",
                                "fee_split", "nonce", "timestamp", "plan_year", "batch_no", "protocol", "kind",
                                "request_id", "name", "card_no"])
payloads = st.dictionaries(payload_keys, junk, max_size=8)
fields = st.dictionaries(st.sampled_from(["phone", "name", "id_type", "work_address", "id_expiry", "label",
                                          "birth_date", "card_no", "category"]), junk, max_size=4)

# No shrinking: a failure prints its example, and shrinking over HTTP takes minutes.
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck),
                phases=(Phase.explicit, Phase.generate), database=None)


def _ok(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert "problem" in response.json()


def test_no_5xx_from_random_input(server: Server, clerk: Session) -> None:
    http = server.client()

    @FUZZ
    @given(kind=st.sampled_from([*RecordKind, "x"]),  # every kind the server takes, and one it does not
           payload=payloads, member_fields=fields, text=junk_text, number=st.integers(-(2**70), 2**70))
    def run(kind: str, payload: dict, member_fields: dict, text: str, number: int) -> None:
        if kind == "member_upsert" and member_fields:
            payload = {**payload, "fields": member_fields}
        record = {"key": str(uuid.uuid4()), "kind": kind, "payload": payload, "signature": text, "pdf_b64": text}
        _ok(clerk.post("/push", {"device_fingerprint": text, "records": [record]}))
        _ok(http.post("/auth/login", json={"username": text or "x", "password": text or "y"}))
        _ok(http.post("/auth/refresh", json={"refresh_token": text or "z"}))
        _ok(clerk.get("/changes", since=number, union=text))
        _ok(clerk.get("/campaigns/current", plan_year=number, union=text))
        _ok(clerk.get("/submissions", union=text, status=text))
        _ok(clerk.post("/devices", {"public_key": text or "k", "label": text}))
        _ok(clerk.http.get(f"/submissions/{number}", headers=clerk.headers))
        _ok(clerk.post(f"/users/{quote(text, safe='') or 'u'}/reset-password", {"new_password": (text + "........")[:300]}))

    run()

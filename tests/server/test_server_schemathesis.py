"""A schemathesis run over the server's own OpenAPI spec finds no 5xx.

The spec is read from the live server (`/openapi.json`, what `/docs` shows); every operation gets
cases that fit the schema (positive) and cases that break it (negative), sent to the real server
on a loopback port with a grassroots clerk's bearer token — and, for the endpoints a superior union
uses, a district reviewer's. Every answer must be below 500, and every refusal a problem document.
Push records are typed per kind (server/schemas.py), so generated records of every kind get past
the payload reader into the server's own checks (scope, eligibility, signatures) — counted.
Bounded: 30 examples per operation and mode (≈900 requests, ≈12 s per backend), no shrinking.
Runs on SQLite, and on PostgreSQL too when UNION_TEST_PG_URL is set (the `server` fixture).
"""
from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode
from union_server_testkit import (
    G1_CARDED,
    Server,
    Session,
    submission_payload,
    submission_record,
)

# Examples per operation and mode; UNION_SCHEMATHESIS_EXAMPLES=300 for a longer hunt (≈100 s).
EXAMPLES = int(os.environ.get("UNION_SCHEMATHESIS_EXAMPLES", "30"))
RUN = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
               phases=(Phase.explicit, Phase.generate), database=None, derandomize=True)
# /push three times as many: a generated member_upsert reaches past the member checks (证件类型,
# 性别 …) in about one case in ten, and which cases come depends on the process's hash seed.
RUN_PUSH = settings(RUN, max_examples=3 * EXAMPLES)


def _check(response: Any, label: str) -> None:
    assert response.status_code < 500, f"{label}: {response.status_code} {response.text[:500]}"
    if response.status_code >= 400:
        body = response.json()
        assert "problem" in body, f"{label}: {response.status_code} without a problem code: {body}"


def _headers_for(label: str, clerk: Session, reviewer: Session, server: Server) -> Callable[[], dict[str, str]]:
    """Who calls an operation: logout gets a throwaway session of another account each time (it
    revokes every token of the caller, the clerk's too); reviewing and password resets are a
    superior union's; everything else the clerk's."""
    if label == "POST /auth/logout":
        return lambda: Session(server, "grassroots2").headers
    if label.startswith("POST /users/") or label.endswith("/decision"):
        return lambda: reviewer.headers
    return lambda: clerk.headers


def _count_answers(body: Any, answer: dict[str, Any], answers: Counter[tuple[str, str]]) -> None:
    """Per record kind, how a generated push's records were answered: "shape" when the payload
    was refused as malformed (`validation` from the reader), "rule" when a field was refused by the
    rules, else the problem code or "ok" — a record got past the payload reader into the server's
    own checks."""
    records = body.get("records") if isinstance(body, dict) else None
    if not isinstance(records, list):
        return
    for record, result in zip(records, answer.get("results", []), strict=False):
        if isinstance(record, dict) and isinstance(record.get("kind"), str):
            outcome = result.get("problem") or result.get("status", "")
            detail = result.get("detail")
            if outcome == "validation":
                # A field refused by the rules (app/rules: its error code in the detail) got past the
                # reader; a member_upsert of random field values mostly ends there.
                outcome = "rule" if isinstance(detail, dict) and "code" in detail else "shape"
            answers[(record["kind"], outcome)] += 1


def _fuzz(server: Server, operation: Any, mode: GenerationMode, headers: Callable[[], dict[str, str]],
          statuses: Counter[tuple[str, int]], answers: Counter[tuple[str, str]]) -> None:
    """Send EXAMPLES generated cases of one operation in one mode; fail on the first 5xx."""
    label = operation.label
    # Negative cases also go without a token now and then: refused, but never with a 5xx.
    tokens = st.booleans() if mode is GenerationMode.NEGATIVE else st.just(True)

    @(RUN_PUSH if label == "POST /push" else RUN)
    @given(case=operation.as_strategy(generation_mode=mode), with_token=tokens)
    def run(case: Any, with_token: bool) -> None:
        response = case.call(base_url=server.url, headers=headers() if with_token else {}, timeout=30)
        statuses[(label, response.status_code)] += 1
        _check(response, f"{label} ({mode.value})")
        if label == "POST /push" and response.status_code == 200:
            _count_answers(case.body, response.json(), answers)

    try:
        run()
    except Unsatisfiable:
        # Nothing in this operation can be made invalid (no parameters, no body: GET /time).
        if mode is not GenerationMode.NEGATIVE:
            raise


def test_schemathesis_finds_no_server_error(server: Server, clerk: Session) -> None:
    # Hundreds of generated logins from one address would (rightly) get that address throttled.
    server.ctx.settings.max_failed_per_address = 10**9
    reviewer = Session(server, "district")
    # One real batch, so generated ids also reach a stored submission, its PDF and its review.
    [receipt] = clerk.push(submission_record(clerk, submission_payload(clerk, G1_CARDED[:2])))
    assert receipt["status"] == "ok", receipt
    spec = httpx.get(server.url + "/openapi.json", timeout=30).json()
    # Push records are typed per kind, so generated cases reach inside `payload`.
    variants = spec["components"]["schemas"]["PushRecord"]["oneOf"]
    from app.protocol import RecordKind

    assert {v["properties"]["kind"]["const"] for v in variants} == {str(k) for k in RecordKind}
    operations = [result.ok() for result in schemathesis.openapi.from_dict(spec).get_all_operations()]
    assert len(operations) >= 15, [op.label for op in operations]

    statuses: Counter[tuple[str, int]] = Counter()
    answers: Counter[tuple[str, str]] = Counter()
    started = time.monotonic()
    for operation in operations:
        headers = _headers_for(operation.label, clerk, reviewer, server)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(server, operation, mode, headers, statuses, answers)
    elapsed = time.monotonic() - started
    print(f"schemathesis: {sum(statuses.values())} requests over {len(operations)} operations in {elapsed:.1f} s")
    print("push records answered:", sorted(answers.items()))
    # Generated records of every kind got past the payload reader into the server's own checks
    # (scope, eligibility, signature, …): the typed spec reaches inside `payload`.
    assert {kind for kind, outcome in answers if outcome != "shape"} == {str(k) for k in RecordKind}, answers

    assert {label for label, _ in statuses} == {op.label for op in operations}
    # The token was really used: the clerk's everyday endpoints answered 200 to fitting input.
    answered = {label for (label, status) in statuses if status == 200}
    assert {"GET /me", "GET /changes", "POST /push", "GET /unions", "POST /auth/logout"} <= answered, sorted(statuses)

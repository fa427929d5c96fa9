"""Secrets stay secret: tokens, passwords, device keys and full ID numbers never reach the server's
logs, and tokens never reach its database file (only their SHA-256 does)."""
from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import pytest
from union_server_testkit import (
    G1_CARDED,
    G1_NO_CARD,
    PASSWORD,
    Server,
    Session,
    member_upsert,
    submission_payload,
    submission_record,
)

from app import protocol


def test_tokens_keys_and_ids_never_logged_or_stored(server: Server, clerk: Session, capfd: pytest.CaptureFixture[str]) -> None:
    refreshed = server.client().post("/auth/refresh", json={"refresh_token": clerk.tokens["refresh_token"]}).json()
    clerk.headers = {"Authorization": f"Bearer {refreshed['access_token']}"}
    results = clerk.push(
        member_upsert(G1_CARDED[0], {"label": "劳模"}, {"label": 1}),
        submission_record(clerk, submission_payload(clerk, G1_CARDED[:2])),
        {"key": str(uuid.uuid4()), "kind": "ss_check_request", "payload": {"id_numbers": G1_NO_CARD}},
        submission_record(clerk, submission_payload(clerk, [G1_NO_CARD[0]])),  # refused: logged as refused
    )
    assert [r["status"] for r in results] == ["ok", "ok", "ok", "error"]
    clerk.get("/changes", since=0)
    server.client().post("/auth/login", json={"username": "grassroots", "password": "a-wrong-password"})

    assert clerk.key is not None
    tokens = [clerk.tokens["access_token"], clerk.tokens["refresh_token"],
              refreshed["access_token"], refreshed["refresh_token"]]
    secrets = tokens + [PASSWORD, "a-wrong-password", protocol.private_key_b64(clerk.key)]
    captured = capfd.readouterr()
    logged = "\n".join(server.logs.lines) + captured.out + captured.err
    assert "login ok for grassroots" in logged  # the capture works
    for secret in secrets:
        assert secret not in logged
    for number in G1_CARDED + G1_NO_CARD:
        assert number not in logged

    if server.db_url.startswith("sqlite"):
        path = Path(server.db_url.removeprefix("sqlite:///"))
        stored = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        for token in tokens:
            assert token.encode() not in stored
        assert hashlib.sha256(refreshed["access_token"].encode()).hexdigest().encode() in stored
        assert PASSWORD.encode() not in stored
        assert protocol.private_key_b64(clerk.key).encode() not in stored

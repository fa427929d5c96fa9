"""Helpers for the central server's tests: a tiny client, signed submissions, member records.

Kept out of conftest.py so test modules can import them by a name no other suite uses.
"""
from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app import protocol
from app.rules.idcard import check_character
from server.demo import demo_notice_pdf, demo_submission
from server.settings import ServerContext

PASSWORD = "test-password-1"

class MovableClock:
    """The server's clock: real time plus an offset a test can move."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(timezone.utc) + self.offset


def mainland_id(birth: str, seq: int, male: bool = True) -> str:
    gender_digit = (2 * seq + (1 if male else 0)) % 10
    first17 = f"310101{birth}{seq % 100:02d}{gender_digit}"
    return first17 + check_character(first17)


def member_row(number: str, name: str, *, card: bool = True, phone: str, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id_number": number, "member_no": number[-6:], "name": name, "id_type": "mainland",
        "id_expiry": "2035-01-01", "gender": "male", "birth_date": f"{number[6:10]}-{number[10:12]}-{number[12:14]}",
        "phone": phone, "work_address": "上海市黄浦区南京东路100号", "label": None,
        "category": "linked_enterprise", "enterprise_name": None, "join_date": "2015-03-01",
        "post_type": "unknown", "life_status": "in_service", "retired_on": None,
        "card_no": ("6231" + number[-15:]) if card else None, "card_status": "issued" if card else "none",
        "insurance_status": "paid" if card else None,
    }
    row.update(extra)
    return row


# Members of the first grassroots union: four with cards, two without (SS channel).
G1_CARDED = [mainland_id("19850101", i) for i in range(1, 5)]
G1_NO_CARD = [mainland_id("19900202", i) for i in range(1, 3)]
G2_CARDED = [mainland_id("19880303", i) for i in range(1, 3)]


class LogCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:  # noqa: BLE001
            self.lines.append(str(record.msg))


@dataclass
class Server:
    url: str
    ctx: ServerContext
    clock: MovableClock
    db_url: str
    logs: LogCapture
    plan_year: int
    clients: list[httpx.Client] = field(default_factory=list)

    def client(self) -> httpx.Client:
        client = httpx.Client(base_url=self.url, timeout=30)
        self.clients.append(client)
        return client

    def union(self, username: str) -> str:
        return {"grassroots": "813101010000000041", "grassroots2": "81310101000000005X",
                "secondary": "813101010000000033", "district": "813101010000000025"}[username]


# --- A minimal client for the tests -------------------------------------------------------------


class Session:
    """A logged-in user talking to the test server."""

    def __init__(self, server: Server, username: str, password: str = PASSWORD) -> None:
        self.server = server
        self.http = server.client()
        response = self.http.post("/auth/login", json={"username": username, "password": password})
        assert response.status_code == 200, response.text
        body = response.json()
        self.tokens = body
        self.user = body["user"]
        self.headers = {"Authorization": f"Bearer {body['access_token']}"}
        self.key: Ed25519PrivateKey | None = None
        self.fingerprint: str | None = None

    @property
    def org_code(self) -> str:
        return self.user["union"]["org_code"]

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.http.get(path, params=params, headers=self.headers)

    def post(self, path: str, body: Any) -> httpx.Response:
        return self.http.post(path, json=body, headers=self.headers)

    def register_device(self) -> str:
        self.key = protocol.generate_device_key()
        response = self.post("/devices", {"public_key": protocol.public_key_b64(self.key), "label": "测试电脑"})
        assert response.status_code == 200, response.text
        self.fingerprint = response.json()["fingerprint"]
        return self.fingerprint

    def push(self, *records: dict[str, Any], fingerprint: str | None = None) -> list[dict[str, Any]]:
        response = self.post("/push", {"device_fingerprint": fingerprint or self.fingerprint, "records": list(records)})
        assert response.status_code == 200, response.text
        return response.json()["results"]

    def changes(self, since: int = 0, limit: int = 1000, union: str | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"since": since, "limit": limit}
        if union:
            params["union"] = union
        response = self.get("/changes", **params)
        assert response.status_code == 200, response.text
        return response.json()


PDF = demo_notice_pdf("test notice 告知书")


def submission_payload(session: Session, members: list[str], *, plan_type: str = "A", channel: str = "card",
                       kind: str = "central", batch_no: str | None = None, pdf: bytes = PDF,
                       timestamp: datetime | None = None, replaces: str | None = None) -> dict[str, Any]:
    return demo_submission(session.org_code, session.server.plan_year, members, pdf, plan_type=plan_type,
                           channel=channel, kind=kind, batch_no=batch_no, replaces=replaces,
                           nonce=secrets.token_hex(16),
                           timestamp=protocol.format_timestamp(timestamp or session.server.clock())).to_wire()


def submission_record(session: Session, payload: dict[str, Any], *, key: str | None = None,
                      signer: Ed25519PrivateKey | None = None, pdf: bytes = PDF) -> dict[str, Any]:
    signer = signer or session.key
    assert signer is not None
    return protocol.PushRecord.signed(key or str(uuid.uuid4()), protocol.RecordKind.SUBMISSION, payload, signer,
                                      pdf).to_wire()


def member_upsert(id_number: str, fields: dict[str, Any], base: dict[str, int] | None = None, *,
                  key: str | None = None, union: str | None = None) -> dict[str, Any]:
    payload = protocol.MemberUpsert(id_number, fields, base or {}, union=union or None)
    return protocol.PushRecord(key or str(uuid.uuid4()), payload.KIND, payload.to_wire()).to_wire()




def push_at_once(server: Server, session: Session, records: list[dict[str, Any]], times: int = 10) -> list[list[dict[str, Any]]]:
    """The same push request sent `times` times at once, each on its own connection: every answer."""
    from concurrent.futures import ThreadPoolExecutor

    body = {"device_fingerprint": session.fingerprint, "records": records}

    def send(_: int) -> list[dict[str, Any]]:
        with httpx.Client(base_url=server.url, timeout=120) as http:
            response = http.post("/push", json=body, headers=session.headers)
            assert response.status_code == 200, response.text
            return response.json()["results"]  # type: ignore[no-any-return]

    with ThreadPoolExecutor(times) as pool:
        return list(pool.map(send, range(times)))

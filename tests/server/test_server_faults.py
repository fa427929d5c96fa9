"""Exactly one effect whatever breaks: a response lost after the commit, a server restart between
pushes, concurrent duplicates, concurrent job workers."""
from __future__ import annotations

import socket
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from union_server_testkit import G1_CARDED, G1_NO_CARD, Server, Session, submission_payload, submission_record

from server.app import create_app
from server.db import session
from server.embedded import serve_in_thread
from server.jobs import run_pending
from server.receipts import stored_key
from server.models import Change, IdempotencyRecord, SsCheckJob, Submission, Union


class CuttingProxy:
    """A loopback TCP proxy that, while `cut` is on, lets a request through to the server and
    hangs up on the client as soon as the server starts answering (i.e. after it committed)."""

    def __init__(self, upstream: str) -> None:
        host, port = upstream.removeprefix("http://").split(":")
        self.upstream = (host, int(port))
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.cut = True
        self.cuts = 0
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass

    def _handle(self, client: socket.socket) -> None:
        upstream = socket.create_connection(self.upstream)
        threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
        try:
            if self.cut:
                upstream.recv(1)  # the server has answered, so it has committed
                self.cuts += 1
                client.shutdown(socket.SHUT_RDWR)
            else:
                self._pump(upstream, client)
        except OSError:
            pass
        finally:
            client.close()
            upstream.close()

    def close(self) -> None:
        self._closed = True
        self.listener.close()


def test_lost_response_then_retry_has_one_effect(server: Server, clerk: Session) -> None:
    proxy = CuttingProxy(server.url)
    record = submission_record(clerk, submission_payload(clerk, G1_CARDED[:2]))
    body = {"device_fingerprint": clerk.fingerprint, "records": [record]}
    with httpx.Client(base_url=proxy.url, timeout=10) as via_proxy:
        with pytest.raises(httpx.TransportError):
            via_proxy.post("/push", json=body, headers=clerk.headers)
        assert proxy.cuts == 1
        proxy.cut = False
        retry = via_proxy.post("/push", json=body, headers=clerk.headers)
    proxy.close()
    result = retry.json()["results"][0]
    assert result["status"] == "ok", result
    with session():
        assert Submission.select().count() == 1
        assert IdempotencyRecord.select().where(IdempotencyRecord.key == stored_key(record["key"])).count() == 1


def test_server_restart_between_pushes(server: Server, clerk: Session) -> None:
    first = submission_record(clerk, submission_payload(clerk, G1_CARDED[:1]))
    answer = clerk.push(first)[0]
    assert answer["status"] == "ok"
    # A second server process on the same database (the first one may be gone for all we know).
    app = create_app(server.db_url, clock=server.clock, settings=server.ctx.settings)
    url, stop = serve_in_thread(app)
    try:
        with httpx.Client(base_url=url, timeout=30) as other:
            second = submission_record(clerk, submission_payload(clerk, G1_CARDED[1:2]))
            response = other.post("/push", headers=clerk.headers,
                                  json={"device_fingerprint": clerk.fingerprint, "records": [first, second]})
            results = response.json()["results"]
    finally:
        stop()
    assert results[0] == answer
    assert results[1]["status"] == "ok"
    with session():
        assert Submission.select().count() == 2


def test_concurrent_duplicates_have_one_effect(server: Server, clerk: Session) -> None:
    record = submission_record(clerk, submission_payload(clerk, G1_CARDED[:3]))
    body = {"device_fingerprint": clerk.fingerprint, "records": [record]}

    def send(_: int) -> dict[str, Any]:
        with httpx.Client(base_url=server.url, timeout=60) as http:
            return http.post("/push", json=body, headers=clerk.headers).json()["results"][0]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(send, range(8)))
    assert all(r["status"] == "ok" for r in results), results
    assert len({r["receipt"]["submission_id"] for r in results}) == 1
    with session():
        assert Submission.select().count() == 1


def _finish_ss_jobs(server: Server) -> None:
    """Run the due SS-check jobs here until none is left unfinished. The server's own background
    worker may hold one meanwhile: wait for it."""
    deadline = time.monotonic() + 15
    while True:
        run_pending(server.ctx)
        with session():
            if SsCheckJob.select().where(SsCheckJob.status != "done").count() == 0:
                return
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_concurrent_workers_run_each_job_once(server: Server, clerk: Session) -> None:
    with session():
        union = Union.get(Union.org_code == clerk.org_code)
        now = server.ctx.now_naive()
        for i in range(30):
            SsCheckJob.create(union=union, id_numbers=[G1_NO_CARD[i % 2]], status="queued",
                              not_before=now, created=now)

    def work(n: int) -> int:
        return run_pending(server.ctx, worker=f"test-worker-{n}")

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(work, range(4)))
    _finish_ss_jobs(server)
    with session():
        per_job = Counter(c.payload["job_id"] for c in Change.select().where(Change.entity == "ss_check"))
        assert len(per_job) == 30 and set(per_job.values()) == {1}


def test_confirmation_then_ss_channel_submission(server: Server, clerk: Session) -> None:
    from server.models import Member, RegistryEntry

    with session():
        for number in G1_NO_CARD:
            RegistryEntry.create(id_number=number, ss_card_status="normal", employment_status="unknown",
                                 updated=server.ctx.now_naive())
    check = clerk.push({"key": str(uuid.uuid4()), "kind": "ss_check_request", "payload": {"id_numbers": G1_NO_CARD}})
    assert check[0]["status"] == "ok"
    _finish_ss_jobs(server)
    with session():
        assert {m.insurance_status for m in Member.select().where(Member.id_number.in_(G1_NO_CARD))} == {"pending"}
    pending = clerk.push(submission_record(clerk, submission_payload(clerk, G1_NO_CARD, channel="ss")))[0]
    assert pending["problem"] == "ineligible"
    confirm = {"key": str(uuid.uuid4()), "kind": "confirmation", "payload": {"id_numbers": G1_NO_CARD}}
    assert clerk.push(confirm)[0]["receipt"] == {"confirmed": 2, "already_confirmed": 0}
    result = clerk.push(submission_record(clerk, submission_payload(clerk, G1_NO_CARD, channel="ss")))[0]
    assert result["status"] == "ok", result


def test_embedded_demo_server(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from server.embedded import DEMO_CLERK, DEMO_PASSWORD, start_demo_server

    path = tmp_path / "demo.db"
    for _ in range(2):  # the second start reuses the database
        url, stop = start_demo_server(path, members_per_union=30)
        try:
            with httpx.Client(base_url=url, timeout=30) as http:
                login = http.post("/auth/login", json={"username": DEMO_CLERK, "password": DEMO_PASSWORD})
                assert login.status_code == 200
                headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
                feed = http.get("/changes", params={"limit": 5000}, headers=headers).json()
                members = [c for c in feed["changes"] if c["entity"] == "member"]
                assert len(members) == 30
                cases = {(m["data"]["card_no"] is None, m["data"]["life_status"]) for m in members}
                assert (True, "in_service") in cases and (False, "retired") in cases
                for username in ("center", "city", "district", "secondary", "grassroots2"):
                    r = http.post("/auth/login", json={"username": username, "password": DEMO_PASSWORD})
                    assert r.status_code == 200, username
        finally:
            stop()

"""The HTTP client's plumbing against a real loopback HTTP server: an idempotent request is sent
again on 502/503/504 with the same headers, a login is sent once, and no answer is `Offline`."""
from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.sync.client import Offline, ServerClient, ServerProblem


class Flaky(ThreadingHTTPServer):
    """Answers the first `failures` requests with 503, then 200 {"ok": true}; keeps every
    request's path and headers."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: Flaky

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.server.seen.append((self.command, self.path, dict(self.headers)))
        failing = len(self.server.seen) <= self.server.failures
        body = json.dumps({"problem": "internal"} if failing else {"ok": True}).encode()
        self.send_response(503 if failing else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def log_message(self, *args: object) -> None:  # quiet
        pass


@pytest.fixture
def flaky(request: pytest.FixtureRequest) -> Iterator[Flaky]:
    server = Flaky(getattr(request, "param", 1))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _url(server: Flaky) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def test_a_retried_request_keeps_the_callers_headers(flaky: Flaky) -> None:
    client = ServerClient(_url(flaky), access_token="access-1")
    assert client._json("GET", "/changes", headers={"X-Request-Id": "abc"}, params={"since": 5}) == {"ok": True}
    assert len(flaky.seen) == 2
    for method, path, headers in flaky.seen:
        assert (method, path) == ("GET", "/changes?since=5")
        assert headers["X-Request-Id"] == "abc" and headers["Authorization"] == "Bearer access-1"


@pytest.mark.parametrize("flaky", [2], indirect=True)
def test_a_push_is_tried_three_times(flaky: Flaky) -> None:
    assert ServerClient(_url(flaky))._json("POST", "/push", json={"records": []}) == {"ok": True}
    assert [m for m, _, _ in flaky.seen] == ["POST"] * 3


@pytest.mark.parametrize("flaky", [5], indirect=True)
def test_the_last_answer_is_kept_when_every_try_fails(flaky: Flaky) -> None:
    with pytest.raises(ServerProblem) as refused:
        ServerClient(_url(flaky), retries=2).me()
    assert refused.value.status == 503 and len(flaky.seen) == 2


def test_a_login_is_sent_once(flaky: Flaky) -> None:
    with pytest.raises(ServerProblem):
        ServerClient(_url(flaky)).login("grassroots", "secret-password")
    assert len(flaky.seen) == 1


def test_no_answer_is_offline() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(Offline):
        ServerClient(f"http://127.0.0.1:{port}").me()


def test_an_answer_cut_off_mid_body_is_offline() -> None:
    """The server dies while sending its answer (a push's records committed, the answer lost): the
    client says offline, so the outbox keeps the records and the next sync sends them again."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]

        def cut_off() -> None:
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: 1000\r\n\r\n{\"results\": [")

        thread = threading.Thread(target=cut_off, daemon=True)
        thread.start()
        with pytest.raises(Offline):
            ServerClient(f"http://127.0.0.1:{port}", retries=1).me()
        thread.join(10)

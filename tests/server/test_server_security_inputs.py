"""Inputs the server refuses before it reads them (issue #18, finding 3), over HTTP on a real server.

A body over its route's limit is refused by its Content-Length before a byte of it is read; a body
that streams past the limit is cut off; an anonymous push is refused before its body is read. The
raw-socket tests send the headers and only a few bytes of the promised body: a server that waited
to read the body would never answer them.
"""
from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from urllib.parse import urlparse

from union_server_testkit import PASSWORD, Server, Session


def _raw(server: Server, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, dict]:
    """Send a request whose body is (much) shorter than its Content-Length; the status and JSON
    body of the answer, read within 10 s."""
    parsed = urlparse(server.url)
    with socket.create_connection((parsed.hostname, parsed.port), timeout=10) as sock:
        head = f"{method} {path} HTTP/1.1\r\nHost: {parsed.hostname}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        sock.sendall(head.encode() + body)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            assert chunk, "the server closed without an answer"
            data += chunk
        head_part, _, rest = data.partition(b"\r\n\r\n")
        length = int(next(line.split(b":")[1] for line in head_part.split(b"\r\n")
                          if line.lower().startswith(b"content-length")))
        while len(rest) < length:
            rest += sock.recv(65536)
    return int(head_part.split(b" ")[1]), json.loads(rest[:length])


def test_an_oversized_push_is_refused_by_its_length_before_it_is_read(server: Server, clerk: Session) -> None:
    status, body = _raw(server, "POST", "/push", {
        "Authorization": clerk.headers["Authorization"], "Content-Type": "application/json",
        "Content-Length": str(50 * 1024 * 1024)}, b'{"records": [')
    assert status == 413 and body["problem"] == "validation" and "KB" in body["detail"]


def test_an_anonymous_push_is_refused_before_its_body_is_read(server: Server) -> None:
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        status, body = _raw(server, "POST", "/push", {
            **headers, "Content-Type": "application/json", "Content-Length": str(5 * 1024 * 1024)},
            b'{"records": [')
        assert status == 401 and body["problem"] == "auth_failed"


def test_small_forms_have_small_limits(server: Server) -> None:
    status, body = _raw(server, "POST", "/auth/login", {
        "Content-Type": "application/json", "Content-Length": str(1024 * 1024)}, b'{"username": "')
    assert status == 413 and body["problem"] == "validation"


def test_a_body_streaming_past_its_limit_is_cut_off(server: Server) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"username": "grassroots", "password": "'
        for _ in range(64):
            yield b"x" * 4096
        yield b'"}'

    r = server.client().post("/auth/login", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["problem"] == "validation"
    # Bodies within their limits go through as before.
    assert server.client().post("/auth/login", json={"username": "grassroots", "password": PASSWORD}).status_code == 200

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


def test_a_lone_surrogate_is_refused_for_its_record_and_the_others_answered(server: Server, clerk: Session) -> None:
    import uuid

    from union_server_testkit import G1_CARDED, G1_NO_CARD, member_upsert

    records = [
        member_upsert(G1_CARDED[0], {"label": "劳模"}, {"label": 1}),
        member_upsert(G1_CARDED[1], {"name": "张\ud800"}),  # in a value
        member_upsert(G1_CARDED[2], {"\udcff": "x"}),  # in a key
        {"key": str(uuid.uuid4()), "kind": "card_batch", "signature": "c2lnbmF0dXJl",
         "payload": {"union": clerk.org_code, "batch_no": "BK-surrogate",
                     "members": [{"id_number": G1_NO_CARD[0], "name": "李\ud83d"}]}},
        {"key": str(uuid.uuid4()), "kind": "card_verification",
         "payload": {"request_id": "r\udfff" * 3, "id_numbers": [G1_NO_CARD[1]]}},
        {**member_upsert(G1_CARDED[3], {"label": "先进"}, {"label": 1}), "key": "key-\ud800-1234"},
        member_upsert(G1_CARDED[3], {"label": "先进"}, {"label": 1}),
    ]
    # json.dumps escapes the surrogates ("\\ud800"), as a buggy or hostile client would send them.
    body = json.dumps({"device_fingerprint": clerk.fingerprint, "records": records})
    r = clerk.http.post("/push", content=body, headers={**clerk.headers, "Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["status"] for x in results] == ["ok", "error", "error", "error", "error", "error", "ok"]
    assert {x["problem"] for x in results if x["status"] == "error"} == {"validation"}
    assert results[5]["key"] == "key-\\ud800-1234"  # echoed, escaped
    assert "U+D800" in json.dumps(results[1]["detail"], ensure_ascii=False)


def test_every_record_kind_holds_text_to_the_member_limits(server: Server, clerk: Session) -> None:
    """A 2,097,152-character name with a NUL in a card batch was stored; now every kind is read
    by the one text check (app.protocol.read_text) that member records use."""
    import uuid

    from union_server_testkit import G1_CARDED, G1_NO_CARD, member_upsert, submission_payload, submission_record

    from app import protocol

    huge = "名" * 2_097_152
    batch = {"union": clerk.org_code, "batch_no": "BK-huge-name",
             "members": [{"id_number": G1_NO_CARD[0], "name": huge + "\x00"}]}
    nul_batch = {"union": clerk.org_code, "batch_no": "BK-nul-name",
                 "members": [{"id_number": G1_NO_CARD[1], "name": "王\x00五"}]}
    long_id = "1" * 40
    sub = submission_payload(clerk, G1_CARDED[:1])
    sub["members"][0]["name"] = "赵" * 201
    assert clerk.key is not None
    results = clerk.push(
        {"key": str(uuid.uuid4()), "kind": "card_batch", "payload": batch, "signature": protocol.sign(clerk.key, batch)},
        {"key": str(uuid.uuid4()), "kind": "card_batch", "payload": nul_batch,
         "signature": protocol.sign(clerk.key, nul_batch)},
        {"key": str(uuid.uuid4()), "kind": "card_verification", "payload": {"request_id": uuid.uuid4().hex,
                                                                            "id_numbers": [long_id]}},
        {"key": str(uuid.uuid4()), "kind": "ss_check_request", "payload": {"id_numbers": ["3101\x00" + "1" * 13]}},
        member_upsert(G1_CARDED[1], {"name": "钱" * 201}),
        submission_record(clerk, sub),
        {"key": str(uuid.uuid4()), "kind": "confirmation", "payload": {"id_numbers": [long_id]}},
        {"key": str(uuid.uuid4()), "kind": "member_removal",
         "payload": {"id_number": G1_CARDED[2], "reason": "调离\x00本单位"}},
        {"key": str(uuid.uuid4()), "kind": "life_status",
         "payload": {"id_number": long_id, "life_status": "retired", "on": "2026-06-30"}},
    )
    assert [r["status"] for r in results] == ["error"] * 9, results
    assert {r["problem"] for r in results} == {"validation"}
    assert results[0]["detail"]["field"] == "name" and "200" in results[0]["detail"]["message"]
    from server.db import session
    from server.models import CardBatchMember, Member

    with session():
        assert not CardBatchMember.select().exists()
        assert Member.select().where(Member.id_number == G1_CARDED[2]).exists()  # not removed


def test_the_notice_must_be_a_real_pdf_and_is_served_as_a_download(server: Server, clerk: Session) -> None:
    import io

    from pypdf import PdfWriter
    from pypdf.actions import JavaScript
    from union_server_testkit import G1_CARDED, PDF, submission_payload, submission_record

    html = b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>\n%%EOF\n"
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_open_action(JavaScript("app.alert(1);"))
    scripted = io.BytesIO()
    writer.write(scripted)
    for bad in (b"<html><script>alert(1)</script></html>", html, scripted.getvalue()):
        record = submission_record(clerk, submission_payload(clerk, G1_CARDED[:1], pdf=bad), pdf=bad)
        [result] = clerk.push(record)
        assert result["status"] == "error" and result["problem"] == "validation", result
        assert "PDF" in result["detail"]
    # The cap: a real PDF one byte over the limit is refused (the limit lowered to the test PDF's size).
    limit = server.ctx.settings.max_pdf_bytes
    server.ctx.settings.max_pdf_bytes = len(PDF) - 1
    [big] = clerk.push(submission_record(clerk, submission_payload(clerk, G1_CARDED[:1])))
    assert big["status"] == "error" and big["problem"] == "validation" and "过大" in big["detail"], big
    server.ctx.settings.max_pdf_bytes = limit
    [ok] = clerk.push(submission_record(clerk, submission_payload(clerk, G1_CARDED[:1])))
    assert ok["status"] == "ok", ok
    reviewer = Session(server, "secondary")
    r = reviewer.get(f"/submissions/{ok['receipt']['submission_id']}/pdf")
    assert r.status_code == 200 and r.content == PDF
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith("attachment")
    assert r.headers["x-content-type-options"] == "nosniff"

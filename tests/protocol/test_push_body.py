"""The push body as the client writes it (app/protocol/push_body.py): payloads frozen as canonical
text go in as they are, and the body reads back as the JSON the server always read, asking for
packed receipts (app/protocol/receipts.py)."""
from __future__ import annotations

import json

from app.protocol import MemberUpsert, PushRecord, RecordKind, canonical_text
from app.protocol.push_body import EncodedRecord, push_body
from app.protocol.receipts import PACKED


def test_a_frozen_payload_goes_in_as_it_is_and_reads_back_the_same() -> None:
    payload = MemberUpsert("31010119900101001X", {"name": "张三", "label": None}, {"name": 2},
                           union="91310101MA1FL0QUEX").to_wire()
    text = canonical_text(payload)
    encoded = EncodedRecord("0f8d6c1e-5b7a-4c1e-9d3a-2b6f7e8a9c0d", str(RecordKind.MEMBER_UPSERT), text)
    signed_like = PushRecord("1f8d6c1e-5b7a-4c1e-9d3a-2b6f7e8a9c0d", RecordKind.CONFIRMATION,
                             {"id_numbers": ["31010119900101001X"]}).to_wire()
    body = push_body("ab12 cd34", [encoded, signed_like])
    assert text.encode("utf-8") in body  # the frozen bytes, Chinese unescaped
    assert json.loads(body) == {"device_fingerprint": "ab12 cd34", "receipts": PACKED, "records": [
        PushRecord(encoded.key, RecordKind.MEMBER_UPSERT, payload).to_wire(), signed_like]}


def test_an_encoded_record_reads_as_its_wire_object() -> None:
    encoded = EncodedRecord("0f8d6c1e-5b7a-4c1e-9d3a-2b6f7e8a9c0d", "member_upsert", '{"id_number":"X"}')
    assert encoded["key"] == "0f8d6c1e-5b7a-4c1e-9d3a-2b6f7e8a9c0d" and len(encoded) == 3
    assert dict(encoded) == {"key": encoded.key, "kind": "member_upsert", "payload": {"id_number": "X"}}
    assert json.loads(push_body(None, [])) == {"device_fingerprint": None, "receipts": PACKED, "records": []}


def test_an_encoded_record_writes_its_key_and_kind_as_json_strings() -> None:
    # Keys are uuids; any other text (quotes, control characters, Chinese) is escaped as json.dumps does.
    for key in ("0f8d6c1e-5b7a-4c1e-9d3a-2b6f7e8a9c0d", 'a"b\\c\n\x01', "键"):
        encoded = EncodedRecord(key, "member_upsert", '{"id_number":"X"}')
        assert encoded.json_text() == json.dumps(dict(encoded), ensure_ascii=False, separators=(",", ":"))
        assert json.loads(push_body(None, [encoded]))["records"] == [dict(encoded)]

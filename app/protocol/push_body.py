"""The body of POST /push as the client writes it, with payloads that are already canonical text.

An outbox row holds its payload frozen as canonical JSON text. Parsing it to send it, only for
the HTTP library to write it again (escaping every Chinese character), cost a first push more than
anything else it did; `EncodedRecord` carries the text and `push_body` splices it into the body
as it is. The JSON the server reads is the same as before (`{"device_fingerprint", "records":
[{"key", "kind", "payload"…}]}`) with `"receipts": "packed"` (app/protocol/receipts.py); records
that are plain dicts (signed kinds) are written as JSON.
"""
from __future__ import annotations

import json
from json import encoder as json_encoder
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from app.protocol.receipts import PACKED


class EncodedRecord(Mapping[str, Any]):
    """An unsigned push record whose payload is canonical JSON text, sent as it is.

    Reads as the record's wire object (`record["key"]`; the payload is parsed only when asked)."""

    __slots__ = ("key", "kind", "payload_text")

    def __init__(self, key: str, kind: str, payload_text: str) -> None:
        self.key, self.kind, self.payload_text = key, kind, payload_text

    def __getitem__(self, name: str) -> Any:
        if name == "key":
            return self.key
        if name == "kind":
            return self.kind
        if name == "payload":
            return json.loads(self.payload_text)
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(("key", "kind", "payload"))

    def __len__(self) -> int:
        return 3

    def json_text(self) -> str:
        return f'{{"key":{_string(self.key)},"kind":{_string(str(self.kind))},"payload":{self.payload_text}}}'


def _string(text: str) -> str:
    """`text` as a JSON string, as json.dumps(text, ensure_ascii=False) writes it (its C escaper,
    without the encoder json.dumps makes for every call: two a record, 200,000 in a first push)."""
    if type(text) is not str:
        return json.dumps(text, ensure_ascii=False)
    return _ENCODE_STRING(text)


_ENCODE_STRING = json_encoder.encode_basestring


def _record_text(record: Mapping[str, Any]) -> str:
    if isinstance(record, EncodedRecord):
        return record.json_text()
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def push_body(device_fingerprint: str | None, records: Sequence[Mapping[str, Any]]) -> bytes:
    """The UTF-8 JSON body of a push of `records` (wire objects or EncodedRecord), asking for
    member upserts' receipts packed (app.protocol.receipts; the answer is read with unpack_answers)."""
    return (f'{{"device_fingerprint":{json.dumps(device_fingerprint, ensure_ascii=False)},"receipts":"{PACKED}",'
            '"records":[' + ",".join(_record_text(r) for r in records) + "]}").encode("utf-8")

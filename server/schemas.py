"""The push records as the OpenAPI spec (/docs, /openapi.json) describes them: one shape per
record kind, so a reader — and the schemathesis run — sees what goes inside `payload`.

Documentation only: a push is still read record by record with `app.protocol` (each record
answered on its own), never refused whole by this schema.
"""
from __future__ import annotations

from typing import Any

from app.protocol import (
    CLERK_OWNED_FIELDS,
    MAX_ID_NUMBER,
    MAX_ID_NUMBERS,
    MAX_TEXT,
    Channel,
    Period,
    RecordKind,
    SubmissionKind,
)
from app.protocol.records import MAX_REASON
from app.rules.codes import LifeStatus, PlanType

# app.protocol.read_text refuses control characters (NUL included) in every text.
_NO_CONTROL = "^[^\\x00-\\x1f\\x7f]*$"
_TEXT = {"type": ["string", "null"], "maxLength": MAX_TEXT, "pattern": _NO_CONTROL}
_ID = {"type": "string", "minLength": 1, "maxLength": MAX_ID_NUMBER, "pattern": _NO_CONTROL}
_ORG = {"type": "string", "maxLength": 64, "pattern": _NO_CONTROL, "description": "org code; absent: the caller's union"}
_IDS = {"type": "array", "items": _ID, "minItems": 1, "maxItems": MAX_ID_NUMBERS}
_TOKEN = {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$"}
_MONEY = {"type": "string", "pattern": r"^\d{1,12}\.\d{2}$"}
_SPLIT = {"type": "object", "required": ["fee", "city", "district", "grassroots"], "additionalProperties": False,
          "properties": {name: _MONEY for name in ("fee", "city", "district", "grassroots")}}


def _object(required: list[str], **properties: Any) -> dict[str, Any]:
    # Closed: fields nobody reads are ignored by the server, but a generated case spent on them
    # (floats are refused in any field, as money must be strings) never reaches the checks.
    return {"type": "object", "required": required, "properties": properties, "additionalProperties": False}


PAYLOADS: dict[RecordKind, dict[str, Any]] = {
    RecordKind.MEMBER_UPSERT: _object(
        ["id_number", "fields"], id_number=_ID, union=_ORG,
        fields={"type": "object", "properties": {name: _TEXT for name in CLERK_OWNED_FIELDS},
                "additionalProperties": False},
        base_versions={"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}),
    RecordKind.SS_CHECK_REQUEST: _object(["id_numbers"], id_numbers=_IDS, union=_ORG),
    RecordKind.CONFIRMATION: _object(["id_numbers"], id_numbers=_IDS, union=_ORG),
    RecordKind.CARD_VERIFICATION: _object(["request_id", "id_numbers"], request_id=_TOKEN, id_numbers=_IDS,
                                          union=_ORG),
    RecordKind.CARD_BATCH: _object(
        ["batch_no", "members"], union=_ORG, batch_no={"type": "string", "pattern": "^[A-Za-z0-9_-]{4,40}$"},
        members={"type": "array", "minItems": 1, "items": _object(["id_number"], id_number=_ID, name=_TEXT)}),
    RecordKind.SUBMISSION: _object(
        ["protocol", "union", "batch_no", "kind", "plan_year", "channel", "plan_type", "members", "totals",
         "fee_split", "notice_pdf_sha256", "replaces", "nonce", "timestamp"],
        protocol={"const": 1}, union=_ORG, batch_no={"type": "string", "minLength": 1, "maxLength": 64},
        kind={"enum": [str(k) for k in SubmissionKind]}, plan_year={"type": "integer"},
        channel={"enum": [str(c) for c in Channel]}, plan_type={"enum": [str(p) for p in PlanType]},
        members={"type": "array", "minItems": 1, "items": _object(
            ["id_number"], id_number=_ID, name=_TEXT, card_no=_TEXT,
            coverage_start={"type": ["string", "null"], "format": "date"},
            coverage_end={"type": ["string", "null"], "format": "date"},
            period={"enum": [str(p) for p in Period]})},
        totals={**_SPLIT, "required": ["count", *_SPLIT["required"]],
                "properties": {"count": {"type": "integer", "minimum": 0}, **_SPLIT["properties"]}},
        fee_split=_SPLIT, notice_pdf_sha256={"type": "string", "pattern": "^[0-9a-f]{64}$"},
        replaces={"type": ["string", "null"]}, nonce={"type": "string", "minLength": 16, "maxLength": 128},
        timestamp={"type": "string"}),
    RecordKind.MEMBER_REMOVAL: _object(["id_number", "reason"], id_number=_ID, union=_ORG,
                                       reason={"type": "string", "minLength": 1, "maxLength": MAX_REASON}),
    RecordKind.LIFE_STATUS: _object(
        ["id_number", "life_status"], id_number=_ID, union=_ORG,
        life_status={"enum": [str(s) for s in LifeStatus]}, on={"type": ["string", "null"], "format": "date"}),
}


def typed_push_records(schema: dict[str, Any], _model: Any = None) -> None:
    """pydantic `json_schema_extra`: the PushRecord schema becomes one variant per record kind."""
    common = {name: schema["properties"][name] for name in ("key", "signature", "pdf_b64", "nonce", "timestamp")}
    common["key"] = {**common["key"], **_TOKEN}  # app.protocol.PushRecord's idempotency key
    schema.pop("properties", None)
    schema.pop("required", None)
    schema["oneOf"] = [
        {"type": "object", "title": f"PushRecord ({kind})", "required": ["key", "kind", "payload"],
         "properties": {**common, "kind": {"const": str(kind)}, "payload": payload}}
        for kind, payload in PAYLOADS.items()
    ]

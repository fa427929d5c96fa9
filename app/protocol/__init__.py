"""The protocol kernel: the wire format shared by the desktop client and the central server.

Everything both sides must agree on byte for byte lives here, once: canonical JSON and money
(`wire`), timestamps and the allowed clock skew (`clock`), Ed25519 device keys (`keys`), record
kinds, feed entities, channels, statuses and field ownership (`kinds`), the typed push records
(`records`) and the stable problem codes with the Chinese sentence a clerk reads for each
(`problems`). Every layer and the server may import it; it imports only the standard library,
`cryptography` and `app.rules`.
"""
from __future__ import annotations

from app.protocol.clock import MAX_CLOCK_SKEW, SHANGHAI, format_timestamp, parse_timestamp
from app.protocol.keys import (
    generate_device_key,
    is_valid_public_key,
    key_fingerprint,
    private_key_b64,
    private_key_from_b64,
    public_key_b64,
    sign,
    verify,
)
from app.protocol.kinds import (
    CLERK_OWNED_FIELDS,
    JOB_KINDS,
    PROTOCOL_VERSION,
    SERVER_OWNED_FIELDS,
    SIGNED_KINDS,
    CardBatchStatus,
    CardCheckResult,
    CardOutcome,
    Channel,
    Entity,
    Period,
    RecordKind,
    SubmissionKind,
    SubmissionStatus,
)
from app.protocol.problems import PROBLEMS, message_for
from app.protocol.records import (
    MAX_ID_NUMBER,
    MAX_ID_NUMBERS,
    MAX_TEXT,
    PAYLOADS,
    CardApplicant,
    CardBatch,
    CardVerification,
    Confirmation,
    LifeStatusReport,
    MemberRemoval,
    MemberUpsert,
    Payload,
    PushRecord,
    SsCheckRequest,
    Submission,
    SubmissionMember,
    read_id_numbers,
    read_text,
)
from app.protocol.wire import (
    CanonicalJsonError,
    WireError,
    canonical_json,
    canonical_text,
    money,
    payload_sha256,
    read_money,
)

__all__ = [
    "CLERK_OWNED_FIELDS", "JOB_KINDS", "MAX_CLOCK_SKEW", "MAX_ID_NUMBERS", "PAYLOADS", "PROBLEMS",
    "PROTOCOL_VERSION", "SERVER_OWNED_FIELDS", "SHANGHAI", "SIGNED_KINDS", "CanonicalJsonError", "CardApplicant",
    "CardBatch", "CardBatchStatus", "CardCheckResult", "CardOutcome", "CardVerification", "Channel",
    "Confirmation", "Entity", "LifeStatusReport", "MemberRemoval", "MemberUpsert", "Payload", "Period", "PushRecord", "RecordKind", "SsCheckRequest",
    "Submission", "SubmissionKind", "SubmissionMember", "SubmissionStatus", "WireError", "canonical_json",
    "canonical_text", "format_timestamp", "generate_device_key", "is_valid_public_key", "key_fingerprint",
    "message_for", "money", "parse_timestamp", "payload_sha256", "private_key_b64", "private_key_from_b64",
    "public_key_b64", "read_id_numbers", "read_money", "read_text", "sign", "verify", "MAX_ID_NUMBER", "MAX_TEXT",
]

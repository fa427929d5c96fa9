"""The wire protocol shared by the desktop client and the central server.

Everything both sides must agree on byte for byte lives here: canonical JSON (what gets hashed and
signed), Ed25519 device-key helpers, the push record kinds and the submission payload's fields,
field ownership of a member record, and the stable problem codes with the Chinese sentence a clerk
reads for each. Imports only the standard library and `cryptography`, so the client can use it
without FastAPI.

Canonical JSON: keys sorted, UTF-8 (Chinese is not escaped), no insignificant whitespace, and no
floats at all — amounts travel as strings of `Decimal` ("26.00"), counts as integers.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PROTOCOL_VERSION = 1

# The client refuses to sync, and the server refuses a signed submission, when clocks differ by
# more than this many seconds.
MAX_CLOCK_SKEW = 300

# Campaign dates (deadlines, windows) are calendar days in Shanghai. China has no daylight saving
# time, so a fixed offset is exact and needs no tz database (absent on many Windows PCs).
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")

# --- Push record kinds -------------------------------------------------------------------------

KIND_MEMBER_UPSERT = "member_upsert"
KIND_SS_CHECK_REQUEST = "ss_check_request"
KIND_SUBMISSION = "submission"
# A clerk confirms members whose 人保状态 is 待确认 (SPEC §5.4); final, so it is a fact pushed up.
KIND_CONFIRMATION = "confirmation"
# Member cards (SPEC §5.3). card_verification: {"union", "id_numbers", "request_id"} asks the
# server to verify queued members' card applications; answered at once with a job id, each
# member's result arriving later as a `card_check` change carrying the same request_id.
# card_batch: {"union", "batch_no", "members": [{"id_number", "name"}]} applies for the cards;
# the issuer's card numbers come down as `member` changes, per-member outcomes as `card_batch`.
KIND_CARD_VERIFICATION = "card_verification"
KIND_CARD_BATCH = "card_batch"
RECORD_KINDS: tuple[str, ...] = (KIND_MEMBER_UPSERT, KIND_SS_CHECK_REQUEST, KIND_SUBMISSION, KIND_CONFIRMATION,
                                 KIND_CARD_VERIFICATION, KIND_CARD_BATCH)

# --- Change feed entities (GET /changes) -------------------------------------------------------

ENTITY_MEMBER = "member"  # a whole member record with per-field versions
ENTITY_SS_CHECK = "ss_check"  # the result of an SS-card / employment check (a fact)
ENTITY_SUBMISSION = "submission"  # a batch's status and return reason
ENTITY_CAMPAIGN = "campaign"  # campaign config (plan types, fees, windows, bank account)
# A member's card-application verification (a fact): {"id_number", "request_id", "result":
# "passed" | "failed", "code", "reason", "checked_at"}; keyed by id_number.
ENTITY_CARD_CHECK = "card_check"
# A card batch's state: {"batch_no", "status", "issued", "refused", "members": [{"id_number",
# "outcome": "pending" | "issued" | "refused", "card_no", "reason"}], "updated_at"}; keyed by batch_no.
ENTITY_CARD_BATCH = "card_batch"

CARD_CHECK_RESULTS: tuple[str, ...] = ("passed", "failed")
CARD_BATCH_STATUSES: tuple[str, ...] = ("issuing", "done")
CARD_OUTCOMES: tuple[str, ...] = ("pending", "issued", "refused")

# --- Member field ownership --------------------------------------------------------------------

# Fields the clerk's PC owns: they flow up in member_upsert records, each with the version the
# client last saw (its base). A field changed on the server since that base is a conflict.
CLERK_OWNED_FIELDS: tuple[str, ...] = (
    "member_no",
    "name",
    "id_type",
    "gender",
    "birth_date",
    "phone",
    "work_address",
    "id_expiry",
    "label",
    "category",
    "enterprise_name",
    "join_date",
    "post_type",
)

# Fields the server owns: they flow down through GET /changes and are never pushed.
SERVER_OWNED_FIELDS: tuple[str, ...] = (
    "card_no",
    "card_status",
    "ss_card_status",
    "employment_status",
    "insurance_status",
    "life_status",
    "retired_on",
)

# --- Submission payload ------------------------------------------------------------------------

CHANNEL_CARD = "card"
CHANNEL_SS = "ss"
CHANNELS: tuple[str, ...] = (CHANNEL_CARD, CHANNEL_SS)

SUBMISSION_CENTRAL = "central"  # 集中参保
SUBMISSION_INSTANT_CARDED = "instant_carded"  # 有卡无保人员即时参保
SUBMISSION_INSTANT_NEW_CARD = "instant_new_card"  # 新办卡人员即时参保
SUBMISSION_KINDS: tuple[str, ...] = (
    SUBMISSION_CENTRAL,
    SUBMISSION_INSTANT_CARDED,
    SUBMISSION_INSTANT_NEW_CARD,
)

# Keys of a submission payload (all signed). `members` is a list of objects with MEMBER_ROW_FIELDS;
# `totals` holds "count" (int) and "fee"/"city"/"district"/"grassroots" (Decimal strings, count ×
# share); `fee_split` the per-person shares of the plan type; `replaces` the batch_no of the returned
# batch this one replaces, or null.
SUBMISSION_FIELDS: tuple[str, ...] = (
    "protocol",
    "union",  # the submitting union's org code
    "batch_no",  # chosen by the client (it is printed on the notice before the server sees it)
    "kind",
    "plan_year",
    "channel",
    "plan_type",
    "members",
    "totals",
    "fee_split",
    "notice_pdf_sha256",
    "replaces",
    "nonce",
    "timestamp",
)
MEMBER_ROW_FIELDS: tuple[str, ...] = (
    "id_number",
    "name",
    "card_no",
    "coverage_start",
    "coverage_end",
    "period",  # "full" (全年) or "half" (半年)
)

SUBMISSION_STATUSES: tuple[str, ...] = ("under_review", "returned", "approved", "completed")

# --- Problems ----------------------------------------------------------------------------------

# Stable problem code -> what the clerk reads: what happened and what to do. The server sends the
# code (and its own copy of the message); the client shows message_for(code), so it can be
# translated and stays meaningful offline.
PROBLEMS: dict[str, str] = {
    "auth_failed": "用户名或密码不正确，或登录已失效。请核对后重新登录；忘记密码请联系上级工会重置。",
    "account_locked": "密码连续输错次数过多，账号已被暂时锁定。请15分钟后再试，或联系上级工会重置密码。",
    "token_expired": "登录已过期。请重新登录后再同步，未发送的数据仍保存在本机。",
    "union_type_unsupported": "本工会的组织类型（工会联合会、分工会或工会小组）不能使用工作台。请由上级工会办理。",
    "union_scope": "无权查看或修改其他工会的数据。请使用本工会的账号操作，或联系上级工会。",
    "unknown_device": "本机的签名密钥尚未登记或已被停用。请重新登录，系统会重新登记本机后再提交。",
    "bad_signature": "提交内容的签名校验不通过，数据可能在传输中被改动。请重新生成并提交；如反复出现请联系上级工会。",
    "replayed_nonce": "这份提交已经被服务器收到过，不能重复提交。请到批次管理中查看该批次的状态。",
    "stale_timestamp": "提交的时间与服务器时间相差过大。请把电脑的日期和时间调准后重新提交。",
    "clock_skew": "本机时钟与服务器相差超过5分钟，暂不能同步。请把电脑的日期和时间调准后再试。",
    "idempotency_conflict": "同一编号的记录已用不同内容提交过。请重新生成这份提交后再发送。",
    "conflict": "这条会员信息在您上次同步后已被他人修改。请选择保留本机的修改，或采用服务器上的内容。",
    "plan_type_mismatch": "本工会本保障年度已选定其他保障类型，每个工会每年只能选一种。请改用已选定的保障类型。",
    "window_closed": "当前不在办理时间内（以服务器时间为准），本次提交未被受理。请查看活动日程或联系上级工会。",
    "ineligible": "名单中有会员不符合参保条件（如未办卡、已退休、已死亡或本年度已参保）。请按提示移出后重新提交。",
    "totals_mismatch": "提交的人数或费用合计与服务器按费用标准核算的结果不一致。请同步最新的费用标准后重新生成名单。",
    "validation": "提交的数据不完整或格式不对。请按提示修改后重新提交。",
    "not_found": "要找的记录不存在，可能已被删除或尚未同步。请先同步后再试。",
    "no_campaign": "服务器上没有该保障年度的参保活动。请同步最新的活动配置，或联系上级工会。",
    "rate_limited": "请求过于频繁。请稍候片刻再试。",
    "card_batch_exists": "这个办卡批次编号已经提交过，不能重复提交。请到办卡批次管理中查看该批次的状态。",
    "card_members_unknown": "办卡名单中有会员在服务器上还没有记录。请先同步上传会员信息，再重新校验后提交办卡。",
    "internal": "服务器处理时出错，本次操作未生效。请稍后重试；如反复出现请联系管理员。",
}

DEFAULT_PROBLEM = "internal"


def message_for(code: str, detail: object = None) -> str:
    """The Chinese sentence for a problem code, with a short detail appended when given.

    Unknown codes (a newer server) still give a sentence that says what to do.
    """
    message = PROBLEMS.get(code) or "服务器拒绝了这次操作（代码：%s）。请同步后重试，或联系上级工会。" % code
    if detail is None or detail == "" or isinstance(detail, (dict, list)):
        return message
    return f"{message}（{detail}）"


# --- Canonical JSON ----------------------------------------------------------------------------


class CanonicalJsonError(TypeError):
    """A value that has no canonical JSON form (a float, a set, a non-string key, …)."""


def _check(value: Any, path: str) -> None:
    # bool is an int subclass, so it is accepted with int; float is refused because a binary
    # fraction has no single decimal spelling — money must travel as a Decimal string.
    if value is None or isinstance(value, (str, bool, int)):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
            raise CanonicalJsonError(f"{path}: integer {value} is too large for JSON readers")
        return
    if isinstance(value, float):
        raise CanonicalJsonError(f"{path}: floats are not allowed; send amounts as Decimal strings")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalJsonError(f"{path}: object keys must be strings, got {key!r}")
            _check(item, f"{path}.{key}")
        return
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _check(item, f"{path}[{index}]")
        return
    raise CanonicalJsonError(f"{path}: {type(value).__name__} has no canonical JSON form")


def canonical_json(obj: Any) -> bytes:
    """The one byte string that represents `obj`: what is hashed, signed and stored verbatim."""
    _check(obj, "$")
    return json.dumps(
        obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def payload_sha256(obj: Any) -> str:
    """Hex SHA-256 of the canonical JSON of `obj` (the idempotency hash of a push record)."""
    return hashlib.sha256(canonical_json(obj)).hexdigest()


# --- Ed25519 device keys -----------------------------------------------------------------------


def generate_device_key() -> Ed25519PrivateKey:
    """A fresh device key, made at the first login on a PC."""
    return Ed25519PrivateKey.generate()


def private_key_b64(private_key: Ed25519PrivateKey) -> str:
    """The raw 32-byte private key as base64 — for the OS keyring only, never a file or a log."""
    raw = private_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return base64.b64encode(raw).decode("ascii")


def private_key_from_b64(text: str) -> Ed25519PrivateKey:
    """Load a private key saved with private_key_b64."""
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(text, validate=True))


def public_key_b64(private_key: Ed25519PrivateKey) -> str:
    """The raw 32-byte public key as base64: what is registered with the server."""
    raw = private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return base64.b64encode(raw).decode("ascii")


def _load_public(public_b64: str) -> Ed25519PublicKey:
    raw = base64.b64decode(public_b64, validate=True)
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def is_valid_public_key(public_b64: str) -> bool:
    """Whether `public_b64` is a base64 Ed25519 public key."""
    try:
        _load_public(public_b64)
    except (ValueError, TypeError, binascii.Error):
        return False
    return True


def sign(private_key: Ed25519PrivateKey, obj: Any) -> str:
    """Base64 Ed25519 signature over the canonical JSON of `obj`."""
    return base64.b64encode(private_key.sign(canonical_json(obj))).decode("ascii")


def verify(public_b64: str, obj: Any, signature_b64: str) -> bool:
    """Whether `signature_b64` is the device key's signature over the canonical JSON of `obj`.

    Any malformed input (bad base64, wrong length, a float in `obj`) is simply "not verified".
    """
    try:
        key = _load_public(public_b64)
        signature = base64.b64decode(signature_b64, validate=True)
        key.verify(signature, canonical_json(obj))
    except (InvalidSignature, ValueError, TypeError, binascii.Error):
        return False
    return True


def key_fingerprint(public_b64: str) -> str:
    """A short, human-comparable name of a public key: the first 16 hex digits of its SHA-256,
    in groups of four ("3f2a 9c01 77de 4b10"). Printed on notices and shown at registration."""
    raw = base64.b64decode(public_b64, validate=True)
    digest = hashlib.sha256(raw).hexdigest()[:16]
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))


# --- Timestamps --------------------------------------------------------------------------------


def format_timestamp(moment: datetime) -> str:
    """An aware datetime as ISO 8601 in UTC with a "Z", second precision: "2025-01-02T03:04:05Z"."""
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(text: str) -> datetime:
    """Read an ISO 8601 timestamp with an offset (or "Z") into an aware UTC datetime."""
    if not isinstance(text, str):
        raise ValueError("timestamp must be a string")
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("timestamp needs a timezone offset")
    return moment.astimezone(timezone.utc)


def clock_skew_seconds(server_time: datetime, local_time: datetime) -> float:
    """How far the local clock is ahead of the server's (negative: behind)."""
    return (local_time - server_time).total_seconds()

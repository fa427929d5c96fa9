"""Typed push records: what a clerk's PC sends in POST /push, built and read only through here.

Each payload class has `to_wire()` (the JSON object that is hashed, signed and sent) and
`from_wire(obj)` (the object read back, or `WireError` saying in Chinese what is wrong — the
server answers it as problem "validation"). `PushRecord` is the envelope: the idempotency key,
the kind, the payload as sent, and for signed kinds the device's signature (and the notice PDF).

Reading is the shape of the payload only; what the server decides about it (the union's scope,
the clock, eligibility, totals) stays with the server.
"""
from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Self

from app.protocol.keys import sign
from app.protocol.kinds import (
    CLERK_OWNED_FIELDS,
    PROTOCOL_VERSION,
    SERVER_OWNED_FIELDS,
    Channel,
    Period,
    RecordKind,
    SubmissionKind,
)
from app.protocol.wire import WireError, money, read_money
from app.rules.codes import LifeStatus, PlanType
from app.rules.fees import FeeSplit, FeeTotals
from app.rules.idcard import mask_id

if TYPE_CHECKING:  # cryptography itself is imported when a record is signed (app.protocol.keys)
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

#: Most members one record may name (checks, confirmations, card verifications and batches).
MAX_ID_NUMBERS = 20_000
#: The longest free text (a name, an address, …) and the longest ID number any record may hold.
MAX_TEXT = 200
MAX_ID_NUMBER = 32

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")  # idempotency keys and request ids (a uuid fits)
_CARD_BATCH_NO = re.compile(r"^[A-Za-z0-9_-]{4,40}$")
#: A control character (NUL included): one regex search instead of a generator over every character.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

Wire = dict[str, Any]


def _object(raw: object, what: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise WireError(f"{what} 应为对象")
    return raw


def _matching(value: object, pattern: re.Pattern[str], detail: str) -> str:
    if not isinstance(value, str) or not pattern.match(value):
        raise WireError(detail)
    return value


def read_text(value: object, field: str, *, limit: int = MAX_TEXT) -> str | None:
    """A text field of any record kind: None, or a string of at most `limit` characters without
    control characters (NUL included), trimmed. The one check of text on the wire, so a card
    batch's names are held to what a member record's are."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise WireError({"field": field, "message": f"字段 {field} 应为文字"})
    value = value.strip()
    if len(value) > limit or _CONTROL.search(value):
        raise WireError({"field": field, "message": f"字段 {field} 超过{limit}个字符或含有控制字符"})
    return value


def _id_number(value: object, field: str = "id_number") -> str:
    number = read_text(value, field, limit=MAX_ID_NUMBER)
    if not number:
        raise WireError({"field": field, "message": "缺少证件号码"})
    return number.upper()


def _union(raw: Mapping[str, Any]) -> str | None:
    """The optional "union" (an org code; absent means the caller's own union)."""
    value = raw.get("union")
    return None if value is None or value == "" else read_text(str(value), "union", limit=64)


def _with_union(union: str | None, body: Wire) -> Wire:
    return body if union is None else {"union": union, **body}


def read_id_numbers(raw: object, *, limit: int = MAX_ID_NUMBERS) -> list[str]:
    """A record's "id_numbers": a non-empty list of ID numbers, at most `limit`, returned trimmed,
    upper-cased and without repeats (in their first order). The one reader of such lists."""
    if not isinstance(raw, list) or not raw or not all(isinstance(x, str) and x.strip() for x in raw):
        raise WireError("id_numbers 应为非空的证件号码列表")
    if len(raw) > limit:
        raise WireError(f"一次最多校验 {limit} 人")
    return list(dict.fromkeys(_id_number(x, "id_numbers") for x in raw))


# --- member_upsert -------------------------------------------------------------------------------

_SERVER_OWNED = frozenset(SERVER_OWNED_FIELDS)
_CLERK_OWNED = frozenset(CLERK_OWNED_FIELDS)


@dataclass(frozen=True)
class MemberUpsert:
    """Clerk-owned fields of one member, each with the version the client last saw (its base)."""

    id_number: str
    fields: dict[str, Any]
    base_versions: dict[str, int] = field(default_factory=dict)
    union: str | None = None

    KIND: ClassVar[RecordKind] = RecordKind.MEMBER_UPSERT

    def to_wire(self) -> Wire:
        return _with_union(self.union, {"id_number": self.id_number, "fields": dict(self.fields),
                                        "base_versions": dict(self.base_versions)})

    @classmethod
    def from_wire(cls, raw: object) -> MemberUpsert:
        obj = _object(raw, "payload")
        number = obj.get("id_number")
        fields = obj.get("fields") or {}
        base = obj.get("base_versions") or {}
        _id_number(number)
        assert isinstance(number, str)  # _id_number refused anything else
        if not isinstance(fields, dict) or not isinstance(base, dict):
            raise WireError("fields 和 base_versions 应为对象")
        if not _SERVER_OWNED.isdisjoint(fields):
            raise WireError({"fields": sorted(_SERVER_OWNED.intersection(fields)),
                             "message": "这些字段由服务器维护，不能由本机上传"})
        if not _CLERK_OWNED.issuperset(fields):
            raise WireError({"fields": sorted(set(fields).difference(_CLERK_OWNED)), "message": "未知字段"})
        if not base:
            base = {}
        elif {type(v) for v in base.values()} == {int} and min(base.values()) >= 0 and {type(k) for k in base} == {str}:
            base = dict(base)  # what the JSON parser makes: read as it is
        elif any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in base.values()):
            raise WireError("base_versions 的值应为非负整数")
        else:
            base = {str(k): int(v) for k, v in base.items()}
        if not _plain_texts(fields):
            for name, value in fields.items():
                read_text(value, name)
        return cls(number, dict(fields), base, _union(obj))


def _plain_texts(fields: dict[str, Any]) -> bool:
    """Whether every value of `fields` is None or text that read_text takes as it is checked
    (at most MAX_TEXT characters before trimming, no control character anywhere): checked at
    once, the usual case, instead of a call per field. False says nothing: each field is then read
    on its own, with its own refusal."""
    texts = [value for value in fields.values() if type(value) is str]
    if len(texts) != len(fields) and len(texts) + [*fields.values()].count(None) != len(fields):
        return False
    if max(map(len, texts), default=0) > MAX_TEXT:
        return False
    joined = "".join(texts)
    return joined.isprintable() or _CONTROL.search(joined) is None  # printable: no control character


# --- id-number lists: ss_check_request, confirmation, card_verification ------------------------------


@dataclass(frozen=True)
class _IdNumbers:
    id_numbers: list[str]
    union: str | None = None

    def to_wire(self) -> Wire:
        return _with_union(self.union, {"id_numbers": list(self.id_numbers)})

    @classmethod
    def from_wire(cls, raw: object) -> Self:
        obj = _object(raw, "payload")
        return cls(read_id_numbers(obj.get("id_numbers")), _union(obj))


@dataclass(frozen=True)
class SsCheckRequest(_IdNumbers):
    """Ask for the SS-card and employment status of members already on the server."""

    KIND: ClassVar[RecordKind] = RecordKind.SS_CHECK_REQUEST


@dataclass(frozen=True)
class Confirmation(_IdNumbers):
    """The clerk confirms members whose 人保状态 is 待确认 (final)."""

    KIND: ClassVar[RecordKind] = RecordKind.CONFIRMATION


@dataclass(frozen=True)
class CardVerification:
    """Ask the server to verify queued members' card applications; `request_id` names the
    question, so each answer is matched to it (a superseded answer is ignored)."""

    request_id: str
    id_numbers: list[str]
    union: str | None = None

    KIND: ClassVar[RecordKind] = RecordKind.CARD_VERIFICATION

    def to_wire(self) -> Wire:
        return _with_union(self.union, {"request_id": self.request_id, "id_numbers": list(self.id_numbers)})

    @classmethod
    def from_wire(cls, raw: object) -> CardVerification:
        obj = _object(raw, "payload")
        request_id = _matching(obj.get("request_id"), _TOKEN, "request_id 应为8–64位的字母、数字、- 或 _")
        return cls(request_id, read_id_numbers(obj.get("id_numbers")), _union(obj))


# --- member_removal, life_status ---------------------------------------------------------------

#: Longest removal reason a record may carry.
MAX_REASON = 200


@dataclass(frozen=True)
class MemberRemoval:
    """The clerk removes a member from the union, saying why (audited on both sides)."""

    id_number: str
    reason: str
    union: str | None = None

    KIND: ClassVar[RecordKind] = RecordKind.MEMBER_REMOVAL

    def to_wire(self) -> Wire:
        return _with_union(self.union, {"id_number": self.id_number, "reason": self.reason})

    @classmethod
    def from_wire(cls, raw: object) -> MemberRemoval:
        obj = _object(raw, "payload")
        reason = obj.get("reason")
        if not isinstance(reason, str) or not reason.strip() or len(reason) > MAX_REASON:
            raise WireError({"field": "reason", "message": f"请填写删除原因（1–{MAX_REASON}个字）"})
        return cls(_id_number(obj.get("id_number")), read_text(reason, "reason", limit=MAX_REASON) or "",
                   _union(obj))


@dataclass(frozen=True)
class LifeStatusReport:
    """The clerk reports a member retired or deceased on a date, or back in service (no date)."""

    id_number: str
    life_status: LifeStatus
    on: date | None = None
    union: str | None = None

    KIND: ClassVar[RecordKind] = RecordKind.LIFE_STATUS

    def to_wire(self) -> Wire:
        return _with_union(self.union, {"id_number": self.id_number, "life_status": str(self.life_status),
                                        "on": self.on.isoformat() if self.on else None})

    @classmethod
    def from_wire(cls, raw: object) -> LifeStatusReport:
        obj = _object(raw, "payload")
        status = obj.get("life_status")
        if status not in tuple(LifeStatus):
            raise WireError({"field": "life_status", "message": "life_status 应为 in_service、retired 或 deceased"})
        on = _day(obj.get("on"), "on")
        if (status == LifeStatus.IN_SERVICE) != (on is None):
            raise WireError({"field": "on", "message": "退休或死亡须填写日期；恢复在职不填日期"})
        return cls(_id_number(obj.get("id_number")), LifeStatus(status), on, _union(obj))


# --- card_batch (signed) -------------------------------------------------------------------------


@dataclass(frozen=True)
class CardApplicant:
    id_number: str
    name: str = ""


@dataclass(frozen=True)
class CardBatch:
    """A card batch (办卡批次): the members to make cards for."""

    union: str | None
    batch_no: str
    members: list[CardApplicant]

    KIND: ClassVar[RecordKind] = RecordKind.CARD_BATCH

    def to_wire(self) -> Wire:
        return _with_union(self.union, {"batch_no": self.batch_no, "members": [
            {"id_number": m.id_number, "name": m.name} for m in self.members]})

    @classmethod
    def from_wire(cls, raw: object) -> CardBatch:
        obj = _object(raw, "payload")
        batch_no = _matching(obj.get("batch_no"), _CARD_BATCH_NO, "batch_no 应为4–40位的字母、数字、- 或 _")
        rows = obj.get("members")
        if not isinstance(rows, list) or not rows or len(rows) > MAX_ID_NUMBERS:
            raise WireError(f"members 应为1–{MAX_ID_NUMBERS}人的名单")
        if not all(isinstance(r, dict) and isinstance(r.get("id_number"), str) and r["id_number"].strip()
                   for r in rows):
            raise WireError("members 的每一项应有 id_number")
        members = [CardApplicant(_id_number(r["id_number"]), read_text(r.get("name"), "name") or "") for r in rows]
        if len({m.id_number for m in members}) != len(members):
            raise WireError("名单中有重复的证件号码")
        return cls(_union(obj), batch_no, members)


# --- submission (signed) -------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmissionMember:
    """A roster row as submitted; coverage and period are the client's copy, for display."""

    id_number: str
    name: str = ""
    card_no: str | None = None
    coverage_start: date | None = None
    coverage_end: date | None = None
    period: Period = Period.FULL

    def to_wire(self) -> Wire:
        return {"id_number": self.id_number, "name": self.name, "card_no": self.card_no,
                "coverage_start": self.coverage_start.isoformat() if self.coverage_start else None,
                "coverage_end": self.coverage_end.isoformat() if self.coverage_end else None,
                "period": str(self.period)}

    @classmethod
    def from_wire(cls, raw: object) -> SubmissionMember:
        if not (isinstance(raw, dict) and isinstance(raw.get("id_number"), str) and raw["id_number"]):
            raise WireError("名单中每一行都要有证件号码")
        period = raw.get("period", Period.FULL)
        if period not in tuple(Period):
            raise WireError("period 应为 full 或 half")
        name, card_no = raw.get("name"), raw.get("card_no")
        if not isinstance(name, (str, type(None))) or not isinstance(card_no, (str, type(None))):
            raise WireError("name 和 card_no 应为文字")
        _id_number(raw["id_number"])
        read_text(name, "name")
        read_text(card_no, "card_no", limit=MAX_ID_NUMBER)
        return cls(raw["id_number"], name or "", card_no, _day(raw.get("coverage_start"), "coverage_start"),
                   _day(raw.get("coverage_end"), "coverage_end"), Period(period))


def _day(value: object, what: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise WireError(f"{what} 应为日期（如 2026-01-01）")


_AMOUNTS = ("fee", "city", "district", "grassroots")


def _amounts(raw: object, what: str) -> dict[str, Decimal]:
    obj = _object(raw, what)
    return {name: read_money(obj.get(name), f"{what}.{name}") for name in _AMOUNTS}


def _split_wire(split: FeeSplit | FeeTotals) -> Wire:
    return {name: money(getattr(split, name)) for name in _AMOUNTS}


@dataclass(frozen=True)
class Submission:
    """A signed batch: the roster, its totals (count × share, the client's copy the server
    recomputes), the per-person fee split, the notice PDF's SHA-256, and a nonce and timestamp
    stamped when it is first sent (empty until then)."""

    union: str
    batch_no: str  # chosen by the client: it is printed on the notice before the server sees it
    kind: SubmissionKind
    plan_year: int
    channel: Channel
    plan_type: str
    members: list[SubmissionMember]
    totals: FeeTotals
    fee_split: FeeSplit
    notice_pdf_sha256: str
    replaces: str | None = None  # the batch_no of the returned batch this one replaces
    nonce: str = ""
    timestamp: str = ""
    protocol: int = PROTOCOL_VERSION

    KIND: ClassVar[RecordKind] = RecordKind.SUBMISSION
    FIELDS: ClassVar[tuple[str, ...]] = ("protocol", "union", "batch_no", "kind", "plan_year", "channel", "plan_type", "members", "totals",
              "fee_split", "notice_pdf_sha256", "replaces", "nonce", "timestamp")

    def to_wire(self) -> Wire:
        return {
            "protocol": self.protocol, "union": self.union, "batch_no": self.batch_no, "kind": str(self.kind),
            "plan_year": self.plan_year, "channel": str(self.channel), "plan_type": self.plan_type,
            "members": [m.to_wire() for m in self.members],
            "totals": {"count": self.totals.count, **_split_wire(self.totals)},
            "fee_split": _split_wire(self.fee_split),
            "notice_pdf_sha256": self.notice_pdf_sha256, "replaces": self.replaces,
            "nonce": self.nonce, "timestamp": self.timestamp,
        }

    @classmethod
    def from_wire(cls, raw: object) -> Submission:
        obj = _object(raw, "payload")
        missing = [name for name in cls.FIELDS if name not in obj]
        if missing:
            raise WireError("缺少字段：" + "、".join(missing))
        _expect(obj["protocol"] == PROTOCOL_VERSION, "不支持的协议版本")
        _expect(obj["kind"] in tuple(SubmissionKind), "kind 不正确")
        _expect(obj["channel"] in tuple(Channel), "channel 不正确")
        _expect(obj["plan_type"] in tuple(PlanType), "plan_type 不正确")
        _expect(isinstance(obj["plan_year"], int) and not isinstance(obj["plan_year"], bool), "plan_year 应为整数")
        batch_no = obj["batch_no"]
        _expect(isinstance(batch_no, str) and 1 <= len(batch_no) <= 64, "batch_no 应为1–64个字符")
        _expect(obj["replaces"] is None or isinstance(obj["replaces"], str), "replaces 应为批次编号或 null")
        _expect(isinstance(obj["union"], str), "union 应为组织代码")
        _expect(isinstance(obj["nonce"], str) and isinstance(obj["timestamp"], str), "nonce 和 timestamp 应为文字")
        _expect(isinstance(obj["notice_pdf_sha256"], str), "notice_pdf_sha256 应为文字")
        rows = obj["members"]
        _expect(isinstance(rows, list) and len(rows) > 0, "名单不能为空")
        members = [SubmissionMember.from_wire(row) for row in rows]
        seen: set[str] = set()
        for member in members:
            _expect(member.id_number not in seen, f"名单中有重复的会员：{mask_id(member.id_number)}")
            seen.add(member.id_number)
        _expect(isinstance(obj["totals"], dict) and isinstance(obj["fee_split"], dict), "totals 和 fee_split 应为对象")
        count = obj["totals"].get("count")
        _expect(isinstance(count, int) and not isinstance(count, bool), "totals.count 应为整数")
        return cls(
            union=obj["union"], batch_no=batch_no, kind=SubmissionKind(obj["kind"]), plan_year=obj["plan_year"],
            channel=Channel(obj["channel"]), plan_type=obj["plan_type"], members=members,
            totals=FeeTotals(count=count, **_amounts(obj["totals"], "totals")),
            fee_split=FeeSplit(**_amounts(obj["fee_split"], "fee_split")),
            notice_pdf_sha256=obj["notice_pdf_sha256"], replaces=obj["replaces"], nonce=obj["nonce"],
            timestamp=obj["timestamp"], protocol=obj["protocol"],
        )


def _expect(condition: bool, detail: str) -> None:
    if not condition:
        raise WireError(detail)


# --- the envelope --------------------------------------------------------------------------------

Payload = (MemberUpsert | SsCheckRequest | Confirmation | CardVerification | CardBatch | Submission
           | MemberRemoval | LifeStatusReport)

PAYLOADS: dict[RecordKind, type[Payload]] = {
    RecordKind.MEMBER_UPSERT: MemberUpsert,
    RecordKind.SS_CHECK_REQUEST: SsCheckRequest,
    RecordKind.CONFIRMATION: Confirmation,
    RecordKind.CARD_VERIFICATION: CardVerification,
    RecordKind.CARD_BATCH: CardBatch,
    RecordKind.SUBMISSION: Submission,
    RecordKind.MEMBER_REMOVAL: MemberRemoval,
    RecordKind.LIFE_STATUS: LifeStatusReport,
}


#: Each record kind by its wire name.
_KINDS: dict[str, RecordKind] = {kind.value: kind for kind in RecordKind}


@dataclass(frozen=True)
class PushRecord:
    """One outbox row as sent: `payload` is the wire object exactly as hashed and signed."""

    key: str  # the outbox row's uuid: the idempotency key
    kind: RecordKind
    payload: Wire
    signature: str | None = None  # base64 Ed25519 over the payload's canonical JSON (signed kinds)
    pdf_b64: str | None = None  # the notice PDF (submissions)

    @classmethod
    def signed(cls, key: str, kind: RecordKind, payload: Wire, device_key: Ed25519PrivateKey,
               pdf: bytes | None = None) -> PushRecord:
        return cls(key, kind, payload, sign(device_key, payload),
                   None if pdf is None else base64.b64encode(pdf).decode("ascii"))

    def to_wire(self) -> Wire:
        out: Wire = {"key": self.key, "kind": str(self.kind), "payload": self.payload}
        if self.signature is not None:
            out["signature"] = self.signature
        if self.kind == RecordKind.SUBMISSION:
            # Informational copies; the signed ones are in the payload.
            out["nonce"] = self.payload.get("nonce")
            out["timestamp"] = self.payload.get("timestamp")
        if self.pdf_b64 is not None:
            out["pdf_b64"] = self.pdf_b64
        return out

    @classmethod
    def from_wire(cls, raw: Mapping[str, Any]) -> PushRecord:
        kind, payload = raw.get("kind"), raw.get("payload")
        key = _matching(raw.get("key"), _TOKEN, "key 应为8–64位的字母、数字、- 或 _（建议使用 UUID）")
        known = _KINDS.get(kind) if isinstance(kind, str) else None
        if known is None:
            raise WireError(f"未知的记录类型 {kind!r}")
        if not isinstance(payload, dict):
            raise WireError("payload 应为对象")
        signature, pdf_b64 = raw.get("signature"), raw.get("pdf_b64")
        return cls(key, known, payload, signature if isinstance(signature, str) else None,
                   pdf_b64 if isinstance(pdf_b64, str) else None)

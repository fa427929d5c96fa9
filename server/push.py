"""POST /push: records from a clerk's outbox, each answered on its own.

Every record has an idempotency key (the outbox row's uuid). A record that took effect is
remembered with the SHA-256 of its canonical payload and its answer, in the same transaction as
the effect: the same key with the same payload gets that first answer back, the same key with a
different payload gets idempotency_conflict. A refused record had no effect and is not
remembered, so the client may fix it and send it again under the same key (that is how a member
conflict is resolved). Each record's transaction first takes its union's write lock and then
looks the key up again, so a concurrent duplicate waits for the first and answers with its stored
answer; the key's unique index backs this up — exactly one effect either way.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from peewee import DataError, IntegrityError

from app import protocol as wire
from app.protocol import (
    JOB_KINDS,
    PAYLOADS,
    SIGNED_KINDS,
    CanonicalJsonError,
    PushRecord,
    RecordKind,
    WireError,
    payload_sha256,
    verify,
)
from server import cards, member_status, members, submissions
from server.accounts import device_for
from server.db import is_sqlite, write_tx
from server.models import Device, IdempotencyRecord, Nonce, Union, User
from server.problems import ProblemError
from server.settings import ServerContext

log = logging.getLogger("union_server.push")

Effect = Callable[[], dict[str, Any]]


def stored_answer(user: User, key: str, digest: str) -> dict[str, Any] | None:
    """The first answer to the idempotency key `key` (None: not seen); the same key for another
    payload or another union is idempotency_conflict. Push records and transfers share the keys."""
    row = IdempotencyRecord.get_or_none(IdempotencyRecord.key == key)
    if row is None:
        return None
    if row.union_id != user.union_id or row.payload_sha256 != digest:
        raise ProblemError("idempotency_conflict", {"key": key})
    return row.response


def _lock_union(union_id: int) -> None:
    """Serialise a union's writes for the rest of the transaction. SQLite's IMMEDIATE transaction
    already holds the database's write lock; on PostgreSQL the union's row lock does it, so every
    check (seen keys and nonces, plan type, enrollments, phone numbers, field versions) reads what
    the previous writer of that union committed."""
    if not is_sqlite():
        Union.select(Union.id).where(Union.id == union_id).for_update().execute()


def signer(user: User, device_fingerprint: str | None, record: PushRecord) -> Device:
    """The caller's active device whose key signed the record (unknown_device, bad_signature)."""
    device = device_for(user, device_fingerprint)
    if record.signature is None or not verify(device.public_key, record.payload, record.signature):
        raise ProblemError("bad_signature")
    return device


def _prepare(ctx: ServerContext, user: User, device_fingerprint: str | None, record: PushRecord,
             digest: str) -> Effect:
    """Check what needs no lock — the signature, the payload's shape, a submission's PDF (slow
    for big batches) — and return the record's effect, to run under the union's lock."""
    device = signer(user, device_fingerprint, record) if record.kind in SIGNED_KINDS else None
    payload = PAYLOADS[record.kind].from_wire(record.payload)
    if isinstance(payload, wire.Submission):
        assert device is not None
        prepared = submissions.prepare(ctx, user, device, record, payload)
        return lambda: submissions.apply(ctx, user, prepared, digest)
    if isinstance(payload, wire.CardBatch):
        assert device is not None
        return lambda: cards.receive_batch(ctx, user, device, record, payload)
    if isinstance(payload, wire.MemberUpsert):
        return lambda: members.member_upsert(ctx, user, payload)
    if isinstance(payload, wire.SsCheckRequest):
        return lambda: members.ss_check_request(ctx, user, payload)
    if isinstance(payload, wire.Confirmation):
        return lambda: members.confirm_members(ctx, user, payload)
    if isinstance(payload, wire.MemberRemoval):
        return lambda: member_status.remove_member(ctx, user, payload)
    if isinstance(payload, wire.LifeStatusReport):
        return lambda: member_status.report_life_status(ctx, user, payload)
    return lambda: cards.request_verification(ctx, user, payload)


def process_record(ctx: ServerContext, user: User, device_fingerprint: str | None, raw: dict[str, Any]) -> dict[str, Any]:
    key, kind = raw.get("key"), raw.get("kind")
    try:
        record = PushRecord.from_wire(raw)
        try:
            digest = payload_sha256(record.payload)
        except CanonicalJsonError as error:
            raise ProblemError("validation", f"payload 无法规范化：{error}（金额请用字符串）") from None
        stored = stored_answer(user, record.key, digest)
        if stored is not None:
            return stored
        result = _apply_once(ctx, user, record, digest, _prepare(ctx, user, device_fingerprint, record, digest))
        if record.kind in JOB_KINDS:
            ctx.wake_worker.set()
        return result
    except (ProblemError, WireError) as caught:
        error = caught if isinstance(caught, ProblemError) else ProblemError("validation", caught.detail)
        key, kind = _printable(key), _printable(kind)
        log.info("push record %s (%s) refused: %s", key if isinstance(key, str) else "?", kind, error.code)
        return {"key": key, "status": "error", "problem": error.code, "message": error.message,
                "detail": _printable(error.detail)}


def _printable(value: Any) -> Any:
    """`value` with every text that has no UTF-8 form (a lone surrogate) escaped, so a refusal
    that echoes what the caller sent can always be answered (and logged)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-8", "backslashreplace").decode("utf-8")
        return value
    if isinstance(value, dict):
        return {_printable(k): _printable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_printable(item) for item in value]
    return value


def _apply_once(ctx: ServerContext, user: User, record: PushRecord, digest: str,
                apply: Effect) -> dict[str, Any]:
    """Run `apply` and remember its answer under the record's key, in one transaction; a
    concurrent duplicate that committed first is answered with its stored answer instead."""
    try:
        with write_tx():
            _lock_union(user.union_id)
            # Again under the lock: a duplicate sent concurrently may have committed meanwhile.
            stored = stored_answer(user, record.key, digest)
            if stored is not None:
                return stored
            result = {"key": record.key, "status": "ok", "receipt": apply()}
            IdempotencyRecord.create(key=record.key, union=user.union_id, user=user, kind=record.kind,
                                     payload_sha256=digest, response=result, created=ctx.now_naive())
            return result
    except IntegrityError:
        # A concurrent push of the same record (or nonce) won the race.
        stored = stored_answer(user, record.key, digest)
        if stored is not None:
            return stored
        if record.kind == RecordKind.SUBMISSION and Nonce.get_or_none(Nonce.value == record.payload.get("nonce")):
            raise ProblemError("replayed_nonce") from None
        raise ProblemError("validation", "数据正被同时修改，请稍后重试") from None
    except DataError:
        raise ProblemError("validation", "数据中含有无法保存的字符或过长的文字") from None


def push(ctx: ServerContext, user: User, device_fingerprint: str | None, records: list[dict[str, Any]]) -> dict[str, Any]:
    if len(records) > ctx.settings.max_push_records:
        raise ProblemError("validation", f"一次最多上传 {ctx.settings.max_push_records} 条记录，请分批上传")
    results = [process_record(ctx, user, device_fingerprint, record) for record in records]
    ok = sum(1 for r in results if r["status"] == "ok")
    log.info("push by %s: %d records, %d ok", user.username, len(results), ok)
    return {"results": results}

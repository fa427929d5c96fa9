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
import re
from collections.abc import Callable
from typing import Any

from peewee import DataError, IntegrityError

from app.sync.protocol import (
    KIND_CARD_BATCH,
    KIND_CARD_VERIFICATION,
    KIND_CONFIRMATION,
    KIND_MEMBER_UPSERT,
    KIND_SS_CHECK_REQUEST,
    KIND_SUBMISSION,
    RECORD_KINDS,
    CanonicalJsonError,
    payload_sha256,
)
from server import cards, members, submissions
from server.db import is_sqlite, write_tx
from server.models import IdempotencyRecord, Nonce, Union, User
from server.problems import ProblemError
from server.settings import ServerContext

log = logging.getLogger("union_server.push")

_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def _stored_answer(user: User, key: str, digest: str) -> dict[str, Any] | None:
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


def process_record(ctx: ServerContext, user: User, device_fingerprint: str | None, record: dict[str, Any]) -> dict[str, Any]:
    key = record.get("key")
    kind = record.get("kind")
    try:
        if not isinstance(key, str) or not _KEY.match(key):
            raise ProblemError("validation", "key 应为8–64位的字母、数字、- 或 _（建议使用 UUID）")
        if kind not in RECORD_KINDS:
            raise ProblemError("validation", f"未知的记录类型 {kind!r}")
        payload = record.get("payload")
        if not isinstance(payload, dict):
            raise ProblemError("validation", "payload 应为对象")
        try:
            digest = payload_sha256(payload)
        except CanonicalJsonError as error:
            raise ProblemError("validation", f"payload 无法规范化：{error}（金额请用字符串）") from None
        stored = _stored_answer(user, key, digest)
        if stored is not None:
            return stored
        prepared = None
        if kind == KIND_SUBMISSION:
            # Signature checks and PDF hashing are slow for big batches: do them before the lock.
            prepared = submissions.prepare(ctx, user, device_fingerprint, record)
        apply: Callable[[], dict[str, Any]]
        if kind == KIND_MEMBER_UPSERT:
            apply = lambda: members.member_upsert(ctx, user, payload)  # noqa: E731
        elif kind == KIND_SS_CHECK_REQUEST:
            apply = lambda: members.ss_check_request(ctx, user, payload)  # noqa: E731
        elif kind == KIND_CONFIRMATION:
            apply = lambda: members.confirm_members(ctx, user, payload)  # noqa: E731
        elif kind == KIND_CARD_VERIFICATION:
            apply = lambda: cards.request_verification(ctx, user, payload)  # noqa: E731
        elif kind == KIND_CARD_BATCH:
            apply = lambda: cards.receive_batch(ctx, user, device_fingerprint, record)  # noqa: E731
        else:
            apply = lambda: submissions.apply(ctx, user, prepared, digest)  # noqa: E731
        try:
            with write_tx():
                _lock_union(user.union_id)
                # Again under the lock: a duplicate sent concurrently may have committed meanwhile.
                stored = _stored_answer(user, key, digest)
                if stored is None:
                    result = {"key": key, "status": "ok", "receipt": apply()}
                    IdempotencyRecord.create(key=key, union=user.union_id, user=user, kind=kind,
                                             payload_sha256=digest, response=result, created=ctx.now_naive())
            if stored is not None:
                return stored
        except IntegrityError:
            # A concurrent push of the same record (or nonce) won the race.
            stored = _stored_answer(user, key, digest)
            if stored is not None:
                return stored
            if kind == KIND_SUBMISSION and Nonce.get_or_none(Nonce.value == payload.get("nonce")):
                raise ProblemError("replayed_nonce") from None
            raise ProblemError("validation", "数据正被同时修改，请稍后重试") from None
        except DataError:
            raise ProblemError("validation", "数据中含有无法保存的字符或过长的文字") from None
        if kind in (KIND_SS_CHECK_REQUEST, KIND_CARD_VERIFICATION, KIND_CARD_BATCH):
            ctx.wake_worker.set()
        return result
    except ProblemError as error:
        log.info("push record %s (%s) refused: %s", key if isinstance(key, str) else "?", kind, error.code)
        return {"key": key, "status": "error", "problem": error.code, "message": error.message,
                "detail": error.detail}


def push(ctx: ServerContext, user: User, device_fingerprint: str | None, records: list[dict[str, Any]]) -> dict[str, Any]:
    if len(records) > ctx.settings.max_push_records:
        raise ProblemError("validation", f"一次最多上传 {ctx.settings.max_push_records} 条记录，请分批上传")
    results = [process_record(ctx, user, device_fingerprint, record) for record in records]
    ok = sum(1 for r in results if r["status"] == "ok")
    log.info("push by %s: %d records, %d ok", user.username, len(results), ok)
    return {"results": results}

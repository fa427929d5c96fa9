"""POST /push: records from a clerk's outbox, each answered on its own.

Every record has an idempotency key (the outbox row's uuid). A record that took effect is
remembered with a digest of its canonical payload and its answer (server/receipts.py), in the same transaction as
the effect: the same key with the same payload gets that first answer back, the same key with a
different payload gets idempotency_conflict. A refused record had no effect and is not
remembered, so the client may fix it and send it again under the same key (that is how a member
conflict is resolved).

A request is written in one transaction (server/batch.py): the stored answers of its keys are
looked up together first; then, under the union's write lock, the keys are looked up again (a
concurrent duplicate waits for the first request and answers with its stored answers), the
members its upserts name are read at once, each record runs in a savepoint of its own (a refused
record rolls back alone, the others keep their answers) — except a member upsert, which checks
everything before it writes and buffers a new member for one multi-row INSERT and an edit of an
existing one for the multi-row UPDATEs (anything else it saves runs in a savepoint of its own:
server/members.py _store) — and the feed changes, audit rows and idempotency records
are inserted together before the commit. The keys' unique index backs this
up: should the batch still collide with a writer outside the lock, each record is written again
in a transaction of its own — exactly one effect either way, and a kill at any point leaves the
whole request applied or none of it.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
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
    canonical_json,
    verify,
)
from app.protocol.receipts import pack_receipt
from app.protocol.wire import canonical_json_read
from app.rules.problems import RuleError
from server import cards, member_status, members, receipts, submissions
from server.accounts import device_for
from server.batch import Encoded, WriteBatch, collecting, encoded_answer, insert_rows, lock_union, relaxed_gc, rows_in
from server.campaigns import shanghai_today
from server.db import database, write_tx
from server.models import Device, IdempotencyRecord, Nonce, User
from server.problems import ProblemError
from server.settings import ServerContext

log = logging.getLogger("union_server.push")

UNSTORABLE = "数据中含有无法保存的字符或过长的文字"

Effect = Callable[[], dict[str, Any]]


def _answer(user: User, row: IdempotencyRecord, key: str, digest: str, payload: Any = None) -> dict[str, Any]:
    """The stored first answer `row` to `key` and `payload` (server/receipts.py); another payload
    or another union is idempotency_conflict."""
    if row.union_id != user.union_id or row.digest != receipts.digest(digest):
        raise ProblemError("idempotency_conflict", {"key": key})
    return receipts.expand(key, row.response, payload)


def stored_answer(user: User, key: str, digest: str, payload: Any = None) -> dict[str, Any] | None:
    """The first answer to the idempotency key `key` (None: not seen); the same key for another
    payload or another union is idempotency_conflict. Push records and transfers share the keys."""
    row = IdempotencyRecord.get_or_none(IdempotencyRecord.key == receipts.stored_key(key))
    return None if row is None else _answer(user, row, key, digest, payload)


def _stored_rows(keys: list[str]) -> dict[str, IdempotencyRecord]:
    """The idempotency records of these keys, by key as sent (one query on PostgreSQL, one per
    IN_LIST keys on SQLite: server/batch.py select_in)."""
    forms = {receipts.stored_key(key): key for key in keys}
    return {forms[row.key]: row for row in rows_in(IdempotencyRecord, "key", forms)}


def signer(user: User, device_fingerprint: str | None, record: PushRecord, canonical: bytes | None = None) -> Device:
    """The caller's active device whose key signed the record (unknown_device, bad_signature);
    `canonical`: the payload's canonical JSON, when the caller has encoded it already."""
    device = device_for(user, device_fingerprint)
    signed = canonical if canonical is not None else record.payload
    if record.signature is None or not verify(device.public_key, signed, record.signature):
        raise ProblemError("bad_signature")
    return device


def _prepare(ctx: ServerContext, user: User, device_fingerprint: str | None, record: PushRecord,
             digest: str, canonical: bytes | None = None) -> tuple[Effect, Any]:
    """Check what needs no lock — the signature, the payload's shape, a submission's PDF (slow
    for big batches) — and return the record's effect, to run under the union's lock."""
    device = signer(user, device_fingerprint, record, canonical) if record.kind in SIGNED_KINDS else None
    payload = PAYLOADS[record.kind].from_wire(record.payload)
    if isinstance(payload, wire.Submission):
        assert device is not None
        prepared = submissions.prepare(ctx, user, device, record, payload)
        if canonical is not None:
            prepared.canonical = canonical.decode("utf-8")
        return (lambda: submissions.apply(ctx, user, prepared, digest)), payload
    if isinstance(payload, wire.CardBatch):
        assert device is not None
        return (lambda: cards.receive_batch(ctx, user, device, record, payload)), payload
    if isinstance(payload, wire.MemberUpsert):
        return (lambda: members.member_upsert(ctx, user, payload)), payload
    if isinstance(payload, wire.SsCheckRequest):
        return (lambda: members.ss_check_request(ctx, user, payload)), payload
    if isinstance(payload, wire.Confirmation):
        return (lambda: members.confirm_members(ctx, user, payload)), payload
    if isinstance(payload, wire.MemberRemoval):
        return (lambda: member_status.remove_member(ctx, user, payload)), payload
    if isinstance(payload, wire.LifeStatusReport):
        return (lambda: member_status.report_life_status(ctx, user, payload)), payload
    return (lambda: cards.request_verification(ctx, user, payload)), payload


def _read(raw: dict[str, Any], plain: bool = False) -> tuple[PushRecord, str, bytes | None]:
    """The record, the SHA-256 of its canonical payload (validation when it has none) and, for a
    signed kind, that canonical JSON: encoded once, then hashed, verified and stored. `plain`: the
    request's body held no number without a canonical form (app.protocol.wire.loads_noting_numbers), so
    the payload is encoded without the walk that looks for one. The digest is always of the
    canonical form, whatever spelling the client sent."""
    record = PushRecord.from_wire(raw)
    try:
        canonical = canonical_json_read(record.payload) if plain else canonical_json(record.payload)
    except CanonicalJsonError as error:
        raise ProblemError("validation", f"payload 无法规范化：{error}（金额请用字符串）") from None
    return record, hashlib.sha256(canonical).hexdigest(), canonical if record.kind in SIGNED_KINDS else None


def _refusal(key: Any, kind: Any, caught: ProblemError | WireError) -> dict[str, Any]:
    error = caught if isinstance(caught, ProblemError) else ProblemError("validation", caught.detail)
    key, kind = _printable(key), _printable(kind)
    log.info("push record %s (%s) refused: %s", key if isinstance(key, str) else "?", kind, error.code)
    return {"key": key, "status": "error", "problem": error.code, "message": error.message,
            "detail": _printable(error.detail)}


@dataclass
class _Pending:
    """A record read and not answered from the stored answers: its effect, to run under the lock."""

    index: int
    record: PushRecord
    digest: str
    effect: Effect
    payload: Any


def _alone(ctx: ServerContext, user: User, item: _Pending) -> dict[str, Any]:
    """The record in a transaction of its own (when its request's batch could not commit)."""
    try:
        return _apply_once(ctx, user, item.record, item.digest, item.effect)
    except (ProblemError, WireError) as caught:
        return _refusal(item.record.key, item.record.kind, caught)


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
            lock_union(user.union_id)  # serialises the union's writers (server/batch.py)
            # Again under the lock: a duplicate sent concurrently may have committed meanwhile.
            stored = stored_answer(user, record.key, digest, record.payload)
            if stored is not None:
                return stored
            result = {"key": record.key, "status": "ok", "receipt": apply()}
            IdempotencyRecord.create(key=receipts.stored_key(record.key), union=user.union_id, digest=receipts.digest(digest),
                                     response=receipts.compact(result, record.payload), created=ctx.now_naive())
            return result
    except IntegrityError:
        return _after_clash(user, record, digest)
    except DataError:
        raise ProblemError("validation", UNSTORABLE) from None


def _after_clash(user: User, record: PushRecord, digest: str) -> dict[str, Any]:
    """A unique index refused the record's writes: a concurrent push of the same record (or nonce)
    won the race — its stored answer, or replayed_nonce, or try again."""
    stored = stored_answer(user, record.key, digest, record.payload)
    if stored is not None:
        return stored
    if record.kind == RecordKind.SUBMISSION and Nonce.get_or_none(Nonce.value == record.payload.get("nonce")):
        raise ProblemError("replayed_nonce") from None
    raise ProblemError("validation", "数据正被同时修改，请稍后重试") from None


def _in_savepoint(user: User, batch: WriteBatch, item: _Pending) -> tuple[dict[str, Any], bool]:
    """Run the record's effect in a savepoint of the batch's transaction: (answer, new). A refusal
    rolls back the record's own writes and what it buffered, nothing of the other records'."""
    if item.record.kind != RecordKind.MEMBER_UPSERT:
        batch.settle()  # the members' changes so far get their records before another kind touches them
        batch.write_claims()
    mark = batch.mark()
    try:
        if item.record.kind == RecordKind.MEMBER_UPSERT:
            # No savepoint: member_upsert checks everything before it writes, then buffers a new
            # member or an edit, or writes in a savepoint of its own (server/members.py _store).
            answer = {"key": item.record.key, "status": "ok", "receipt": item.effect()}
        else:
            with database.atomic():
                answer = {"key": item.record.key, "status": "ok", "receipt": item.effect()}
    except ProblemError:
        batch.rollback_to(mark)
        raise
    except IntegrityError:
        batch.rollback_to(mark)
        return _after_clash(user, item.record, item.digest), False
    except DataError:
        batch.rollback_to(mark)
        raise ProblemError("validation", UNSTORABLE) from None
    if item.record.kind != RecordKind.MEMBER_UPSERT:
        batch.forget_lookups()  # other kinds change members and claims the batch may have looked up
    return answer, True


def _origin(user: User, device_fingerprint: str | None) -> int | None:
    """The caller's active device that sent the request, if it named one."""
    if not device_fingerprint:
        return None
    device = Device.get_or_none((Device.user == user) & (Device.fingerprint == device_fingerprint)
                                & Device.revoked.is_null())
    return None if device is None else int(device.id)


def _phones(upserts: list[wire.MemberUpsert]) -> list[str]:
    """The phones the upserts set, as the server stores them (the unreadable ones are refused later)."""
    phones = []
    for payload in upserts:
        raw = payload.fields.get("phone")
        if isinstance(raw, str) and raw.strip():
            try:
                phones.append(members.stored_phone(raw))
            except RuleError:
                pass
    return phones


def _write_batch(ctx: ServerContext, user: User, todo: list[_Pending], origin: int | None) -> dict[int, dict[str, Any]]:
    """Every record of the request in one transaction under the union's lock: each in its own
    savepoint, the feed changes, audit rows and idempotency records written together at the end.
    A member upsert's change is marked with the `origin` device, whose pulls skip it (no echo)."""
    answers: dict[int, dict[str, Any]] = {}
    done: dict[str, tuple[str, dict[str, Any]]] = {}  # a key sent twice in one request
    remembered: list[dict[str, Any]] = []
    answers_seen: dict[tuple[Any, ...], Encoded] = {}
    with collecting() as batch, write_tx():
        batch.now, batch.today = ctx.now_naive(), shanghai_today(ctx)
        created = IdempotencyRecord.created.db_value(batch.now)  # the records' time, converted once
        own = batch.unions[user.union_id] = lock_union(user.union_id)
        batch.count_from(user.union_id, int(own.change_seq or 0))
        # Again under the lock: a duplicate sent concurrently may have committed meanwhile.
        again = _stored_rows([item.record.key for item in todo])
        upserts = [item.payload for item in todo if isinstance(item.payload, wire.MemberUpsert)]
        batch.look_up(user.union_id, [p.id_number.strip().upper() for p in upserts], _phones(upserts))
        for item in todo:
            key, digest = item.record.key, item.digest
            try:
                if key in again:
                    answers[item.index] = _answer(user, again[key], key, digest, item.record.payload)
                    continue
                if key in done:
                    if done[key][0] != digest:
                        raise ProblemError("idempotency_conflict", {"key": key})
                    answers[item.index] = done[key][1]
                    continue
                batch.origin = origin if item.record.kind == RecordKind.MEMBER_UPSERT else None
                answer, new = _in_savepoint(user, batch, item)
            except (ProblemError, WireError) as caught:
                answers[item.index] = _refusal(key, item.record.kind, caught)
                continue
            answers[item.index] = answer
            if new:
                done[key] = (digest, answer)
                remembered.append({"key": receipts.stored_key(key), "union": user.union_id, "digest": receipts.digest(digest),
                                   "response": encoded_answer(receipts.compact(answer, item.record.payload), answers_seen),
                                   "created": created})
        batch.flush()
        insert_rows(IdempotencyRecord, remembered)
    return answers


def _answer_all(ctx: ServerContext, user: User, device_fingerprint: str | None,
                records: list[dict[str, Any]], plain: bool = False) -> list[dict[str, Any]]:
    """Each record's answer: refusals of what cannot be read or prepared, stored answers of keys
    seen before (looked up together), then the rest written in one transaction."""
    results: list[dict[str, Any] | None] = [None] * len(records)
    read: list[tuple[int, PushRecord, str, bytes | None]] = []
    for index, raw in enumerate(records):
        try:
            read.append((index, *_read(raw, plain)))
        except (ProblemError, WireError) as caught:
            results[index] = _refusal(raw.get("key"), raw.get("kind"), caught)
    stored = _stored_rows([record.key for _, record, _, _ in read])
    todo: list[_Pending] = []
    for index, record, digest, canonical in read:
        try:
            if record.key in stored:
                results[index] = _answer(user, stored[record.key], record.key, digest, record.payload)
                continue
            todo.append(_Pending(index, record, digest, *_prepare(ctx, user, device_fingerprint, record, digest,
                                                                      canonical)))
        except (ProblemError, WireError) as caught:
            results[index] = _refusal(record.key, record.kind, caught)
    if todo:
        try:
            answers = _write_batch(ctx, user, todo, _origin(user, device_fingerprint))
        except (IntegrityError, DataError) as error:
            # The batch could not commit as one (a key or nonce taken meanwhile by a writer outside
            # the union's lock): each record in a transaction of its own, as it would alone.
            log.warning("push by %s: the batch of %d records could not be written as one (%s); "
                        "writing them one at a time", user.username, len(todo), type(error).__name__)
            answers = {item.index: _alone(ctx, user, item) for item in todo}
        for index, answer in answers.items():
            results[index] = answer
        if any(item.record.kind in JOB_KINDS and answers[item.index]["status"] == "ok" for item in todo):
            ctx.wake_worker.set()
    return [result for result in results if result is not None]


def _packed(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The answers with each member upsert's receipt packed (app/protocol/receipts.py)."""
    out = []
    for result in results:
        packed = pack_receipt(result.get("receipt")) if result["status"] == "ok" else None
        out.append(result if packed is None else {"key": result["key"], "status": "ok", "receipt": packed})
    return out


def push(ctx: ServerContext, user: User, device_fingerprint: str | None, records: list[dict[str, Any]],
         *, plain: bool = False, packed: bool = False) -> dict[str, Any]:
    """The answers to `records`; `plain`: they were parsed by app.protocol.wire.loads_noting_numbers,
    which found every number in a canonical form (see _read); `packed`: the request asked for
    member upserts' receipts packed."""
    if len(records) > ctx.settings.max_push_records:
        raise ProblemError("validation", f"一次最多上传 {ctx.settings.max_push_records} 条记录，请分批上传")
    with relaxed_gc():
        results = _answer_all(ctx, user, device_fingerprint, records, plain)
    ok = sum(1 for r in results if r["status"] == "ok")
    log.info("push by %s: %d records, %d ok", user.username, len(results), ok)
    return {"results": _packed(results) if packed else results}

"""The push's side of SyncEngine: outbox rows claimed a chunk at a time, encoded, sent, answered.

A chunk is claimed in one short transaction (read as plain rows, submissions priced and stamped,
all marked "sending" with one attempt more) and sent on the push thread, each unsigned payload as
the canonical text its row froze (app.protocol.push_body). The answers are applied in another
transaction: accepted member upserts in bulk (app.sync.member_queue), every other row on its own.

While the server works on a chunk this PC writes the answers of the one before and claims the
chunk after it (one transaction), and makes that chunk's request body: once a chunk's answers are
all final (accepted, or refused for good) the chunk claimed meanwhile is sent at once, with no
database write in between, and those answers applied while it is on its way. When the answer
accepts every record (read on its raw bytes, all_accepted) the push thread that read it sends the
next request itself, before decoding the answer and before the syncing thread wakes (Relay): the
server waits 1-4 ms between requests, not 20-40 (bench/sync.py --trace-push, a loaded box). A cancel or an answer to send again (a transient
problem, a submission to stamp or price again) stops that: the answers are applied, then the
next chunk is claimed from the start of the outbox, as one at a time would. Every answer received
is applied before the push ends, cancelled or not; a row claimed but not sent, or whose answer
never came, stays "sending" and goes again under the same key (exactly one effect on the
server; its attempts count each claim). The member changes of a big union are queued between
requests the same way, a chunk when less than a request's rows wait (SyncEngine.push).
"""
from __future__ import annotations

import hashlib
import json
import secrets
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.models import Batch, Member, Outbox, db
from app.models.queries import push as push_sql
from app.protocol import (
    SIGNED_KINDS,
    MemberUpsert,
    PushRecord,
    RecordKind,
    SubmissionStatus,
    canonical_text,
    format_timestamp,
    message_for,
)
from app.protocol.push_body import EncodedRecord
from app.sync import cards as card_sync
from app.sync import member_queue, removals
from app.sync.client import PreparedPush, ServerProblem

if TYPE_CHECKING:
    from app.sync.engine import SyncReport

#: Problems worth sending again unchanged (the server may take it next time).
TRANSIENT = {"internal", "rate_limited", "token_expired", "clock_skew"}
#: The server decided other dates or prices than the copy sent: price again and resend.
REPRICE = {"coverage_mismatch", "price_mismatch"}
MAX_REPRICE_ATTEMPTS = 3


@dataclass
class Sending:
    """An outbox row on its way up (app.models.queries.push.SEND_COLUMNS)."""

    id: int
    key: str
    kind: str
    payload: str
    payload_sha256: str
    state: str
    attempts: int
    member_id: int | None
    attachment: str | None

    @classmethod
    def of(cls, row: Outbox) -> Sending:
        return cls(row.id, row.key, row.kind, row.payload, row.payload_sha256, row.state, row.attempts,
                   row.member_id, row.attachment)


def answered_for_good(rows: list[Sending], by_key: Mapping[str, Any]) -> bool:
    """Whether every row has an answer that will not send it again (accepted, or refused for good;
    a refused submission may be stamped or priced again, so it does not count)."""
    for row in rows:
        result = by_key.get(row.key)
        if result is None:
            return False
        if result.get("status") != "ok" and (result.get("problem") in TRANSIENT or row.kind == RecordKind.SUBMISSION):
            return False
    return True


def all_accepted(raw: bytes, count: int) -> bool:
    """Whether the raw JSON of a push answer says "ok" to each of its `count` records, read
    without decoding it: as many `"status":` as records, each `"status":"ok"` (a quote inside a
    text is escaped, so only keys match; anything else — a refusal, a nested status, other
    spacing — is False, and the answer is judged decoded, by answered_for_good)."""
    return raw.count(b'"status":"ok"') == raw.count(b'"status":') == count


#: Seconds a push thread that sent the next request on waits for it to start before decoding.
GOING_WAIT = 0.02
#: A push thread's answer: the chunk sent, its answers by key, the request sent on from it.
Answer = tuple[list[Sending], dict[str, Any], "Relayed | None"]
#: A request sent on by a push thread: its answer to come, the chunk it carries.
Relayed = tuple["Future[Answer]", list[Sending]]


class Relay:
    """The chunk claimed while the one before it is on its way, handed to the push threads: it is
    sent the moment that answer is read, when it accepted every record (all_accepted) and no
    cancel came, before the answer is decoded and the calling thread wakes. Otherwise the calling
    thread takes it back (`withdraw`) and decides as with any answer."""

    def __init__(self, send: Callable[[list[Sending], PreparedPush], Future[Answer]], cancelled: threading.Event) -> None:
        self._send, self._cancelled = send, cancelled
        self._lock = threading.Lock()
        self._ready: tuple[list[Sending], PreparedPush] | None = None

    def offer(self, rows: list[Sending], records: PreparedPush) -> None:
        with self._lock:
            self._ready = (rows, records)

    def withdraw(self) -> None:
        with self._lock:
            self._ready = None

    def take(self) -> Relayed | None:
        """On a push thread, an answer accepted in full: the offered chunk sent, if any."""
        with self._lock:
            if self._ready is None or self._cancelled.is_set():
                return None
            (rows, records), self._ready = self._ready, None
        future = self._send(rows, records)
        # The answer read here is decoded once the other push thread is on its way: json's decoder
        # keeps the interpreter's lock for as long as it decodes (milliseconds) and would hold the
        # request back until it is done.
        records.going.wait(GOING_WAIT)
        return future, rows


class Pushing:
    """Mixed into SyncEngine (which holds client, run_db, device_key, prepare_submission …)."""

    def _encode(self, row: Sending) -> Mapping[str, Any]:
        kind = RecordKind(row.kind)
        if kind not in SIGNED_KINDS:
            return EncodedRecord(row.key, str(kind), row.payload)
        if self.device_key is None:
            raise ServerProblem("unknown_device", 0)
        pdf = Path(row.attachment).read_bytes() if kind == RecordKind.SUBMISSION and row.attachment else None
        return PushRecord.signed(row.key, kind, json.loads(row.payload), self.device_key, pdf).to_wire()

    def _prepared(self, rows: list[Sending]) -> PreparedPush:
        """A claimed chunk's records and request body, made before it is sent."""
        return PreparedPush(self.device_fingerprint, [self._encode(r) for r in rows])

    def _send(self, rows: list[Sending], records: PreparedPush, relay: Relay | None = None) -> Answer:
        """On a push thread: send a claimed chunk; its answers by key, and the request `relay`
        sent on as this one's answer came (None: not sent)."""
        relayed: list[Relayed | None] = []
        if relay is not None:
            records.answered = lambda raw: relayed.append(relay.take() if all_accepted(raw, len(rows)) else None)
        results = self.client.push(self.device_fingerprint, records)
        return rows, {r["key"]: r for r in results}, relayed[0] if relayed else None

    def _claim(self, report: SyncReport, after: int, limit: int, upserts_only: bool = False) -> list[Sending]:
        """The next rows to send after row `after`, marked as sending (submissions priced and
        stamped) in one transaction. `upserts_only` (a chunk claimed while the one before is on
        its way): only the member upserts before the first row of another kind, which is claimed
        as it is about to go (a batch is priced and stamped then, and stays open to change until)."""
        with db.atomic("IMMEDIATE"):
            rows = [Sending(*values) for values in push_sql.outbox_to_send(after, limit)]
            if upserts_only:
                rows = rows[:next((i for i, r in enumerate(rows) if r.kind != RecordKind.MEMBER_UPSERT), len(rows))]
            for i, row in enumerate(rows):
                if row.kind == RecordKind.SUBMISSION and row.state == "to_send":
                    prepared = self._prepare(Outbox.get_by_id(row.id), report)
                    self._stamp(prepared)
                    rows[i] = Sending.of(prepared)
            push_sql.mark_sending(r.id for r in rows)
        for row in rows:
            row.state, row.attempts = "sending", row.attempts + 1
        return rows

    def _answered(self, report: SyncReport, rows: list[Sending], by_key: dict[str, Any], after: int,
                  steps: list[Callable[[], int]], chunk: int) -> tuple[list[Sending], int]:
        """On the database worker while the server takes the chunk that ends with row `after`, in
        one transaction (a queueing step's own is a savepoint in it: one commit a request, where a
        step's own commit made it two every other one): these answers written, the member upserts
        after that chunk claimed (`chunk` at most), then members queued (`steps`, popped) when less than a request's
        rows wait (queued far ahead of what is sent, the outbox grew to half the members, every
        chunk's rows going into and out of a key index that many pages long). Returns the rows
        claimed and how many rows the steps queued beyond one a member."""
        queued = 0
        with db.atomic("IMMEDIATE"):
            self._apply_results(rows, by_key, report)
            claimed = self._claim(report, after, chunk, True)
            while not claimed and steps and not push_sql.outbox_to_send(after, 1):  # the outbox ran dry
                queued += steps.pop(0)()
                claimed = self._claim(report, after, chunk, True)
            last = claimed[-1].id if claimed else after
            if steps and push_sql.waiting_after(last, chunk) < chunk:
                queued += steps.pop(0)()
        return claimed, queued

    def _apply_results(self, rows: list[Sending], by_key: dict[str, Any], report: SyncReport) -> None:
        with db.atomic("IMMEDIATE"):
            accepted = member_queue.apply_accepted_upserts(rows, by_key)
            report.pushed += len(accepted)
            others = [r.id for r in rows if r.id not in accepted and r.key in by_key]
            if not others:
                return
            answered = list(Outbox.select().where(Outbox.id.in_(others)).order_by(Outbox.id))
            for row in answered:
                self._apply_result(row, by_key.get(row.key), report)


    def _prepare(self, row: Outbox, report: SyncReport) -> Outbox:
        """Price a submission never sent as the server will on its date (see prepare_submission)."""
        if self.prepare_submission is None:
            return row
        note = self.prepare_submission(row.id, self.server_today())
        if note:
            report.notices.append(note)
        return Outbox.get_by_id(row.id)

    def _stamp(self, row: Outbox) -> None:
        """Give a submission its nonce and timestamp as it is first sent (not when it was queued,
        which may have been offline hours ago); from then on its bytes never change."""
        payload = json.loads(row.payload)
        payload["nonce"] = secrets.token_hex(16)
        payload["timestamp"] = format_timestamp(self.now())
        row.payload = canonical_text(payload)
        row.payload_sha256 = hashlib.sha256(row.payload.encode("utf-8")).hexdigest()
        row.save()

    def _apply_result(self, row: Outbox, result: dict[str, Any] | None, report: SyncReport) -> None:
        if result is None:
            return  # not answered: stays "sending", resent under the same key
        if result.get("status") == "ok":
            row.state, row.sent_at = "sent", datetime.now().replace(microsecond=0)
            row.receipt = json.dumps(result.get("receipt"), ensure_ascii=False)
            row.problem = row.last_error = None
            row.save()
            report.pushed += 1
            if row.kind in (RecordKind.CARD_VERIFICATION, RecordKind.CARD_BATCH):
                card_sync.push_answered(row.kind, json.loads(row.payload), receipt=result.get("receipt"))
            if row.kind == RecordKind.MEMBER_REMOVAL:
                removals.removal_answered(row, None)
            if row.kind == RecordKind.SUBMISSION:
                receipt = result.get("receipt") or {}
                Batch.update(status=receipt.get("status") or SubmissionStatus.UNDER_REVIEW, problem=None,
                             updated_at=datetime.now().replace(microsecond=0)).where(Batch.outbox == row.id).execute()
            return
        member = Member.get_or_none(Member.id == row.member_id) if row.member_id else None
        problem = result.get("problem") or "internal"
        message = message_for(problem, result.get("message") if problem == "validation" else None)
        row.problem, row.last_error = problem, message
        # A submission that waited too long in flight is stamped afresh and sent again: the server
        # keeps no memory of a refused record, so the same key is still free.
        retry = problem in TRANSIENT or (row.kind == RecordKind.SUBMISSION and problem == "stale_timestamp")
        # Re-priced for a date that ended before the server received it (midnight in between):
        # priced again for the server's new date and sent again, a few times at most.
        retry = retry or (row.kind == RecordKind.SUBMISSION and problem in REPRICE and self.prepare_submission is not None
                          and row.attempts < MAX_REPRICE_ATTEMPTS)
        row.state = "to_send" if retry else "error"
        row.save()
        if retry:
            return
        report.refused += 1
        report.errors.append(message)
        if row.kind in (RecordKind.CARD_VERIFICATION, RecordKind.CARD_BATCH):
            card_sync.push_answered(row.kind, json.loads(row.payload), problem=message)
        if row.kind == RecordKind.MEMBER_REMOVAL:
            removals.removal_answered(row, message)
        if row.kind == RecordKind.SUBMISSION:
            Batch.update(status="refused", problem=message, updated_at=datetime.now().replace(microsecond=0)).where(
                Batch.outbox == row.id).execute()
        if member is not None and row.kind == RecordKind.LIFE_STATUS:
            member.sync_error = message  # the clerk's mark stays here; the message says what to fix
            member.save()
        if member is not None and row.kind == RecordKind.MEMBER_UPSERT:
            if problem == "conflict":
                detail = result.get("detail") or {}
                member.conflict = json.dumps(detail.get("fields") or {}, ensure_ascii=False)
                member.sync_state = "conflict"
            else:
                member.sync_state = "error"
                member.sync_error = message
            # What was refused stays to send again once fixed.
            dirty = set(json.loads(member.dirty_fields or "[]"))
            dirty |= set(MemberUpsert.from_wire(json.loads(row.payload)).fields)
            member.dirty_fields = json.dumps(sorted(dirty))
            member.save()


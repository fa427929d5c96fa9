"""Member cards over the sync (SPEC §5.3): what the engine does for the card queue and batches.

- Up: `queue_server_checks` turns queued members whose server verification is due into
  `card_verification` outbox rows (at most MAX_REQUEST_IDS numbers each, a fresh request_id per
  row). The engine calls it after queueing member changes, so a corrected expiry reaches the
  server before the request to check it; members whose own sync is stuck wait, and say why.
- Answers: `push_answered` records the server's receipt or refusal of a card record — a refused
  verification request leaves its members 未校验 with the reason (重新校验 asks again); a refused
  batch is marked 未受理 with the reason and its members refused, so the clerk can put them back
  in the queue from 办卡批次管理.
- Down: `apply_card_checks` applies `card_check` changes to the queue rows still waiting for that
  request (an answer to a superseded request is ignored); `apply_card_batches` applies
  `card_batch` changes (status, counts, each member's outcome and card number), adding batches
  made on another PC of the union. The card numbers themselves come with the members.

Everything runs inside the engine's transactions; imports models and rules only.
"""
from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from peewee import chunked

from app.models import Member, db
from app.models.bulk import insert_rows
from app.models.outbox import enqueue
from app.models.queries import (
    note_withdrawal,
    queue_rows_by_request,
    update_card_batch_members,
    update_queue_rows,
)
from app.models.tables import CardBatch, CardBatchMember, CardQueue
from app.protocol import CardBatchStatus, CardCheckResult, CardVerification, RecordKind
from app.rules.cards import (
    PASSED,
    SERVER_ERROR,
    SERVER_FAILED,
    SERVER_PASSED,
    SERVER_PENDING,
    SERVER_TO_REQUEST,
    SYNC_BLOCKED,
    UNVERIFIED,
    WAITING_FOR_SERVER,
    combine,
)

MAX_REQUEST_IDS = 5000  # members per card_verification record


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def queue_server_checks(union_id: int, org_code: str) -> int:
    """Make card_verification outbox rows for queued members whose server check is due; returns
    how many records were made. Members whose own sync is stuck (conflict, refused) wait."""
    with db.atomic("IMMEDIATE"):
        rows = list(CardQueue.select(CardQueue.id, Member.id_number, Member.sync_state)
                    .join(Member, on=(CardQueue.member == Member.id))
                    .where((CardQueue.union == union_id) & (CardQueue.server_result == SERVER_TO_REQUEST)
                           & (CardQueue.local_result == PASSED))
                    .order_by(CardQueue.id).dicts())
        blocked = [r for r in rows if r["sync_state"] in ("conflict", "error")]
        ready = [r for r in rows if r["sync_state"] not in ("conflict", "error")]
        update_queue_rows([(r["id"], {"result": UNVERIFIED, "reason": SYNC_BLOCKED}) for r in blocked])
        made = 0
        for chunk in chunked(ready, MAX_REQUEST_IDS):
            request_id = uuid.uuid4().hex
            enqueue(CardVerification(request_id, [r["id_number"] for r in chunk], union=org_code))
            update_queue_rows([(r["id"], {"server_result": SERVER_PENDING, "server_request": request_id,
                                          "server_reason": "", "result": UNVERIFIED,
                                          "reason": WAITING_FOR_SERVER}) for r in chunk])
            made += 1
    return made


def apply_card_checks(union_id: int, checks: list[Mapping[str, Any]]) -> int:
    """Apply pulled card_check changes; returns how many queue rows they settled."""
    by_request: dict[str, list[Mapping[str, Any]]] = {}
    for check in checks:
        if check.get("request_id"):
            by_request.setdefault(str(check["request_id"]), []).append(check)
    updates: list[tuple[int, dict[str, Any]]] = []
    stamp = str(_now())
    for request_id, answers in by_request.items():
        waiting = queue_rows_by_request(request_id)
        for answer in answers:
            queue_id = waiting.get(str(answer.get("id_number")))
            if queue_id is None:
                continue  # removed from the queue, or asked again since: this answer is stale
            server = SERVER_PASSED if answer.get("result") == CardCheckResult.PASSED else SERVER_FAILED
            reason = str(answer.get("reason") or "")
            result, shown = combine(PASSED, "", server, reason)
            updates.append((queue_id, {"server_result": server, "server_reason": reason, "server_request": None,
                                       "server_checked_at": stamp, "result": result, "reason": shown}))
    update_queue_rows(updates)
    return len(updates)


def apply_card_batches(union_id: int, batches: list[Mapping[str, Any]]) -> int:
    """Apply pulled card_batch changes: status, counts and each member's outcome."""
    for data in batches:
        batch_no = str(data.get("batch_no") or "")
        batch = CardBatch.get_or_none((CardBatch.batch_no == batch_no) & (CardBatch.union == union_id))
        members = list(data.get("members") or [])
        now = _now()
        if batch is None:  # made on another PC of the union
            batch = CardBatch.create(union=union_id, batch_no=batch_no, member_count=len(members),
                                     status=data.get("status") or CardBatchStatus.ISSUING, submitted_at=now, updated_at=now,
                                     actor=str(data.get("submitted_by") or ""))
            numbers = [str(m.get("id_number")) for m in members]
            local: dict[str, tuple[int, str]] = {}
            for chunk in chunked(numbers, 500):
                query = Member.select(Member.id, Member.id_number, Member.name).where(
                    (Member.union == union_id) & Member.id_number.in_(chunk))
                local.update({m.id_number: (m.id, m.name) for m in query})
            insert_rows(CardBatchMember, [{"batch": batch.id, "member": local.get(n, (None, ""))[0],
                                           "id_number": n, "name": local.get(n, (None, ""))[1],
                                           "outcome": "pending", "reason": ""} for n in numbers])
        update_card_batch_members(batch.id, [(str(m.get("outcome") or "pending"), m.get("card_no"),
                                              str(m.get("reason") or ""), str(m.get("id_number")))
                                             for m in members])
        batch.status = data.get("status") or batch.status
        batch.issued_count = int(data.get("issued") or 0)
        batch.refused_count = int(data.get("refused") or 0)
        batch.problem = None
        batch.updated_at = now
        note_withdrawal(batch, data.get("withdrawal"))
        batch.save()
    return len(batches)



def push_answered(kind: str, payload: Mapping[str, Any], *, receipt: Mapping[str, Any] | None = None,
                  problem: str | None = None) -> None:
    """The server's answer to one of our card records (`problem`: its refusal, in words)."""
    if kind == RecordKind.CARD_VERIFICATION:
        if problem is None:
            return
        waiting = queue_rows_by_request(str(payload.get("request_id") or ""))
        update_queue_rows([(queue_id, {"server_result": SERVER_ERROR, "server_reason": problem,
                                       "server_request": None, "result": UNVERIFIED,
                                       "reason": combine(PASSED, "", SERVER_ERROR, problem)[1]})
                           for queue_id in waiting.values()])
    elif kind == RecordKind.CARD_BATCH:
        batch = CardBatch.get_or_none(CardBatch.batch_no == str(payload.get("batch_no") or ""))
        if batch is None:
            return
        batch.updated_at = _now()
        if problem is None:
            if batch.status in ("queued", "refused"):
                batch.status = str((receipt or {}).get("status") or CardBatchStatus.ISSUING)
            batch.problem = None
            batch.save()
            return
        batch.status, batch.problem = "refused", problem
        batch.refused_count = batch.member_count
        batch.save()
        CardBatchMember.update(outcome="refused", reason=problem).where(CardBatchMember.batch == batch.id).execute()

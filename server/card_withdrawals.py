"""撤销办卡批次 and its 审核 (the district's menu, manual part 4): a grassroots clerk asks to withdraw
a card batch whose cards are not made yet; its district approves or refuses.

- request: the clerk's own batch, still 制卡中 with no card issued, no request pending. From then on
  the card worker holds the batch (server/card_jobs.py `withdrawal_pending`) until the decision.
- approve (the district of the batch's union): checked again under the write lock — still no card
  issued — then the batch becomes withdrawn, every undecided member's outcome withdrawn, their
  card_status back to none (so they may be applied for again), and the batch's issue job ends.
- refuse (with a reason): the request is closed and the cards are made as applied, at once.
Every step is audited and goes into the union's feed with the batch (its `withdrawal` field).
"""
from __future__ import annotations

from typing import Any

from peewee import JOIN

from app.protocol import CardBatchStatus, CardOutcome, Entity
from app.protocol.withdrawals import MAX_WITHDRAWAL_REASON, WITHDRAWAL_LABELS, WithdrawalStatus
from app.rules.codes import CardStatus
from server.accounts import audit
from server.cards import emit_batch
from server.changes import emit_change, member_record
from server.db import is_sqlite, write_tx
from server.leases import DONE, QUEUED
from server.members import find_members
from server.models import CardBatch, CardBatchMember, CardJob, CardWithdrawal, Union, User
from server.problems import ProblemError
from server.settings import ServerContext
from server.superior.scope import district_union, in_subtree


def _reason(text: str, what: str) -> str:
    reason = " ".join((text or "").split())
    if not reason or len(reason) > MAX_WITHDRAWAL_REASON:
        raise ProblemError("validation", f"请填写{what}（不超过{MAX_WITHDRAWAL_REASON}字）")
    return reason


def withdrawal_pending(batch_id: int) -> bool:
    """Whether a request to withdraw the batch waits for the district (its cards are held)."""
    return CardWithdrawal.select().where((CardWithdrawal.batch == batch_id)
                                         & (CardWithdrawal.status == WithdrawalStatus.PENDING)).exists()


def record(w: CardWithdrawal, batch: CardBatch | None = None, union: Union | None = None) -> dict[str, Any]:
    batch = batch or CardBatch.get_by_id(w.batch_id)
    union = union or Union.get_by_id(w.union_id)
    return {"id": w.id, "batch_no": batch.batch_no, "member_count": batch.member_count, "batch_status": batch.status,
            "union": {"org_code": union.org_code, "name": union.name}, "reason": w.reason, "status": w.status,
            "status_label": WITHDRAWAL_LABELS.get(w.status, w.status),
            "requested_at": w.requested.isoformat() + "Z", "received_at": batch.received.isoformat() + "Z",
            "decided_at": w.decided.isoformat() + "Z" if w.decided else None, "decision_reason": w.decision_reason}


def _locked_batch(batch_id: int) -> CardBatch:
    query = CardBatch.select().where(CardBatch.id == batch_id)
    return (query if is_sqlite() else query.for_update()).get()


def request_withdrawal(ctx: ServerContext, user: User, batch_no: str, reason: str) -> dict[str, Any]:
    """The clerk's request (a grassroots clerk, its own union's batch only)."""
    reason = _reason(reason, "撤销原因")
    own = Union.get_by_id(user.union_id)
    if user.role != "clerk" or own.level != "grassroots":
        raise ProblemError("union_scope", "只有基层工会可以申请撤销本单位的办卡批次")
    with write_tx():
        found = CardBatch.get_or_none((CardBatch.union == own) & (CardBatch.batch_no == batch_no))
        if found is None:
            raise ProblemError("not_found", "没有找到这个办卡批次")
        batch = _locked_batch(found.id)
        if batch.status != CardBatchStatus.ISSUING or batch.issued > 0:
            raise ProblemError("batch_state", "该批次已开始发卡或已完成，不能撤销")
        if withdrawal_pending(batch.id):
            raise ProblemError("batch_state", "该批次已申请撤销，正在等待区局(产业)工会审核")
        now = ctx.now_naive()
        w = CardWithdrawal.create(batch=batch, union=own, requested_by=user, reason=reason, requested=now)
        emit_batch(ctx, batch)
        audit(ctx, "card_withdrawal_requested", user=user, union=own, entity="card_batch", entity_key=batch_no,
              detail={"withdrawal": w.id, "reason": reason})
    return record(w, batch, own)


def list_withdrawals(user: User, status: str | None = WithdrawalStatus.PENDING) -> dict[str, Any]:
    """撤销办卡批次审核: the requests of the district's unions (pending by default; "" for all); a
    grassroots clerk gets its own union's, to read the district's answer."""
    own = Union.get_by_id(user.union_id)
    scope = (Union.id == own.id) if user.role == "clerk" and own.level == "grassroots" else in_subtree(district_union(user))
    query = (CardWithdrawal.select(CardWithdrawal, CardBatch, Union)
             .join(CardBatch, on=(CardWithdrawal.batch == CardBatch.id))
             .switch(CardWithdrawal).join(Union, JOIN.INNER, on=(CardWithdrawal.union == Union.id))
             .where(scope))
    if status:
        query = query.where(CardWithdrawal.status == status)
    rows = [record(w, w.batch, w.union) for w in query.order_by(CardWithdrawal.requested, CardWithdrawal.id).limit(2000)]
    return {"total": len(rows), "withdrawals": rows}


def _end_issue_jobs(batch: CardBatch, now: Any, *, run_now: bool) -> None:
    jobs = CardJob.update(**({"not_before": now} if run_now else {"status": DONE, "finished": now})).where(
        (CardJob.batch == batch.id) & (CardJob.status == QUEUED))
    jobs.execute()


def decide(ctx: ServerContext, user: User, withdrawal_id: int, approve: bool, reason: str = "") -> dict[str, Any]:
    """The district's decision on one request (its subtree only; anything else is union_scope)."""
    own = district_union(user)
    refusal = "" if approve else _reason(reason, "不同意撤销的原因")
    with write_tx():
        w = (CardWithdrawal.select(CardWithdrawal).join(Union, on=(CardWithdrawal.union == Union.id))
             .where((CardWithdrawal.id == withdrawal_id) & in_subtree(own)).first())
        if w is None:
            raise ProblemError("union_scope", "该撤销申请不在本单位的审核范围内")
        if w.status != WithdrawalStatus.PENDING:
            raise ProblemError("batch_state", "该撤销申请已经审核过了")
        batch = _locked_batch(w.batch_id)
        now = ctx.now_naive()
        if approve and (batch.status != CardBatchStatus.ISSUING or batch.issued > 0):
            raise ProblemError("batch_state", "该批次已开始发卡，不能撤销；请不同意并说明原因")
        w.status = WithdrawalStatus.APPROVED if approve else WithdrawalStatus.REFUSED
        w.decided_by, w.decided, w.decision_reason = user, now, refusal or None
        w.save()
        if approve:
            _withdraw(ctx, batch, now)
        _end_issue_jobs(batch, now, run_now=not approve)
        emit_batch(ctx, batch)
        audit(ctx, "card_withdrawal_approved" if approve else "card_withdrawal_refused", user=user,
              union=Union.get_by_id(batch.union_id), entity="card_batch", entity_key=batch.batch_no,
              detail={"withdrawal": w.id, "reason": refusal or None})
    if not approve:
        ctx.wake_worker.set()
    return record(w, batch)


def _withdraw(ctx: ServerContext, batch: CardBatch, now: Any) -> None:
    """The batch withdrawn: its undecided members free to be applied for again."""
    pending = list(CardBatchMember.select().where((CardBatchMember.batch == batch)
                                                  & (CardBatchMember.outcome == CardOutcome.PENDING)))
    CardBatchMember.update(outcome=str(CardOutcome.WITHDRAWN), reason="办卡批次已撤销，可重新申请办卡。",
                           decided=now).where((CardBatchMember.batch == batch)
                                              & (CardBatchMember.outcome == CardOutcome.PENDING)).execute()
    members = find_members(batch.union_id, [r.id_number for r in pending])
    for member in members.values():
        if member.card_status == CardStatus.APPLYING:
            member.card_status, member.updated = str(CardStatus.NONE), now
            member.save()
            emit_change(ctx, batch.union_id, Entity.MEMBER, member.id_number, member_record(member))
    batch.status, batch.updated = str(CardBatchStatus.WITHDRAWN), now
    batch.save()


__all__ = ["decide", "list_withdrawals", "record", "request_withdrawal", "withdrawal_pending"]

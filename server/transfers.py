"""Member transfer (批量转移, SPEC §5.10): a member moves from the union that releases them to
another grassroots union, with their history.

Who may move whom: the releasing union's clerk moves its own members to any grassroots union (by
org code); a superior union's reviewer (or the center) moves members between two grassroots unions
it both contains — a common superior. Refused: a member whose enrollment is under review (its batch
submitted and neither returned nor completed) or whose member card is being made.

In one transaction, under both unions' locks (in id order): the member row and its claim move to
the receiving union; the receiving union's feed gets the member and a `transfer` change ("in")
carrying the history — the person's cards and enrollments, read-only there; the releasing union's
feed gets a `transfer` change ("out"), on which its PC removes the member. Both sides are audited.
A phone number the receiving union already uses for another member is cleared on the moved record
(phones are unique within a union) and the receiving clerk is told to fill it in.
"""
from __future__ import annotations

from typing import Any

from peewee import IntegrityError, chunked

from app.protocol import Entity, SubmissionStatus, format_timestamp, payload_sha256
from app.protocol.transfers import TransferDirection, TransferRequest
from app.rules.codes import CardStatus
from app.rules.idcard import mask_id
from server import receipts
from server.accounts import audit, can_access, union_for
from server.batch import current as current_batch
from server.changes import emit_change, member_record
from server.db import IN_LIST, is_sqlite, write_tx
from server.members import find_members
from server.push import stored_answer
from server.models import (
    CardBatch,
    CardBatchMember,
    Enrollment,
    IdempotencyRecord,
    Member,
    MemberTransfer,
    Submission,
    Union,
    User,
)
from server.problems import ProblemError
from server.settings import ServerContext

#: A batch in these states is still being reviewed: its members stay where they are.
UNDER_REVIEW = (SubmissionStatus.UNDER_REVIEW, SubmissionStatus.APPROVED)


def _unions(user: User, request: TransferRequest) -> tuple[Union, Union]:
    """(releasing union, receiving union), checked against the caller's scope."""
    source = union_for(user, request.from_union)
    if source.level != "grassroots":
        raise ProblemError("validation", {"field": "from_union",
                                          "message": "请指定转出会员的基层工会（from_union 组织代码）"})
    target = Union.get_or_none(Union.org_code == request.to_union)
    if target is None or target.level != "grassroots" or target.id == source.id:
        raise ProblemError("transfer_target", {"to_union": request.to_union})
    if source.id != user.union_id and not can_access(user, target):
        # A superior moves members only between unions it both contains.
        raise ProblemError("union_scope", "上级工会只能在本工会所辖的基层工会之间转移会员")
    return source, target


def _lock(*unions: Union) -> None:
    """Hold both unions' write locks (PostgreSQL row locks, in id order; SQLite's IMMEDIATE
    transaction already holds the database's)."""
    if not is_sqlite():
        ids = sorted(u.id for u in unions)
        list(Union.select(Union.id).where(Union.id.in_(ids)).order_by(Union.id).for_update())


def _busy(source: Union, members: dict[str, Member]) -> list[dict[str, str]]:
    """Members that cannot move now, each with why."""
    busy: dict[str, str] = {n: "会员卡正在办理中" for n, m in members.items() if m.card_status == CardStatus.APPLYING}
    for chunk in chunked(list(members), IN_LIST):
        query = (Enrollment.select(Enrollment.id_number).join(Submission)
                 .where((Enrollment.union == source) & Enrollment.id_number.in_(chunk)
                        & Submission.status.in_([str(s) for s in UNDER_REVIEW])))
        busy.update((row.id_number, "参保批次正在审核中") for row in query)
    return [{"id_number": mask_id(n), "reason": why} for n, why in busy.items()]


def _histories(numbers: list[str]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Each person's cards and enrollments on the server, whichever union made them."""
    out: dict[str, dict[str, list[dict[str, Any]]]] = {n: {"cards": [], "enrollments": []} for n in numbers}
    for chunk in chunked(numbers, IN_LIST):
        cards = (CardBatchMember.select(CardBatchMember, CardBatch.received)
                 .join(CardBatch).where(CardBatchMember.id_number.in_(chunk)).order_by(CardBatchMember.id))
        for row in cards:
            out[row.id_number]["cards"].append({
                "outcome": row.outcome, "card_no": row.card_no, "reason": row.reason,
                "applied_at": row.batch.received.isoformat() + "Z",
                "decided_at": row.decided.isoformat() + "Z" if row.decided else None})
        enrollments = (Enrollment.select(Enrollment, Submission)
                       .join(Submission).where(Enrollment.id_number.in_(chunk)).order_by(Submission.received))
        for row in enrollments:
            sub = row.submission
            out[row.id_number]["enrollments"].append({
                "plan_year": sub.plan_year, "kind": sub.kind, "channel": sub.channel, "plan_type": sub.plan_type,
                "status": sub.status, "received_at": sub.received.isoformat() + "Z"})
    return out


def _new_place(member: Member, target: Union) -> int | None:
    """The moved row's place in the receiving union's feed (server/changes.py). The place it had
    is a number of the releasing union's counter: kept, it would put the member at a random spot
    of the receiving feed (past its counter, a pulling PC's cursor jumps over changes still to
    come; compaction drops the member's change row as "superseded" by it). Outside a push
    request's batch `emit_change` gives the row the receiving union's next number. Inside one,
    a union whose counter the batch read under its lock gives the number now and the row carries
    it (no change row); any other union's changes are numbered at the flush, so the row gets no
    place and the member's change row (its whole record) is its place in the receiving feed. The
    releasing feed needs nothing kept (`_keep_place`): its `transfer` "out" change, later than
    any of the member's, removes the member there. Returns the number the row carries, or None."""
    batch = current_batch()
    seq = batch.next_seq(target.id) if batch is not None else None
    member.feed_seq, member.feed_origin = seq, None  # a server-made change: no device's echo
    return seq


def _move(ctx: ServerContext, member: Member, source: Union, target: Union, reason: str,
          history: dict[str, Any]) -> bool:
    """Move one member (inside the transaction); returns whether their phone had to be cleared."""
    now = ctx.now_naive()
    phone_cleared = bool(member.phone) and Member.select().where(
        (Member.union == target) & (Member.phone == member.phone)).exists()
    member.version += 1
    if phone_cleared:
        member.phone = None
        member.versions = {**(member.versions or {}), "phone": member.version}
    member.union = target
    member.updated = now
    member.claimed = 1  # the claim moves with the row (server/claims.py)
    seq = _new_place(member, target)
    member.save()
    at = format_timestamp(ctx.now())
    emit_change(ctx, source.id, Entity.TRANSFER, member.id_number,
                {"direction": TransferDirection.OUT, "reason": reason, "at": at, "other_union": target.org_code})
    emit_change(ctx, target.id, Entity.MEMBER, member.id_number, member_record(member), on_row=seq)
    emit_change(ctx, target.id, Entity.TRANSFER, member.id_number,
                {"direction": TransferDirection.IN, "reason": reason, "at": at, "other_union": source.org_code,
                 "other_union_name": source.name, "phone_cleared": phone_cleared, "history": history})
    return phone_cleared


def _apply(ctx: ServerContext, user: User, request: TransferRequest, digest: str) -> dict[str, Any]:
    source, target = _unions(user, request)
    _lock(source, target)
    found = find_members(source, request.id_numbers)
    missing = [n for n in request.id_numbers if n not in found]
    if missing:
        raise ProblemError("not_found", {"missing": [mask_id(n) for n in missing[:20]], "count": len(missing),
                                         "message": "这些人员不是转出工会的会员（或尚未同步到服务器），请核对证件号码"})
    members = {n: found[n] for n in request.id_numbers}  # in the order asked
    busy = _busy(source, members)
    if busy:
        raise ProblemError("transfer_under_review", {"members": busy[:20], "count": len(busy)})
    histories = _histories(list(members))
    cleared = [n for n, m in members.items() if _move(ctx, m, source, target, request.reason, histories[n])]
    masked = [mask_id(n) for n in members]
    for action, union, other in (("members_transferred_out", source, target), ("members_transferred_in", target, source)):
        audit(ctx, action, user=user, union=union, entity="member_transfer", entity_key=request.key,
              detail={"count": len(members), "other_union": other.org_code, "reason": request.reason,
                      "members": masked[:200], "phone_cleared": len(cleared)})
    answer = {"key": request.key, "from_union": source.org_code, "to_union": target.org_code,
              "transferred": list(members), "count": len(members), "phone_cleared": len(cleared)}
    MemberTransfer.create(source=source, target=target, user=user, reason=request.reason, id_numbers=list(members),
                          created=ctx.now_naive())
    IdempotencyRecord.create(key=receipts.stored_key(request.key), union=user.union_id, digest=receipts.digest(digest),
                             response=answer, created=ctx.now_naive())
    return answer


def transfer(ctx: ServerContext, user: User, request: TransferRequest) -> dict[str, Any]:
    """POST /transfers: move the members, or answer a repeat of the same request with the first
    answer (a concurrent repeat that commits first answers the other too)."""
    digest = payload_sha256(request.to_wire())
    try:
        with write_tx():
            stored = stored_answer(user, request.key, digest)
            return stored if stored is not None else _apply(ctx, user, request, digest)
    except IntegrityError:
        stored = stored_answer(user, request.key, digest)
        if stored is None:
            raise ProblemError("validation", "数据正被同时修改，请稍后重试") from None
        return stored


__all__ = ["UNDER_REVIEW", "transfer"]

"""One union per person (SPEC §5.10): the claim a union holds on a member, and the refusal every
member route gives for a person who is an active member of another union.

The refusal is the stable problem `member_elsewhere`. Its detail names only what the caller sent
(masked): never the other union, never anything of its member record. A new member's claim is
inserted in the same transaction as the member, under a savepoint: the unique number makes two
unions adding the same new person at once end with exactly one claim on SQLite and PostgreSQL
alike (the loser gets `member_elsewhere`, and its whole push record rolls back).
"""
from __future__ import annotations

from collections.abc import Iterable

from peewee import IntegrityError, chunked

from app.rules.idcard import mask_id
from server.batch import current as current_batch
from server.batch import now_naive as batch_now
from server.db import IN_LIST, database
from server.models import Member, MemberClaim, Union
from server.problems import ProblemError
from server.settings import ServerContext


def _variants(numbers: Iterable[str]) -> list[str]:
    """The numbers as sent and as the server stores them (trimmed, upper-case x)."""
    return list(dict.fromkeys(v for n in numbers for v in (n, n.strip().upper())))


def claimed_elsewhere(union: Union | int, numbers: Iterable[str]) -> set[str]:
    """Those of `numbers` (either spelling) that another union holds a claim on."""
    wanted = _variants(numbers)
    found: set[str] = set()
    for chunk in chunked(wanted, IN_LIST):
        query = (MemberClaim.select(MemberClaim.id_number)
                 .where(MemberClaim.id_number.in_(chunk) & (MemberClaim.union != union)))
        found.update(row.id_number for row in query)
    return found


def refusal(numbers: Iterable[str]) -> ProblemError:
    """member_elsewhere for these (the caller's own) numbers, masked; nothing of the other union."""
    masked = sorted({mask_id(n) for n in numbers})
    return ProblemError("member_elsewhere", {"members": masked[:20], "count": len(masked)})


def refuse_elsewhere(union: Union | int, numbers: Iterable[str]) -> None:
    """Refuse (member_elsewhere) when any of `numbers` is an active member of another union."""
    numbers = list(numbers)
    elsewhere = claimed_elsewhere(union, numbers)
    if elsewhere:
        raise refusal([n for n in numbers if n in elsewhere or n.strip().upper() in elsewhere])


def ensure_claim(ctx: ServerContext, union: Union, member: Member) -> None:
    """The union's claim on `member` (call inside the write transaction, after the member row is
    saved): inserted when missing; a concurrent claim by another union wins → member_elsewhere.
    In a push request's batch that looked the number up, a missing claim is inserted at its end."""
    batch = current_batch()
    if batch is not None and member.id_number in batch.holders:
        holder = batch.holders[member.id_number]
        if holder is not None and holder != union.id:
            raise refusal([member.id_number])
        if holder is None:
            # The member itself: a new one gets its id when the batch inserts it, before the claims.
            batch.claims.append({"id_number": member.id_number, "union": union.id, "member": member,
                                 "since": batch_now(ctx)})
            batch.holders[member.id_number] = union.id
        return
    held = MemberClaim.get_or_none(MemberClaim.id_number == member.id_number)
    if held is not None:
        if held.union_id != union.id:  # claimed meanwhile by a union that committed first
            raise refusal([member.id_number])
        return
    try:
        with database.atomic():  # a savepoint: the unique violation must not poison the transaction
            MemberClaim.create(id_number=member.id_number, union=union, member=member, since=ctx.now_naive())
    except IntegrityError:
        raise refusal([member.id_number]) from None


__all__ = ["claimed_elsewhere", "ensure_claim", "refuse_elsewhere", "refusal"]

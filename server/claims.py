"""One union per person (SPEC §5.10): the claim a union holds on a member, and the refusal every
member route gives for a person who is an active member of another union.

The claim is the member row itself (`Member.claimed`, issue #19: it was a table of its own, a third
of the member table's size): at most one row per number is claimed, which a partial unique index
enforces (`member_id_number`, WHERE "claimed" = 1). A new member is inserted claimed; of two
unions adding the same new person at once exactly one insert succeeds, on SQLite and PostgreSQL
alike (the loser gets `member_elsewhere`, and its whole push record rolls back). A member row made
before claims whose person another union holds stays unclaimed, its writes refused, until that
union lets the person go.

The refusal is the stable problem `member_elsewhere`. Its detail names only what the caller sent
(masked): never the other union, never anything of its member record.
"""
from __future__ import annotations

from collections.abc import Iterable

from peewee import IntegrityError, chunked

from app.rules.idcard import mask_id
from server.batch import current as current_batch
from server.db import IN_LIST, database
from server.models import CLAIMED, Member, Union
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
        query = (Member.select(Member.id_number)
                 .where(Member.id_number.in_(chunk) & CLAIMED & (Member.union != union)))
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
    saved, or, in a push request's batch that looked the number up, when a new member is buffered:
    it is then inserted claimed): taken when missing; a concurrent claim by another union wins →
    member_elsewhere."""
    batch = current_batch()
    if batch is not None and member.id_number in batch.holders:
        holder = batch.holders[member.id_number]
        if holder is not None and holder != union.id:
            raise refusal([member.id_number])
        if holder is not None or member.claimed:
            return
        if member.id is None:  # buffered: the batch inserts it claimed
            member.claimed = 1
            batch.claims.append({"id_number": member.id_number, "union": union.id})
            batch.holders[member.id_number] = union.id
            return
    held = (Member.select(Member.id, Member.union).where((Member.id_number == member.id_number) & CLAIMED).first())
    if held is not None:
        if held.union_id != union.id:  # claimed meanwhile by a union that committed first
            raise refusal([member.id_number])
        return
    try:
        with database.atomic():  # a savepoint: the unique violation must not poison the transaction
            Member.update(claimed=1).where(Member.id == member.id).execute()
    except IntegrityError:
        raise refusal([member.id_number]) from None
    member.claimed = 1
    if batch is not None:
        batch.holders[member.id_number] = union.id


__all__ = ["claimed_elsewhere", "ensure_claim", "refuse_elsewhere", "refusal"]

"""Members changed here become member_upsert outbox rows, a chunk at a time; answered ones go.

A clerk may have 100,000 changed members (a first import, a mass correction). They are queued
QUEUE_CHUNK at a time, each chunk in its own short IMMEDIATE transaction that reads its members
with `.iterator()` (no model cache), writes their outbox rows and marks them "sending". Memory
stays at one chunk, other writers (the clerk's own edits on the database worker) get the lock
between chunks, and a crash between chunks loses nothing: a committed chunk is queued whole, the
rest is still "to_send" and is queued by the next call — each change exactly once.

A member_upsert row whose answer the server gave is applied (the versions merged into the
member) and deleted in the same transaction: the member holds everything the answer said, so the
row would only grow the profile (137.5 MB for 100,000 members).
"""
from __future__ import annotations

import json

from peewee import JOIN, chunked

from app.models import Enterprise, Member, Outbox, db
from app.models.outbox import enqueue
from app.models.tables import UNSENT
from app.protocol import CLERK_OWNED_FIELDS, MemberUpsert, RecordKind

QUEUE_CHUNK = 1000


def queue_member_changes(union_id: int, org_code: str, chunk: int = QUEUE_CHUNK) -> int:
    """Queue every member of the union waiting to go up; returns how many rows were queued."""
    waiting = [m.id for m in Member.select(Member.id).where(
        UNSENT & (Member.union == union_id) & (Member.sync_state == "to_send")).order_by(Member.id).iterator()]
    queued = 0
    for ids in chunked(waiting, chunk):
        with db.atomic("IMMEDIATE"):
            queued += _queue_chunk(union_id, org_code, ids)
    return queued


def _queue_chunk(union_id: int, org_code: str, ids: list[int]) -> int:
    from app.sync.engine import wire_fields  # engine imports this module

    # Read again under the write lock: a member may have been queued or changed since.
    members = (Member.select(Member, Enterprise).join(Enterprise, JOIN.LEFT_OUTER)
               .where(UNSENT & (Member.union == union_id) & (Member.sync_state == "to_send") & Member.id.in_(ids))
               .order_by(Member.id))
    nothing, sending = [], []
    for m in members.iterator():
        versions = json.loads(m.field_versions or "{}")
        dirty = json.loads(m.dirty_fields or "[]")
        names = list(CLERK_OWNED_FIELDS) if not versions else [f for f in dirty if f in CLERK_OWNED_FIELDS]
        if not names:
            nothing.append(m.id)
            continue
        enqueue(MemberUpsert(m.id_number, wire_fields(m, names), {n: int(versions.get(n, 0)) for n in names},
                             union=org_code), member_id=m.id)
        sending.append(m.id)
    if nothing:
        Member.update(sync_state="sent", dirty_fields="[]").where(Member.id.in_(nothing)).execute()
    if sending:
        Member.update(sync_state="sending", dirty_fields="[]", sync_error=None).where(
            Member.id.in_(sending)).execute()
    return len(sending)


def prune_answered_upserts(rows: list[Outbox]) -> int:
    """Delete the member_upsert rows among `rows` the server accepted; call in the transaction
    that applied their answers."""
    ids = [r.id for r in rows if r.kind == RecordKind.MEMBER_UPSERT]
    deleted = 0
    for part in chunked(ids, 500):
        deleted += Outbox.delete().where(Outbox.id.in_(part) & (Outbox.kind == RecordKind.MEMBER_UPSERT)
                                         & (Outbox.state == "sent")).execute()
    return int(deleted)

"""Members changed here become member_upsert outbox rows, a chunk at a time; answered ones go.

A clerk may have 100,000 changed members (a first import, a mass correction). They are queued
QUEUE_CHUNK at a time, each chunk in its own short IMMEDIATE transaction that reads its members
as plain rows (app.models.queries.push), writes their outbox rows and marks them "sending". Memory
stays at one chunk, other writers (the clerk's own edits on the database worker) get the lock
between chunks, and a crash between chunks loses nothing: a committed chunk is queued whole, the
rest is still "to_send" and is queued by the next call — each change exactly once. A sync queues
the first chunk before its first request and the others while the server takes the requests
before them (SyncEngine.queueing and push).

A member_upsert row whose answer the server gave is applied (the versions merged into the
member) and deleted in the same transaction: the member holds everything the answer said, so the
row would only grow the profile (137.5 MB for 100,000 members).
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from typing import Any

from peewee import chunked

from app.models import Member, Outbox, db
from app.models.bulk import insert_rows
from app.models.queries import push as push_sql
from app.models.queries.loading import bulk_update_members
from app.models.tables import UNSENT
from app.protocol import CLERK_OWNED_FIELDS, MemberUpsert, RecordKind, canonical_text
from app.sync.local import stored_wire_value

QUEUE_CHUNK = 1000


def queue_member_changes(union_id: int, org_code: str, chunk: int = QUEUE_CHUNK) -> int:
    """Queue every member of the union waiting to go up; returns how many rows were queued."""
    return sum(queue_chunk(union_id, org_code, ids) for ids in chunked(waiting(union_id), chunk))


def waiting(union_id: int) -> list[int]:
    """The members of the union changed here and not yet queued, in id order."""
    return [member_id for (member_id,) in Member.select(Member.id).where(
        UNSENT & (Member.union == union_id) & (Member.sync_state == "to_send")).order_by(Member.id).tuples()]


def queue_chunk(union_id: int, org_code: str, ids: list[int]) -> int:
    """Queue the members among `ids` still waiting, in one transaction; returns the rows queued."""
    with db.atomic("IMMEDIATE"):
        return _queue_chunk(union_id, org_code, ids)


def _queue_chunk(union_id: int, org_code: str, ids: list[int]) -> int:
    # Read again under the write lock (a member may have been queued or changed since), as plain
    # rows: a model object per member (its dates parsed) cost more than the rest of the queueing.
    nothing, sending, rows = [], [], []
    names_at = {name: 4 + i for i, name in enumerate(CLERK_OWNED_FIELDS)}
    every = list(CLERK_OWNED_FIELDS)
    members = push_sql.members_to_queue(union_id, ids)
    keys = iter(uuid4_texts(len(members)))
    for member in members:
        member_id, id_number, versions_text, dirty_text = member[:4]
        versions = _json_object(versions_text)
        if versions:
            dirty = json.loads(dirty_text) if dirty_text and dirty_text != "[]" else []
            names = [f for f in dirty if f in CLERK_OWNED_FIELDS]
            base = {n: int(versions.get(n, 0)) for n in names}
        else:
            # A member the server has never seen: every field, each from version 0, which is what
            # the server reads for a field the base leaves out (13 zeros a member less to send,
            # parse, encode and hash on both sides).
            names, base = every, {}
        if not names:
            nothing.append(member_id)
            continue
        fields = {name: stored_wire_value(name, member[names_at[name]]) for name in names}
        # As app.models.outbox.enqueue writes a row, the chunk's rows in one executemany.
        text = canonical_text(MemberUpsert(id_number, fields, base, union=org_code).to_wire())
        rows.append({"key": next(keys), "kind": str(RecordKind.MEMBER_UPSERT), "payload": text,
                     "payload_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), "member": member_id})
        sending.append(member_id)
    insert_rows(Outbox, rows)
    push_sql.set_members_queued(sending, nothing)
    return len(sending)


def uuid4_texts(count: int) -> list[str]:
    """`count` random (version 4) UUIDs as text, as str(uuid.uuid4()) writes them, from one read of
    the system's random source (os.urandom, as uuid4): uuid4() reads it and builds a UUID object
    for each, 2.1 ms for 500 keys against 0.5 ms here."""
    raw = bytearray(os.urandom(16 * count))
    raw[6::16] = bytes(b & 0x0F | 0x40 for b in raw[6::16])  # version 4
    raw[8::16] = bytes(b & 0x3F | 0x80 for b in raw[8::16])  # RFC 4122 variant
    h = raw.hex()
    return [f"{h[i:i + 8]}-{h[i + 8:i + 12]}-{h[i + 12:i + 16]}-{h[i + 16:i + 20]}-{h[i + 20:i + 32]}"
            for i in range(0, 32 * count, 32)]


def _json_object(text: str | None) -> dict[str, Any]:
    """A member's stored field versions ({} unread: every member of a first push has none)."""
    return json.loads(text) if text and text != "{}" else {}


def apply_accepted_upserts(rows: Sequence[Any], by_key: dict[str, Any]) -> set[int]:
    """Apply the server's acceptance of the member_upsert rows among `rows` (outbox rows: id, key,
    kind, member_id) in bulk: each member takes the versions its receipt gave and goes from
    "sending" to "sent", and the rows go (see the module's note). Returns the ids of the rows so
    applied; call in the answers' transaction."""
    accepted = [r for r in rows if r.kind == RecordKind.MEMBER_UPSERT and (by_key.get(r.key) or {}).get("status") == "ok"]
    if not accepted:
        return set()
    member_ids = list(dict.fromkeys(r.member_id for r in accepted if r.member_id))
    members = {member_id: (_json_object(versions), state)
               for member_id, versions, state in push_sql.member_sync_columns(member_ids)}
    for row in accepted:  # in row order: a member sent twice keeps the later versions
        if row.member_id in members:
            receipt = by_key[row.key].get("receipt") or {}
            members[row.member_id][0].update({k: int(v) for k, v in (receipt.get("versions") or {}).items()})
    bulk_update_members((member_id, {"field_versions": json.dumps(versions),
                                     "sync_state": "sent" if state == "sending" else state})
                        for member_id, (versions, state) in members.items())
    ids = [r.id for r in accepted]
    push_sql.delete_outbox_rows(ids)
    return set(ids)


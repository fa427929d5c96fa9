"""Each union's change feed: server-owned changes in sequence order, pulled with GET /changes.

A change gets the next number of its union's counter (`Union.change_seq`), taken with an UPDATE in
the same transaction that makes the change: the row lock (PostgreSQL) or the write lock (SQLite)
serialises writers of one union, so sequence numbers commit in order and a reader paging by
`since` never skips one that commits late.
"""
from __future__ import annotations

from typing import Any

from app.protocol import CLERK_OWNED_FIELDS, SERVER_OWNED_FIELDS
from server.models import Change, Member, Union
from server.settings import ServerContext


def emit_change(ctx: ServerContext, union_id: int, entity: str, entity_key: str, payload: dict[str, Any]) -> int:
    """Append a change to the union's feed (call inside a write transaction); returns its seq."""
    Union.update(change_seq=Union.change_seq + 1).where(Union.id == union_id).execute()
    seq = Union.select(Union.change_seq).where(Union.id == union_id).scalar()
    Change.create(union=union_id, seq=seq, entity=entity, entity_key=entity_key, payload=payload,
                  created=ctx.now_naive())
    return int(seq)


def member_record(member: Member) -> dict[str, Any]:
    """A member as the feed carries it: every field, plus per-field versions."""
    record: dict[str, Any] = {"id_number": member.id_number}
    for name in CLERK_OWNED_FIELDS + SERVER_OWNED_FIELDS:
        record[name] = getattr(member, name)
    record["ss_checked"] = member.ss_checked.isoformat() + "Z" if member.ss_checked else None
    record["versions"] = dict(member.versions or {})
    record["version"] = member.version
    return record


def changes_since(union: Union, since: int, limit: int) -> dict[str, Any]:
    """One page of the union's feed after `since`; `next` is the cursor to store with it."""
    rows = list(
        Change.select()
        .where((Change.union == union) & (Change.seq > since))
        .order_by(Change.seq)
        .limit(limit)
    )
    changes = [
        {
            "seq": row.seq,
            "entity": row.entity,
            "key": row.entity_key,
            "data": row.payload,
            "at": row.created.isoformat() + "Z",
        }
        for row in rows
    ]
    next_cursor = rows[-1].seq if rows else since
    latest = Union.select(Union.change_seq).where(Union.id == union.id).scalar() or 0
    return {
        "union": union.org_code,
        "changes": changes,
        "next": next_cursor,
        "latest": int(latest),
        "more": next_cursor < latest,
    }

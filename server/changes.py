"""Each union's change feed: server-owned changes in sequence order, pulled with GET /changes.

A change gets the next number of its union's counter (`Union.change_seq`), taken with an UPDATE in
the same transaction that makes the change: the row lock (PostgreSQL) or the write lock (SQLite)
serialises writers of one union, so sequence numbers commit in order and a reader paging by
`since` never skips one that commits late.

A member change written by a push request's batch (server/batch.py) is stored as a reference,
the member's version alone (a JSON number; `{"member_row": version}` before), not as the member's
full record (issue #19: the feed was the largest table, a second copy of every member): the page
serves the union's member row as it is when read (`member_record`). Every change of the feed is a whole state of its entity, so a reader that gets a
later state at an earlier change (the member changed again since) ends where the later change
leaves it anyway; a member no longer in the union (removed, transferred) is left out — the
removal's or the transfer's own change says so.
"""
from __future__ import annotations

from typing import Any

from peewee import CharField

from app.protocol import CLERK_OWNED_FIELDS, SERVER_OWNED_FIELDS, Entity
from app.rules.cards import mask_card_no
from app.rules.idcard import mask_id
from server.batch import buffer_change, select_in
from server.batch import now_naive as batch_now
from server.db import database
from server.models import Change, Member, Union
from server.settings import ServerContext


def emit_change(ctx: ServerContext, union_id: int, entity: str, entity_key: str, payload: dict[str, Any]) -> int:
    """Append a change to the union's feed (call inside a write transaction); returns its seq, or 0
    when a push request's batch buffers it (server/batch.py numbers and writes it at the end)."""
    if buffer_change(union_id, entity, entity_key, payload, batch_now(ctx)):
        return 0
    Union.update(change_seq=Union.change_seq + 1).where(Union.id == union_id).execute()
    seq = Union.select(Union.change_seq).where(Union.id == union_id).scalar()
    Change.create(union=union_id, seq=seq, entity=entity, entity_key=entity_key, payload=payload,
                  created=ctx.now_naive())
    return int(seq)


#: The member columns a feed record is made of.
RECORD_COLUMNS: tuple[str, ...] = ("id_number", *CLERK_OWNED_FIELDS, *SERVER_OWNED_FIELDS, "ss_checked", "versions",
                                   "version")


def member_record(member: Member) -> dict[str, Any]:
    """A member as the feed carries it: every field, plus per-field versions."""
    return _record({name: getattr(member, name) for name in RECORD_COLUMNS})


def _record(values: dict[str, Any]) -> dict[str, Any]:
    """The feed record of a member's RECORD_COLUMNS values."""
    record = dict(values)
    record["ss_checked"] = values["ss_checked"].isoformat() + "Z" if values["ss_checked"] else None
    record["versions"] = dict(values["versions"] or {})
    return record


# What a superior union's reviewer gets of a subordinate union's feed: what a review needs (who,
# which category, card, insurance and life state), never phones, addresses, birth dates, document
# expiries or full document and card numbers — those stay with the union that keeps the members.
REVIEW_MEMBER_FIELDS: tuple[str, ...] = (
    "name", "id_type", "category", "enterprise_name", "card_status", "insurance_status", "ss_card_status",
    "employment_status", "life_status", "retired_on",
)
_PRIVATE = frozenset({"phone", "work_address", "birth_date", "id_expiry", "member_no", "join_date", "gender",
                      "label", "versions"})
_KEYED_BY_ID_NUMBER = frozenset({Entity.MEMBER, Entity.SS_CHECK, Entity.CARD_CHECK, Entity.TRANSFER})


def _masked(value: Any) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in _PRIVATE:
                continue
            if key == "id_number" and isinstance(item, str):
                out[key] = mask_id(item)
            elif key == "card_no" and isinstance(item, str):
                out[key] = mask_card_no(item)
            else:
                out[key] = _masked(item)
        return out
    if isinstance(value, list):
        return [_masked(item) for item in value]
    return value


def review_view(change: dict[str, Any]) -> dict[str, Any] | None:
    """A change as a superior union's reviewer reads it (None: not theirs to see at all)."""
    entity, data = change["entity"], change["data"] or {}
    if entity == Entity.DEVICE:
        return None
    if entity == Entity.MEMBER:
        data = {"id_number": data.get("id_number"), "version": data.get("version"),
                **{name: data.get(name) for name in REVIEW_MEMBER_FIELDS}}
    key = mask_id(change["key"]) if entity in _KEYED_BY_ID_NUMBER else change["key"]
    return {**change, "key": key, "data": _masked(data)}


#: A member change's stored payload when it stands for the member's row (see the module's note):
#: the version as a bare JSON number (2 bytes, issue #19), or a dict with this key (stored before).
MEMBER_ROW = "member_row"


def _is_reference(row: Change) -> bool:
    return row.entity == Entity.MEMBER and (type(row.payload) is int
                                            or isinstance(row.payload, dict) and MEMBER_ROW in row.payload)


def _referenced_members(union: Union, rows: list[Change]) -> dict[str, dict[str, Any]]:
    """The records of the union's members that reference changes among `rows` stand for, by number."""
    numbers = list(dict.fromkeys(row.entity_key for row in rows if _is_reference(row)))
    found: dict[str, dict[str, Any]] = {}
    fields = [Member._meta.fields[name] for name in RECORD_COLUMNS]
    converters = [None if isinstance(f, CharField) else f.python_value for f in fields]
    # SQL text built by select_in, not by peewee (its IN list and row conversions cost more than the read).
    for sql, params in select_in(Member, fields, "id_number", numbers, union_id=union.id):
        for row in database.execute_sql(sql, params).fetchall():
            values = {f.name: v if convert is None or v is None else convert(v) for f, convert, v in zip(fields, converters, row)}
            found[values["id_number"]] = _record(values)
    return found


def changes_since(union: Union, since: int, limit: int, *, review: bool = False,
                  device: int | None = None) -> dict[str, Any]:
    """One page of the union's feed after `since`; `next` is the cursor to store with it. With
    `review` (a superior union reading a subordinate's feed) each change is cut to `review_view`.
    With `device` (the caller's own PC, reading its own union's feed) the changes its own member
    upserts made are left out — it has them already — and the page still ends where it read to."""
    # The counter first: every change numbered up to it has committed (same transaction).
    latest = int(Union.select(Union.change_seq).where(Union.id == union.id).scalar() or 0)
    query = Change.select().where((Change.union == union) & (Change.seq > since) & (Change.seq <= latest))
    if device is not None:
        query = query.where(Change.origin.is_null() | (Change.origin != device))
    rows = list(query.order_by(Change.seq).limit(limit))
    current = _referenced_members(union, rows)
    changes = [
        {
            "seq": row.seq,
            "entity": row.entity,
            "key": row.entity_key,
            "data": current.get(row.entity_key) if _is_reference(row) else row.payload,
            "at": row.created.isoformat() + "Z",
        }
        for row in rows
        if not _is_reference(row) or row.entity_key in current
    ]
    if review:
        changes = [view for view in map(review_view, changes) if view is not None]
    # A short page read to the end of the feed: what it skipped (own changes, compacted ones) is
    # passed too.
    next_cursor = rows[-1].seq if len(rows) == limit else max(latest, since)
    return {
        "union": union.org_code,
        "changes": changes,
        "next": next_cursor,
        "latest": latest,
        "more": next_cursor < latest,
    }

"""Each union's change feed: server-owned changes in sequence order, pulled with GET /changes.

A change gets the next number of its union's counter (`Union.change_seq`), taken with an UPDATE in
the same transaction that makes the change: the row lock (PostgreSQL) or the write lock (SQLite)
serialises writers of one union, so sequence numbers commit in order and a reader paging by
`since` never skips one that commits late.

The members' feed is their rows (issue #19: one change row per pushed member was the feed's bulk,
a third of the database): a member's latest change takes its union's next number like any change,
but the number is kept on the member row (`Member.feed_seq`, indexed by (union, feed_seq)), with
the device whose push made it (`feed_origin`, no echo), and no change row is written. A page reads
the union's change rows and its members whose `feed_seq` is past the cursor, merged in sequence
order, and serves each member as its row is when read (`member_record`); removals, transfers and
every other kind stay change rows. A member's earlier place in the feed is gone when its row takes
a later one: every change is a whole state of its entity, so a reader ends where the latest one
leaves it (compaction keeps only the latest per entity too; server/feed.py). A member change a
push request's batch keeps whole (the member changed again in the request after a record of
another kind) is a change row, as is a member change of a union whose counter the request did not
read under its lock (server/batch.py); compaction deletes a member's change rows its row's place
supersedes. Transferred, a member's row takes its place in the receiving union's feed. A PC's
push that moves a member's row from a place the PC may not have passed (another device's change
put it there) leaves that place behind as a change row with its record (server/members.py
`_keep_place`): the PC's pulls skip the row's new place, its own.
"""
from __future__ import annotations

from typing import Any

from peewee import CharField

from app.protocol import CLERK_OWNED_FIELDS, SERVER_OWNED_FIELDS, Entity
from app.rules.cards import mask_card_no
from app.rules.idcard import mask_id
from server.batch import buffer_change
from server.batch import now_naive as batch_now
from server.db import database
from server.models import Change, Member, Union
from server.settings import ServerContext


def emit_change(ctx: ServerContext, union_id: int, entity: str, entity_key: str, payload: dict[str, Any],
                on_row: int | None = None) -> int:
    """Append a change to the union's feed (call inside a write transaction); returns its seq, or 0
    when a push request's batch buffers it (server/batch.py writes it at the end; `on_row`: the
    number the batch gave a member change that the member's row carries). A member's change made
    outside a batch is the member row's new place in the feed (the module's note), its record
    the row's as saved."""
    if buffer_change(union_id, entity, entity_key, payload, batch_now(ctx), on_row):
        return 0
    Union.update(change_seq=Union.change_seq + 1).where(Union.id == union_id).execute()
    seq = Union.select(Union.change_seq).where(Union.id == union_id).scalar()
    if entity == Entity.MEMBER and Member.update(feed_seq=seq, feed_origin=None).where(
            (Member.union == union_id) & (Member.id_number == entity_key)).execute():
        return int(seq)
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


#: The member columns a page reads besides RECORD_COLUMNS: its place in the feed and its time.
_PLACE_COLUMNS = ("feed_seq", "updated")


def _member_rows(union: Union, since: int, latest: int, limit: int, device: int | None) -> list[dict[str, Any]]:
    """The union's members whose place in the feed is in (since, latest], in order, at most
    `limit`, as page entries (a device's own pushes left out)."""
    fields = [Member._meta.fields[name] for name in (*RECORD_COLUMNS, *_PLACE_COLUMNS)]
    converters = [None if isinstance(f, CharField) else f.python_value for f in fields]
    column = {name: f'"{Member._meta.fields[name].column_name}"' for name in ("union", "feed_seq", "feed_origin")}
    param = database.param
    # SQL text built here, not by peewee (its query building and row conversions cost more than the read).
    sql = (f'SELECT {", ".join(chr(34) + f.column_name + chr(34) for f in fields)} FROM "{Member._meta.table_name}" '
           f'WHERE {column["union"]} = {param} AND {column["feed_seq"]} > {param} AND {column["feed_seq"]} <= {param}')
    params: list[Any] = [union.id, since, latest]
    if device is not None:
        sql += f' AND ({column["feed_origin"]} IS NULL OR {column["feed_origin"]} <> {param})'
        params.append(device)
    sql += f' ORDER BY {column["feed_seq"]} LIMIT {int(limit)}'
    entries = []
    for row in database.execute_sql(sql, params).fetchall():
        values = {f.name: v if convert is None or v is None else convert(v) for f, convert, v in zip(fields, converters, row)}
        at, seq = values.pop("updated"), values.pop("feed_seq")
        entries.append({"seq": int(seq), "entity": Entity.MEMBER, "key": values["id_number"], "data": _record(values),
                        "at": at.isoformat() + "Z"})
    return entries


def changes_since(union: Union, since: int, limit: int, *, review: bool = False,
                  device: int | None = None) -> dict[str, Any]:
    """One page of the union's feed after `since`: its change rows and its members' places
    (the module's note) merged in sequence order; `next` is the cursor to store with it. With
    `review` (a superior union reading a subordinate's feed) each change is cut to `review_view`.
    With `device` (the caller's own PC, reading its own union's feed) the changes its own member
    upserts made are left out — it has them already — and the page still ends where it read to."""
    # The counter first: every change numbered up to it has committed (same transaction).
    latest = int(Union.select(Union.change_seq).where(Union.id == union.id).scalar() or 0)
    query = Change.select().where((Change.union == union) & (Change.seq > since) & (Change.seq <= latest))
    if device is not None:
        query = query.where(Change.origin.is_null() | (Change.origin != device))
    changes = [
        {"seq": row.seq, "entity": row.entity, "key": row.entity_key, "data": row.payload,
         "at": row.created.isoformat() + "Z"}
        for row in query.order_by(Change.seq).limit(limit)
    ]
    changes = sorted(changes + _member_rows(union, since, latest, limit, device), key=lambda c: int(c["seq"]))
    full = len(changes) >= limit
    changes = changes[:limit]
    # A short page read to the end of the feed: what it skipped (own changes, compacted ones) is
    # passed too.
    next_cursor = int(changes[-1]["seq"]) if full else max(latest, since)
    if review:
        changes = [view for view in map(review_view, changes) if view is not None]
    return {
        "union": union.org_code,
        "changes": changes,
        "next": next_cursor,
        "latest": latest,
        "more": next_cursor < latest,
    }

"""The push's SQL: members read for the outbox, outbox rows read, claimed and pruned, as plain
tuples with SQL text built once per size and executemany.

A first push moves every member of a big union through here; peewee builds SQL text for every IN
list and a model object (its dates parsed) for every row, which costs more than SQLite's own work.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from peewee import chunked

from app.models.db import db
from app.models.tables import Enterprise, Member, Outbox
from app.protocol import CLERK_OWNED_FIELDS

#: What `outbox_to_send` gives for a row, in order.
SEND_COLUMNS = ("id", "key", "kind", "payload", "payload_sha256", "state", "attempts", "member_id", "attachment")
_IN_LIST = 500


def _marks(count: int) -> str:
    return ",".join("?" * count)


def members_to_queue(union_id: int, ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """The members among `ids` of the union still waiting to be queued ("to_send"), in id order:
    (id, id_number, field_versions, dirty_fields, then each of CLERK_OWNED_FIELDS as stored — the
    enterprise's name for enterprise_name). Read inside the queueing transaction."""
    if not ids:
        return []
    member, enterprise = Member._meta.table_name, Enterprise._meta.table_name
    columns = ", ".join('e."name"' if name == "enterprise_name" else f'm."{name}"' for name in CLERK_OWNED_FIELDS)
    # `sync_state != 'sent'` repeats UNSENT literally, so SQLite takes the partial index.
    sql = (f'SELECT m."id", m."id_number", m."field_versions", m."dirty_fields", {columns} FROM "{member}" m '
           f'LEFT JOIN "{enterprise}" e ON e."id" = m."enterprise_id" '
           f"WHERE m.sync_state != 'sent' AND m.\"sync_state\" = 'to_send' AND m.\"union_id\" = ? "
           f'AND m."id" IN ({_marks(len(ids))}) ORDER BY m."id"')
    return list(db.execute_sql(sql, (union_id, *ids)).fetchall())


def set_members_queued(sending: Iterable[int], nothing: Iterable[int]) -> None:
    """Members just queued go "sending"; members with nothing to send go "sent"; both lose their
    dirty fields (inside the queueing transaction)."""
    table = Member._meta.table_name
    cursor = db.cursor()
    cursor.executemany(f"""UPDATE "{table}" SET "sync_state" = 'sending', "dirty_fields" = '[]', "sync_error" = NULL
                           WHERE "id" = ?""", [(i,) for i in sending])
    cursor.executemany(f"""UPDATE "{table}" SET "sync_state" = 'sent', "dirty_fields" = '[]' WHERE "id" = ?""",
                       [(i,) for i in nothing])


def outbox_to_send(after: int, limit: int) -> list[tuple[Any, ...]]:
    """The next outbox rows to send after row `after`, in id order (SEND_COLUMNS).

    One query per state, each an ordered walk of the state index from `after` that stops after
    `limit` rows: `state IN (…)` made SQLite gather every waiting row after `after` and sort them
    for the LIMIT, a cost that grew with the outbox (50,000 rows queued ahead in a first push)."""
    columns = ", ".join(f'"{c}"' for c in SEND_COLUMNS)
    sql = (f'SELECT {columns} FROM "{Outbox._meta.table_name}" WHERE "state" = ? AND "id" > ? '
           'ORDER BY "id" LIMIT ?')
    rows = [row for state in ("to_send", "sending") for row in db.execute_sql(sql, (state, after, limit)).fetchall()]
    rows.sort(key=lambda row: int(row[0]))
    return rows[:limit]


def waiting_after(after: int, limit: int) -> int:
    """How many rows still to send come after row `after`, counted up to `limit` (an ordered walk
    of the state index that stops there)."""
    sql = (f'SELECT COUNT(*) FROM (SELECT 1 FROM "{Outbox._meta.table_name}" '
           'WHERE "state" = \'to_send\' AND "id" > ? LIMIT ?)')
    return int(db.execute_sql(sql, (after, limit)).fetchone()[0])


def mark_sending(ids: Iterable[int]) -> None:
    """These outbox rows are about to be sent: "sending", one attempt more (in a transaction)."""
    db.cursor().executemany(f"""UPDATE "{Outbox._meta.table_name}" SET "state" = 'sending', "attempts" = "attempts" + 1
                                WHERE "id" = ?""", [(i,) for i in ids])


def delete_outbox_rows(ids: Iterable[int]) -> None:
    """Delete these outbox rows (answered member upserts; in the answers' transaction)."""
    db.cursor().executemany(f'DELETE FROM "{Outbox._meta.table_name}" WHERE "id" = ?', [(i,) for i in ids])


def member_sync_columns(ids: Sequence[int]) -> list[tuple[int, str | None, str]]:
    """(id, field_versions, sync_state) of these members."""
    out: list[tuple[int, str | None, str]] = []
    for part in chunked(ids, _IN_LIST):
        sql = (f'SELECT "id", "field_versions", "sync_state" FROM "{Member._meta.table_name}" '
               f'WHERE "id" IN ({_marks(len(part))})')
        out.extend(db.execute_sql(sql, tuple(part)).fetchall())
    return out

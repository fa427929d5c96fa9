"""Bulk work for member import and export (app.services.importer / spreadsheets): the snapshot an
import compares against, executemany inserts and updates, and rebuilding indexes for a big load."""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from peewee import chunked, fn

from app.models.tables import BaseModel, Member


#: Columns of a member the importer compares and writes, in this order.
IMPORT_SNAPSHOT_COLUMNS = (
    "id", "id_number", "phone", "name", "member_no", "id_type", "id_expiry", "gender", "birth_date",
    "work_address", "label", "join_date", "post_type", "category", "enterprise_id", "sync_state", "dirty_fields",
)


#: Snapshot columns whose values repeat across members (document types, dates, addresses, labels,
#: states): equal values share one string object.
_SHARED_SNAPSHOT_VALUES = frozenset(("id_type", "id_expiry", "gender", "birth_date", "work_address", "label",
                                     "join_date", "post_type", "category", "sync_state", "dirty_fields"))


def member_import_snapshot(union_id: int, on_chunk: Callable[[], None] | None = None) -> list[tuple[Any, ...]]:
    """Every member of the union as a tuple of IMPORT_SNAPSHOT_COLUMNS, raw as stored (dates ISO text).

    Raw SQL on purpose: 100,000 rows through peewee's model layer cost several times as much.
    Repeated values are shared as they are read, which keeps a 100,000-member snapshot at about
    85 MB instead of 145 MB (the importer loads it while a file is parsed). `on_chunk()` is called
    after every 5,000 members (a heartbeat for progress reports; it may raise to cancel).
    """
    from app.models.db import db

    columns = ", ".join(f'"{c}"' for c in IMPORT_SNAPSHOT_COLUMNS)
    cursor = db.execute_sql(f'SELECT {columns} FROM "{Member._meta.table_name}" WHERE "union_id" = ?', (union_id,))
    shared = [c in _SHARED_SNAPSHOT_VALUES for c in IMPORT_SNAPSHOT_COLUMNS]
    seen: dict[Any, Any] = {}
    one = seen.setdefault
    rows: list[tuple[Any, ...]] = []
    while chunk := cursor.fetchmany(5000):
        for row in chunk:
            rows.append(tuple(one(v, v) if s else v for v, s in zip(row, shared)))
        if on_chunk:
            on_chunk()
    return rows


def members_fingerprint(union_id: int) -> tuple[str | None, ...]:
    """Changes whenever a member of the union is added, removed or updated (count, max id, max
    updated_at, total of ids): an import checks it has not moved between validation and writing."""
    row = (Member.select(fn.COUNT(Member.id), fn.MAX(Member.id), fn.MAX(Member.updated_at), fn.SUM(Member.id))
           .where(Member.union == union_id).tuples().get())
    return tuple(str(v) if v is not None else None for v in row)


def sql_literal(value: Any) -> str | None:
    """`value` as an SQL literal that SQLite stores exactly as it would store `value` bound to a
    parameter (NULL, an integer, a finite real, text, a blob), or None when it has no such literal."""
    kind = type(value)
    if value is None:
        return "NULL"
    if kind is bool or kind is int:
        return str(int(value)) if -2**63 <= value < 2**63 else None
    if kind is float:
        return repr(value) if math.isfinite(value) else None
    if kind is str:
        return None if "\x00" in value else "'" + value.replace("'", "''") + "'"
    if kind is bytes:
        return f"X'{value.hex()}'"
    return None


def bulk_insert(model: type[BaseModel], columns: Sequence[str], rows: Iterable[Sequence[Any]], *,
                batch: int = 5000, on_batch: Callable[[int], None] | None = None) -> int:
    """Insert `rows` (tuples of db-ready values for `columns`, given as column names) into
    `model`'s table with executemany; every other column gets its peewee default, evaluated once.

    The defaults are written into the statement as literals (NULL, numbers, text), so each row
    binds only its own values: binding the member table's 14 defaults with every row cost as much
    as SQLite's insert itself (100,000 members: 0.65 s of CPU instead of 0.35 s). A default with
    no exact literal (a date …) is bound with every row as before.

    Must run inside the caller's transaction. `on_batch(done)` is called after each batch and
    may raise to abort (the caller's transaction then rolls back). Returns the rows inserted.
    """
    from peewee import AutoField

    from app.models.db import db

    by_column = {f.column_name: f for f in model._meta.sorted_fields}
    unknown = [c for c in columns if c not in by_column]
    if unknown:
        raise ValueError(f"unknown columns for {model.__name__}: {unknown}")
    extra = [f for f in model._meta.sorted_fields
             if f.column_name not in columns and not isinstance(f, AutoField)]
    # Enum defaults as plain str: sqlite3 binds exact str directly, subclasses through its adapters.
    values = [str(v) if isinstance(v, str) else v
              for v in (f.db_value(f.default() if callable(f.default) else f.default) for f in extra)]
    literals = [sql_literal(v) for v in values]
    bound = tuple(v for v, lit in zip(values, literals) if lit is None)
    names = (list(columns) + [f.column_name for f, lit in zip(extra, literals) if lit is not None]
             + [f.column_name for f, lit in zip(extra, literals) if lit is None])
    slots = ["?"] * len(columns) + [lit for lit in literals if lit is not None] + ["?"] * len(bound)
    sql = (f'INSERT INTO "{model._meta.table_name}" ({", ".join(chr(34) + n + chr(34) for n in names)}) '
           f'VALUES ({", ".join(slots)})')
    cursor = db.cursor()
    done = 0
    for chunk in chunked(rows, batch):
        cursor.executemany(sql, [tuple(r) + bound for r in chunk] if bound else chunk)
        done += len(chunk)
        if on_batch:
            on_batch(done)
    return done


#: A bulk load rebuilds the table's indexes when it adds at least this share of the rows already
#: there: sorting every key once is cheaper than that many scattered B-tree inserts per index
#: (100,000 members into an empty table: 0.75 s instead of 1.27 s with the member table's indexes).
REBUILD_SHARE = 0.5
#: ... and at least this many rows (small loads never pay for a rebuild).
REBUILD_MIN_ROWS = 5_000


def should_rebuild_indexes(model: type[BaseModel], adding: int) -> bool:
    """Whether loading `adding` rows into `model`'s table goes faster with its indexes rebuilt."""
    from app.models.db import db

    if adding < REBUILD_MIN_ROWS:
        return False
    (present,) = db.execute_sql(f'SELECT count(*) FROM "{model._meta.table_name}"').fetchone()
    return bool(adding >= present * REBUILD_SHARE)


def table_index_sql(model: type[BaseModel]) -> list[tuple[str, str]]:
    """(name, CREATE statement) of every explicit index on `model`'s table."""
    from app.models.db import db

    indexes: list[tuple[str, str]] = db.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                                                    "AND sql IS NOT NULL ORDER BY name",
                                                    (model._meta.table_name,)).fetchall()
    return indexes


@contextmanager
def indexes_rebuilt(model: type[BaseModel], enabled: bool = True,
                    on_index: Callable[[int, int], None] | None = None) -> Iterator[None]:
    """Inside the caller's transaction: drop `model`'s indexes, run the body, create them again.

    DDL is transactional in SQLite, so other connections never see the table without its indexes
    and a rollback (or a crash) leaves them as they were. A unique index that the loaded rows
    would break fails to build and raises IntegrityError, so the caller's transaction rolls back:
    constraints hold exactly as with indexes in place. `on_index(done, total)` is called after each
    index is built (for progress). With `enabled` false this does nothing.
    """
    from app.models.db import db

    if not enabled:
        yield
        return
    indexes = table_index_sql(model)
    for name, _ in indexes:
        db.execute_sql(f'DROP INDEX "{name}"')
    yield
    for k, (_, sql) in enumerate(indexes, start=1):
        db.execute_sql(sql)
        if on_index:
            on_index(k, len(indexes))


def bulk_update_members(updates: Iterable[tuple[int, Mapping[str, Any]]], *, batch: int = 5000,
                        on_batch: Callable[[int], None] | None = None) -> int:
    """Apply `updates`: (member id, {column name: db-ready value}) pairs, grouped by the set of
    columns changed so that each group is one executemany. Inside the caller's transaction."""
    from app.models.db import db

    groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    for member_id, changes in updates:
        names = tuple(sorted(changes))
        groups.setdefault(names, []).append(tuple(changes[n] for n in names) + (member_id,))
    cursor = db.cursor()
    done = 0
    valid = {f.column_name for f in Member._meta.sorted_fields}
    for names, params in groups.items():
        bad = [n for n in names if n not in valid]
        if bad:
            raise ValueError(f"unknown member columns: {bad}")
        assignments = ", ".join(f'"{n}" = ?' for n in names)
        sql = f'UPDATE "{Member._meta.table_name}" SET {assignments} WHERE "id" = ?'
        for chunk in chunked(params, batch):
            cursor.executemany(sql, chunk)
            done += len(chunk)
            if on_batch:
                on_batch(done)
    return done


def clear_member_phones(member_ids: Iterable[int]) -> None:
    """Set the phone of these members to NULL (so phones can be swapped under the unique index)."""
    for chunk in chunked(member_ids, 500):
        Member.update(phone=None).where(Member.id.in_(chunk)).execute()

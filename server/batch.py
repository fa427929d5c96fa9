"""One write transaction for a whole push request: buffered feed changes and audit rows, and the
members and claims its member upserts need, looked up once.

`collecting()` makes a `WriteBatch` current for the block (a context variable: the request's own
thread). While one is current, `server.changes.emit_change` and `server.accounts.audit` append to
it instead of writing a row each; `flush()` — at the end of the transaction, under the union's
lock — writes the changes and the audit rows with multi-row INSERTs. The changes of the union the
request locked are numbered as they are made, from the counter read with the lock (`count_from`),
so a pushed member's row can carry its place in the feed when it is saved (`feed_seq`, see
server/changes.py) and no change row is written for it; another union's take their numbers at
the flush with one UPDATE. A record refused halfway (its savepoint rolled back) drops what it
had buffered with `rollback_to(mark)`, which also forgets the looked-up members and claims, since
the refused record may have touched them; later records of the batch read the database again.
An edit of an existing member is buffered too (`edited`) and written with multi-row UPDATEs
(`write_edits`) with the new members, before any record of another kind and at the flush.
"""
from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from peewee import (
    AutoField,
    CharField,
    DateTimeField,
    Field,
    ForeignKeyField,
    IntegerField,
    IntegrityError,
    ModelObjectCursorWrapper,
    TextField,
    chunked,
)

from app.protocol import CLERK_OWNED_FIELDS, canonical_text
from server.audit import pack as pack_audit
from server.db import IN_LIST, database, is_sqlite
from server.settings import ServerContext
from server.models import AuditEntry, BaseModel, Change, FeedCursor, JSONText, Member, Union

ModelT = TypeVar("ModelT", bound=BaseModel)

#: Rows per multi-row INSERT (a member row binds 33 parameters; SQLite allows 32,766): a
#: request's rows of a table in one statement (the client pushes 500 records a request).
INSERT_ROWS = IN_LIST


def keep_parsed_statements() -> None:
    """Have psycopg keep the parsed form of long statements too. It parses a statement's text for
    its placeholders with a regular expression at every execute unless the text is under 4 KiB
    with at most 50 parameters (its lru_cache of 128 texts): the batch's multi-row INSERTs and IN
    lists, one text per size, were parsed again each time — 40 % of a member upsert's server CPU
    on PostgreSQL (server.push.push of 140-member requests of new members, in process: 0.23–0.29
    → 0.15–0.16 ms of CPU per member). Their texts are few, so the cache stays small."""
    try:
        from psycopg import _queries  # PostgreSQL's driver: absent on a SQLite-only install
    except ImportError:
        return
    # Private names of psycopg 3.1-3.3: a release without them keeps its own limits (slower, as
    # correct) instead of failing the server's start.
    for name, floor in (("MAX_CACHED_STATEMENT_LENGTH", 1 << 20), ("MAX_CACHED_STATEMENT_PARAMS", 1 << 16)):
        limit = getattr(_queries, name, None)
        if isinstance(limit, int):
            setattr(_queries, name, max(limit, floor))


keep_parsed_statements()


class Encoded(str):
    """A JSON column's value already in the form it is stored in (app.protocol.canonical_text):
    insert_rows hands it on as it is."""


def encoded_json(value: dict[str, Any], seen: dict[tuple[Any, ...], Encoded]) -> Encoded | dict[str, Any]:
    """A flat dict of integers (a member's field versions, a change's member_row) as its stored
    text, encoded once per distinct dict of a batch (`seen`); any other dict as it is."""
    if not all(type(v) is int for v in value.values()):
        return value
    key = tuple(value.items())
    text = seen.get(key)
    if text is None:
        text = seen[key] = Encoded(canonical_text(value))
    return text


def encoded_answer(value: Any, seen: dict[tuple[Any, ...], Encoded]) -> Any:
    """A stored answer (server/receipts.py compact) as its stored text, encoded once per distinct
    answer of a batch when it is a list of integers and text (a new member's: its version, created
    and the codes of its fields, shared by the members that set the same fields); any other as it is."""
    if type(value) is not list or not all(type(v) is int or type(v) is str for v in value):
        return value
    key = ("answer", *value)
    text = seen.get(key)
    if text is None:
        text = seen[key] = Encoded(canonical_text(value))
    return text


def _natural(field: Field) -> type | None:
    """The type of value the field stores as it is (its db_value would hand it on unchanged; for
    a JSON document, text already encoded); None: always through db_value (fields this module
    does not know)."""
    if isinstance(field, ForeignKeyField):
        return _natural(field.rel_field)
    if isinstance(field, JSONText):
        return Encoded
    if isinstance(field, (CharField, TextField)):
        return str
    if isinstance(field, (IntegerField, AutoField)):
        return int
    if isinstance(field, DateTimeField):
        return datetime
    return None


class _Never:
    """A type no value has: every value of the column goes through its conversion."""


def _storing(field: Field) -> tuple[type | None, Callable[[Any], Any]]:
    """The field's natural type (`_natural`) and the conversion of any other value. On SQLite a
    datetime is given as the text sqlite3's own adapter makes of it (`isoformat(" ")`), made once
    per distinct time of the rows (a batch's rows share one) instead of by the adapter per value."""
    if not (isinstance(field, DateTimeField) and is_sqlite()):
        return _natural(field), field.db_value
    texts: dict[datetime, str] = {}
    convert = field.db_value

    def to_text(value: Any) -> Any:
        if type(value) is datetime:
            text = texts.get(value)
            if text is None:
                text = texts[value] = value.isoformat(" ")
            return text
        return convert(value)

    return _Never, to_text


def insert_rows(model: type[BaseModel], rows: list[dict[str, Any]], returning: tuple[str, ...] = ()) -> list[tuple[Any, ...]]:
    """Insert dict rows (keys: field names; a field a row leaves out gets its default) with
    multi-row INSERTs whose text is built once per size, the values through each field's db_value
    as peewee would store them (skipped for a value of the type the field stores unchanged: text in
    a text column, an int in an integer column): peewee's insert_many builds SQL for every value,
    which cost more than the database's own work. Returns the `returning` columns of the rows
    (RETURNING: PostgreSQL, and SQLite since 3.35)."""
    if not rows:
        return []
    names = list(dict.fromkeys(name for row in rows for name in row))
    fields = [model._meta.fields[name] for name in names]
    plan = [(name, f.default() if callable(f.default) else f.default, *_storing(f)) for name, f in zip(names, fields)]
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    one = "(" + ", ".join([database.param] * len(fields)) + ")"
    tail = (" RETURNING " + ", ".join(f'"{model._meta.fields[n].column_name}"' for n in returning)) if returning else ""
    out: list[tuple[Any, ...]] = []
    for chunk in chunked(rows, INSERT_ROWS):
        sql = f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES {", ".join([one] * len(chunk))}{tail}'
        params = [value if (value := row.get(name, default)) is None or type(value) is natural else convert(value)
                  for row in chunk for name, default, natural, convert in plan]
        cursor = database.execute_sql(sql, params)
        if returning:
            out.extend(tuple(row) for row in cursor.fetchall())
    return out


#: The member columns a member upsert's edit of an existing member sets (server/members.py).
EDITED: tuple[str, ...] = (*CLERK_OWNED_FIELDS, "versions", "version", "updated", "feed_seq", "feed_origin")

#: Rows per multi-row UPDATE (a member's buffered edit binds 22 parameters).
UPDATE_ROWS = IN_LIST

#: What a column's value is cast to in a multi-row UPDATE on PostgreSQL, by field class: a VALUES
#: column takes the type of its parameters, text when they are all NULL.
_PG_CASTS = {"BigIntegerField": "BIGINT", "IntegerField": "INTEGER", "DateTimeField": "TIMESTAMP"}


def update_rows(model: type[BaseModel], rows: list[dict[str, Any]], columns: tuple[str, ...]) -> int:
    """Set `columns` of the model's rows to the values of dict rows (keys: "id" and the field
    names `columns`) with one UPDATE ... FROM (VALUES ...) per UPDATE_ROWS rows (PostgreSQL, and
    SQLite since 3.33), the values converted as insert_rows converts them: one statement instead
    of a peewee save — and, in a push request, a savepoint — per row. Returns the rows updated."""
    if not rows:
        return 0
    meta = model._meta
    fields = [meta.fields[name] for name in columns]
    plan = [("id", None, int, meta.primary_key.db_value)] + [(f.name, None, *_storing(f)) for f in fields]
    sets = []
    for n, f in enumerate(fields, start=2):
        value = f"v.column{n}"
        cast = None if is_sqlite() else _PG_CASTS.get(type(f).__name__)
        sets.append(f'"{f.column_name}" = ' + (f"CAST({value} AS {cast})" if cast else value))
    one = "(" + ", ".join([database.param] * len(plan)) + ")"
    table, key = meta.table_name, meta.primary_key.column_name
    done = 0
    for chunk in chunked(rows, UPDATE_ROWS):
        sql = (f'UPDATE "{table}" SET {", ".join(sets)} FROM (VALUES {", ".join([one] * len(chunk))}) AS v '
               f'WHERE "{table}"."{key}" = v.column1')
        params = [value if (value := row[name]) is None or type(value) is natural else convert(value)
                  for row in chunk for name, _, natural, convert in plan]
        done += database.execute_sql(sql, params).rowcount
    return done


def rows_in(model: type[ModelT], field: str, values: Iterable[Any], *, union_id: int | None = None,
            columns: tuple[str, ...] = ()) -> Iterator[ModelT]:
    """The model's rows whose `field` is one of `values` (and, given `union_id`, of that union),
    `columns` of them (default: all), read with SQL text built here (`select_in`):
    peewee builds a node for every value of an IN list, which cost more than the read."""
    meta = model._meta
    wanted = [meta.fields[name] for name in columns] if columns else meta.sorted_fields
    for sql, params in select_in(model, wanted, field, values, union_id=union_id):
        # The rows made into models as model.raw makes them, without its query object, which
        # passed every parameter through peewee's SQL builder once more.
        yield from ModelObjectCursorWrapper(database.execute_sql(sql, params), model, [], model)


def select_in(model: type[BaseModel], columns: list[Field], field: str, values: Iterable[Any], *,
              union_id: int | None = None) -> Iterator[tuple[str, list[Any]]]:
    """SELECT `columns` FROM the model's table WHERE `field` IN `values` (and, given `union_id`, of
    that union): the SQL text and its parameters. On PostgreSQL one statement whatever the count,
    `= ANY(%s)` with the values as one array (planned as an IN list is: PostgreSQL reads `IN (...)`
    as `= ANY(ARRAY[...])`), so every request sends the same text; on SQLite IN_LIST values at a time."""
    meta = model._meta
    head = (f'SELECT {", ".join(chr(34) + f.column_name + chr(34) for f in columns)} FROM "{meta.table_name}" WHERE '
            + (f'"{meta.fields["union"].column_name}" = {database.param} AND ' if union_id is not None else "")
            + f'"{meta.fields[field].column_name}"')
    scope = [union_id] if union_id is not None else []
    wanted = list(values)
    if wanted and not is_sqlite():
        yield f"{head} = ANY({database.param})", [*scope, wanted]
        return
    for chunk in chunked(wanted, IN_LIST):
        yield head + " IN (" + ", ".join([database.param] * len(chunk)) + ")", scope + chunk


def lock_union(union_id: int) -> Union:
    """The union's row, read with the lock that serialises its writers for the rest of the
    transaction (FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transaction holds the write lock
    already): the request's counter and the user's own union (server/accounts.py union_for) in
    one statement."""
    meta = Union._meta
    sql = (f'SELECT {", ".join(chr(34) + f.column_name + chr(34) for f in meta.sorted_fields)} FROM "{meta.table_name}" '
           f'WHERE "{meta.primary_key.column_name}" = {database.param}' + ("" if is_sqlite() else " FOR UPDATE"))
    return next(iter(ModelObjectCursorWrapper(database.execute_sql(sql, [union_id]), Union, [], Union)))


def _set_seq(union_id: int, seq: int) -> None:
    """The counted union's change sequence is at `seq` (the batch numbered its changes up to it
    under the union's lock; only this transaction moves it)."""
    meta = Union._meta
    database.execute_sql(f'UPDATE "{meta.table_name}" SET "{meta.fields["change_seq"].column_name}" = {database.param} '
                         f'WHERE "{meta.primary_key.column_name}" = {database.param}', [seq, union_id])


def _take_seq(union_id: int, count: int) -> int:
    """Move the union's change sequence `count` on; its new value, read by the same UPDATE
    (RETURNING: PostgreSQL, and SQLite since 3.35)."""
    meta = Union._meta
    seq = f'"{meta.fields["change_seq"].column_name}"'
    sql = (f'UPDATE "{meta.table_name}" SET {seq} = {seq} + {database.param} '
           f'WHERE "{meta.primary_key.column_name}" = {database.param} RETURNING {seq}')
    return int(database.execute_sql(sql, [count, union_id]).fetchone()[0])


@dataclass
class WriteBatch:
    """What one request's transaction has buffered and looked up so far."""

    changes: list[dict[str, Any]] = field(default_factory=list)
    audits: list[dict[str, Any]] = field(default_factory=list)
    #: New members' claims (one union per person): {"id_number", "union"} of those buffered.
    claims: list[dict[str, Any]] = field(default_factory=list)
    #: (union id, ID number) → the union's member, or None when it has none with that number; a
    #: new member buffered as plain values (server/members.py _buffer_new) is its row's dict.
    members: dict[tuple[int, str], Member | dict[str, Any] | None] = field(default_factory=dict)
    #: ID number → the union that holds its claim (None: nobody), for the numbers looked up.
    holders: dict[str, int | None] = field(default_factory=dict)
    #: (union id, phone) → the ID numbers of the union's members with that phone, for the phones looked up.
    phones: dict[tuple[int, str], set[str]] = field(default_factory=dict)
    #: The union the request writes, read once.
    unions: dict[int, Union] = field(default_factory=dict)
    #: (user id, org code, write) → the union a record named, checked against the user's scope once.
    scoped: dict[tuple[int, str, bool], Union] = field(default_factory=dict)
    #: (union id, ID number) → a new member not inserted yet (no id), a model or its row's dict:
    #: inserted together, already claimed (server/claims.py).
    new_members: dict[tuple[int, str], Member | dict[str, Any]] = field(default_factory=dict)
    #: (union id, ID number) → the id the batch's inserts gave a new member.
    member_ids: dict[tuple[int, str], int] = field(default_factory=dict)
    #: (union id, ID number) → an existing member (claimed by its union) a member upsert changed,
    #: not written yet: the batch's multi-row UPDATEs write them (`write_members`).
    edited: dict[tuple[int, str], Member] = field(default_factory=dict)
    #: The device whose record is being applied, when its changes are not echoed back to it.
    origin: int | None = None
    #: The request's time (naive UTC), read once: every row the batch writes carries it.
    now: datetime | None = None
    #: The request's Shanghai date, read once (what member fields' dates are checked against).
    today: date | None = None
    #: The org code a member upsert named (None: the user's own) → the union it writes, checked
    #: against the user's scope once (server/members.py; a request is one user's).
    upsert_unions: dict[str | None, Union] = field(default_factory=dict)
    #: (union id, ID number) → a buffered member change whose payload is only {"version": …} yet,
    #: and what makes its full record: the member's last change of the batch is stored as a
    #: reference to the member row (flush), so its record is made only when a later change of
    #: that member, or a record of another kind, comes first (`settle`).
    lazy: dict[tuple[int, str], tuple[dict[str, Any], Callable[[], dict[str, Any]]]] = field(default_factory=dict)
    #: Union id → the last feed sequence number given (`next_seq`), for the unions counted from
    #: their counter under the request's lock (`count_from`); written back by `flush`.
    seqs: dict[int, int] = field(default_factory=dict)
    #: Union id → its counter as `count_from` read it.
    seqs_read: dict[int, int] = field(default_factory=dict)
    #: The `origin` device's cursor in its union's feed (`keep_place`), read once.
    origin_cursor: int | None = None

    def count_from(self, union_id: int, seq: int) -> None:
        """The union's change counter as read under its lock: its changes are numbered from it."""
        self.seqs[union_id] = self.seqs_read[union_id] = seq

    def next_seq(self, union_id: int) -> int | None:
        """The next feed sequence number of a counted union (None: numbered at the flush)."""
        if union_id not in self.seqs:
            return None
        self.seqs[union_id] += 1
        return self.seqs[union_id]

    def keep_place(self, union_id: int, feed_seq: int | None, feed_origin: int | None) -> bool:
        """Whether a pushed member's current place in the feed must stay as a change row when its
        row takes a later one marked with the `origin` device (whose pulls skip it: no echo): when
        another device's change (or a server's) put it there and the device's cursor has not
        passed it, the device would otherwise never get that change (`feed_seq` None: no place)."""
        if self.origin is None or feed_seq is None or feed_origin == self.origin:
            return False
        if self.origin_cursor is None:
            cursor = FeedCursor.get_or_none((FeedCursor.device == self.origin) & (FeedCursor.union == union_id))
            self.origin_cursor = int(cursor.seq) if cursor is not None else 0
        return feed_seq > self.origin_cursor

    def mark(self) -> tuple[int, int, int, int, int]:
        return len(self.changes), len(self.audits), len(self.claims), len(self.new_members), len(self.edited)

    def rollback_to(self, mark: tuple[int, int, int, int, int]) -> None:
        """Forget what a refused record buffered, and every looked-up member, claim and phone."""
        dropped = {id(row) for row in self.changes[mark[0]:]}
        self.lazy = {key: entry for key, entry in self.lazy.items() if id(entry[0]) not in dropped}
        del self.changes[mark[0]:]
        for union_id, read in self.seqs_read.items():  # the numbers it took are given again: no gap
            self.seqs[union_id] = max((row["seq"] for row in self.changes if row["union"] == union_id
                                       and row["seq"] is not None), default=read)
        del self.audits[mark[1]:]
        del self.claims[mark[2]:]
        for key in list(self.new_members)[mark[3]:]:
            del self.new_members[key]
        for key in list(self.edited)[mark[4]:]:
            del self.edited[key]
        self.forget_lookups()

    def forget_lookups(self) -> None:
        self.write_members()  # the database answers for them from now on
        self.members.clear()
        self.phones.clear()
        # Claims buffered by the records kept so far still count as held.
        self.holders = {row["id_number"]: row["union"] for row in self.claims}

    def settle(self, key: tuple[int, str] | None = None) -> None:
        """Give the lazy change of `key` (default: every lazy change) its full record now, while
        its member still holds what that change set."""
        for entry in [self.lazy.pop(key, None)] if key is not None else list(self.lazy.values()):
            if entry is not None:
                entry[0]["payload"] = entry[1]()
        if key is None:
            self.lazy.clear()

    def look_up(self, union_id: int, numbers: Iterable[str], phones: Iterable[str]) -> None:
        """Read the union's members with these numbers, who claims the numbers, and which of the
        union's members have these phones."""
        wanted = [n for n in dict.fromkeys(numbers) if (union_id, n) not in self.members]
        for number in wanted:
            self.members[(union_id, number)] = None
            self.holders[number] = None
        for member in rows_in(Member, "id_number", wanted, union_id=union_id):
            self.members[(union_id, member.id_number)] = member
        holder = [Member._meta.fields["id_number"], Member._meta.fields["union"]]
        for sql, params in select_in(Member, holder, "id_number", wanted):  # the claimed rows (server/claims.py)
            for number, union in database.execute_sql(sql + ' AND "claimed" = 1', params).fetchall():
                self.holders[number] = union
        phones = [p for p in dict.fromkeys(phones) if (union_id, p) not in self.phones]
        for phone in phones:
            self.phones[(union_id, phone)] = set()
        for row in rows_in(Member, "phone", phones, union_id=union_id, columns=("id_number", "phone")):
            self.phones[(union_id, row.phone)].add(row.id_number)

    def moved_phone(self, union_id: int, number: str, old: str | None, new: str | None) -> None:
        """A member of the batch changed its phone: keep the looked-up phones true."""
        if old and (union_id, old) in self.phones:
            self.phones[(union_id, old)].discard(number)
        if new and (union_id, new) in self.phones:
            self.phones[(union_id, new)].add(number)

    def flush(self) -> None:
        """Write the buffered new members, changes (sequence numbers taken per union, in emission
        order), audit rows and claims; call inside the transaction, last."""
        self.write_members()
        # A member's change whose number its row carries (feed_seq, set as it was saved) is that
        # row's place in the feed (server/changes.py): no change row. Its earlier changes of the
        # batch keep their records (settled as the member changed again).
        on_rows = {(row["union"], row["entity_key"]): row for row in self.changes if row.get("on_row")}
        kept = [row for row in self.changes if on_rows.get((row["union"], row["entity_key"])) is not row]
        for key, (row, _) in list(self.lazy.items()):
            if on_rows.get(key) is not row:  # written as a change row: it needs its record
                self.settle(key)
        self.lazy.clear()
        for union_id, seq in self.seqs.items():
            if seq != self.seqs_read[union_id]:
                _set_seq(union_id, seq)
                self.seqs_read[union_id] = seq
        per_union: dict[int, list[dict[str, Any]]] = {}
        for row in kept:
            row.pop("on_row", None)
            if row.get("seq") is None:
                per_union.setdefault(row["union"], []).append(row)
        for union_id, rows in per_union.items():
            last = _take_seq(union_id, len(rows))
            for offset, row in enumerate(rows):
                row["seq"] = last - len(rows) + 1 + offset
        insert_rows(Change, kept)
        insert_rows(AuditEntry, pack_audit(self.audits))  # a request's member entries: one row (server/audit.py)
        self.write_claims()
        self.changes.clear()
        self.audits.clear()

    def write_claims(self) -> None:
        """The buffered claims are the new members, inserted claimed (server/claims.py): insert
        them now — at the end, and before a record of another kind."""
        self.write_members()
        self.claims.clear()


    def write_members(self) -> None:
        """Insert the buffered new members with multi-row INSERTs, each learning its id (RETURNING).
        A member another writer inserted meanwhile, or a person another union claimed meanwhile,
        fails the batch (IntegrityError): each record is then written alone (server/push.py), and
        that member's is refused with member_elsewhere. In number order: two unions' batches
        claiming the same people wait for each other, never deadlock."""
        pending = sorted(self.new_members.values(),
                         key=lambda member: str(member["id_number"] if type(member) is dict else member.id_number))
        self.new_members.clear()
        # A member's values as set (a field it never set is left to its default, None), without
        # the id the database gives.
        rows = []
        seen: dict[tuple[Any, ...], Encoded] = {}
        for member in pending:
            if type(member) is dict:
                row = dict(member)
            else:
                row = dict(member.__data__)
                row.pop("id", None)
            if isinstance(row.get("versions"), dict):
                row["versions"] = encoded_json(row["versions"], seen)
            rows.append(row)
        ids = {(union_id, number): member_id
               for member_id, union_id, number in insert_rows(Member, rows, ("id", "union", "id_number"))}
        self.member_ids.update(ids)
        for member in pending:
            if not isinstance(member, dict):
                member.id = ids[(member.union_id, member.id_number)]
                member._dirty.clear()
        self.write_edits(seen)

    def write_edits(self, seen: dict[tuple[Any, ...], Encoded]) -> None:
        """Write the buffered edits of existing members: their EDITED columns, one UPDATE per
        UPDATE_ROWS members. Nothing of an edit can fail here but the database itself (the
        member's row is its union's, locked; its claim held): a failure fails the batch, whose
        records are then written one at a time (server/push.py)."""
        rows = []
        for member in self.edited.values():
            row = {name: member.__data__.get(name) for name in EDITED}
            row["id"] = member.id
            if isinstance(row["versions"], dict):
                row["versions"] = encoded_json(row["versions"], seen)
            rows.append(row)
            member._dirty.clear()
        self.edited.clear()
        if update_rows(Member, rows, EDITED) != len(rows):
            raise IntegrityError("a member edited in the batch is not on the server any more")


_current: ContextVar[WriteBatch | None] = ContextVar("write_batch", default=None)


def current() -> WriteBatch | None:
    """The batch being collected on this thread, if any."""
    return _current.get()


@contextmanager
def collecting() -> Iterator[WriteBatch]:
    batch = WriteBatch()
    token = _current.set(batch)
    try:
        yield batch
    finally:
        _current.reset(token)


def now_naive(ctx: ServerContext) -> datetime:
    """The current batch's time, else the server clock's (naive UTC)."""
    batch = _current.get()
    if batch is not None and batch.now is not None:
        return batch.now
    return ctx.now_naive()


#: The collector's thresholds while a push request runs (gen0 allocations, gen1 passes): a
#: request holds its thousands of records alive to the end, and the default 700 had the young
#: passes walk them over and over (gen2 is frozen at start-up, server/app.py).
RELAXED_GC = (50_000, 20)
_gc_lock = threading.Lock()
_gc_users = 0
_gc_saved: tuple[int, int, int] | None = None


@contextmanager
def relaxed_gc() -> Iterator[None]:
    """Raise the collector's young thresholds for the block, restored when the last block running
    on any thread ends (also on an error)."""
    global _gc_users, _gc_saved
    with _gc_lock:
        if _gc_users == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(max(_gc_saved[0], RELAXED_GC[0]), max(_gc_saved[1], RELAXED_GC[1]), _gc_saved[2])
        _gc_users += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_users -= 1
            if _gc_users == 0 and _gc_saved is not None:
                gc.set_threshold(*_gc_saved)
                _gc_saved = None


def buffer_change(union_id: int, entity: str, entity_key: str, payload: dict[str, Any], at: datetime,
                  on_row: int | None = None) -> bool:
    """Buffer a feed change in the current batch; False when there is none (write it now).
    `on_row`: the number `next_seq` gave a member change, which the member's row carries."""
    batch = _current.get()
    if batch is None:
        return False
    seq = on_row if on_row is not None else batch.next_seq(union_id)
    batch.changes.append({"union": union_id, "entity": entity, "entity_key": entity_key, "payload": payload,
                          "created": at, "origin": batch.origin, "seq": seq, "on_row": on_row is not None})
    return True


def buffer_audit(row: dict[str, Any]) -> bool:
    """Buffer an audit row in the current batch; False when there is none (write it now)."""
    batch = _current.get()
    if batch is None:
        return False
    batch.audits.append(row)
    return True


__all__ = ["WriteBatch", "buffer_audit", "buffer_change", "collecting", "current", "now_naive", "relaxed_gc"]

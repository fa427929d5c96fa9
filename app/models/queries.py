"""Member list queries: filtering, sorting and paging in SQL, with indexes.

Kept here so that services and views never build SQL themselves.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from peewee import JOIN, fn

from app.models.tables import Enterprise, Member
from app.rules.codes import CardStatus


@dataclass(frozen=True)
class MemberFilter:
    """What the member list shows; every field optional."""

    text: str = ""  # name, member number, ID fragment or phone
    category: str | None = None
    life_status: str | None = None
    has_card: bool | None = None
    enterprise_id: int | None = None
    insurance_status: str | None = None


#: Sort keys the list offers, mapped to columns. A stable tiebreak on id is always added.
SORT_COLUMNS = {
    "member_no": Member.member_no,
    "name": Member.name,
    "id_type": Member.id_type,
    "id_number": Member.id_number,
    "gender": Member.gender,
    "birth_date": Member.birth_date,
    "phone": Member.phone,
    "category": Member.category,
    "enterprise": Enterprise.name,
    "join_date": Member.join_date,
    "life_status": Member.life_status,
    "card_status": Member.card_status,
    "id_expiry": Member.id_expiry,
    "insurance_status": Member.insurance_status,
}

ROW_FIELDS = (
    Member.id, Member.member_no, Member.name, Member.id_type, Member.id_number, Member.gender,
    Member.birth_date, Member.phone, Member.category, Enterprise.name.alias("enterprise_name"),
    Member.join_date, Member.life_status, Member.life_status_date, Member.post_type,
    Member.card_status, Member.card_no, Member.id_expiry, Member.insurance_status,
    Member.retirement_confirmation, Member.ss_card_status, Member.employment_status,
    Member.work_address, Member.label,
)


def member_where(union_id: int, f: MemberFilter):
    cond = Member.union == union_id
    text = f.text.strip()
    if text:
        # instr() rather than LIKE: no wildcard escaping, and exact for Chinese names.
        def contains(col, needle=text):
            return fn.instr(col, needle) > 0

        if text.replace("X", "").replace("x", "").isdigit():
            # Digits: an ID fragment, a phone or a member number.
            cond &= (contains(Member.id_number, text.upper()) | contains(Member.phone)
                     | contains(Member.member_no))
        else:
            cond &= contains(Member.name) | contains(Member.member_no)
    if f.category:
        cond &= Member.category == f.category
    if f.life_status:
        cond &= Member.life_status == f.life_status
    if f.has_card is True:
        cond &= Member.card_status == CardStatus.ISSUED
    elif f.has_card is False:
        cond &= Member.card_status != CardStatus.ISSUED
    if f.enterprise_id is not None:
        cond &= Member.enterprise == f.enterprise_id
    if f.insurance_status:
        cond &= Member.insurance_status == f.insurance_status
    return cond


def count_members(union_id: int, f: MemberFilter) -> int:
    return Member.select(fn.COUNT(Member.id)).where(member_where(union_id, f)).scalar()


def member_page(union_id: int, f: MemberFilter, sort_key: str = "member_no",
                descending: bool = False, offset: int = 0, limit: int = 200) -> list[dict]:
    """One page of member rows as dicts of ROW_FIELDS' names."""
    order = _order(sort_key, descending)
    query = (Member.select(*ROW_FIELDS)
             .join(Enterprise, JOIN.LEFT_OUTER, on=(Member.enterprise == Enterprise.id))
             .where(member_where(union_id, f))
             .order_by(*order).offset(offset).limit(limit).dicts())
    return list(query)


def _order(sort_key: str, descending: bool) -> list:
    column = SORT_COLUMNS.get(sort_key, Member.member_no)
    return [column.desc(), Member.id.desc()] if descending else [column.asc(), Member.id.asc()]


def member_ids(union_id: int, f: MemberFilter, sort_key: str = "member_no", descending: bool = False) -> list[int]:
    """Every matching member's id in list order: one pass over the table, however selective."""
    query = (Member.select(Member.id)
             .join(Enterprise, JOIN.LEFT_OUTER, on=(Member.enterprise == Enterprise.id))
             .where(member_where(union_id, f)).order_by(*_order(sort_key, descending)))
    sql, params = query.sql()
    return [r[0] for r in Member._meta.database.execute_sql(sql, params).fetchall()]


def member_rows_by_ids(ids: list[int]) -> list[dict]:
    """The rows of `ids` (as member_page gives them), in the order of `ids`."""
    if not ids:
        return []
    query = (Member.select(*ROW_FIELDS)
             .join(Enterprise, JOIN.LEFT_OUTER, on=(Member.enterprise == Enterprise.id))
             .where(Member.id.in_(ids)).dicts())
    by_id = {r["id"]: r for r in query}
    return [by_id[i] for i in ids if i in by_id]


def joins_by_day(union_id: int, start: date, end: date) -> list[tuple[date, int]]:
    """Members whose join date falls in [start, end], counted per day."""
    query = (Member.select(Member.join_date, fn.COUNT(Member.id))
             .where((Member.union == union_id) & (Member.join_date >= start) & (Member.join_date <= end))
             .group_by(Member.join_date).order_by(Member.join_date).tuples())
    return [(d if isinstance(d, date) else date.fromisoformat(str(d)), n) for d, n in query]


def created_by_day(union_id: int, start: date, end: date) -> list[tuple[date, int]]:
    """Members recorded here in [start, end] who had joined before `start` (原有会员)."""
    day = fn.date(Member.created_at)
    # Selected through a DateTimeField's function, peewee may hand back a datetime: keep the day.
    query = (Member.select(day.coerce(False), fn.COUNT(Member.id))
             .where((Member.union == union_id) & (day >= start.isoformat()) & (day <= end.isoformat())
                    & ((Member.join_date < day) | Member.join_date.is_null()))
             .group_by(day).order_by(day).tuples())
    return [(date.fromisoformat(str(d)[:10]), n) for d, n in query]


# --- bulk work for member import and export (app.services.importer / spreadsheets) -------------

#: Columns of a member the importer compares and writes, in this order.
IMPORT_SNAPSHOT_COLUMNS = (
    "id", "id_number", "phone", "name", "member_no", "id_type", "id_expiry", "gender", "birth_date",
    "work_address", "label", "join_date", "post_type", "category", "enterprise_id", "sync_state", "dirty_fields",
)


#: Snapshot columns whose values repeat across members (document types, dates, addresses, labels,
#: states): equal values share one string object.
_SHARED_SNAPSHOT_VALUES = frozenset(("id_type", "id_expiry", "gender", "birth_date", "work_address", "label",
                                     "join_date", "post_type", "category", "sync_state", "dirty_fields"))


def member_import_snapshot(union_id: int, on_chunk=None) -> list[tuple]:
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
    seen: dict = {}
    one = seen.setdefault
    rows: list[tuple] = []
    while chunk := cursor.fetchmany(5000):
        for row in chunk:
            rows.append(tuple(one(v, v) if s else v for v, s in zip(row, shared)))
        if on_chunk:
            on_chunk()
    return rows


def members_fingerprint(union_id: int) -> tuple:
    """Changes whenever a member of the union is added, removed or updated (count, max id, max
    updated_at, total of ids): an import checks it has not moved between validation and writing."""
    row = (Member.select(fn.COUNT(Member.id), fn.MAX(Member.id), fn.MAX(Member.updated_at), fn.SUM(Member.id))
           .where(Member.union == union_id).tuples().get())
    return tuple(str(v) if v is not None else None for v in row)


def _chunks(rows, size: int):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def bulk_insert(model, columns, rows, *, batch: int = 5000, on_batch=None) -> int:
    """Insert `rows` (tuples of db-ready values for `columns`, given as column names) into
    `model`'s table with executemany; every other column gets its peewee default, evaluated once.

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
    defaults = tuple(str(v) if isinstance(v, str) else v
                     for v in (f.db_value(f.default() if callable(f.default) else f.default) for f in extra))
    names = list(columns) + [f.column_name for f in extra]
    sql = (f'INSERT INTO "{model._meta.table_name}" ({", ".join(chr(34) + n + chr(34) for n in names)}) '
           f'VALUES ({", ".join("?" * len(names))})')
    cursor = db.cursor()
    done = 0
    for chunk in _chunks(rows, batch):
        cursor.executemany(sql, [tuple(r) + defaults for r in chunk] if defaults else chunk)
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


def should_rebuild_indexes(model, adding: int) -> bool:
    """Whether loading `adding` rows into `model`'s table goes faster with its indexes rebuilt."""
    from app.models.db import db

    if adding < REBUILD_MIN_ROWS:
        return False
    (present,) = db.execute_sql(f'SELECT count(*) FROM "{model._meta.table_name}"').fetchone()
    return adding >= present * REBUILD_SHARE


def table_index_sql(model) -> list[tuple[str, str]]:
    """(name, CREATE statement) of every explicit index on `model`'s table."""
    from app.models.db import db

    return db.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                          "AND sql IS NOT NULL ORDER BY name", (model._meta.table_name,)).fetchall()


@contextmanager
def indexes_rebuilt(model, enabled: bool = True, on_index=None):
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


def bulk_update_members(updates, *, batch: int = 5000, on_batch=None) -> int:
    """Apply `updates`: (member id, {column name: db-ready value}) pairs, grouped by the set of
    columns changed so that each group is one executemany. Inside the caller's transaction."""
    from app.models.db import db

    groups: dict[tuple[str, ...], list[tuple]] = {}
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
        for chunk in _chunks(params, batch):
            cursor.executemany(sql, chunk)
            done += len(chunk)
            if on_batch:
                on_batch(done)
    return done


def clear_member_phones(member_ids) -> None:
    """Set the phone of these members to NULL (so phones can be swapped under the unique index)."""
    ids = list(member_ids)
    for start in range(0, len(ids), 500):
        Member.update(phone=None).where(Member.id.in_(ids[start:start + 500])).execute()


def iter_member_rows(union_id: int, f: MemberFilter, sort_key: str = "member_no", descending: bool = False,
                     batch: int = 2000):
    """Every member row matching `f` as dicts of ROW_FIELDS' names, in order, fetched in batches
    by keyset (not OFFSET), so exporting 100,000 members stays linear."""
    column = SORT_COLUMNS.get(sort_key, Member.member_no)
    base = (Member.select(*ROW_FIELDS, column.alias("_sort"))
            .join(Enterprise, JOIN.LEFT_OUTER, on=(Member.enterprise == Enterprise.id)))
    order = [column.desc(), Member.id.desc()] if descending else [column.asc(), Member.id.asc()]
    where = member_where(union_id, f)
    last = None
    while True:
        cond = where
        if last is not None:
            value, member_id = last
            if value is None:
                # NULLs sort first ascending (last descending) in SQLite.
                after = (column.is_null() & (Member.id > member_id)) | column.is_null(False) if not descending \
                    else (column.is_null() & (Member.id < member_id))
            elif descending:
                after = (column < value) | ((column == value) & (Member.id < member_id)) | column.is_null()
            else:
                after = (column > value) | ((column == value) & (Member.id > member_id))
            cond = cond & after
        rows = list(base.where(cond).order_by(*order).limit(batch).dicts())
        if not rows:
            return
        last = (rows[-1]["_sort"], rows[-1]["id"])
        for row in rows:
            row.pop("_sort", None)
        yield from rows
        if len(rows) < batch:
            return


# --- member cards (app.services.cards): 卡片信息管理, 待办会员列表, 办卡批次管理 ----------------------

from app.models.tables import CardBatch, CardBatchMember, CardQueue
from app.rules.codes import Category, LifeStatus


@dataclass(frozen=True)
class CardMemberFilter:
    """What 卡片信息管理 shows: in-service members of linked enterprises, narrowed by these."""

    text: str = ""  # name, member number, ID fragment or phone
    card_status: str | None = None  # none / applying / issued
    enterprise_id: int | None = None


def card_member_where(union_id: int, f: CardMemberFilter):
    cond = member_where(union_id, MemberFilter(text=f.text, category=str(Category.LINKED_ENTERPRISE),
                                               life_status=str(LifeStatus.IN_SERVICE),
                                               enterprise_id=f.enterprise_id))
    if f.card_status:
        cond &= Member.card_status == f.card_status
    return cond


def count_card_members(union_id: int, f: CardMemberFilter) -> int:
    return Member.select(fn.COUNT(Member.id)).where(card_member_where(union_id, f)).scalar()


def card_member_page(union_id: int, f: CardMemberFilter, sort_key: str = "member_no", descending: bool = False,
                     offset: int = 0, limit: int = 200) -> list[dict]:
    """One page of 卡片信息管理 as dicts of ROW_FIELDS' names."""
    query = (Member.select(*ROW_FIELDS)
             .join(Enterprise, JOIN.LEFT_OUTER, on=(Member.enterprise == Enterprise.id))
             .where(card_member_where(union_id, f))
             .order_by(*_order(sort_key, descending)).offset(offset).limit(limit).dicts())
    return list(query)


def card_member_ids(union_id: int, f: CardMemberFilter, sort_key: str = "member_no",
                    descending: bool = False) -> list[int]:
    """Every matching member's id in list order (a text search scans once, then pages by id)."""
    query = (Member.select(Member.id)
             .join(Enterprise, JOIN.LEFT_OUTER, on=(Member.enterprise == Enterprise.id))
             .where(card_member_where(union_id, f)).order_by(*_order(sort_key, descending)))
    sql, params = query.sql()
    return [r[0] for r in Member._meta.database.execute_sql(sql, params).fetchall()]


def queued_among(member_ids: list[int]) -> set[int]:
    """Which of `member_ids` are in the card queue."""
    found: set[int] = set()
    for start in range(0, len(member_ids), 500):
        chunk = member_ids[start:start + 500]
        found.update(r[0] for r in CardQueue.select(CardQueue.member).where(CardQueue.member.in_(chunk)).tuples())
    return found


def applying_among(member_ids: list[int]) -> set[int]:
    """Which of `member_ids` are in a card batch made here whose outcome is still pending."""
    found: set[int] = set()
    for start in range(0, len(member_ids), 500):
        chunk = member_ids[start:start + 500]
        query = (CardBatchMember.select(CardBatchMember.member)
                 .where(CardBatchMember.member.in_(chunk) & (CardBatchMember.outcome == "pending")).tuples())
        found.update(r[0] for r in query)
    return found


@dataclass(frozen=True)
class QueueFilter:
    """What 待办会员列表 shows: an ID-number fragment or name, and the verification result."""

    text: str = ""
    result: str | None = None  # passed / failed / unverified


QUEUE_SORT_COLUMNS = {
    "queued_at": CardQueue.queued_at,
    "name": Member.name,
    "id_type": Member.id_type,
    "id_number": Member.id_number,
    "id_expiry": Member.id_expiry,
    "result": CardQueue.result,
}

QUEUE_ROW_FIELDS = (
    CardQueue.id, CardQueue.member.alias("member_id"), CardQueue.queued_at, CardQueue.result, CardQueue.reason,
    CardQueue.local_result, CardQueue.server_result, Member.name, Member.member_no, Member.id_type,
    Member.id_number, Member.id_expiry, Member.birth_date,
)


def queue_where(union_id: int, f: QueueFilter):
    cond = CardQueue.union == union_id
    text = f.text.strip()
    if text:
        if text.replace("X", "").replace("x", "").isdigit() or text.isascii():
            cond &= fn.instr(Member.id_number, text.upper()) > 0
        else:
            cond &= fn.instr(Member.name, text) > 0
    if f.result:
        cond &= CardQueue.result == f.result
    return cond


def count_queue(union_id: int, f: QueueFilter) -> int:
    query = CardQueue.select(fn.COUNT(CardQueue.id)).where(queue_where(union_id, f))
    if f.text.strip():
        query = query.join(Member, on=(CardQueue.member == Member.id))
    return query.scalar()


def queue_page(union_id: int, f: QueueFilter, sort_key: str = "queued_at", descending: bool = True,
               offset: int = 0, limit: int = 200) -> list[dict]:
    """One page of the card queue, as dicts of QUEUE_ROW_FIELDS' names."""
    column = QUEUE_SORT_COLUMNS.get(sort_key, CardQueue.queued_at)
    order = [column.desc(), CardQueue.id.desc()] if descending else [column.asc(), CardQueue.id.asc()]
    query = (CardQueue.select(*QUEUE_ROW_FIELDS).join(Member, on=(CardQueue.member == Member.id))
             .where(queue_where(union_id, f)).order_by(*order).offset(offset).limit(limit).dicts())
    return list(query)


def queue_counts(union_id: int) -> dict[str, int]:
    """How many queued members have each result."""
    query = (CardQueue.select(CardQueue.result, fn.COUNT(CardQueue.id)).where(CardQueue.union == union_id)
             .group_by(CardQueue.result).tuples())
    return {result: n for result, n in query}


#: Columns read for (re)verifying queued members, in this order (raw SQL: 20,000 rows at once).
QUEUE_CHECK_COLUMNS = (
    "q.id", "q.member_id", "q.local_result", "q.local_reason", "q.local_sig", "q.checked_at", "q.result",
    "q.reason", "q.server_result", "q.server_reason", "q.server_request", "m.name", "m.id_type", "m.id_number", "m.id_expiry",
    "m.birth_date", "m.phone", "m.work_address", "m.category", "m.life_status", "m.card_status",
    "m.card_no", "m.sync_state",
)


def queue_check_rows(union_id: int, queue_ids: list[int] | None = None) -> list[tuple]:
    """The queue rows (all, or `queue_ids`) with the member data their verification reads."""
    from app.models.db import db

    columns = ", ".join(QUEUE_CHECK_COLUMNS)
    base = (f'SELECT {columns} FROM "{CardQueue._meta.table_name}" q '
            f'JOIN "{Member._meta.table_name}" m ON m.id = q.member_id WHERE q.union_id = ?')
    if queue_ids is None:
        return db.execute_sql(base + " ORDER BY q.id", (union_id,)).fetchall()
    rows: list[tuple] = []
    for start in range(0, len(queue_ids), 500):
        chunk = queue_ids[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        rows += db.execute_sql(base + f" AND q.id IN ({marks}) ORDER BY q.id", (union_id, *chunk)).fetchall()
    return rows


#: Columns `update_queue_rows` may set.
QUEUE_UPDATE_COLUMNS = frozenset({
    "result", "reason", "local_result", "local_reason", "local_sig", "checked_at", "server_result",
    "server_reason", "server_request", "server_checked_at",
})


def update_queue_rows(updates: list[tuple[int, dict]], *, batch: int = 5000) -> int:
    """Apply (queue id, {column: db-ready value}) pairs, one executemany per set of columns.
    Inside the caller's transaction."""
    from app.models.db import db

    groups: dict[tuple[str, ...], list[tuple]] = {}
    for queue_id, changes in updates:
        names = tuple(sorted(changes))
        bad = set(names) - QUEUE_UPDATE_COLUMNS
        if bad:
            raise ValueError(f"unknown card queue columns: {sorted(bad)}")
        groups.setdefault(names, []).append(tuple(changes[n] for n in names) + (queue_id,))
    cursor = db.cursor()
    done = 0
    for names, params in groups.items():
        assignments = ", ".join(f'"{n}" = ?' for n in names)
        sql = f'UPDATE "{CardQueue._meta.table_name}" SET {assignments} WHERE "id" = ?'
        for chunk in _chunks(params, batch):
            cursor.executemany(sql, chunk)
            done += len(chunk)
    return done


def queue_blocking(union_id: int, result: str, limit: int = 5) -> list[dict]:
    """The first queued members with `result` (failed / unverified), for saying which ones."""
    query = (CardQueue.select(CardQueue.id, CardQueue.result, CardQueue.reason, Member.name, Member.id_number)
             .join(Member, on=(CardQueue.member == Member.id))
             .where((CardQueue.union == union_id) & (CardQueue.result == result))
             .order_by(CardQueue.id.asc()).limit(limit).dicts())
    return list(query)


def queue_rows_by_request(request_id: str) -> dict[str, int]:
    """id_number → queue id of the rows waiting for the server's answer to `request_id`."""
    query = (CardQueue.select(Member.id_number, CardQueue.id).join(Member, on=(CardQueue.member == Member.id))
             .where(CardQueue.server_request == request_id).tuples())
    return {number: queue_id for number, queue_id in query}


@dataclass(frozen=True)
class CardBatchFilter:
    text: str = ""  # batch number fragment
    status: str | None = None


def card_batch_rows(union_id: int, f: CardBatchFilter) -> list[dict]:
    """The union's card batches, newest first."""
    cond = CardBatch.union == union_id
    if f.text.strip():
        cond &= fn.instr(CardBatch.batch_no, f.text.strip().upper()) > 0
    if f.status:
        cond &= CardBatch.status == f.status
    query = CardBatch.select().where(cond).order_by(CardBatch.submitted_at.desc(), CardBatch.id.desc()).dicts()
    return list(query)


def count_card_batch_members(batch_id: int) -> int:
    return CardBatchMember.select(fn.COUNT(CardBatchMember.id)).where(CardBatchMember.batch == batch_id).scalar()


def card_batch_member_page(batch_id: int, offset: int = 0, limit: int = 200) -> list[dict]:
    query = (CardBatchMember.select().where(CardBatchMember.batch == batch_id)
             .order_by(CardBatchMember.id).offset(offset).limit(limit).dicts())
    return list(query)


def update_card_batch_members(batch_id: int, outcomes: list[tuple[str, str | None, str, str]]) -> int:
    """Set (outcome, card_no, reason) of a batch's members, given as (…, id_number) tuples."""
    from app.models.db import db

    sql = (f'UPDATE "{CardBatchMember._meta.table_name}" SET "outcome" = ?, "card_no" = ?, "reason" = ? '
           f'WHERE "batch_id" = ? AND "id_number" = ?')
    params = [(outcome, card_no, reason, batch_id, number) for outcome, card_no, reason, number in outcomes]
    cursor = db.cursor()
    for chunk in _chunks(params, 5000):
        cursor.executemany(sql, chunk)
    return len(params)


#: Columns the enrollment screens read for every member, as raw values (dates as ISO text).
ENROLLMENT_COLUMNS = ("id", "member_no", "name", "id_type", "id_number", "gender", "birth_date", "post_type",
                      "card_no", "card_status", "life_status", "life_status_date", "insurance_status",
                      "ss_card_status", "employment_status", "retirement_confirmation", "category")


def enrollment_rows(union_id: int, *, ordered: bool = True) -> list[tuple]:
    """Every member of the union as raw tuples of ENROLLMENT_COLUMNS, in member-number order.

    Raw on purpose: peewee's per-row conversion (dates through strptime) costs more than the
    eligibility rules themselves on a 100,000-member union."""
    from app.models.db import db

    columns = ", ".join(f'"{c}"' for c in ENROLLMENT_COLUMNS)
    order = ' ORDER BY "member_no", "id"' if ordered else ""
    return db.execute_sql(f'SELECT {columns} FROM "member" WHERE "union_id" = ?{order}', (union_id,)).fetchall()

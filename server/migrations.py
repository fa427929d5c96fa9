"""Versioned schema migrations of the central server's database, on SQLite and PostgreSQL.

The database records its schema version in `schema_version`: one row per version it reached
(version, name, applied). At every start `migrate()` brings it up to date:
- a fresh database gets every table of the current models at once, recorded at `LATEST`;
- a database from before versioning (the first wave's tables, no `schema_version`) is recorded at
  version 1 and then upgraded;
- otherwise each step above the recorded version runs, in order, each in its own transaction with
  its version row, so a step that fails leaves the database whole at the version before it.
Server processes that start together queue on the write lock (SQLite) or an advisory lock
(PostgreSQL, whose DDL is transactional too), so each step runs once.

Adding a step when a model changes:
1. change the model in server/models.py — that is what a fresh database gets;
2. append `Step(N, "what and why", function)` to STEPS below: the function brings a database at
   version N-1 to the same schema, with `playhouse.migrate` operations (`migrator.add_column`,
   `migrator.add_index`, …) passed to `run`, `database.obj.create_tables([NewModel])` for a new
   table, and any data it must move;
3. tests/server/test_server_migrations.py then checks that a database upgraded from version 1
   has the same tables, columns and indexes as a fresh one and keeps its rows, on both backends.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from peewee import AutoField, CharField, DateTimeField, ForeignKeyField, fn
from playhouse.migrate import SchemaMigrator
from playhouse.migrate import migrate as run

from server.db import database, is_sqlite, session, write_tx
from server.models import (
    ALL_MODELS,
    BaseModel,
    BatchReview,
    Campaign,
    CardWithdrawal,
    Change,
    DistrictBatch,
    FeedCursor,
    FeedMark,
    IdempotencyRecord,
    LoginGuard,
    Member,
    MemberTransfer,
    Notice,
    PayoutRecord,
    SchemaVersion,
    Submission,
    Token,
    Union,
    User,
    Voucher,
)
from server.receipts import DIGEST_HEX, stored_key

log = logging.getLogger("union_server.migrations")

#: The schema the first wave made with `create_tables` before versions were recorded.
BASELINE = 1

#: Serialises migrating processes on PostgreSQL (an arbitrary, fixed advisory-lock key).
_LOCK_KEY = 0x756E696F6E  # "union"


@dataclass(frozen=True)
class Step:
    version: int
    name: str
    apply: Callable[[SchemaMigrator], None]


def _v2_member_phone_index(migrator: SchemaMigrator) -> None:
    run(migrator.add_index("member", ("union_id", "phone"), False))


def _columns(table: str) -> set[str]:
    """The column names of `table` where the connection looks for it (PostgreSQL's search_path;
    peewee's get_columns would look in "public")."""
    schema = "main" if is_sqlite() else database.obj.execute_sql("SELECT current_schema()").fetchone()[0]
    return {column.name for column in database.obj.get_columns(table, schema)}


def _add_missing_columns(migrator: SchemaMigrator, model: type[BaseModel], names: tuple[str, ...],
                         not_null: dict[str, tuple[str, str, str]] | None = None) -> None:
    """Add those of `model`'s columns `names` that its table lacks. A NOT NULL column is given as
    (SQLite type, PostgreSQL type, SQL default) in `not_null` and added with a column default:
    SQLite's migrator would rebuild the table for it, and dropping the old table trips the foreign
    keys that point at it."""
    table = model._meta.table_name
    present = _columns(table)
    for name in (n for n in names if n not in present):
        if not_null and name in not_null:
            sqlite_type, pg_type, default = not_null[name]
            kind = sqlite_type if is_sqlite() else pg_type
            database.obj.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "{name}" {kind} NOT NULL DEFAULT {default}')
        else:
            run(migrator.add_column(table, name, model._meta.fields[name]))


def _v3_login_security(migrator: SchemaMigrator) -> None:
    # Between versions 1 and 3, main's create_tables made these at start itself (88514b6), so a
    # database without a version may already hold some of them: add only what is missing.
    database.obj.create_tables([LoginGuard], safe=True)
    _add_missing_columns(migrator, User, ("must_change_password",),
                         {"must_change_password": ("INTEGER", "BOOLEAN", "0" if is_sqlite() else "false")})
    _add_missing_columns(migrator, Token, ("family", "rotated"))
    database.obj.execute_sql('CREATE INDEX IF NOT EXISTS "token_family" ON "token" ("family")')


def _v4_superior_side(migrator: SchemaMigrator) -> None:
    # Main's create_tables made these at start too (0771f6b, before this module landed).
    database.obj.create_tables([DistrictBatch, BatchReview, Voucher], safe=True)
    _add_missing_columns(migrator, Campaign, ("voucher_deadline", "union_categories", "version"),
                         {"version": ("INTEGER", "INTEGER", "1")})


class _MemberClaim(BaseModel):
    """member_claim as steps 5–12 had it: one row per claimed person (step 13 folded it into
    `Member.claimed`)."""

    id = AutoField()
    id_number = CharField(max_length=32, unique=True)
    union = ForeignKeyField(Union, on_delete="CASCADE")
    member = ForeignKeyField(Member, unique=True, on_delete="CASCADE")
    since = DateTimeField()

    class Meta:
        table_name = "member_claim"


def _v5_member_claims(migrator: SchemaMigrator) -> None:
    # One union per person: every existing person is claimed by the union that has had them
    # longest (the lowest member id); a legacy second copy elsewhere is then refused its writes.
    database.obj.create_tables([_MemberClaim, MemberTransfer], safe=True)
    database.obj.execute_sql(
        'INSERT INTO "member_claim" ("id_number", "union_id", "member_id", "since") '
        'SELECT m."id_number", m."union_id", m."id", m."updated" FROM "member" AS m JOIN '
        '(SELECT MIN("id") AS "first" FROM "member" GROUP BY "id_number") AS f ON f."first" = m."id"')


def _v6_notices(migrator: SchemaMigrator) -> None:
    database.obj.create_tables([Notice])


def _v7_submission_fee_split(migrator: SchemaMigrator) -> None:
    # The split each batch was priced with, from its signed payload (a district's later change of
    # its split never reprices a batch already received).
    _add_missing_columns(migrator, Submission, ("fee_split",))
    last = 0
    while True:
        rows = list(Submission.select(Submission.id, Submission.payload).where(Submission.id > last)
                    .order_by(Submission.id).limit(500))
        if not rows:
            return
        for row in rows:
            split = json.loads(row.payload).get("fee_split")
            Submission.update(fee_split=split).where(Submission.id == row.id).execute()
        last = rows[-1].id


def _v8_queries(migrator: SchemaMigrator) -> None:
    database.obj.create_tables([PayoutRecord, CardWithdrawal])


def _v9_compact_feed(migrator: SchemaMigrator) -> None:
    database.obj.create_tables([FeedCursor], safe=True)
    _add_missing_columns(migrator, Change, ("origin",))
    database.obj.execute_sql('CREATE INDEX IF NOT EXISTS "change_union_id_entity_entity_key_seq" '
                             'ON "change" ("union_id", "entity", "entity_key", "seq")')


def _v11_feed_mark(migrator: SchemaMigrator) -> None:
    database.obj.create_tables([FeedMark])


#: Indexes no query reads (#19: an index entry per feed change, claim and idempotency record).
_UNREAD_INDEXES = ("change_union_id", "member_claim_union_id", "idempotency_record_union_id",
                   "idempotency_record_user_id")


def _v12_unread_indexes(migrator: SchemaMigrator) -> None:
    for name in _UNREAD_INDEXES:
        database.obj.execute_sql(f'DROP INDEX IF EXISTS "{name}"')


def _v13_smaller_records_and_claims(migrator: SchemaMigrator) -> None:
    # The table made again without the columns no replay reads (user, kind), the digest cut to its
    # first 128 bits (server/receipts.py), the time in whole seconds; every record kept, in the same
    # order, its answer as stored.
    database.obj.execute_sql('CREATE TABLE "idempotency_record_v12" AS SELECT "key", "union_id", '
                             '"payload_sha256", "response", "created", "id" FROM "idempotency_record"')
    database.obj.execute_sql('DROP TABLE "idempotency_record"')
    database.obj.create_tables([IdempotencyRecord])
    # `created` (naive UTC) in whole seconds since the epoch, as TimestampField(utc=True) stores it.
    seconds = ("CAST(STRFTIME('%s', \"created\") AS INTEGER)" if is_sqlite()
               else 'CAST(EXTRACT(EPOCH FROM "created") AS BIGINT)')
    database.obj.execute_sql(
        'INSERT INTO "idempotency_record" ("key", "union_id", "digest", "response", "created") '
        f'SELECT "key", "union_id", SUBSTR("payload_sha256", 1, {DIGEST_HEX}), "response", {seconds} '
        'FROM "idempotency_record_v12" ORDER BY "id"')
    database.obj.execute_sql('DROP TABLE "idempotency_record_v12"')
    # The claims folded into the member rows: a claimed row is marked, a partial unique index keeps
    # one per number (server/claims.py).
    _add_missing_columns(migrator, Member, ("claimed",), {"claimed": ("INTEGER", "INTEGER", "0")})
    database.obj.execute_sql('UPDATE "member" SET "claimed" = 1 WHERE "id" IN (SELECT "member_id" FROM "member_claim")')
    database.obj.execute_sql('CREATE UNIQUE INDEX "member_id_number" ON "member" ("id_number") WHERE "claimed" = 1')
    database.obj.execute_sql('DROP TABLE "member_claim"')


def _is_reference(column: str) -> str:
    """SQL: a member change's payload that stands for the member's row (steps 10–13 stored the
    version alone, a JSON number, or {"member_row": version} before)."""
    number = f"{column} ~ '^[0-9]+$'" if not is_sqlite() else f"({column} <> '' AND {column} NOT GLOB '*[^0-9]*')"
    return f"({number} OR SUBSTR({column}, 1, 14) = '{{\"member_row\":')"


def _v14_member_feed_places(migrator: SchemaMigrator) -> None:
    # The members' feed kept on their rows (server/changes.py): a member's latest reference change
    # becomes its row's place (its number and origin), and the references go. A member change
    # kept whole stays a change row, which compaction deletes once the row's place supersedes it.
    _add_missing_columns(migrator, Member, ("feed_seq", "feed_origin"))
    database.obj.execute_sql('CREATE INDEX IF NOT EXISTS "member_union_id_feed_seq" ON "member" ("union_id", "feed_seq")')
    references = ('SELECT "union_id", "entity_key", MAX("seq") AS "seq" FROM "change" WHERE "entity" = \'member\' '
                  f'AND {_is_reference(chr(34) + "payload" + chr(34))} GROUP BY "union_id", "entity_key"')
    database.obj.execute_sql(f'UPDATE "member" SET "feed_seq" = r."seq" FROM ({references}) AS r '
                             'WHERE r."union_id" = "member"."union_id" AND r."entity_key" = "member"."id_number"')
    database.obj.execute_sql('UPDATE "member" SET "feed_origin" = c."origin" FROM "change" AS c '
                             'WHERE c."union_id" = "member"."union_id" AND c."seq" = "member"."feed_seq" '
                             'AND c."origin" IS NOT NULL')
    database.obj.execute_sql(f'DELETE FROM "change" WHERE "entity" = \'member\' AND {_is_reference(chr(34) + "payload" + chr(34))}')


def _v15_member_union_index(migrator: SchemaMigrator) -> None:
    # Every query of a union's members (and the cascade from trade_union) is served by the unique
    # (union_id, id_number) index, which leads with the union: the foreign key's own index was one
    # more entry for every member row inserted, and for every edit (its place in the feed changes).
    database.obj.execute_sql('DROP INDEX IF EXISTS "member_union_id"')


def _old_key_sql(column: str) -> tuple[str, str]:
    """SQL: the stored form of the key in `column` (server/receipts.py stored_key), and whether that
    key is a UUID as sent (not in it yet). PostgreSQL computes the form (exactly: the test compares
    it with stored_key); SQLite, without base64, calls stored_key, made a function of this connection."""
    if is_sqlite():
        database.obj.connection().create_function("union_stored_key", 1, stored_key, deterministic=True)
        return f"union_stored_key({column})", f"union_stored_key({column}) <> {column}"
    base64 = f"ENCODE(DECODE(REPLACE({column}, '-', ''), 'hex'), 'base64')"
    return (f"'~' || TRANSLATE(SUBSTR({base64}, 1, 22), '+/', '-_')",
            f"{column} ~ '^[0-9a-f]{{8}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{12}}$'")


def _v16_one_key_form(migrator: SchemaMigrator) -> None:
    # Every idempotency record's key in step 13's form, so a replay looks up one form, not two (#19:
    # a 500-record push probed 1,000 keys). Only records stored before step 13 have UUID-shaped keys
    # as sent (transfers' too: they share the table). Run again, it finds nothing to rewrite.
    form, old = _old_key_sql('o."key"')
    # Both forms of one key (no push stores a record for a key it found, but a clash must not stop
    # the upgrade): the record stored first stays — the key's first answer, as replays were
    # promised — and the later one goes. Step 13 copied the records in order, so the old form stays.
    database.obj.execute_sql(
        'DELETE FROM "idempotency_record" WHERE "id" IN (SELECT CASE WHEN n."id" > o."id" THEN n."id" ELSE o."id" END '
        f'FROM "idempotency_record" AS o JOIN "idempotency_record" AS n ON n."key" = {form} WHERE {old})')
    form, old = _old_key_sql('"key"')
    database.obj.execute_sql(f'UPDATE "idempotency_record" SET "key" = {form} WHERE {old}')

STEPS: tuple[Step, ...] = (
    Step(2, "index member (union, phone): every member upsert looks for another member with the phone",
         _v2_member_phone_index),
    Step(3, "login security: login_guard; user must_change_password; token family and rotated",
         _v3_login_security),
    Step(4, "superior side: district_batch, batch_review, voucher; campaign voucher_deadline, "
            "union_categories and version", _v4_superior_side),
    Step(5, "member transfer: member_claim (one union per person, backfilled), member_transfer",
         _v5_member_claims),
    Step(6, "notice: the notices clerks read under 帮助 → 查看通知 (GET /notices)", _v6_notices),
    Step(7, "submission fee_split: the per-person split a batch was priced with (保障金额设置)",
         _v7_submission_fee_split),
    Step(8, "queries: payout_record (给付信息, union-server load-payouts), card_withdrawal (撤销办卡批次审核)",
         _v8_queries),
    Step(9, "a feed that stays small: change origin (no echo), feed_cursor per device, index for "
            "compaction to the latest change per entity", _v9_compact_feed),
    Step(11, "feed_mark: how far compaction got per union, so a run reads only what changed since",
         _v11_feed_mark),
    Step(12, "drop the indexes no query reads: change, member_claim and idempotency_record by union, "
             "idempotency_record by user (the database at city scale)", _v12_unread_indexes),
    Step(13, "idempotency_record without user and kind, its digest 128 bits, a member upsert's answer in "
             "about 15 bytes; member_claim folded into member.claimed and a partial unique index (#19: the "
             "records were as big as the member table, the claims a third of it)", _v13_smaller_records_and_claims),
    Step(14, "the members' feed on their rows: member feed_seq and feed_origin, index (union, feed_seq); "
             "a member's reference changes folded into them (#19: a change row per pushed member)",
         _v14_member_feed_places),
    Step(15, "drop member's index by union alone: (union, id_number) leads with it (#19: an index entry per "
             "member inserted or edited)", _v15_member_union_index),
    Step(16, "idempotency records stored before step 13 under their keys as sent: UUID-shaped keys rewritten "
             "into step 13's form, so a replay looks up one form (#19: a push probed two per key)", _v16_one_key_form),
)

LATEST = STEPS[-1].version if STEPS else BASELINE


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def _lock() -> None:
    if not is_sqlite():
        database.obj.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))


def _table_exists(name: str) -> bool:
    """Whether `name` exists where the connection looks for tables (PostgreSQL's search_path)."""
    if is_sqlite():
        sql, params = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    else:
        sql, params = "SELECT to_regclass(%s) IS NOT NULL", (name,)
    row = database.obj.execute_sql(sql, params).fetchone()
    return bool(row and row[0])


def current_version() -> int | None:
    """The schema version recorded in the database (None before `migrate` ever ran on it)."""
    with session():
        if not _table_exists(SchemaVersion._meta.table_name):
            return None
        return SchemaVersion.select(fn.MAX(SchemaVersion.version)).scalar()


def _start() -> None:
    """Record the version of a database that has none: LATEST for a fresh one (made whole from
    the models), BASELINE for one the first wave made."""
    with write_tx():
        _lock()
        if _table_exists(SchemaVersion._meta.table_name):
            return
        if _table_exists("trade_union"):
            SchemaVersion.create_table()
            SchemaVersion.create(version=BASELINE, name="first-wave schema", applied=_now())
            log.info("server database without a schema version: recorded as version %d", BASELINE)
        else:
            database.obj.create_tables(ALL_MODELS)
            SchemaVersion.create(version=LATEST, name="created", applied=_now())
            log.info("new server database created at schema version %d", LATEST)


def migrate() -> int:
    """Bring the bound database's schema up to date; returns its version."""
    with session():
        _start()
        migrator = SchemaMigrator.from_database(database.obj)
        for step in STEPS:
            with write_tx():
                _lock()
                if step.version <= SchemaVersion.select(fn.MAX(SchemaVersion.version)).scalar():
                    continue
                step.apply(migrator)
                SchemaVersion.create(version=step.version, name=step.name, applied=_now())
            log.info("server database upgraded to schema version %d: %s", step.version, step.name)
        return int(SchemaVersion.select(fn.MAX(SchemaVersion.version)).scalar())


__all__ = ["BASELINE", "LATEST", "STEPS", "Step", "current_version", "migrate"]

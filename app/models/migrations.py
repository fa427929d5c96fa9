"""Schema versions kept in `PRAGMA user_version`, applied in order, each in a transaction.

A copy of the database is taken with SQLite's backup API before any migration runs.
Append new steps to STEPS; never edit a step that has shipped. v1 creates the tables of
`tables.V1_TABLES` (frozen); a table added later is created by its own step.
"""
from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Callable

from peewee import SqliteDatabase, chunked

from app.models.db import rotating_backup, schema_version
from app.models.tables import V1_TABLES, RemovedMember, RetirementAnswer
from app.rules.coverage import default_plan_year

log = logging.getLogger(__name__)


def _v1_initial(database: SqliteDatabase) -> None:
    database.create_tables(V1_TABLES)


def _v2_sort_indexes(database: SqliteDatabase) -> None:
    """An index for every sort key the member lists offer (birth date and ID expiry had none)."""
    for column in ("birth_date", "id_expiry"):
        database.execute_sql(f'CREATE INDEX IF NOT EXISTS "member_union_id_{column}" ON "member" ("union_id", "{column}")')


def _v3_retirement_answers(database: SqliteDatabase) -> None:
    """Retirement answers per member and plan year. v1 kept one answer per member for ever
    (member.retirement_confirmation); each is kept for the plan year it was given in — the plan
    year the app worked on when the clerk gave it (its audit entry, else the member's last change)
    — and the old column is emptied so nothing reads it as an answer for every year."""
    database.create_tables([RetirementAnswer])
    rows = database.execute_sql(
        'SELECT m."id", m."retirement_confirmation", m."life_status_date", m."updated_at", '
        '(SELECT max(a."at") FROM "audit_entry" a WHERE a."member_id" = m."id" '
        ' AND a."action" = \'retirement.settle\') '
        'FROM "member" m WHERE m."retirement_confirmation" IN (\'working\', \'retired\')').fetchall()
    answers = []
    for member_id, answer, retired_on, updated_at, answered_at in rows:
        when = str(answered_at or updated_at or "")[:10]
        year = default_plan_year(date.fromisoformat(when)) if when else default_plan_year(date.today())
        answers.append({"member": member_id, "plan_year": year, "answer": answer,
                        "retired_on": retired_on if answer == "retired" else None,
                        "answered_at": answered_at or updated_at})
    for chunk in chunked(answers, 500):
        RetirementAnswer.insert_many(chunk).execute()
    database.execute_sql('UPDATE "member" SET "retirement_confirmation" = NULL')


def _v4_batch_note(database: SqliteDatabase) -> None:
    """batch.note: what the re-pricing by the server's date changed before the batch was sent. (v1
    builds its tables from today's models, so a fresh database has the column already.)"""
    if "note" not in {c.name for c in database.get_columns("batch")}:
        database.execute_sql('ALTER TABLE "batch" ADD COLUMN "note" TEXT')


def _v5_batch_review_mark(database: SqliteDatabase) -> None:
    """batch.review_mark: 审核标识 (who approved the batch so far: 二级工会 / 区局) from the server's feed."""
    if "review_mark" not in {c.name for c in database.get_columns("batch")}:
        database.execute_sql('ALTER TABLE "batch" ADD COLUMN "review_mark" VARCHAR(255)')


def _v6_removed_members(database: SqliteDatabase) -> None:
    """Members the clerk removed, kept until the server confirms (app.services.member_status)."""
    database.create_tables([RemovedMember])


def _v7_card_batch_withdrawal(database: SqliteDatabase) -> None:
    """card_batch.withdrawal_*: the state of the clerk's 申请撤销 from the server's feed (pending,
    approved, refused with the district's reason) and whether the clerk has seen a refusal."""
    have = {c.name for c in database.get_columns("card_batch")}
    for name, kind in (("withdrawal_status", "VARCHAR(255)"), ("withdrawal_reason", "TEXT"),
                       ("withdrawal_answer", "TEXT"), ("withdrawal_seen", "INTEGER NOT NULL DEFAULT 1")):
        if name not in have:
            database.execute_sql(f'ALTER TABLE "card_batch" ADD COLUMN "{name}" {kind}')


STEPS: list[Callable[[SqliteDatabase], None]] = [_v1_initial, _v2_sort_indexes, _v3_retirement_answers,
                                                  _v4_batch_note, _v5_batch_review_mark, _v6_removed_members,
                                                  _v7_card_batch_withdrawal]
LATEST = len(STEPS)


class SchemaTooNewError(Exception):
    """The file was written by a newer version of the app."""


def migrate(database: SqliteDatabase, backup_dir: Path) -> int:
    """Bring the schema to LATEST; returns the version found before migrating."""
    found = schema_version(database)
    if found > LATEST:
        raise SchemaTooNewError(
            f"数据库版本 {found} 比本程序支持的版本 {LATEST} 新，请升级程序后再打开。"
        )
    if found == LATEST:
        return found
    has_data = bool(database.execute_sql("SELECT count(*) FROM sqlite_master").fetchone()[0])
    if has_data:
        rotating_backup(database, backup_dir, f"migrate-v{found}")
    for version in range(found, LATEST):
        with database.atomic("IMMEDIATE"):
            STEPS[version](database)
            database.execute_sql(f"PRAGMA user_version = {version + 1}")
        log.info("database migrated to schema version %d", version + 1)
    return found

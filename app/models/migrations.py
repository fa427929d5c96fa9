"""Schema versions kept in `PRAGMA user_version`, applied in order, each in a transaction.

A copy of the database is taken with SQLite's backup API before any migration runs.
Append new steps to STEPS; never edit a step that has shipped. (Before the first release, v1
creates the current tables; from the first release on it is frozen and changes are new steps.)
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

from peewee import SqliteDatabase

from app.models.db import rotating_backup, schema_version
from app.models.tables import ALL_TABLES

log = logging.getLogger(__name__)


def _v1_initial(database: SqliteDatabase) -> None:
    database.create_tables(ALL_TABLES)


def _v2_sort_indexes(database: SqliteDatabase) -> None:
    """An index for every sort key the member lists offer (birth date and ID expiry had none)."""
    for column in ("birth_date", "id_expiry"):
        database.execute_sql(f'CREATE INDEX IF NOT EXISTS "member_union_id_{column}" ON "member" ("union_id", "{column}")')


STEPS: list[Callable[[SqliteDatabase], None]] = [_v1_initial, _v2_sort_indexes]
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

"""Opening the local SQLite database: pragmas, file permissions, migrations, backups.

One database per user profile. peewee keeps one connection per thread (a worker opens its
own and closes it); `synchronous=FULL` so a clerk's confirmed action survives a power cut.
"""
from __future__ import annotations

import logging
import os
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Callable

from peewee import DatabaseError as PeeweeDatabaseError
from peewee import SqliteDatabase

from app.files import atomic_write
from app.rules.errors import ClerkFacingError

log = logging.getLogger(__name__)

PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": 2,  # FULL
    "busy_timeout": 10_000,
    "cache_size": -64_000,  # up to 64 MB, used only as pages are read: big imports and pulls stay in memory
    "temp_store": 2,  # memory
}

#: The application's database. `open_database` initialises it; models bind to it.
db = SqliteDatabase(None, pragmas=PRAGMAS)

BACKUPS_KEPT = 5


class DatabaseEnvironmentError(ClerkFacingError):
    """The database cannot be used for a reason outside the program: disk full, locked, corrupt.

    Carries a clerk-facing Chinese message; bugs are ordinary exceptions instead.
    """


#: SQLite's primary result codes that the environment causes, and what the clerk reads for each.
#: Extended codes (SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED …) fall under their primary one.
_ENVIRONMENT_ERRORS: dict[str, tuple[str, str]] = {
    "SQLITE_FULL": ("磁盘空间已满，数据未能保存。", "请清理磁盘空间后重试。"),
    "SQLITE_BUSY": ("数据库正被另一个程序占用。", "请关闭其他打开同一档案的窗口后重试。"),
    "SQLITE_LOCKED": ("数据库正被另一个程序占用。", "请关闭其他打开同一档案的窗口后重试。"),
    "SQLITE_CORRUPT": ("数据库文件已损坏。", "请用“备份恢复”从最近的自动备份恢复，或联系技术支持（12351）。"),
    "SQLITE_NOTADB": ("数据库文件已损坏。", "请用“备份恢复”从最近的自动备份恢复，或联系技术支持（12351）。"),
    "SQLITE_READONLY": ("无法写入数据库文件。", "请检查档案文件夹的权限，或换一个档案文件夹。"),
    "SQLITE_CANTOPEN": ("无法打开数据库文件。", "请检查档案文件夹是否存在、是否有权限，或换一个档案文件夹。"),
    "SQLITE_PERM": ("无法写入数据库文件。", "请检查档案文件夹的权限，或换一个档案文件夹。"),
    "SQLITE_IOERR": ("读写数据库文件时出错（磁盘或网络盘故障）。",
                     "请检查磁盘空间和连接；档案放在网络盘上时请改放本机磁盘后重试。"),
}


def _sqlite_error(exc: BaseException | None) -> sqlite3.Error | None:
    """The sqlite3 error behind `exc`: itself, or the one peewee wrapped (its cause or context)."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, sqlite3.Error):
            return exc
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def classify_sqlite_error(exc: BaseException) -> DatabaseEnvironmentError | None:
    """Map an sqlite3 error caused by the environment to a clerk-facing error, else None.

    Judged by SQLite's own result code (`sqlite_errorname`), never by the English message."""
    error = _sqlite_error(exc)
    name = getattr(error, "sqlite_errorname", None) or ""
    primary = "_".join(name.split("_")[:2])  # SQLITE_IOERR_WRITE -> SQLITE_IOERR
    if primary not in _ENVIRONMENT_ERRORS:
        return None
    message, action = _ENVIRONMENT_ERRORS[primary]
    return DatabaseEnvironmentError(message, action)


def _create_private_file(path: Path) -> None:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    if os.name == "posix":
        os.chmod(path, 0o600)


def open_database(path: Path, *, backup_dir: Path | None = None, migrate: bool = True) -> SqliteDatabase:
    """Initialise `db` on the file at `path`, creating it (mode 0600) and migrating it."""
    from app.models import migrations  # late: migrations import the tables, which import db

    path = Path(path)
    _create_private_file(path)
    if not db.is_closed():
        db.close()
    db.init(str(path), pragmas=PRAGMAS)
    try:
        db.connect(reuse_if_open=True)
        if migrate:
            migrations.migrate(db, backup_dir=backup_dir or path.parent / "backups")
    except (sqlite3.Error, PeeweeDatabaseError) as exc:
        env = classify_sqlite_error(exc)
        if not db.is_closed():
            db.close()
        if env is not None:
            raise env from exc
        raise
    return db


def close_database() -> None:
    if not db.is_closed():
        db.close()


def schema_version(database: SqliteDatabase = db) -> int:
    return int(database.execute_sql("PRAGMA user_version").fetchone()[0])


def backup_to(database: SqliteDatabase, target: Path, progress: Callable[[int, int], None] | None = None) -> Path:
    """Copy the live database to `target` with SQLite's online backup API (whole or not at all,
    synced to the disk, mode 0600)."""
    target = Path(target)
    with atomic_write(target, mode=0o600) as temp:
        dest = sqlite3.connect(str(temp))
        try:
            def _progress(status: int, remaining: int, total: int) -> None:
                if progress:
                    progress(total - remaining, total)

            database.connection().backup(dest, pages=1024, progress=_progress)
        finally:
            dest.close()
    return target


def rotating_backup(database: SqliteDatabase, backup_dir: Path, reason: str,
                    progress: Callable[[int, int], None] | None = None) -> Path:
    """Take a backup named by time and reason, keeping the newest BACKUPS_KEPT copies.
    `progress(pages done, pages)` is called after every 4 MB copied."""
    backup_dir = Path(backup_dir)
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = backup_to(database, backup_dir / f"backup-{stamp}-{reason}.sqlite3", progress)
    copies = sorted(backup_dir.glob("backup-*.sqlite3"))
    for old in copies[:-BACKUPS_KEPT]:
        old.unlink(missing_ok=True)
    log.info("backup taken before %s: %s", reason, target.name)
    return target


def integrity_check(database: SqliteDatabase = db) -> list[str]:
    """Problems reported by SQLite's integrity and foreign-key checks; empty when healthy."""
    rows = [r[0] for r in database.execute_sql("PRAGMA integrity_check").fetchall()]
    problems = [r for r in rows if r != "ok"]
    fk = database.execute_sql("PRAGMA foreign_key_check").fetchall()
    problems += [f"foreign key violation in {r[0]} row {r[1]}" for r in fk]
    return problems

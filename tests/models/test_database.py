"""Opening the local database: pragmas, permissions, migrations and their backups."""
from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from app.models import Member, close_database, db, integrity_check, open_database, schema_version
from app.models import migrations
from app.models.db import classify_sqlite_error, rotating_backup
from app.paths import Profile


def test_pragmas_are_set(profile: Profile) -> None:
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute_sql("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] >= 5000


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_database_file_is_private(profile: Profile) -> None:
    mode = stat.S_IMODE(profile.database.stat().st_mode)
    assert mode == 0o600
    assert stat.S_IMODE(profile.root.stat().st_mode) == 0o700


def test_fresh_database_is_at_latest_version_and_healthy(profile: Profile) -> None:
    assert schema_version() == migrations.LATEST
    assert integrity_check() == []


def test_migration_takes_a_backup_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prof = Profile(tmp_path / "p").create()
    open_database(prof.database, backup_dir=prof.backups)
    from app.services import demo

    demo.fill_demo(20)
    close_database()

    added: list[int] = []

    def v2(database) -> None:
        database.execute_sql("CREATE TABLE extra (id INTEGER PRIMARY KEY)")
        added.append(2)

    shipped = migrations.LATEST
    monkeypatch.setattr(migrations, "STEPS", [*migrations.STEPS, v2])
    monkeypatch.setattr(migrations, "LATEST", len(migrations.STEPS))
    open_database(prof.database, backup_dir=prof.backups)
    assert added == [2]
    assert schema_version() == shipped + 1
    backups = list(prof.backups.glob(f"backup-*-migrate-v{shipped}.sqlite3"))
    assert len(backups) == 1
    copy = sqlite3.connect(backups[0])
    assert copy.execute("SELECT count(*) FROM member").fetchone()[0] == 20
    assert copy.execute("PRAGMA user_version").fetchone()[0] == shipped
    copy.close()
    close_database()


def test_failed_migration_rolls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prof = Profile(tmp_path / "p").create()
    open_database(prof.database, backup_dir=prof.backups)
    close_database()

    def broken(database) -> None:
        database.execute_sql("CREATE TABLE half (id INTEGER)")
        raise RuntimeError("boom")

    shipped = migrations.LATEST
    monkeypatch.setattr(migrations, "STEPS", [*migrations.STEPS, broken])
    monkeypatch.setattr(migrations, "LATEST", len(migrations.STEPS))
    with pytest.raises(RuntimeError):
        open_database(prof.database, backup_dir=prof.backups)
    assert schema_version() == shipped
    assert not db.table_exists("half")
    close_database()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 99")
    con.close()
    with pytest.raises(migrations.SchemaTooNewError, match="升级程序"):
        open_database(path, backup_dir=tmp_path / "b")
    close_database()


def test_rotating_backups_keep_the_newest_five(profile: Profile) -> None:
    for _ in range(7):
        rotating_backup(db, profile.backups, "import")
    assert len(list(profile.backups.glob("backup-*.sqlite3"))) == 5


def test_a_backup_reports_its_progress(demo_profile: Profile) -> None:
    steps: list[tuple[int, int]] = []
    target = rotating_backup(db, demo_profile.backups, "import", progress=lambda done, total: steps.append((done, total)))
    assert target.exists() and steps and steps[-1][0] == steps[-1][1] > 0
    assert [d for d, _ in steps] == sorted(d for d, _ in steps)


def test_unique_id_number_per_union(demo_profile: Profile) -> None:
    first = Member.get()
    from peewee import IntegrityError

    with pytest.raises(IntegrityError):
        Member.create(union=first.union_id, name="重复", id_type=first.id_type, id_number=first.id_number)


def test_environment_errors_are_classified(tmp_path: Path) -> None:
    """Real SQLite errors, judged by their result code (tests/services/test_clerk_errors.py has more)."""
    path = tmp_path / "c.sqlite3"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x TEXT)")
    con.executemany("INSERT INTO t VALUES (?)", [("x" * 100,)] * 2000)
    con.commit()
    con.execute("PRAGMA max_page_count = 1")
    with pytest.raises(sqlite3.OperationalError) as full:
        con.execute("INSERT INTO t VALUES (?)", ("y" * 100_000,))
    con.close()
    with path.open("r+b") as f:  # a page of the table overwritten: SQLITE_CORRUPT
        f.seek(4096 * 2)
        f.write(b"\xff" * 4096)
    con = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError) as corrupt:
        con.execute("SELECT count(*), max(x) FROM t").fetchall()
    con.close()
    assert "磁盘" in classify_sqlite_error(full.value).message
    assert "损坏" in classify_sqlite_error(corrupt.value).message
    assert classify_sqlite_error(ValueError("bug")) is None


def test_v2_adds_an_index_for_every_member_sort_key(tmp_path: Path) -> None:
    """A profile made before the sort indexes gets them on opening, and the member list's ids for
    each sort key walk an index (no sort of the whole table)."""
    from app.models.queries.members import SORT_COLUMNS

    prof = Profile(tmp_path / "p").create()
    open_database(prof.database, backup_dir=prof.backups)
    for column in ("birth_date", "id_expiry"):
        db.execute_sql(f'DROP INDEX "member_union_id_{column}"')
    db.execute_sql("PRAGMA user_version = 1")
    close_database()
    open_database(prof.database, backup_dir=prof.backups)
    assert schema_version() == migrations.LATEST
    for key, column in SORT_COLUMNS.items():
        plan = db.execute_sql(f'EXPLAIN QUERY PLAN SELECT id FROM member WHERE union_id = 1 '
                              f'ORDER BY "{column.column_name}", id').fetchall()
        assert "USING COVERING INDEX" in str(plan) and "TEMP B-TREE" not in str(plan), (key, plan)
    close_database()

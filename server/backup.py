"""Backing up and restoring the central server's database (`union-server backup|restore`).

- SQLite: SQLite's online backup API — a consistent copy while the server runs; the copy is
  checked (`PRAGMA integrity_check`) and written as one self-contained file.
- PostgreSQL: `pg_dump --format=custom` — a consistent snapshot while the server runs — and
  `pg_restore --clean --if-exists` fed to `psql` in one transaction (with the DROPs of any server
  table the backup lacks), so a restore either replaces the data whole or leaves the database as
  it was. The PostgreSQL client programs must be installed on the server host (Debian:
  postgresql-client); the password goes to them in PGPASSWORD, never on a command line another
  user could read in `ps`.

A backup is written under a temporary name and renamed when complete, so a file with the final
name is always a whole backup. A restore is done with the server and its workers stopped; before
it overwrites anything it takes a safety backup of the current database beside the file being
restored. After a restore the schema is upgraded through server/migrations.py's steps (a backup
an older server made gets every step since its version) and every union's change feed jumps
ahead, so clerks' PCs whose cursors had passed the backup still pull what comes next.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
SUFFIX = {"sqlite": ".sqlite3", "postgresql": ".pgdump"}
#: How far a restore moves every union's change feed ahead (see _advance_change_feeds): more
#: changes than one union makes between two nightly backups.
FEED_GAP = 1_000_000


def marker_table() -> str:
    """A table every union-server database has (the accounts); a file without it is not ours."""
    from server.models import User

    return User._meta.table_name  # type: ignore[attr-defined, no-any-return]


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    backend: str
    size: int


def backend_of(url: str) -> str:
    scheme = urlparse(url).scheme
    if scheme.startswith("sqlite"):
        return "sqlite"
    if scheme.startswith("postgres"):
        return "postgresql"
    raise BackupError(f"不支持的数据库地址 {scheme}://：请用 sqlite:/// 或 postgresql://")


def kind_of_file(path: Path) -> str | None:
    """'sqlite' or 'postgresql' from the file's first bytes; None for anything else."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
    except OSError:
        return None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    return None


def sqlite_path(url: str) -> Path:
    """The file of a sqlite:/// URL, as playhouse.db_url reads it (sqlite:////abs for absolute)."""
    path = unquote(urlparse(url).path[1:])
    if not path or path == ":memory:":
        raise BackupError("内存中的 SQLite 数据库无法备份或恢复。")
    return Path(path)


def timestamped(folder: Path, backend: str, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return folder / f"union-server-{stamp}{SUFFIX[backend]}"


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` timestamped backups in `folder`; returns what went."""
    pattern = re.compile(r"^union-server-\d{8}-\d{6}\.(sqlite3|pgdump)$")
    backups = sorted(p for p in folder.iterdir() if pattern.match(p.name))
    gone = backups[:-keep] if keep > 0 else []
    for path in gone:
        path.unlink()
    return gone


def backup(url: str, out: Path) -> BackupResult:
    """Back the database at `url` up into `out` (a file; a folder gets a timestamped name)."""
    backend = backend_of(url)
    out = Path(out)
    if out.is_dir():
        out = timestamped(out, backend)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    if os.name == "posix":  # member data: readable by the server's account only, from the first byte
        os.close(os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600))
        os.chmod(partial, 0o600)
    try:
        if backend == "sqlite":
            _sqlite_backup(sqlite_path(url), partial)
        else:
            _pg_dump(url, partial)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(out, backend, out.stat().st_size)


def restore(url: str, source: Path, *, safety_backup: bool = True) -> Path | None:
    """Replace the database at `url` with the backup `source`; returns the safety backup made."""
    backend = backend_of(url)
    source = Path(source)
    kind = kind_of_file(source)
    if kind is None:
        raise BackupError(f"{source} 不是 union-server 的备份文件（既不是 SQLite 数据库，也不是 pg_dump 文件）。")
    if kind != backend:
        raise BackupError(f"{source} 是 {kind} 的备份，不能恢复到 {backend} 数据库：请恢复到同类数据库。")
    safety = None
    if backend == "sqlite":
        _check_sqlite_backup(source)
        target = sqlite_path(url)
        if safety_backup and target.exists():
            safety = backup(url, _safety_name(source, backend)).path
        _sqlite_restore(source, target)
    else:
        _pg_check_dump(source)
        if safety_backup:
            safety = backup(url, _safety_name(source, backend)).path
        _pg_restore(url, source)
    _upgrade_schema(url)
    _advance_change_feeds()
    return safety


def _advance_change_feeds() -> None:
    """Move every union's change counter FEED_GAP ahead. A clerk's PC may have pulled changes made
    after the backup was taken (they are gone now); its cursor is past the restored counter, and
    without the jump the next changes would get numbers it has already passed and never pull."""
    from server.db import session, write_tx
    from server.models import Union

    with session(), write_tx():
        Union.update(change_seq=Union.change_seq + FEED_GAP).execute()


def _safety_name(source: Path, backend: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return source.with_name(f"before-restore-{stamp}{SUFFIX[backend]}")


def _upgrade_schema(url: str) -> int:
    """Bring a restored database to this version's schema through the same versioned steps every
    start runs (server/migrations.py): a backup from an older server is upgraded in place."""
    from server.db import open_database
    from server.migrations import migrate

    open_database(url)
    return migrate()


# ---- SQLite ------------------------------------------------------------------------------------

def _sqlite_backup(path: Path, out: Path) -> None:
    if not path.is_file():
        raise BackupError(f"数据库文件 {path} 不存在。")
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    target = sqlite3.connect(out)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        _check_sqlite(target, out)
    finally:
        target.close()
        source.close()


def _check_sqlite(conn: sqlite3.Connection, path: Path) -> None:
    verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if verdict != "ok":
        raise BackupError(f"{path} 未通过完整性检查（{verdict}）。")
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if marker_table() not in tables:
        raise BackupError(f"{path} 不是 union-server 的数据库（没有账号表）。")


def _check_sqlite_backup(path: Path) -> None:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        _check_sqlite(conn, path)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} 无法读取：{exc}") from exc
    finally:
        conn.close()


def _sqlite_restore(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)  # page by page under SQLite's locks; a WAL target stays consistent
        dst.execute("PRAGMA journal_mode=WAL")
    finally:
        dst.close()
        src.close()


# ---- PostgreSQL --------------------------------------------------------------------------------

def _pg_program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"找不到 {name}：请在服务器上安装 PostgreSQL 客户端程序"
                          "（Debian/Ubuntu：apt-get install postgresql-client），版本不低于数据库服务器。")
    return found


def _pg_env(url: str) -> tuple[dict[str, str], str, list[str]]:
    """libpq environment for `url` (password included), the database name, and schema options."""
    parsed = urlparse(url)
    env = {**os.environ}
    for var, value in (("PGHOST", parsed.hostname), ("PGPORT", parsed.port), ("PGUSER", parsed.username),
                       ("PGPASSWORD", parsed.password)):
        if value:
            env[var] = unquote(str(value))
    query = parse_qs(parsed.query)
    schema_args: list[str] = []
    for option in query.get("options", []):
        env["PGOPTIONS"] = option
        match = re.search(r"search_path=([A-Za-z0-9_]+)", option)
        if match:
            schema_args = [f"--schema={match.group(1)}"]
    if "sslmode" in query:
        env["PGSSLMODE"] = query["sslmode"][0]
    dbname = unquote(parsed.path.lstrip("/"))
    if not dbname:
        raise BackupError("PostgreSQL 地址中没有数据库名：postgresql://用户:密码@主机:5432/数据库名")
    return env, dbname, schema_args


def _run(cmd: list[str], env: dict[str, str], what: str) -> str:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{what}失败：{_last_error(result.stderr or result.stdout, result.returncode)}")
    return result.stdout


def _last_error(output: str, code: int) -> str:
    """The line that says what went wrong (PostgreSQL's ERROR, not the 'Command was' after it)."""
    lines = [line.strip() for line in output.strip().splitlines() if line.strip()]
    errors = [line for line in lines if "ERROR" in line or "错误" in line]
    return (errors or lines or [str(code)])[-1]


def _pg_dump(url: str, out: Path) -> None:
    env, dbname, schema_args = _pg_env(url)
    _run([_pg_program("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", *schema_args,
          f"--file={out}", dbname], env, "pg_dump 备份")
    _pg_check_dump(out)


def _pg_dump_tables(path: Path) -> set[str]:
    """The names of the tables a pg_dump file holds (from its table of contents)."""
    listing = _run([_pg_program("pg_restore"), "--list", str(path)], dict(os.environ), "读取备份目录")
    return set(re.findall(r"^\d+; \d+ \d+ TABLE \S+ (\S+) ", listing, flags=re.M))


def _pg_check_dump(path: Path) -> None:
    if marker_table() not in _pg_dump_tables(path):
        raise BackupError(f"{path} 不是 union-server 的备份（没有账号表）。")


def _pg_restore(url: str, source: Path) -> None:
    """One transaction (psql reads it; COMMIT only once pg_restore has written all of it): drop the
    server's tables the backup lacks — a newer server made them, and left behind they would carry
    a schema version the restored data has not reached and foreign keys that block the restore —
    then pg_restore's script, which drops and re-creates the backup's own tables."""
    from server.db import database
    from server.models import ALL_MODELS

    # Our own pooled connections would hold locks the restore's DROPs wait for.
    close_all = getattr(database.obj, "close_all", None)
    if close_all is not None:
        close_all()
    env, dbname, _ = _pg_env(url)
    stale = sorted({m._meta.table_name for m in ALL_MODELS} - _pg_dump_tables(source))
    head = "SET client_min_messages = warning;\nBEGIN;\n" + "".join(
        f'DROP TABLE IF EXISTS "{table}" CASCADE;\n' for table in stale)
    with tempfile.TemporaryFile() as script_err, tempfile.TemporaryFile() as psql_err:
        script = subprocess.Popen([_pg_program("pg_restore"), "--clean", "--if-exists", "--no-owner",
                                   "--no-privileges", "--file=-", str(source)],
                                  env=env, stdout=subprocess.PIPE, stderr=script_err)
        psql = subprocess.Popen([_pg_program("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", f"--dbname={dbname}"],
                                env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=psql_err)
        assert script.stdout is not None and psql.stdin is not None
        try:
            psql.stdin.write(head.encode())
            shutil.copyfileobj(script.stdout, psql.stdin)
            psql.stdin.write(b"COMMIT;\n" if script.wait() == 0 else b"ROLLBACK;\n")
        except BrokenPipeError:  # psql stopped at an error: nothing was committed
            pass
        finally:
            with contextlib.suppress(BrokenPipeError):
                psql.stdin.close()
        if script.poll() is None:
            script.kill()
        script.wait()
        psql.wait()
        for process, output, what in ((psql, psql_err, "psql 执行恢复"), (script, script_err, "pg_restore 读取备份")):
            if process.returncode != 0:
                output.seek(0)
                message = _last_error(output.read().decode(errors="replace"), process.returncode)
                raise BackupError(f"{what}失败：{message}（数据库未改动）")

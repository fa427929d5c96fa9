"""Server load benchmark: many grassroots unions pushing signed 100-member submissions at once.

For each backend (SQLite always; PostgreSQL with `--pg URL` or UNION_TEST_PG_URL) this builds a
fresh server database with the server's own code — the demo hierarchy and campaign, then N
grassroots unions under the demo street union, one clerk account each and 2 × M eligible carded
members per union — starts `union-server serve` on it as a subprocess on a loopback port, logs every
clerk in and registers a device key for each (Ed25519), and then measures:

- baseline: one client pushes one signed M-member central-enrollment submission per union, one at
  a time (the first M members of each union);
- load: a pool of C clients pushes the same kind of submission for every union concurrently (the
  other M members), each union's clerk with its own token and key.

It prints throughput (submissions/s), p50/p95/max latency of each push, the error count (anything
but an "ok" receipt; it must be 0), the ratio of the two throughputs, and checks on the database
afterwards that every submission and enrollment is there exactly once. Everything is bounded:
`--max-seconds` per phase, a 60 s timeout per request; the server is stopped and the database
removed at the end.

    python bench/server_load.py [--unions 200] [--members 100] [--clients 24] [--pg URL]
"""
from __future__ import annotations

import argparse
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-load-2025"
from server.demo import demo_notice_pdf  # noqa: E402 - after the path is set

PDF = demo_notice_pdf("bench notice")
PG_ENV = "UNION_TEST_PG_URL"
SECONDARY_CODE = "813101010000000033"  # the demo street union the bench unions hang under


@dataclass
class Clerk:
    username: str
    org_code: str
    numbers: list[str]  # 2 × members eligible id numbers: the baseline's half, then the load's
    token: str = ""
    key: Any = None
    fingerprint: str = ""


@dataclass
class Phase:
    name: str
    wall: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    done: int = 0

    @property
    def throughput(self) -> float:
        return self.done / self.wall if self.wall else 0.0

    def record(self, lock: threading.Lock, elapsed: float, error: str | None) -> None:
        """One request's outcome: its latency, or its error."""
        with lock:
            if error is None:
                self.done += 1
                self.latencies.append(elapsed)
            else:
                self.errors.append(error)

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# --- databases ---------------------------------------------------------------------------------


@contextmanager
def sqlite_database(work: Path) -> Iterator[str]:
    yield f"sqlite:///{work / 'server-load.db'}"


#: What a database (or schema) this bench makes is called, and the comment it carries: who made it,
#: so that a later run drops what a run that died left behind — and nothing a live run still uses.
PREFIX = "union_bench_"
MADE_BY = "union bench: host {host} pid {pid}"


@contextmanager
def postgres_database(base_url: str, prefix: str = PREFIX) -> Iterator[str]:
    """A fresh database made from `base_url` (or a fresh schema when the role may not create
    databases), dropped afterwards — a failed drop is retried, then said on stderr, never raised
    over the bench's figures. Leftovers of earlier runs on this machine whose process is gone
    (killed, or their drop failed) are dropped first."""
    import psycopg
    from psycopg import sql

    parsed = urlparse(base_url)
    admin = urlunparse(parsed._replace(scheme="postgresql"))
    drop_leftovers(admin, prefix)
    name = f"{prefix}{secrets.token_hex(4)}"
    made_by = MADE_BY.format(host=socket.gethostname(), pid=os.getpid())
    with psycopg.connect(admin, autocommit=True) as conn:
        try:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            mode = "database"
        except psycopg.errors.InsufficientPrivilege:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
            mode = "schema"
        conn.execute(sql.SQL("COMMENT ON {} {} IS {}").format(sql.SQL(mode.upper()), sql.Identifier(name),
                                                               sql.Literal(made_by)))
    if mode == "database":
        url = urlunparse(parsed._replace(scheme="postgresql", path=f"/{name}"))
    else:
        url = urlunparse(parsed._replace(scheme="postgresql", query=urlencode({"options": f"-c search_path={name}"})))
    previous = _exit_on_sigterm()
    try:
        yield url
    finally:
        from server.db import database

        close_all = getattr(database.obj, "close_all", None)
        if close_all is not None:
            close_all()
        drop(admin, name, mode)
        if previous is not None:
            import signal

            signal.signal(signal.SIGTERM, previous)


def _exit_on_sigterm() -> Any:
    """A `kill` (SIGTERM) ends the bench through its `finally`s, so its database is dropped; returns
    the handler to put back (None off the main thread, where no handler can be set)."""
    import signal

    if threading.current_thread() is not threading.main_thread():
        return None

    def leave(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)
    return signal.signal(signal.SIGTERM, leave)


def drop(admin: str, name: str, mode: str = "database", attempts: int = 8) -> bool:
    """Drop the bench's database (or schema): its own sessions ended first (a server killed
    mid-run, a pool not closed), retried while something still holds it (an autovacuum worker on
    the fresh tables). A drop that keeps failing is said on stderr: the next run drops it."""
    import psycopg
    from psycopg import sql

    what = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)" if mode == "database"
                   else "DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name))
    error: Exception | None = None
    for attempt in range(attempts):
        try:
            with psycopg.connect(admin, autocommit=True) as conn:
                if mode == "database":
                    conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                                 "AND usename = current_user AND pid <> pg_backend_pid()", (name,))
                conn.execute(what)
            return True
        except psycopg.Error as exc:
            error = exc
            time.sleep(min(0.25 * 2 ** attempt, 5.0))
    print(f"warning: could not drop {mode} {name} after {attempts} attempts ({str(error).strip()}); "
          f"the next run of the bench drops it", file=sys.stderr, flush=True)
    return False


def drop_leftovers(admin: str, prefix: str = PREFIX) -> list[str]:
    """Drop the databases and schemas named `prefix`… that a bench process on this machine made and
    that process is gone; unmarked ones (made before they were marked) only when nobody is
    connected to them (unmarked schemas never: who uses one cannot be seen). Another machine's, or a
    live run's, are left alone. Returns those dropped."""
    import psycopg

    like = prefix.replace("_", r"\_") + "%"
    with psycopg.connect(admin, autocommit=True) as conn:
        found = [(name, "database", comment, busy) for name, comment, busy in conn.execute(
            "SELECT d.datname, shobj_description(d.oid, 'pg_database'), "
            "EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname) "
            "FROM pg_database d WHERE d.datname LIKE %s", (like,))]
        found += [(name, "schema", comment, True) for name, comment in conn.execute(  # unmarked: in use?
            "SELECT nspname, obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname LIKE %s", (like,))]
    dropped = []
    for name, mode, comment, busy in found:
        if _orphaned(comment, busy) and drop(admin, name, mode, attempts=3):
            print(f"dropped {mode} {name} left by an earlier run ({comment or 'unmarked'})", flush=True)
            dropped.append(name)
    return dropped


def _orphaned(comment: str | None, busy: bool) -> bool:
    """Whether a bench database's maker is gone: its process, on this machine, no longer runs."""
    if not comment:
        return not busy
    parts = comment.split()
    if not comment.startswith("union bench:") or len(parts) < 6 or parts[3] != socket.gethostname():
        return False
    try:
        os.kill(int(parts[5]), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, ValueError):
        return False
    return False


def mainland_id(k: int) -> str:
    """The k-th of many distinct valid mainland ID numbers (born 1975–2000)."""
    from app.rules.idcard import check_character

    birth = date(1975, 1, 1) + timedelta(days=k // 50)
    seq = k % 50
    first17 = f"310101{birth:%Y%m%d}{seq:02d}{(2 * seq + 1) % 10}"
    return first17 + check_character(first17)


def build_world(db_url: str, unions: int, members: int) -> tuple[list[Clerk], int]:
    """The demo hierarchy and campaign, `unions` grassroots unions with a clerk each and
    2 × `members` eligible carded members per union. Returns the clerks and the plan year."""
    from server import accounts
    from server.campaigns import shanghai_today
    from server.db import open_database, session, write_tx
    from server.demo import init_demo
    from server.migrations import migrate
    from server.models import Member, Union, User
    from server.security import hash_password
    from server.settings import ServerContext

    open_database(db_url)
    migrate()
    ctx = ServerContext()
    clerks: list[Clerk] = []
    with session():
        init_demo(ctx, password=PASSWORD, members_per_union=0)
        plan_year = shanghai_today(ctx).year + 1
        parent = Union.get(Union.org_code == SECONDARY_CODE)
        password_hash = hash_password(PASSWORD, ctx.settings.scrypt_n)  # one scrypt, shared by all
        now = ctx.now_naive()
        k = 0
        for i in range(unions):
            org_code = f"91310101LOAD{i:05d}X"
            union = accounts.create_union(ctx, name=f"压测第{i + 1}号公司工会委员会", org_code=org_code,
                                          union_type="工会委员会", level="grassroots", parent=parent)
            username = f"load{i:04d}"
            rows = []
            numbers = []
            for j in range(2 * members):
                number = mainland_id(k)
                k += 1
                numbers.append(number)
                rows.append({
                    "union": union.id, "id_number": number, "member_no": f"{i:04d}{j:04d}", "name": f"会员{j}",
                    "id_type": "mainland", "id_expiry": "长期", "gender": "male",
                    "birth_date": f"{number[6:10]}-{number[10:12]}-{number[12:14]}",
                    "phone": f"139{k:08d}", "category": "linked_enterprise", "life_status": "in_service",
                    "card_no": f"6231{k:015d}", "card_status": "issued", "insurance_status": "paid",
                    "versions": {"phone": 1}, "version": 1, "updated": now,
                })
            with write_tx():
                User.create(username=username, union=union, role="clerk", display_name=f"压测经办人{i}",
                            password_hash=password_hash, created=now)
                for start in range(0, len(rows), 100):
                    Member.insert_many(rows[start:start + 100]).execute()
            clerks.append(Clerk(username=username, org_code=org_code, numbers=numbers))
    return clerks, plan_year


def count_effects(db_url: str, clerks: list[Clerk]) -> tuple[int, int, int]:
    """(submissions, enrollments, distinct enrolled people) of the bench unions, read directly."""
    from peewee import fn

    from server.db import open_database, session
    from server.models import Enrollment, Submission, Union

    open_database(db_url)
    with session():
        ids = [u.id for u in Union.select(Union.id).where(Union.org_code.in_([c.org_code for c in clerks]))]
        subs = Submission.select().where(Submission.union.in_(ids)).count()
        rows = Enrollment.select().where(Enrollment.union.in_(ids)).count()
        people = (Enrollment.select(fn.COUNT(fn.DISTINCT(Enrollment.id_number)))
                  .where(Enrollment.union.in_(ids)).scalar())
    return subs, rows, people


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_server(db_url: str, log_file: Path) -> Iterator[str]:
    """`union-server serve` on a free loopback port, stopped (and waited for) at the end."""
    with serving(db_url, log_file) as (url, _):
        yield url


def _dies_with_parent() -> None:
    """In the server's process before it starts (Linux): a SIGTERM when the bench dies, a `kill -9`
    too — a server left running held the bench's database open."""
    import ctypes
    import signal

    ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@contextmanager
def serving(db_url: str, log_file: Path, workers: int = 1) -> Iterator[tuple[str, int]]:
    """`union-server serve [--workers N]` on a free loopback port: its URL and its (supervising)
    process id; stopped (and waited for) at the end."""
    import requests

    port = free_port()
    script = Path(sys.executable).with_name("union-server")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "server.cli"]
    command += ["serve", "--db", db_url, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
                "--no-worker"] + (["--workers", str(workers)] if workers > 1 else [])
    with open(log_file, "wb") as log:
        proc = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                preexec_fn=_dies_with_parent if sys.platform == "linux" else None)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited ({proc.returncode}); see {log_file}")
            try:
                requests.get(url + "/time", timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the server did not start within 60 s") from None
                time.sleep(0.1)
        yield url, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


# --- the clients -----------------------------------------------------------------------------

_local = threading.local()


def http() -> Any:
    import requests

    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
    return session


def sign_in(url: str, clerk: Clerk) -> None:
    from app.protocol import generate_device_key, public_key_b64

    # The server hashes a few passwords at once and refuses the excess at once (rate_limited, with
    # detail.retry_after_seconds — #18's bounded hashing); a clerk's PC tries again, so does the bench.
    for _ in range(600):
        login = http().post(url + "/auth/login", json={"username": clerk.username, "password": PASSWORD},
                            timeout=60)
        if login.status_code != 429:
            break
        time.sleep(float((login.json().get("detail") or {}).get("retry_after_seconds", 1)))
    login.raise_for_status()
    clerk.token = login.json()["access_token"]
    clerk.key = generate_device_key()
    device = http().post(url + "/devices", json={"public_key": public_key_b64(clerk.key), "label": "压测"},
                         headers={"Authorization": f"Bearer {clerk.token}"}, timeout=60)
    device.raise_for_status()
    clerk.fingerprint = device.json()["fingerprint"]


def submission_body(clerk: Clerk, numbers: list[str], plan_year: int) -> dict[str, Any]:
    from app.protocol import PushRecord, RecordKind, format_timestamp
    from server.demo import demo_submission

    payload = demo_submission(clerk.org_code, plan_year, numbers, PDF, nonce=secrets.token_hex(16),
                              timestamp=format_timestamp(datetime.now(UTC))).to_wire()
    record = PushRecord.signed(str(uuid.uuid4()), RecordKind.SUBMISSION, payload, clerk.key, PDF).to_wire()
    return {"device_fingerprint": clerk.fingerprint, "records": [record]}


def push_one(url: str, clerk: Clerk, numbers: list[str], plan_year: int, phase: Phase, lock: threading.Lock) -> None:
    body = submission_body(clerk, numbers, plan_year)
    started = time.perf_counter()
    error = None
    try:
        response = http().post(url + "/push", json=body, headers={"Authorization": f"Bearer {clerk.token}"},
                               timeout=60)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            error = f"{clerk.username}: HTTP {response.status_code} {response.text[:200]}"
        else:
            [result] = response.json()["results"]
            if result.get("status") != "ok":
                error = f"{clerk.username}: {result.get('problem')} {str(result.get('detail'))[:200]}"
    except Exception as exc:  # noqa: BLE001 - every failure is counted and shown
        elapsed = time.perf_counter() - started
        error = f"{clerk.username}: {type(exc).__name__} {exc}"
    phase.record(lock, elapsed, error)


def run_phase(name: str, jobs: list[Callable[[Phase, threading.Lock], None]], workers: int,
              max_seconds: float) -> Phase:
    """Run the jobs on `workers` threads; whatever has not finished after max_seconds is an error."""
    phase = Phase(name)
    lock = threading.Lock()
    started = time.perf_counter()
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
    futures = [pool.submit(job, phase, lock) for job in jobs]
    finished, pending = wait(futures, timeout=max_seconds, return_when=FIRST_EXCEPTION)
    phase.wall = time.perf_counter() - started
    for future in pending:
        future.cancel()
    pool.shutdown(wait=True, cancel_futures=True)
    for future in finished:
        if future.exception() is not None:
            phase.errors.append(f"{type(future.exception()).__name__}: {future.exception()}")
    if pending:
        phase.errors.append(f"{len(pending)} pushes not finished within {max_seconds:.0f} s")
    return phase


# --- one backend -------------------------------------------------------------------------------


def bench_backend(label: str, db_url: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    t = time.perf_counter()
    clerks, plan_year = build_world(db_url, args.unions, args.members)
    setup = time.perf_counter() - t
    print(f"[{label}] built {args.unions} unions, {args.unions} clerks, {2 * args.members * args.unions:,} members "
          f"in {setup:.1f} s", flush=True)
    with running_server(db_url, work / f"server-{label}.log") as url:
        t = time.perf_counter()
        signed = run_phase("sign-in", [lambda p, lock, c=c: sign_in(url, c) for c in clerks], args.clients, args.max_seconds)
        if signed.errors:
            raise RuntimeError(f"sign-in failed: {signed.errors[:3]}")
        print(f"[{label}] {len(clerks)} clerks logged in and registered device keys in {time.perf_counter() - t:.1f} s",
              flush=True)
        m = args.members
        baseline = run_phase("baseline", [
            lambda p, lock, c=c: push_one(url, c, c.numbers[:m], plan_year, p, lock) for c in clerks], 1, args.max_seconds)
        print(f"[{label}] baseline: {baseline.done} pushes one at a time in {baseline.wall:.1f} s", flush=True)
        load = run_phase("load", [
            lambda p, lock, c=c: push_one(url, c, c.numbers[m:], plan_year, p, lock) for c in clerks],
            args.clients, args.max_seconds)
        print(f"[{label}] load: {load.done} pushes by {args.clients} concurrent clients in {load.wall:.1f} s", flush=True)
    if baseline.errors or load.errors:
        tail = (work / f"server-{label}.log").read_text(encoding="utf-8", errors="replace")[-3000:]
        print(f"[{label}] the server's log ends with:\n{tail}", flush=True)
    subs, rows, people = count_effects(db_url, clerks)
    expected_subs = baseline.done + load.done
    consistent = subs == expected_subs and rows == people == expected_subs * m
    return {"label": label, "setup": setup, "baseline": baseline, "load": load, "subs": subs, "rows": rows,
            "people": people, "consistent": consistent}


def report(result: dict[str, Any], args: argparse.Namespace) -> None:
    base, load = result["baseline"], result["load"]
    label = result["label"]

    def line(phase: Phase, who: str) -> str:
        return (f"  {who:<28} {phase.done:>4} ok, {len(phase.errors)} errors in {phase.wall:6.2f} s: "
                f"{phase.throughput:6.1f} submissions/s ({phase.throughput * args.members:7.0f} members/s), "
                f"latency p50 {phase.percentile(0.5) * 1000:5.0f} ms, p95 {phase.percentile(0.95) * 1000:5.0f} ms, "
                f"max {max(phase.latencies, default=float('nan')) * 1000:5.0f} ms")

    print(f"\n{label}: {args.unions} unions × one signed {args.members}-member central-enrollment submission")
    print(line(base, "baseline (1 client, serial)"))
    print(line(load, f"load ({args.clients} clients)"))
    ratio = load.throughput / base.throughput if base.throughput else float("nan")
    print(f"  throughput ratio load/baseline: {ratio:.2f}×")
    print(f"  on the server afterwards: {result['subs']} submissions, {result['rows']:,} enrollments of "
          f"{result['people']:,} distinct people — {'consistent' if result['consistent'] else 'NOT CONSISTENT'}")
    for error in (base.errors + load.errors)[:5]:
        print(f"  error: {error}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--unions", type=int, default=200)
    parser.add_argument("--members", type=int, default=100, help="members per submission (default 100)")
    parser.add_argument("--clients", type=int, default=24, help="concurrent clients in the load phase (default 24)")
    parser.add_argument("--pg", default=os.environ.get(PG_ENV), help=f"PostgreSQL URL (default ${PG_ENV})")
    parser.add_argument("--backend", choices=["all", "sqlite", "postgresql"], default="all")
    parser.add_argument("--max-seconds", type=float, default=300, help="bound on each phase (default 300)")
    args = parser.parse_args()
    if not 1 <= args.clients <= 64:
        parser.error("--clients must be 1–64")

    import logging

    logging.basicConfig(level=logging.WARNING)
    work = Path(tempfile.mkdtemp(prefix="union-bench-load-"))
    results = []
    try:
        if args.backend in ("all", "sqlite"):
            with sqlite_database(work) as url:
                results.append(bench_backend("SQLite", url, args, work))
        if args.backend in ("all", "postgresql"):
            if not args.pg:
                print("PostgreSQL: skipped (no --pg URL and no $UNION_TEST_PG_URL)")
            else:
                with postgres_database(args.pg) as url:
                    results.append(bench_backend("PostgreSQL", url, args, work))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}, "
          f"Python {platform.python_version()}; server: one `union-server serve` process on loopback")
    for result in results:
        report(result, args)
    failed = any(r["baseline"].errors or r["load"].errors or not r["consistent"] for r in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

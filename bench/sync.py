"""Sync benchmark: a signed 10,000-member submission, a first pull of 100,000 members, and the
first push of 100,000 imported members against the first pull of the same members.

Runs the real server (`union-server serve`, SQLite) in a subprocess on a loopback port and the
real client (ServerClient + SyncEngine) here. Prints, for this machine:
- a signed 10,000-member submission pushed and verified end to end (target ≤ 2 s), next to a
  100-member one in the same run (ratio per member);
- a first pull of 100,000 members into a fresh profile (target ≤ 10 s), next to fetching the same
  pages without applying them (the HTTP + JSON baseline) — their ratio is the cost of applying;
- the first push of --push-members members imported from a clerk's .xlsx (bench/import.py's
  file) into a union that holds only the demo's few members, next to the first pull of the same
  members into another fresh profile (target, issue #13 item 8: push ≤ 3× pull), each with the
  CPU time of this process and of the server process.

    python bench/sync.py [--members 100000] [--push-members 100000] [--push-only] [--work DIR]
                         [--profile-push FILE] [--trace-push] [--push-chunk ROWS]

--trace-push prints the first push's time budget per request (bench/push_trace.py): the client's
encoding and decoding, each request's wall time split into the server's CPU and its wait for a
core (/proc schedstat; the box is shared), the gap between an answer and the next request, the
client's database work and commits, and each side's CPU by thread. --push-chunk sets the rows a
request carries (the server takes at most Settings.max_push_records, 500).

--profile-push FILE samples the server process with py-spy (`pip install py-spy`; it needs the
right to ptrace the server) during the first push only, and writes its stacks to FILE in py-spy's
"raw" (collapsed) form: one line per distinct stack, frames separated by ";", then its sample
count. The samples slow the server a little; do not compare a profiled run's times with others.
The server database is built once into --work (a few minutes) and reused.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PASSWORD = "bench-2025"


def build_server_db(db_file: Path, members: int) -> None:
    from server.campaigns import shanghai_today
    from server.db import open_database, session
    from server.demo import _member_rows, init_demo, insert_members, is_initialised
    from server.migrations import migrate
    from server.models import Member, Union
    from server.settings import ServerContext, Settings, system_clock

    url = f"sqlite:///{db_file}"
    open_database(url)
    migrate()
    ctx = ServerContext(settings=Settings(), clock=system_clock)
    with session():
        if not is_initialised():
            print("building the server database …", flush=True)
            init_demo(ctx, password=PASSWORD, members_per_union=20)
        union = Union.get(Union.org_code == "813101010000000041")
        have = Member.select().where(Member.union == union).count()
        if have < members:
            t = time.perf_counter()
            used_ids = {m.id_number for m in Member.select(Member.id_number)}
            used_phones = {m.phone for m in Member.select(Member.phone) if m.phone}
            rows, _ = _member_rows(union, ("上海示范科技有限公司",), members - have, 77, shanghai_today(ctx),
                                   used_ids, used_phones)
            for start in range(0, len(rows), 5000):
                insert_members(ctx, union, rows[start:start + 5000])
            print(f"  {len(rows):,} members added in {time.perf_counter() - t:.0f} s", flush=True)


def eligible_numbers(db_file: Path, count: int) -> list[str]:
    import sqlite3

    con = sqlite3.connect(db_file)
    rows = con.execute(
        "SELECT m.id_number FROM member m JOIN trade_union u ON u.id = m.union_id "
        "WHERE u.org_code = '813101010000000041' AND m.card_status = 'issued' AND m.life_status = 'in_service' "
        "AND m.category = 'linked_enterprise' "  # the server refuses flexible and outside members (ineligible)
        "AND m.id_type = 'mainland' AND (m.insurance_status IS NULL OR m.insurance_status != 'pending') "
        "AND m.birth_date >= '1975-01-01' AND m.id_number NOT IN (SELECT id_number FROM enrollment) "
        "ORDER BY m.id LIMIT ?", (count,)).fetchall()
    con.close()
    return [r[0] for r in rows]


def start_server(db_file: Path) -> tuple[str, subprocess.Popen]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    proc = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--db", f"sqlite:///{db_file}",
                             "--port", str(port), "--log-level", "warning"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    import requests

    for _ in range(300):
        try:
            requests.get(url + "/time", timeout=1)
            return url, proc
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


def submission(client, fingerprint: str, key, org_code: str, plan_year: int, numbers: list[str]) -> float:
    from datetime import datetime, timezone

    from app.protocol import PushRecord, RecordKind, format_timestamp
    from server.demo import demo_notice_pdf, demo_submission

    pdf = demo_notice_pdf("bench notice")
    t = time.perf_counter()
    payload = demo_submission(org_code, plan_year, numbers, pdf, nonce=uuid.uuid4().hex,
                              timestamp=format_timestamp(datetime.now(timezone.utc))).to_wire()
    record = PushRecord.signed(str(uuid.uuid4()), RecordKind.SUBMISSION, payload, key, pdf).to_wire()
    [result] = client.push(fingerprint, [record])
    elapsed = time.perf_counter() - t
    if result["status"] != "ok":
        raise RuntimeError(f"submission refused: {result['problem']} {str(result.get('detail'))[:300]}")
    return elapsed


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system, its finished children included) of process `pid` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


class Timed:
    """Wall time, this process's CPU time and the server process's CPU time of a block."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid

    def __enter__(self) -> Timed:
        self._t, self._cpu, self._server = time.perf_counter(), time.process_time(), process_cpu(self.server_pid)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.wall = time.perf_counter() - self._t
        self.cpu = time.process_time() - self._cpu
        self.server = process_cpu(self.server_pid) - self._server
        self.load = os.getloadavg()[0]

    def __str__(self) -> str:
        return (f"{self.wall:.2f} s (CPU: here {self.cpu:.2f} s, server {self.server:.2f} s; "
                f"wall / the busier side's CPU {self.wall / max(self.cpu, self.server, 1e-9):.2f}; load {self.load:.1f})")


def signed_in_profile(url: str, folder: Path):  # type: ignore[no-untyped-def]
    """A fresh profile linked to the bench account's union, with a registered device: its engine."""
    from app.models import open_database
    from app.paths import Profile
    from app.protocol import generate_device_key, public_key_b64
    from app.sync.client import ServerClient
    from app.sync.engine import SyncEngine, link_union

    client = ServerClient(url)
    client.login("grassroots", PASSWORD)
    me = client.me()
    key = generate_device_key()
    fingerprint = client.register_device(public_key_b64(key), "bench")["fingerprint"]
    profile = Profile(folder).create()
    open_database(profile.database, backup_dir=profile.backups)
    union_id = link_union(me["union"], me["enterprises"])
    return profile, SyncEngine(client, union_id=union_id, org_code=me["union"]["org_code"], device_key=key,
                               device_fingerprint=fingerprint, actor="bench")


@contextmanager
def sampled(pid: int, out: Path | None) -> Iterator[None]:
    """Sample process `pid` with py-spy for the block, its stacks written to `out` (None: not at all)."""
    if out is None:
        yield
        return
    spy = subprocess.Popen([str(Path(sys.executable).with_name("py-spy")), "record", "--pid", str(pid), "--format", "raw",
                            "--rate", "200", "--output", str(out)], stdout=subprocess.DEVNULL)
    time.sleep(1.0)  # py-spy attaches
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)
        spy.wait(60)


def first_push(work: Path, members: int, profile_to: Path | None = None,
               trace: bool = False) -> tuple[int, Timed, int, Timed]:
    """Import `members` members from an .xlsx into a profile that pulled the demo union, push them
    all (the first push), then pull the union into a fresh profile (the first pull of the same
    members). Returns (pushed, push timing, pulled members, pull timing)."""
    import importlib.util
    from datetime import date

    from app.models import Member, close_database
    from app.rules.codes import Category
    from app.services import importer
    from app.sync.engine import SyncReport, pending_changes

    spec = importlib.util.spec_from_file_location("bench_import", ROOT / "bench" / "import.py")
    assert spec is not None and spec.loader is not None
    bench_import = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_import)
    sheet = work / f"import-{members}.xlsx"
    if not sheet.exists():
        bench_import.write_excel_like(sheet, bench_import.member_rows(members, seed=31, bad_every=10**9))

    db_file = work / "push-server.db"
    db_file.unlink(missing_ok=True)
    build_server_db(db_file, 0)
    url, proc = start_server(db_file)
    folders: list[Path] = []
    try:
        folders = [Path(tempfile.mkdtemp(prefix="bench-push-")), Path(tempfile.mkdtemp(prefix="bench-pull2-"))]
        profile, engine = signed_in_profile(url, folders[0])
        engine.sync()  # the demo union's own few members: the clerk's PC is up to date
        options = importer.ImportOptions(union_id=engine.union_id, category=Category.FLEXIBLE, today=date.today(),
                                         actor="bench")
        result = importer.apply_import(importer.prepare_import(sheet, options), backup_dir=profile.backups)
        print(f"  {result.imported:,} members imported here ({result.failed} refused rows)", flush=True)
        tracer = None
        if trace:
            sys.path.insert(0, str(ROOT / "bench"))
            from push_trace import PushTrace

            tracer = PushTrace(engine, proc.pid)
        with sampled(proc.pid, profile_to), Timed(proc.pid) as push:
            report = SyncReport()
            engine.push(report, queueing=engine.queueing())  # as sync() queues and pushes
        if tracer is not None:
            print(tracer.report(), flush=True)
        left = pending_changes()
        if left:
            raise RuntimeError(f"first push: {left} members still to send ({report.refused} refused)")
        if report.refused:
            print(f"  the server refused {report.refused} of them", flush=True)
        close_database()

        _, fresh = signed_in_profile(url, folders[1])
        with Timed(proc.pid) as pull:
            fresh.pull(SyncReport())
        pulled = Member.select().count()
        close_database()
    finally:
        proc.terminate()
        proc.wait(10)
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
    return result.imported, push, pulled, pull


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--push-members", type=int, default=100_000)
    parser.add_argument("--push-only", action="store_true", help="only the first push and its first pull")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "union-bench-sync")
    parser.add_argument("--push-chunk", type=int, metavar="ROWS",
                        help="rows a push request carries (default app.sync.engine.PUSH_CHUNK)")
    parser.add_argument("--trace-push", action="store_true",
                        help="time every request of the first push, each side's threads (bench/push_trace.py)")
    parser.add_argument("--profile-push", type=Path, metavar="FILE",
                        help="sample the server with py-spy during the first push; its stacks to FILE")
    args = parser.parse_args()
    args.work.mkdir(mode=0o700, parents=True, exist_ok=True)
    if args.push_chunk:
        from app.sync import engine

        engine.PUSH_CHUNK = args.push_chunk
    machine = f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}"
    pushed, first_push_t, pulled_again, first_pull_t = first_push(args.work, args.push_members, args.profile_push,
                                                                         args.trace_push)
    if args.push_only:
        print()
        print(machine)
        print_push(pushed, first_push_t, pulled_again, first_pull_t)
        return
    db_file = args.work / f"server-{args.members}.db"
    build_server_db(db_file, args.members)
    # Each run works on a copy, so the built database stays unenrolled and runs are comparable.
    run_db = args.work / "run.db"
    shutil.copyfile(db_file, run_db)
    numbers = eligible_numbers(run_db, 10_100)
    url, proc = start_server(run_db)
    try:
        from app.models import close_database, open_database
        from app.paths import Profile
        from app.protocol import generate_device_key, public_key_b64
        from app.sync.client import ServerClient
        from app.sync.engine import SyncEngine, SyncReport, link_union

        client = ServerClient(url)
        client.login("grassroots", PASSWORD)
        me = client.me()
        key = generate_device_key()
        fingerprint = client.register_device(public_key_b64(key), "bench")["fingerprint"]
        plan_year = client.campaign()["plan_year"]

        # Submissions are one per union and plan type's members: use disjoint slices.
        small = submission(client, fingerprint, key, me["union"]["org_code"], plan_year, numbers[:100])
        big = submission(client, fingerprint, key, me["union"]["org_code"], plan_year, numbers[100:10_100])

        # Baseline: the same feed fetched page by page, nothing applied.
        t = time.perf_counter()
        cursor, fetched = 0, 0
        while True:
            page = client.changes(cursor, 1000)
            fetched += len(page["changes"])
            cursor = page["next"]
            if not page["more"]:
                break
        raw = time.perf_counter() - t

        profile = Profile(Path(tempfile.mkdtemp(prefix="bench-pull-"))).create()
        open_database(profile.database, backup_dir=profile.backups)
        union_id = link_union(me["union"], me["enterprises"])
        engine = SyncEngine(client, union_id=union_id, org_code=me["union"]["org_code"])
        t = time.perf_counter()
        report = SyncReport()
        engine.pull(report)
        pull = time.perf_counter() - t
        from app.models import Member

        pulled_members = Member.select().count()
        close_database()
    finally:
        proc.terminate()
        proc.wait(10)

    print()
    print(machine)
    print(f"signed submission, 100 members:     {small * 1000:7.0f} ms")
    print(f"signed submission, 10,000 members:  {big * 1000:7.0f} ms   (target ≤ 2000 ms); "
          f"per member {big / 10_000 * 1e6:.0f} µs vs {small / 100 * 1e6:.0f} µs at 100 (ratio {big / 10_000 / (small / 100):.2f})")
    print(f"feed fetched without applying: {fetched:,} changes in {raw:.2f} s")
    print(f"first pull into a fresh profile: {pulled_members:,} members ({report.pulled:,} changes) in {pull:.2f} s"
          f"   (target ≤ 10 s); ratio to fetch-only {pull / raw:.2f}")
    print_push(pushed, first_push_t, pulled_again, first_pull_t)


def print_push(pushed: int, push: Timed, pulled: int, pull: Timed) -> None:
    print(f"first push of {pushed} members: {push.wall:.2f} s, ratio to first pull: {push.wall / pull.wall:.2f}"
          f"   (target ≤ 3)")
    print(f"  first push: {push}")
    print(f"  first pull of the same members ({pulled:,} with the demo's own): {pull}")


if __name__ == "__main__":
    main()

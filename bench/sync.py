"""Sync benchmark: a signed 10,000-member submission, and a first pull of 100,000 members.

Runs the real server (`union-server serve`, SQLite) in a subprocess on a loopback port and the
real client (ServerClient + SyncEngine) here. Prints, for this machine:
- a signed 10,000-member submission pushed and verified end to end (target ≤ 2 s), next to a
  100-member one in the same run (ratio per member);
- a first pull of 100,000 members into a fresh profile (target ≤ 10 s), next to fetching the same
  pages without applying them (the HTTP + JSON baseline) — their ratio is the cost of applying.

    python bench/sync.py [--members 100000] [--work DIR]
The server database is built once into --work (a few minutes) and reused.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "union-bench-sync")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
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
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}")
    print(f"signed submission, 100 members:     {small * 1000:7.0f} ms")
    print(f"signed submission, 10,000 members:  {big * 1000:7.0f} ms   (target ≤ 2000 ms); "
          f"per member {big / 10_000 * 1e6:.0f} µs vs {small / 100 * 1e6:.0f} µs at 100 (ratio {big / 10_000 / (small / 100):.2f})")
    print(f"feed fetched without applying: {fetched:,} changes in {raw:.2f} s")
    print(f"first pull into a fresh profile: {pulled_members:,} members ({report.pulled:,} changes) in {pull:.2f} s"
          f"   (target ≤ 10 s); ratio to fetch-only {pull / raw:.2f}")


if __name__ == "__main__":
    main()

"""City-scale bench (issue #19), first slice: 1 vs 2 server processes on PostgreSQL.

Builds a fresh PostgreSQL database with the server's own code (bench/server_load.py's world):
2 × U grassroots unions, each with a clerk and 140 eligible carded members. Then, for one and
for two server processes (`union-server serve` and `serve --workers 2`, each on its own half of
the unions so both start from the same state), for each client count C:

- the first-sync wave: every clerk pushes 140 new members (member_upsert records, one request);
- the submission wave: every clerk pushes one signed 140-member central-enrollment submission.

It prints throughput, p50/p95/p99 latency, errors (must be 0), the server's CPU per upserted
member and per batch (its whole process tree: a figure other load on the box does not move), the
ratio of two processes to one (the target is ≥ 1.8 on 2 cores), the server's RSS after the waves,
the database size per member, and checks every effect is on the server exactly once.

    python bench/city.py [--unions 2000] [--clients 24,64] [--pg URL]

The clients are light (bench/city_load.py): every body is built and signed before its wave and
sent as bytes over a keep-alive http.client connection, so on a 2-core box they take little of
what the server needs. Each wave also prints where the box's CPU went — the server (each of its
processes), the PostgreSQL backends of the bench's database, the load generator, PostgreSQL's
shared processes, the rest of the box (other work) — and per request s, p and c: the server's,
PostgreSQL's and the clients' CPU. One process is bounded by its core (1/s requests a second: the
GIL), two by the 2 cores they share with PostgreSQL and the clients (2/(s+p+c)), so 2 processes ÷
1 ≤ 2s/(s+p+c): printed beside the achieved ratio. CPU per request holds on a busy box, where
the wall-clock ratio does not.

Each wave also names the tables autovacuum vacuumed or analyzed meanwhile (its workers' CPU is
shown apart from the backends serving requests), the tables sequential scans read more than
10,000 rows of (a plan that should be an index lookup shows here), and the box's iowait. The
world starts with an empty `submission` table: until autovacuum first analyzes it (within
autovacuum_naptime, 1 min), the foreign-key check of every enrollment row scans it whole, so the
first submission wave's PostgreSQL CPU is inflated (installer/server/README.md, "PostgreSQL").

After the upserts each clerk's union is pulled from 0 as a new PC would (server CPU per member
pulled, the baseline of the upsert CPU target: ≤ 3×), and at the end the feed is compacted as
the job worker does and the biggest tables' sizes are printed before and after.

Then the 100,000-member union (bench/city_union.py, `--big-union N`, 0 skips it): built through
the push path, 10 % of it changed twice, a new PC's first pull before and after a compaction
(changes ÷ members, target ≤ 1.2) and the database ÷ the member table (target ≤ 2×), every table's
size; `--unions 0` runs only that phase.

RSS under 24 concurrent logins (#19) is measured by `bench/login_flood.py --logins 24`.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import city_load  # noqa: E402 - bench/city_load.py: the light load generator
import city_union  # noqa: E402 - bench/city_union.py: the 100,000-member union
import server_load as world  # noqa: E402 - bench/server_load.py: databases, world, server, clients
from server_load import Clerk, Phase  # noqa: E402

MEMBERS = 140  # per union: the carded ones submitted, as many new ones upserted


def new_member_id(k: int) -> str:
    """The k-th new member's ID number: the world's k-th with another district's code (黄浦 → 卢湾)."""
    from app.rules.idcard import check_character

    first17 = "310103" + world.mainland_id(k)[6:17]
    return first17 + check_character(first17)


def _processes() -> dict[int, list[str]]:
    """Every process's /proc/PID/stat fields after its command."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                found[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
    return found


def tree_pids(pid: int, processes: dict[int, list[str]] | None = None) -> set[int]:
    """A process and its descendants (Linux /proc)."""
    stats = _processes() if processes is None else processes
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, stat in stats.items() if int(stat[1]) == parent and p not in tree]
        tree.update(children)
        frontier.extend(children)
    return tree


def tree_usage(pid: int) -> tuple[float, float]:
    """(resident MB, CPU seconds so far) of a process and its descendants (Linux /proc)."""
    stats = _processes()
    # After the command: state, ppid, …, utime (12th), stime (13th), …, rss in pages (22nd).
    tree = [stats[p] for p in tree_pids(pid, stats) if p in stats]
    pages = sum(int(stat[21]) for stat in tree)
    ticks = sum(int(stat[11]) + int(stat[12]) for stat in tree)
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6, ticks / os.sysconf("SC_CLK_TCK")


def pull_all(url: str, clerk: Clerk, phase: Phase, lock: threading.Lock, pulled: list[int]) -> None:
    """A new PC's first pull of the clerk's union: every page of its feed from 0."""
    started, since, count, error = time.perf_counter(), 0, 0, None
    try:
        while True:
            response = world.http().get(url + "/changes", params={"since": since, "limit": 1000},
                                        headers={"Authorization": f"Bearer {clerk.token}"}, timeout=120)
            if response.status_code != 200:
                error = f"{clerk.username}: HTTP {response.status_code}"
                break
            page = response.json()
            count += sum(1 for c in page["changes"] if c["entity"] == "member")
            since = page["next"]
            if not page["more"]:
                break
    except Exception as exc:  # noqa: BLE001 - every failure is counted and shown
        error = f"{clerk.username}: {type(exc).__name__} {exc}"
    with lock:
        pulled.append(count)
    phase.record(lock, time.perf_counter() - started, error)


def count_members(db_url: str, clerks: list[Clerk]) -> int:
    from server.db import open_database, session
    from server.models import Member, Union

    open_database(db_url)
    with session():
        ids = [u.id for u in Union.select(Union.id).where(Union.org_code.in_([c.org_code for c in clerks]))]
        return int(Member.select().where(Member.union.in_(ids)).count())


def database_size(db_url: str) -> tuple[int, int]:
    """(bytes of the database, members in it)."""
    from server.db import database, open_database, session
    from server.models import Member

    open_database(db_url)
    with session():
        size = database.obj.execute_sql("SELECT pg_database_size(current_database())").fetchone()[0]
        return int(size), int(Member.select().count())


TABLES = ("member", "change", "idempotency_record", "audit_entry")  # member_claim: folded into member (step 13)


def table_sizes(db_url: str) -> dict[str, int]:
    """Bytes of the biggest tables with their indexes (VACUUMed first, so deleted rows are free)."""
    from server.db import database, open_database, session

    open_database(db_url)
    with session():
        for table in TABLES:
            database.obj.execute_sql(f'VACUUM "{table}"')
        return {t: int(database.obj.execute_sql("SELECT pg_total_relation_size(%s)", (t,)).fetchone()[0])
                for t in TABLES}


def compaction(db_url: str) -> tuple[list[tuple[Any, float]], dict[str, int], dict[str, int]]:
    """The feed compacted as the job worker does (server/feed.py), twice (the second run must read
    nothing: each union's mark): ([(Compaction, wall s)] of each run, sizes before, after)."""
    from server.app import create_app
    from server.feed import compact_feeds

    before = table_sizes(db_url)
    ctx = create_app(db_url).state.ctx
    runs = []
    for _ in range(2):
        started = time.perf_counter()
        runs.append((compact_feeds(ctx), time.perf_counter() - started))
    return runs, before, table_sizes(db_url)


def print_sizes(label: str, sizes: dict[str, int]) -> None:
    parts = ", ".join(f"{t} {b / 1e6:.1f}" for t, b in sizes.items())
    print(f"  {label}: {parts} MB; these tables / member table {sum(sizes.values()) / max(sizes['member'], 1):.2f}×")


def run_config(db_url: str, clerks: list[Clerk], processes: int, clients: list[int], plan_year: int,
               work: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Both waves with each client count against a server of `processes` processes. The clerks
    are split among the client counts, so every wave works on unions untouched before."""
    result: dict[str, Any] = {"processes": processes, "waves": {}, "cpu": {}, "load": {}}

    def first(clerk: Clerk) -> int:
        return int(clerk.org_code[12:17]) * MEMBERS
    with world.serving(db_url, work / f"server-{processes}.log", processes) as (url, pid):
        box_cpu = city_load.BoxCpu(None if db_url.startswith("sqlite") else db_url, lambda: tree_pids(pid))
        signed = world.run_phase("sign-in", [lambda p, lock, c=c: world.sign_in(url, c) for c in clerks],
                                 4, args.max_seconds)  # the server queues at most a few logins
        if signed.errors:
            raise RuntimeError(f"sign-in failed: {signed.errors[:3]}")
        share = len(clerks) // len(clients)
        for i, count in enumerate(clients):
            mine = clerks[i * share:(i + 1) * share]
            bodies = [city_load.upsert_body(c, [new_member_id(first(c) + n) for n in range(MEMBERS)], first(c))
                      for c in mine]
            box = box_cpu.sample()
            upserts = world.run_phase("upserts", [
                lambda p, lock, c=c, b=b: city_load.send(url, c, b, MEMBERS, p, lock) for c, b in zip(mine, bodies)],
                count, args.max_seconds)
            upsert_spent = box_cpu.since(box)
            cpu = tree_usage(pid)[1]
            pulled: list[int] = []
            pulls = world.run_phase("pulls", [lambda p, lock, c=c, out=pulled: pull_all(url, c, p, lock, out) for c in mine],
                                    count, args.max_seconds)
            pull_cpu = tree_usage(pid)[1] - cpu
            result.setdefault("pulls", {})[count] = (pulls, sum(pulled), pull_cpu)
            bodies = [city_load.submission_bytes(c, c.numbers, plan_year) for c in mine]
            box = box_cpu.sample()
            submissions = world.run_phase("submissions", [
                lambda p, lock, c=c, b=b: city_load.send(url, c, b, 1, p, lock) for c, b in zip(mine, bodies)],
                count, args.max_seconds)
            result["waves"][count] = (len(mine), upserts, submissions)
            result["cpu"][count] = (upsert_spent, box_cpu.since(box))
            result["load"][count] = os.getloadavg()
        result["rss_mb"] = tree_usage(pid)[0]
        box_cpu.close()
    result["members"] = count_members(db_url, clerks)
    result["subs"] = world.count_effects(db_url, clerks)[0]
    return result


def line(name: str, phase: Phase, per: int, unit: str) -> str:
    return (f"    {name:<12} {phase.done:>5} ok, {len(phase.errors)} errors, {phase.throughput * per:8.1f} {unit}/s, "
            f"p50 {phase.percentile(0.5) * 1000:6.0f} ms, p95 {phase.percentile(0.95) * 1000:6.0f} ms, "
            f"p99 {phase.percentile(0.99) * 1000:6.0f} ms")


def waits_text(waits: Any) -> str:
    total = max(sum(waits.values()), 1)
    return ", ".join(f"{name} {count / total:.0%}" for name, count in waits.most_common(6))


def box_line(spent: city_load.Spent, done: int, load: tuple[float, float, float]) -> str:
    """Where the box's CPU went in a wave — the server (each process's share), the PostgreSQL
    backends of the bench's database, the load generator, PostgreSQL's shared processes and the
    rest of the box (other work) — and per request: s, p, c and the bound 2s/(s+p+c)."""
    wall = max(spent.wall, 1e-9)
    s, p, c = spent.per(done)
    shares = " + ".join(f"{cpu:.1f}" for cpu in spent.processes) if len(spent.processes) > 1 else ""
    return (f"      CPU: server {spent.server:.1f} s ({spent.server / wall:.2f} cores{', processes ' + shares + ' s' if shares else ''}), "
            f"PostgreSQL backends {spent.pg:.1f} s ({spent.pg / wall:.2f}), autovacuum {spent.pg_autovacuum:.1f} s"
            f"{' (' + ', '.join(spent.upkeep) + ')' if spent.upkeep else ''}, load generator {spent.client:.2f} s "
            f"({spent.client / wall:.2f}), PostgreSQL's shared processes {spent.pg_shared:.1f} s, the rest of the box "
            f"{spent.others:.1f} s ({spent.others / wall:.2f}), iowait {spent.iowait:.1f} s ({spent.iowait / wall:.2f}); "
            f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}\n"
            + (f"      active PostgreSQL backends seen (every 0.25 s): {waits_text(spent.waits)}\n" if spent.waits else "")
            + f"      per request: s {s * 1000:.1f} ms server, p {p * 1000:.1f} ms PostgreSQL, c {c * 1000:.2f} ms clients; "
            f"bound 2s/(s+p+c) = {city_load.bound(s, p, c):.2f}×")


def report(results: list[dict[str, Any]], clients: list[int], size: tuple[int, int]) -> bool:
    ok = True
    for result in results:
        print(f"\n{result['processes']} server process(es); server RSS after the waves {result['rss_mb']:.0f} MB")
        for count in clients:
            unions, upserts, submissions = result["waves"][count]
            print(f"  {count} concurrent clerks, {unions} unions:")
            upsert_spent, submission_spent = result["cpu"][count]
            print(line("upserts", upserts, MEMBERS, "members")
                  + f", server CPU {upsert_spent.server / max(upserts.done * MEMBERS, 1) * 1000:.2f} ms/member")
            print(box_line(upsert_spent, upserts.done, result["load"][count]))
            pulls, pulled, pull_cpu = result["pulls"][count]
            per_pull = pull_cpu / max(pulled, 1) * 1000
            print(line("first pulls", pulls, 1, "unions")
                  + f", {pulled:,} member changes, server CPU {per_pull:.2f} ms/member; upsert/pull CPU "
                  f"{upsert_spent.server / max(upserts.done * MEMBERS, 1) * 1000 / max(per_pull, 1e-9):.2f}× (target ≤ 3)")
            ok = ok and not pulls.errors
            print(line("submissions", submissions, 1, "batches")
                  + f", server CPU {submission_spent.server / max(submissions.done, 1) * 1000:.0f} ms/batch")
            print(box_line(submission_spent, submissions.done, result["load"][count]))
            ok = ok and not upserts.errors and not submissions.errors
        expected_members = sum(u * 2 * MEMBERS for u, _, _ in result["waves"].values())
        expected_subs = sum(s.done for _, _, s in result["waves"].values())
        exact = result["members"] == expected_members and result["subs"] == expected_subs
        print(f"  on the server: {result['members']:,} members (expected {expected_members:,}), "
              f"{result['subs']} submissions (expected {expected_subs}) — {'exact' if exact else 'NOT EXACT'}")
        ok = ok and exact
    if len(results) == 2:
        print("\nratios, 2 processes / 1 process (target ≥ 1.8 on 2 cores). The bound 2s/(s+p+c) is what the box's "
              "CPU allows (s, p, c per request of the 2-process wave); one process below a full core (u1) raises "
              "it to bound/u1. CPU figures hold on a busy box, the wall-clock ratio does not:")
        for count in clients:
            one, two = results[0]["waves"][count], results[1]["waves"][count]
            for index, name in ((1, "upserts"), (2, "submissions")):
                single, double = results[0]["cpu"][count][index - 1], results[1]["cpu"][count][index - 1]
                edge = city_load.bound(*double.per(two[index].done))
                u1 = single.server / max(single.wall, 1e-9)
                print(f"  {count} clerks, {name:<11}: achieved {two[index].throughput / max(one[index].throughput, 1e-9):.2f}×; "
                      f"bound 2s/(s+p+c) {edge:.2f}×; one process used u1 = {u1:.2f} cores → at most "
                      f"{min(edge / max(u1, 1e-9), 2.0):.2f}×; load average {results[1]['load'][count][0]:.2f}")
    print(f"\ndatabase: {size[0] / 1e6:.1f} MB for {size[1]:,} members, {size[0] / max(size[1], 1) / 1024:.2f} KiB per member")
    return ok


def sqlite_run(args: argparse.Namespace, clients: list[int], work: Path) -> tuple[list[dict[str, Any]], tuple[int, int]]:
    """The waves against one server process on SQLite (one writer: no --workers there)."""
    with world.sqlite_database(work) as db_url:
        clerks, plan_year = world.build_world(db_url, args.unions, MEMBERS // 2)
        results = [run_config(db_url, clerks, 1, clients, plan_year, work, args)]
        path = Path(db_url[len("sqlite:///"):])
        size = sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
        return results, (size, results[0]["members"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--unions", type=int, default=2000, help="unions per server configuration (default 2000)")
    parser.add_argument("--clients", default="24,64", help="concurrent clerks, comma-separated (default 24,64)")
    parser.add_argument("--pg", default=os.environ.get(world.PG_ENV), help=f"PostgreSQL URL (default ${world.PG_ENV})")
    parser.add_argument("--sqlite", action="store_true", help="the waves on SQLite with one server process instead")
    parser.add_argument("--big-union", type=int, default=100_000,
                        help="members of the big union's phase (default 100000; 0 skips it)")
    parser.add_argument("--max-seconds", type=float, default=900, help="bound on each wave (default 900)")
    args = parser.parse_args()
    clients = [int(c) for c in args.clients.split(",")]
    if not args.pg and not args.sqlite:
        print("needs PostgreSQL: --pg URL or $UNION_TEST_PG_URL (or --sqlite)")
        return 2
    import logging

    logging.basicConfig(level=logging.WARNING)
    work = Path(tempfile.mkdtemp(prefix="union-bench-city-"))
    compacted = big = None
    results: list[dict[str, Any]] = []
    size = (0, 0)
    try:
        if not args.unions:
            pass
        elif args.sqlite:
            results, size = sqlite_run(args, clients, work)
        else:
            with world.postgres_database(args.pg) as db_url:
                t = time.perf_counter()
                clerks, plan_year = world.build_world(db_url, 2 * args.unions, MEMBERS // 2)
                print(f"built {2 * args.unions} unions with {MEMBERS} members each in {time.perf_counter() - t:.0f} s",
                      flush=True)
                results = [run_config(db_url, clerks[:args.unions], 1, clients, plan_year, work, args),
                           run_config(db_url, clerks[args.unions:], 2, clients, plan_year, work, args)]
                size = database_size(db_url)
                compacted = compaction(db_url)
        if args.big_union:
            big = city_union.run(args, work, tree_usage)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}, "
          f"Python {platform.python_version()}; {'SQLite' if args.sqlite else 'PostgreSQL on loopback'}; "
          "baseline: one server process")
    ok = report(results, clients, size) if results else True
    if compacted is not None:
        runs, before, after = compacted
        for label, (done, wall) in zip(("feed compaction", "run again"), runs):
            print(f"{label}: {done.unions:,} unions, {done.scanned:,} changes read, {done.deleted:,} superseded "
                  f"deleted, {wall:.2f} s (target: db ≤ 2× the member table)")
        print_sizes("before", before)
        print_sizes("after", after)
    if big is not None:
        city_union.report(big)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

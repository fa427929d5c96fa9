"""bench/city.py's 100,000-member union (#19): a new PC's first pull and the database's size,
before and after a feed compaction.

In a database of its own (the demo hierarchy plus one grassroots union, so its sizes are that
union's), through the server's own push path — no bulk SQL:

1. the clerk's registered PC pushes N new members (member_upsert, 500 records a request as the
   client's PUSH_CHUNK) — members, claims, changes, audit and idempotency records as in December;
2. the same PC changes 10 % of them twice (two phone changes each, member_upsert with the base
   versions), so the feed holds three changes of each of those members;
3. a new PC signs in and makes its first pull (every page from 0, as SyncEngine.pull: no device
   on the first pull), then its next sync's pull with its device, so its cursor is the feed's end;
   the pushing PC's sync pulls too (its own changes are not echoed; its cursor is the end);
4. the feed is compacted with the job worker's function (server/feed.py `compact_feeds`), then once
   more (the high-water mark: the second run must read nothing);
5. another new PC's first pull;
6. the pruning the job worker runs (server/pruning.py) with the clock past the idempotency
   window (90 days on): the database a quarter after the wave, when no resend can come any more.

Printed: changes transferred ÷ members (target ≤ 1.2), bytes, wall and server CPU of each first
pull; the compaction's changes read and deleted, wall and CPU; every table's size (data, indexes
and TOAST on PostgreSQL, pages from dbstat on SQLite, each after VACUUM FULL / VACUUM) and the
database ÷ the member table (target ≤ 2×). Server CPU is the server process tree's (on PostgreSQL
the database's own backends are not in it).
"""
from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import server_load as world
from server_load import Clerk

CHUNK = 500  # records per push: the client's PUSH_CHUNK
PAGE = 5000  # changes per page: the client's PULL_PAGE
SHOWN = ("member", "change", "idempotency_record", "audit_entry")  # printed whatever their size
Usage = Callable[[int], tuple[float, float]]  # pid → (RSS MB, CPU s) of its process tree


@dataclass
class Pull:
    changes: int = 0
    members: int = 0
    bytes: int = 0
    pages: int = 0
    wall: float = 0.0
    cpu: float = 0.0
    latest: int = 0


@dataclass
class BigUnion:
    backend: str
    members: int
    pushes: dict[str, tuple[int, float, float]] = field(default_factory=dict)  # name → (records, wall, CPU)
    pulls: dict[str, Pull] = field(default_factory=dict)
    compactions: list[tuple[Any, float, float]] = field(default_factory=list)  # (Compaction, wall, CPU)
    sizes: dict[str, dict[str, int]] = field(default_factory=dict)  # when → table → bytes
    pruned: dict[str, int] = field(default_factory=dict)  # what the pruning after the window deleted


def _push(url: str, clerk: Clerk, records: list[dict[str, Any]]) -> None:
    response = world.http().post(url + "/push", json={"device_fingerprint": clerk.fingerprint, "records": records},
                                 headers={"Authorization": f"Bearer {clerk.token}"}, timeout=300)
    response.raise_for_status()
    bad = [r for r in response.json()["results"] if r.get("status") != "ok"]
    if bad:
        raise RuntimeError(f"{len(bad)} records refused, e.g. {bad[0].get('problem')} {bad[0].get('detail')}")


def _upserts(url: str, clerk: Clerk, rows: list[tuple[str, dict[str, Any], dict[str, int]]]) -> None:
    """Push (number, fields, base versions) as member upserts, CHUNK a request, one after another."""
    from app.protocol import MemberUpsert, PushRecord

    for start in range(0, len(rows), CHUNK):
        records = [PushRecord(str(uuid.uuid4()), MemberUpsert.KIND,
                              MemberUpsert(number, fields, base, union=clerk.org_code).to_wire()).to_wire()
                   for number, fields, base in rows[start:start + CHUNK]]
        _push(url, clerk, records)


def _pull(url: str, clerk: Clerk, since: int, device: str | None, usage: Usage, pid: int) -> Pull:
    """Every page of the clerk's union from `since`, as SyncEngine.pull fetches them."""
    pull = Pull()
    cpu, started = usage(pid)[1], time.perf_counter()
    while True:
        params: dict[str, Any] = {"since": since, "limit": PAGE}
        if device:
            params["device"] = device
        response = world.http().get(url + "/changes", params=params,
                                    headers={"Authorization": f"Bearer {clerk.token}"}, timeout=300)
        response.raise_for_status()
        page = response.json()
        pull.pages += 1
        pull.bytes += len(response.content)
        pull.changes += len(page["changes"])
        pull.members += sum(1 for c in page["changes"] if c["entity"] == "member")
        more = bool(page["more"]) and int(page["next"]) > since
        since, pull.latest = int(page["next"]), int(page["latest"])
        if not more:
            break
    pull.wall, pull.cpu = time.perf_counter() - started, usage(pid)[1] - cpu
    return pull


def _timed(usage: Usage, pid: int, work: Callable[[], None]) -> tuple[float, float]:
    cpu, started = usage(pid)[1], time.perf_counter()
    work()
    return time.perf_counter() - started, usage(pid)[1] - cpu


def _new_pc(url: str, clerk: Clerk) -> Clerk:
    """The clerk signed in on another PC (a device of its own)."""
    other = Clerk(clerk.username, clerk.org_code, [])
    world.sign_in(url, other)
    return other


def pg_sizes(db_url: str) -> dict[str, int]:
    """Bytes of every table of the database's schema with its indexes and TOAST, after VACUUM FULL."""
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("VACUUM FULL")
        rows = conn.execute("SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
                            "WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace").fetchall()
    return {name: int(size) for name, size in rows}


def sqlite_sizes(db_url: str) -> dict[str, int]:
    """Bytes of every table with its indexes (dbstat's pages), after VACUUM; '(file)' the whole file."""
    path = db_url[len("sqlite:///"):]
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("VACUUM")
        owner = dict(conn.execute("SELECT name, tbl_name FROM sqlite_master").fetchall())
        sizes: dict[str, int] = {}
        for name, size in conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall():
            table = owner.get(name, name)
            sizes[table] = sizes.get(table, 0) + int(size)
    finally:
        conn.close()
    sizes["(file)"] = Path(path).stat().st_size
    return sizes


def _compact(db_url: str) -> tuple[Any, float, float]:
    """The feed compacted in this process as the job worker does: (Compaction, wall, CPU)."""
    from server.app import create_app
    from server.feed import compact_feeds

    ctx = create_app(db_url).state.ctx
    cpu, started = time.process_time(), time.perf_counter()
    done = compact_feeds(ctx)
    return done, time.perf_counter() - started, time.process_time() - cpu


def _prune_after_window(db_url: str) -> dict[str, int]:
    """The job worker's pruning with the clock a day past the idempotency records' window."""
    from datetime import datetime, timedelta, timezone

    from server.app import create_app
    from server.pruning import prune

    ctx = create_app(db_url).state.ctx
    later = datetime.now(timezone.utc) + timedelta(days=ctx.settings.idempotency_window_days + 1)
    ctx.clock = lambda: later
    return prune(ctx)


@contextmanager
def _database(args: Any, work: Path) -> Iterator[str]:
    if args.sqlite:
        yield f"sqlite:///{work / 'big-union.db'}"
    else:
        with world.postgres_database(args.pg) as db_url:
            yield db_url


def run(args: Any, work: Path, usage: Usage) -> BigUnion:
    """The phase (see the module's note) with `args.big_union` members."""
    n = args.big_union
    result = BigUnion("SQLite" if args.sqlite else "PostgreSQL", n)
    sizes = sqlite_sizes if args.sqlite else pg_sizes
    with _database(args, work) as db_url:
        clerk = world.build_world(db_url, 1, 0)[0][0]
        numbers = [world.mainland_id(k) for k in range(n)]
        changed = numbers[:n // 10]
        with world.serving(db_url, work / "big-union.log") as (url, pid):
            world.sign_in(url, clerk)
            result.pushes["new members"] = (n, *_timed(usage, pid, lambda: _upserts(url, clerk, [
                (number, {"name": f"大会员{k}", "id_type": "身份证", "phone": f"137{k:08d}",
                          "work_address": "上海市黄浦区九江路二百号"}, {}) for k, number in enumerate(numbers)])))
            for r in (1, 2):
                result.pushes[f"10 % changed ({r})"] = (len(changed), *_timed(usage, pid, lambda r=r: _upserts(
                    url, clerk, [(number, {"phone": f"13{4 + r}{k:08d}"}, {"phone": r})
                                 for k, number in enumerate(changed)])))
            first = _new_pc(url, clerk)
            result.pulls["before"] = pull = _pull(url, first, 0, None, usage, pid)
            for pc in (first, clerk):  # each PC's next sync: its cursor is the feed's end
                _pull(url, pc, _pull(url, pc, pull.latest, pc.fingerprint, usage, pid).latest, pc.fingerprint,
                      usage, pid)
            result.sizes["before"] = sizes(db_url)
            result.compactions = [_compact(db_url), _compact(db_url)]
            result.sizes["after"] = sizes(db_url)
            result.pulls["after"] = _pull(url, _new_pc(url, clerk), 0, None, usage, pid)
        result.pruned = _prune_after_window(db_url)
        result.sizes["after the window"] = sizes(db_url)
    return result


def report(result: BigUnion) -> None:
    """Print the phase's figures, each beside its target (a target missed is a figure, not a
    failed run: the bench exits 0, as every bench does)."""
    n = result.members
    print(f"\n{n:,}-member union ({result.backend}), built through the push path from one registered PC "
          f"({CHUNK} records a request, one after another):")
    for name, (records, wall, cpu) in result.pushes.items():
        print(f"  {name:<18} {records:>7,} upserts in {wall:6.1f} s, {records / wall:6.0f}/s, "
              f"server CPU {cpu / records * 1000:.2f} ms/member")
    for when in ("before", "after"):
        pull = result.pulls[when]
        ratio = pull.changes / n
        print(f"  a new PC's first pull {when} compaction: {pull.changes:,} changes ({pull.members:,} of members) "
              f"÷ {n:,} members = {ratio:.3f} (target ≤ 1.2), {pull.bytes / 1e6:.1f} MB in {pull.pages} pages, "
              f"{pull.wall:.1f} s, server CPU {pull.cpu:.1f} s")
    for label, (done, wall, cpu) in zip(("compaction", "again"), result.compactions):
        print(f"  {label:<10}: {done.unions} unions, {done.scanned:,} changes read, {done.deleted:,} deleted, "
              f"{wall:.2f} s, CPU {cpu:.2f} s (this process; the database's own work not counted)")
    for when, sizes in result.sizes.items():
        tables = {t: b for t, b in sizes.items() if t != "(file)"}
        total = sizes.get("(file)", sum(tables.values()))
        member = max(tables.get("member", 0), 1)
        big = sorted(((b, t) for t, b in tables.items() if b >= 1e6 or t in SHOWN), reverse=True)
        ratio = total / member
        if when == "after the window":
            print(f"  pruned {result.pruned.get('idempotency_records', 0):,} idempotency records past their window "
                  "(the clock 91 days on; informational, the target is after the compaction)")
        label = when if when.endswith("window") else f"{when} compaction"
        print(f"  {label}: database {total / 1e6:.1f} MB = {ratio:.2f}× the member table (target ≤ 2×), "
              f"{total / n:.0f} bytes per member; "
              + ", ".join(f"{t} {b / 1e6:.2f}" for b, t in big) + " MB"
              + f"; {sum(b for t, b in tables.items() if b < 1e6 and t not in SHOWN) / 1e6:.1f} MB in the other tables")

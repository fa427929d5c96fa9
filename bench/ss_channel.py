"""社保卡参保 benchmark (issue #14): the SS lists and counts of a 100,000-member union, and the check
request for 30,000 members end to end (queue + the server's job + the pull of the answers).

Prints, for this machine, each figure next to a baseline measured in the same run:
- the SS channel's counts (集中参保办理's counts line) and its two tabs (待校验, 待提交), next to the
  card channel's counts on the same profile (the screen that exists, the baseline), and the ratios;
- 获取社保卡和就业状态 for the 30,000 待校验 members: queueing it in the outbox; the server's job
  (registry lookup, 30,000 member rows and change-feed entries written, one transaction) next to the
  registry lookup alone; the pull of the 30,000 answers (feed pages read on the server, applied on
  the client a page per transaction, as the engine does) next to one plain UPDATE of the same rows.
  HTTP and JSON are left out: bench/sync.py measures the wire.

    python bench/ss_channel.py [--members 100000] [--checks 30000] [--runs 3]
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PLAN_YEAR = 2025


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def _number(n: int) -> str:
    """A distinct valid mainland ID number for each n < 10,000,000."""
    from datetime import timedelta

    from app.rules.idcard import check_character

    born = date(1966, 1, 1) + timedelta(days=n % 10_000)
    first17 = f"310101{born:%Y%m%d}{n // 10_000:03d}"
    return first17 + check_character(first17)


def build_client(path: Path, members: int, checks: int) -> int:
    """A profile: `members` members; of them `checks` without a card never checked (待校验), 10,000
    without a card normal and employed (待提交), the rest card holders."""
    from app.models import Member, Union, db, open_database
    from app.models.bulk import insert_rows
    from app.paths import Profile
    from app.services import campaign

    from tests.services.enrollment_kit import CAMPAIGN, OCT_29, set_clock

    prof = Profile(path).create()
    open_database(prof.database, backup_dir=prof.backups)
    union = Union.create(name="上海基准测试有限公司工会委员会", org_code="91310101MA1FL0BENX")
    campaign.cache_campaign(CAMPAIGN)
    set_clock(OCT_29)
    rows, seen = [], set()
    for n in range(members):
        number = _number(n)
        assert number not in seen
        seen.add(number)
        unchecked, ready = n < checks, checks <= n < checks + 10_000
        rows.append({"union": union.id, "member_no": f"{n:08d}", "name": f"会员{n}", "id_type": "mainland",
                     "id_number": number, "gender": "male", "birth_date": date(1990, 1, 1), "phone": f"139{n:08d}",
                     "card_no": None if unchecked or ready else f"6231{n:015d}",
                     "card_status": "none" if unchecked or ready else "issued", "insurance_status": "paid",
                     "ss_card_status": "normal" if ready else None, "employment_status": "employed" if ready else None})
    with db.atomic():
        insert_rows(Member, rows)
    return union.id


def build_server(path: Path, numbers: list[str]) -> tuple[Any, Any]:
    """A server database holding the union's `numbers` and a registry answer for each (a mix)."""
    from server.db import open_database, write_tx
    from server.jobs import save_registry
    from server.migrations import migrate
    from server.models import Member, Union
    from server.settings import ServerContext

    open_database(f"sqlite:///{path}")
    migrate()
    ctx = ServerContext()
    now = ctx.now_naive()
    union = Union.create(name="上海基准测试有限公司工会委员会", org_code="91310101MA1FL0BENX", union_type="工会委员会",
                         level="grassroots", created=now)
    with write_tx():
        for start in range(0, len(numbers), 1000):
            Member.insert_many([{"union": union.id, "id_number": n, "id_type": "mainland", "updated": now}
                                for n in numbers[start:start + 1000]]).execute()
    mix = (("normal", "employed"), ("normal", "employed"), ("normal", "unknown"), ("sealed", "employed"),
           ("reported_lost", "unknown"))
    save_registry(ctx, [(n, mix[i % len(mix)]) for i, n in enumerate(numbers)])
    return ctx, union


def lists_and_counts(union_id: int, runs: int) -> None:
    from app.services import enrollment, ss_channel

    card, _ = timed(lambda: enrollment.count(union_id, PLAN_YEAR, "card"), runs)
    ss, counts = timed(lambda: enrollment.count(union_id, PLAN_YEAR, "ss"), runs)
    awaiting, rows = timed(lambda: ss_channel.rows(union_id, PLAN_YEAR, ss_channel.TAB_AWAITING), runs)
    ready, ready_rows = timed(lambda: ss_channel.rows(union_id, PLAN_YEAR, ss_channel.TAB_READY), runs)
    both, _ = timed(lambda: ss_channel.tabs(union_id, PLAN_YEAR), runs)
    print(f"card channel counts (baseline): {card * 1000:8.0f} ms")
    print(f"SS counts line:                 {ss * 1000:8.0f} ms  ratio {ss / card:5.2f}  "
          f"(待校验 {counts.awaiting_check:,}, 可参保 {counts.eligible:,})")
    print(f"SS 待校验 tab ({len(rows):,} rows):     {awaiting * 1000:8.0f} ms  ratio {awaiting / card:5.2f}")
    print(f"SS 待提交 tab ({len(ready_rows):,} rows):     {ready * 1000:8.0f} ms  ratio {ready / card:5.2f}")
    print(f"SS page, both tabs in one pass: {both * 1000:8.0f} ms  ratio {both / card:5.2f}")


def check_request(union_id: int, server_db: Path) -> None:
    from app.models import Member, Outbox, db
    from app.services import ss_channel
    from app.sync.engine import PULL_PAGE, SyncEngine

    from server.changes import changes_since
    from server.db import session
    from server.jobs import TableRegistry, run_job
    from server.models import SsCheckJob

    t = time.perf_counter()
    asked = ss_channel.request_check(union_id, PLAN_YEAR, actor="bench")
    queue = time.perf_counter() - t
    numbers = [n for row in Outbox.select() for n in __import__("json").loads(row.payload)["id_numbers"]]
    assert len(numbers) == asked.count
    ctx, union = build_server(server_db, numbers)
    with session():
        t = time.perf_counter()
        TableRegistry().lookup(numbers)
        lookup = time.perf_counter() - t
        # Already claimed by this process (the claim itself is not what is measured).
        job = SsCheckJob.create(union=union, id_numbers=numbers, status="claimed", claimed_by="bench",
                                claimed_at=ctx.now_naive(), not_before=ctx.now_naive(), created=ctx.now_naive())
        t = time.perf_counter()
        done = run_job(ctx, job, TableRegistry())
        server_job = time.perf_counter() - t
    assert done == len(numbers)
    engine = SyncEngine(None, union_id=union_id, org_code="91310101MA1FL0BENX")  # type: ignore[arg-type]
    t = time.perf_counter()
    cursor, applied = 0, 0
    while True:
        with session():
            page = changes_since(union, cursor, PULL_PAGE)
        if not page["changes"]:
            break
        with db.atomic("IMMEDIATE"):
            engine.apply_changes(page["changes"])
        applied += len(page["changes"])
        cursor = page["next"]
    pull = time.perf_counter() - t
    assert applied == len(numbers)
    remaining = ss_channel.rows(union_id, PLAN_YEAR, ss_channel.TAB_AWAITING)
    # The floor: the same rows written with the same values, one UPDATE per row, one transaction.
    values = [(m.ss_card_status, m.employment_status, m.insurance_status, m.ss_checked_at, m.id)
              for m in Member.select().where(Member.ss_checked_at.is_null(False))]
    t = time.perf_counter()
    with db.atomic("IMMEDIATE"):
        db.execute_sql("SELECT 1")
        db.cursor().executemany("UPDATE member SET ss_card_status = ?, employment_status = ?, insurance_status = ?, "
                                "ss_checked_at = ? WHERE id = ?", values)
    plain = time.perf_counter() - t
    print(f"check request for {asked.count:,} members:")
    print(f"  queue (outbox, {Outbox.select().count()} records): {queue * 1000:8.0f} ms")
    print(f"  server job:                   {server_job * 1000:8.0f} ms  vs registry lookup alone "
          f"{lookup * 1000:6.0f} ms  ratio {server_job / lookup:5.1f}")
    print(f"  pull of the answers:          {pull * 1000:8.0f} ms  vs the same rows written by plain UPDATEs "
          f"{plain * 1000:6.0f} ms  ratio {pull / plain:5.1f}")
    print(f"  after the answers: 待校验 {len(remaining):,} (abnormal, FAQ 4 advice on "
          f"{sum(1 for r in remaining if r.advice):,})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--checks", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} cpus, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        union_id = build_client(Path(tmp) / "profile", args.members, args.checks)
        print(f"built {args.members:,} members in {time.perf_counter() - t:.1f} s")
        lists_and_counts(union_id, args.runs)
        check_request(union_id, Path(tmp) / "server.db")


if __name__ == "__main__":
    main()

"""Notice PDF benchmark: a grassroots notice (告知书) with a 10,000-member roster.

Prints, for this machine:
- the time to build the 10,000-member notice (median of 3), next to a 10-row notice built in the
  same run, and their ratio; the first (cold) build is shown too, as it includes loading the font,
- the page count and the file size of the big notice.
Target (issue 6): ≤ 3 s for 10,000 members.

    python bench/notice.py [--out FILE.pdf] [--rows 10000] [--runs 3]
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.rules.fees import FeeSplit, batch_totals
from app.rules.idcard import check_character
from app.services.notices import (
    GrassrootsNotice,
    RosterRow,
    grassroots_notice_pdf,
    roster_pages,
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高欧阳司马"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"


def _roster(count: int, seed: int = 6) -> list[RosterRow]:
    """Members with plausible names, valid ID numbers and card numbers; a few long names."""
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        if i % 500 == 7:
            name = "阿卜杜热合曼·买买提江·艾合买提"
        else:
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        born = date(rng.randint(1965, 2004), rng.randint(1, 12), rng.randint(1, 28))
        first17 = f"310101{born:%Y%m%d}{rng.randint(0, 999):03d}"
        channel = "ss" if i % 7 == 0 else "card"
        rows.append(RosterRow(
            name=name,
            id_number=first17 + check_character(first17),
            card_no=None if channel == "ss" else f"6231{rng.randint(0, 10**15 - 1):015d}",
            coverage_start=date(2025, 1, 1),
            coverage_end=date(2025, 12, 31),
            period="full",
            channel=channel,
        ))
    return rows


def _notice(roster: list[RosterRow]) -> GrassrootsNotice:
    ss = sum(1 for row in roster if row.channel == "ss")
    return GrassrootsNotice(
        union_name="上海建朗信息科技有限公司工会",
        plan_year=2025,
        plan_type="A",
        card_count=len(roster) - ss,
        ss_count=ss,
        payment_deadline=date(2024, 12, 25),
        coverage_start=date(2025, 1, 1),
        coverage_end=date(2025, 12, 31),
        issued_on=date(2024, 10, 29),
        batch_no="JT2025-000123",
        signature_fingerprint="3f2a 9c01 77de 4b10",
        totals=batch_totals(len(roster) - ss, FeeSplit.from_strings("26", "13", "13", "0")),
        roster=roster,
    )


def _time(notice: GrassrootsNotice, runs: int) -> tuple[list[float], bytes]:
    times, pdf = [], b""
    for _ in range(runs):
        start = time.perf_counter()
        pdf = grassroots_notice_pdf(notice)
        times.append(time.perf_counter() - start)
    return times, pdf


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, help="keep the big notice's PDF here")
    parser.add_argument("--rows", type=int, default=10_000, help="roster size (default 10000)")
    parser.add_argument("--runs", type=int, default=3, help="builds to take the median of (default 3)")
    parser.add_argument("--members", type=int, default=100_000,
                        help="also time the wizard's counts for a union this size (0: skip; default 100000)")
    args = parser.parse_args(argv)

    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    big = _notice(_roster(args.rows))
    small = _notice(_roster(10))

    big_times, pdf = _time(big, args.runs)   # the first build also loads the font
    small_times, _ = _time(small, args.runs)
    big_median = statistics.median(big_times)
    small_median = statistics.median(small_times)
    pages = 1 + roster_pages(args.rows)

    print(f"{args.rows:>6}-member notice: {big_median:.3f} s median of {args.runs} "
          f"(first {big_times[0]:.3f} s)  target ≤ 3 s  {'OK' if big_median <= 3 else 'SLOW'}")
    print(f"{10:>6}-member notice: {small_median:.3f} s median of {args.runs}")
    print(f"ratio: {big_median / small_median:.0f}×")
    print(f"pages: {pages}, size: {len(pdf) / 1024:.0f} KiB ({len(pdf) / max(args.rows, 1):.0f} bytes a member)")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(pdf)
        print(f"kept: {args.out}")
    if args.members:
        wizard_counts(args.members, args.runs)
    return 0


def wizard_counts(members: int, runs: int) -> None:
    """The 集中参保办理 screen's counts for a union of `members` (target ≤ 1 s), next to a bare
    COUNT(*) over the same table in the same run."""
    import tempfile

    from app.models import Member, close_database, db, open_database
    from app.paths import Profile
    from app.services import demo, enrollment
    from app.services.unions import current_union, default_plan_year

    folder = Path(tempfile.gettempdir()) / f"union-clerk-bench-{members // 1000}k"
    profile = Profile(folder).create()
    open_database(profile.database, backup_dir=profile.backups)
    for attempt in range(10):
        missing = members - Member.select().count()
        if missing <= 0:
            break
        print(f"building a {members:,}-member profile in {folder} …" if attempt == 0 else
              f"  topping it up by {missing:,} (demo IDs drawn twice were dropped)", flush=True)
        demo.fill_demo(missing, seed=7 + attempt)
    union_id = current_union().id
    plan_year = default_plan_year(date.today())
    counted, bare = [], []
    for _ in range(runs):
        start = time.perf_counter()
        counts = enrollment.count(union_id, plan_year)
        counted.append(time.perf_counter() - start)
        start = time.perf_counter()
        db.execute_sql("SELECT count(*) FROM member").fetchone()
        bare.append(time.perf_counter() - start)
    close_database()
    c, b = statistics.median(counted), statistics.median(bare)
    print(f"wizard counts, {Member.__name__.lower()}s: {members:,}: {c:.3f} s median of {runs}  target ≤ 1 s  "
          f"{'OK' if c <= 1 else 'SLOW'}; bare COUNT(*) {b * 1000:.1f} ms (ratio {c / b:.0f}×)")
    print(f"  total {counts.total:,}, carded {counts.carded:,}, eligible {counts.eligible:,}, "
          f"flagged {counts.flagged:,}, pending {counts.pending:,}, retired {counts.retired:,}, "
          f"deceased {counts.deceased:,}")


if __name__ == "__main__":
    raise SystemExit(main())

"""Member list benchmark: a 100,000-member profile opened, paged and filtered.

Prints, for this machine:
- the time to show the first page of the member list (count + first page + paint),
- the time to filter by an ID fragment (count + first page),
- the app's start-up to a shown main window next to a bare PySide6 window started the same
  way in the same run, and their ratio.
Targets (issue 2): first page ≤ 50 ms, filter ≤ 100 ms, start-up ratio ≤ 2.0.

    python bench/member_list.py [--members 100000] [--profile DIR] [--runs 5]
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BARE = """
import time, sys
t0 = time.perf_counter()
from PySide6.QtWidgets import QApplication, QMainWindow, QLabel
app = QApplication(sys.argv[:1])
w = QMainWindow(); w.setCentralWidget(QLabel("工会会员专享保障")); w.resize(1200, 700); w.show()
app.processEvents(); w.repaint()
print(f"shown {time.perf_counter():.6f}", flush=True)
"""


def build_profile(path: Path, members: int) -> None:
    from app.models import Member, close_database, open_database
    from app.paths import Profile
    from app.services import demo

    prof = Profile(path).create()
    open_database(prof.database, backup_dir=prof.backups)
    have = Member.select().count()
    if have < members:
        print(f"building a {members:,}-member profile in {path} …", flush=True)
        t = time.perf_counter()
        for attempt in range(10):  # a refill tops up the few rows dropped as duplicate IDs
            missing = members - Member.select().count()
            if missing <= 0:
                break
            demo.fill_demo(missing, seed=have + 7 + attempt)
        print(f"  built in {time.perf_counter() - t:.1f} s", flush=True)
    close_database()


def time_process(cmd: list[str]) -> float:
    """Wall time from spawning the process to its 'shown' line."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    for line in proc.stdout:  # type: ignore[union-attr]
        if line.startswith("shown"):
            elapsed = time.perf_counter() - start
            break
    else:
        raise RuntimeError(f"{cmd} never showed a window")
    proc.wait()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--profile", type=Path, default=Path(tempfile.gettempdir()) / "union-clerk-bench-100k")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    build_profile(args.profile, args.members)

    from PySide6.QtWidgets import QApplication

    from app.models import Member, open_database
    from app.models.queries import MemberFilter
    from app.paths import Profile
    from app.services.members import current_union
    from app.views import ops
    from app.views.fonts import register_bundled_font
    from app.views.member_list import MemberListPage

    prof = Profile(args.profile)
    open_database(prof.database, backup_dir=prof.backups)
    total = Member.select().count()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    register_bundled_font(app)
    union_id = current_union().id

    first_page, filtering = [], []
    fragment = Member.select(Member.id_number).where(Member.id_type == "mainland").order_by(Member.id.desc()).scalar()[-6:]
    for _ in range(args.runs):
        page = MemberListPage(union_id, 2027, "bench")
        page.resize(1200, 700)
        page.show()
        app.processEvents()
        t = time.perf_counter()
        page.load_now()  # the ids on the database worker, the UI thread painting meanwhile
        page.table.viewport().repaint()
        first_page.append(time.perf_counter() - t)
        t = time.perf_counter()
        page.model.requery(MemberFilter(text=fragment))
        ops.drain()
        page.table.viewport().repaint()
        filtering.append(time.perf_counter() - t)
        matches = page.model.total
        # Scroll to the end: the last page is fetched on demand.
        page.table.scrollToBottom()
        page.close()
        page.deleteLater()
        app.processEvents()

    bare = [time_process([sys.executable, "-c", BARE]) for _ in range(args.runs)]
    ours = [time_process([sys.executable, "-m", "app.main", "--profile", str(args.profile), "--quit-after-show"])
            for _ in range(args.runs)]

    med = statistics.median
    print()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}")
    print(f"profile: {total:,} members; runs: {args.runs} (medians)")
    print(f"first page of the member list: {med(first_page) * 1000:7.1f} ms   (target ≤ 50 ms)")
    print(f"filter by ID fragment '{fragment[:2]}…' ({matches} found): {med(filtering) * 1000:7.1f} ms   (target ≤ 100 ms)")
    print(f"start-up, bare PySide6 window:  {med(bare) * 1000:7.0f} ms")
    print(f"start-up, union-clerk main window: {med(ours) * 1000:7.0f} ms")
    print(f"start-up ratio: {med(ours) / med(bare):.2f}   (target ≤ 2.0)")


if __name__ == "__main__":
    main()

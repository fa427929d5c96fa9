"""Soak: every page, wizard step and dialog of the app (app.views.screens) opened again and again on
a big profile, offscreen — each list scrolled end to end and sorted by every sort key it offers.

Passes when nothing aborts, Qt says no warning, and the process's resident memory grows by at most
50 MB after the warm-up rounds. Prints the RSS after every round (the curve) and the growth.

    python bench/soak.py [--members 100000] [--rounds 50] [--profile DIR] [--build-only]

The profile (built once, then reused) holds demo members, a cached demo campaign for the plan year
being prepared and one submitted central batch of every eligible member (批次详情's biggest batch).
The soak itself runs on a throwaway copy of it: the import and the retirement answers write.
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WARM_UP = 5
GROWTH_LIMIT_MB = 50


def demo_campaign(plan_year: int, today: date) -> dict:
    """A campaign whose enrollment window is open today (the demo server's shape)."""
    return {
        "plan_year": plan_year,
        "payment_deadline": (today + timedelta(days=30)).isoformat(),
        "windows": {"coverage": {"start": f"{plan_year}-01-01", "end": f"{plan_year}-12-31"},
                    "enrollment": {"start": (today - timedelta(days=10)).isoformat(),
                                   "end": (today + timedelta(days=30)).isoformat()}},
        "bank_account": {"name": "上海市职工保障互助中心会员专享保障专户", "number": "316023-03002745697",
                         "bank": "上海银行人民广场支行"},
        "half_year": {"enabled": True, "from_month": 7, "price_factor": "0.5"},
        "plan_types": [{"plan_type": "A", "fee": "26.00", "city": "13.00", "district": "13.00", "grassroots": "0.00"},
                       {"plan_type": "B", "fee": "16.00", "city": "8.00", "district": "8.00", "grassroots": "0.00"}],
    }


def build(path: Path, members: int) -> None:
    """Members, the campaign and one big submitted batch, unless the profile has them already."""
    from app.models import Batch, Member, close_database, open_database
    from app.paths import Profile
    from app.services import campaign, demo, enrollment
    from app.services.unions import current_union, default_plan_year

    prof = Profile(path).create()
    open_database(prof.database, backup_dir=prof.backups)
    today = date.today()
    if Member.select().count() < members:
        print(f"building a {members:,}-member profile in {path} …", flush=True)
    for attempt in range(10):  # a refill tops up the few rows dropped as duplicate IDs
        missing = members - Member.select().count()
        if missing <= 0:
            break
        demo.fill_demo(missing, seed=7 + attempt)
    plan_year = default_plan_year(today)
    if campaign.campaign(plan_year) is None:
        campaign.cache_campaign(demo_campaign(plan_year, today))
    if not Batch.select().exists():
        # Everyone eligible except the probable retirees, who stay for 退休人员确认 to ask about.
        union_id = current_union().id
        eligible = enrollment.members_for_count(union_id, plan_year, enrollment.CHANNEL_CARD, "eligible")
        ids = [c.id for c in eligible if c.retirement != "retirement_unsettled"]
        d = enrollment.draft(union_id, plan_year, "A", member_ids=ids, today=today)
        enrollment.submit(d, actor="soak", documents=prof.documents, fingerprint="soak")
        print(f"  submitted a central batch of {d.totals.count:,} members", flush=True)
    _queue_and_conflicts(today)
    close_database()


def _queue_and_conflicts(today: date) -> None:
    """Up to 2,000 members in the card queue (verified locally) and three members whose address
    changed here and on the server (sync conflicts), unless there are some already."""
    import json

    from app.models import Member
    from app.models.tables import CardQueue
    from app.rules.codes import CardStatus, Category, LifeStatus
    from app.services import cards
    from app.services.unions import current_union

    union_id = current_union().id
    if not CardQueue.select().exists():
        ids = [m.id for m in Member.select(Member.id).where(
            (Member.category == Category.LINKED_ENTERPRISE) & (Member.life_status == LifeStatus.IN_SERVICE)
            & (Member.card_status == CardStatus.NONE)).order_by(Member.id).limit(2000)]
        cards.add_to_queue(union_id, ids, actor="soak", today=today)
    if not Member.select().where(Member.sync_state == "conflict").exists():
        for m in Member.select().order_by(Member.id).limit(3):
            conflict = {"work_address": {"mine": m.work_address, "server": "上海市静安区南京西路一千号十二楼",
                                         "server_version": 2}}
            Member.update(sync_state="conflict", conflict=json.dumps(conflict, ensure_ascii=False)).where(
                Member.id == m.id).execute()


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def exercise_tables(widget, app) -> int:
    """Scroll every table of `widget` from top to bottom (twenty jumps, each waiting for its rows)
    and sort it by every sort key it offers, both ways. Returns the tables exercised."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QAbstractItemView, QTableView

    from app.views import ops
    from app.views.table_model import IdTableModel

    tables = [t for t in widget.findChildren(QTableView) if t.isVisible() and t.model() is not None]
    for table in tables:
        model = table.model()
        keys = [c for c in range(model.columnCount()) if getattr(model, "sort_key_for_column", lambda _c: None)(c)]
        for column in keys:
            for order in (Qt.SortOrder.DescendingOrder, Qt.SortOrder.AscendingOrder):
                table.horizontalHeader().setSortIndicator(column, order)
                ops.drain()
        rows = model.rowCount()
        for step in range(21):
            row = min(rows - 1, rows * step // 20)
            if row < 0:
                break
            table.scrollTo(model.index(row, 0), QAbstractItemView.ScrollHint.PositionAtTop)
            table.viewport().repaint()
            if isinstance(model, IdTableModel):
                ops.drain()
                table.viewport().repaint()
        app.processEvents()
    return len(tables)


def soak(profile: Path, rounds: int, names: list[str] | None = None, quiet: bool = False) -> tuple[list[float], int]:
    """Run the rounds; returns (RSS after each round in MB, Qt warnings seen)."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from app.main import _screenshot_copy
    from app.models import close_database, open_database
    from app.paths import Profile
    from app.services.unions import current_union, default_plan_year
    from app.views import ops, screens
    from app.views.fonts import register_bundled_font
    from app.views.main_window import MainWindow

    warnings: list[str] = []

    def handler(kind, _context, message: str) -> None:
        if kind != QtMsgType.QtDebugMsg and "propagateSizeHints" not in message:
            warnings.append(message)

    qInstallMessageHandler(handler)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    register_bundled_font(app)
    from app.views import errors as error_views

    error_views.INTERACTIVE = False
    copy = _screenshot_copy(Profile(profile))
    open_database(copy.database, backup_dir=copy.backups)
    union = current_union()
    window = MainWindow(profile=copy, union_id=union.id, union_name=union.name,
                        plan_year=default_plan_year(date.today()), actor="soak", remember_geometry=False)
    window.resize(1366, 768)
    window.load_now()
    window.show()
    curve: list[float] = []
    for n in range(1, rounds + 1):
        started = time.perf_counter()
        for name in names or screens.names():
            widget = screens.show(window, name)
            exercise_tables(widget, app)
            screens.close_all(window)
        app.processEvents()
        curve.append(rss_mb())
        if not quiet:
            print(f"round {n:3d}: RSS {curve[-1]:7.1f} MB  ({time.perf_counter() - started:5.1f} s)", flush=True)
    window.close()
    ops.wait_all()
    ops.release_database()
    close_database()
    shutil.rmtree(copy.root, ignore_errors=True)
    qInstallMessageHandler(None)
    return curve, len(warnings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--profile", type=Path, default=Path(tempfile.gettempdir()) / "union-clerk-soak-100k")
    parser.add_argument("--build-only", action="store_true")
    args = parser.parse_args()
    build(args.profile, args.members)
    if args.build_only:
        return 0
    curve, warnings = soak(args.profile, args.rounds)
    base = curve[min(WARM_UP, len(curve)) - 1]
    growth = max(curve) - base
    print()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}, "
          f"Python {platform.python_version()}")
    print(f"profile: {args.members:,} members; rounds: {args.rounds}; peak RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print("RSS curve (MB, after each round): " + " ".join(f"{v:.0f}" for v in curve))
    print(f"RSS growth after warm-up (round {WARM_UP} -> max): {growth:.1f} MB   (target ≤ {GROWTH_LIMIT_MB} MB)")
    print(f"Qt warnings: {warnings}")
    return 0 if warnings == 0 and growth <= GROWTH_LIMIT_MB else 1


if __name__ == "__main__":
    sys.exit(main())

"""Card queue benchmark: 20,000 queued members opened and verified locally.

Prints, for this machine:
- the time to open 待办会员列表 with 20,000 queued members as the window does it — count, summary,
  the submit rule's "which ones" and the first page on the database worker, shown and painted —
  next to the member list opened the same way on the same profile (the baseline), and their ratio;
  then how long the background pass that re-checks stale rows (it runs on the worker after the
  list is shown, the UI thread never waits for it) takes over all 20,000;
- the time to verify 20,000 members locally (重新校验: read, every check, write, one transaction),
  next to the same checks run on the same rows already in memory (the baseline: the rules alone),
  and their ratio;
- once, the time to queue the 20,000 (加入待办, verification included).

    python bench/cards.py [--members 20000] [--runs 5]
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def build(path: Path, members: int) -> tuple[int, float]:
    """A fresh profile whose `members` members may all apply for a card, all queued.
    Returns (union id, seconds to queue them)."""
    from app.models import Enterprise, Member, db, open_database
    from app.paths import Profile
    from app.services import cards, demo

    prof = Profile(path).create()
    open_database(prof.database, backup_dir=prof.backups)
    print(f"building a {members:,}-member profile in {path} …", flush=True)
    for attempt in range(10):  # a refill tops up the few rows dropped as duplicate IDs
        missing = members - Member.select().count()
        if missing <= 0:
            break
        demo.fill_demo(missing, seed=7 + attempt)
    enterprise = Enterprise.select().first().id
    with db.atomic():
        # Everyone in service at a linked enterprise without a card: all may be queued. Their
        # documents, expiries, addresses and phones keep the demo's mix of good and bad.
        Member.update(category="linked_enterprise", life_status="in_service", card_status="none", card_no=None,
                      enterprise=enterprise).execute()
    ids = [m.id for m in Member.select(Member.id).order_by(Member.id).limit(members)]
    t = time.perf_counter()
    result = cards.add_to_queue(1, ids, actor="bench", today=date.today())
    queued = time.perf_counter() - t
    assert result.added == len(ids), result.message()
    return 1, queued


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from app.views.fonts import register_bundled_font

    register_bundled_font(app)

    with tempfile.TemporaryDirectory(prefix="union-clerk-bench-cards-") as tmp:
        union_id, queue_time = build(Path(tmp) / "profile", args.members)

        from app.models import Member
        from app.models.queries import queue_check_rows
        from app.services import cards
        from app.views import ops
        from app.views.card_queue import CardQueuePage
        from app.views.member_list import MemberListPage

        today = date.today()
        summary = cards.queue_summary(union_id)
        open_queue, open_members, verify, bare, background = [], [], [], [], []
        for _ in range(args.runs):
            for cls, times in ((MemberListPage, open_members), (CardQueuePage, open_queue)):
                page = cls(union_id, today.year + 1, "bench")
                page.resize(1280, 760)
                page.show()
                app.processEvents()
                t = time.perf_counter()
                page.refresh()  # what the window does: the work on the database worker
                while page.model.rowCount() == 0:
                    app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 1)
                page.table.viewport().repaint()
                times.append(time.perf_counter() - t)
                ops.wait_all()
                if cls is CardQueuePage:
                    background.append(time.perf_counter() - t)
                app.processEvents()
                page.table.scrollToBottom()  # the last page fetched on demand
                page.close()
                page.deleteLater()
                app.processEvents()

            t = time.perf_counter()
            report = cards.verify_all(union_id, today, actor="bench")
            verify.append(time.perf_counter() - t)
            assert report.checked == summary.total

            names = ("id", "member_id", "local_result", "local_reason", "local_sig", "checked_at", "result",
                     "reason", "server_result", "server_reason", "server_request", "name", "id_type", "id_number",
                     "id_expiry", "birth_date", "phone", "work_address", "category", "life_status", "card_status",
                     "card_no", "sync_state")
            rows = [dict(zip(names, r)) for r in queue_check_rows(union_id)]
            t = time.perf_counter()
            for r in rows:
                cards.check_member(r, today)
            bare.append(time.perf_counter() - t)

        summary = cards.queue_summary(union_id)
        members = Member.select().count()
        ops.wait_all()
        from app.models import close_database

        close_database()

    med = statistics.median
    print()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}")
    print(f"profile: {members:,} members, {summary.total:,} queued ({summary.failed:,} fail the local checks); "
          f"runs: {args.runs} (medians)")
    print(f"queue {summary.total:,} members (加入待办, verified at once):  {queue_time * 1000:8.0f} ms (once)")
    print(f"open 待办会员列表 ({summary.total:,} queued):                  {med(open_queue) * 1000:8.1f} ms")
    print(f"  baseline: open 会员信息 (same profile):               {med(open_members) * 1000:8.1f} ms")
    print(f"  ratio: {med(open_queue) / med(open_members):.2f}")
    print(f"  then the stale-row pass on the worker, done after:  {med(background) * 1000:8.1f} ms (UI not waiting)")
    print(f"verify {summary.total:,} members locally (重新校验, read+check+write): {med(verify) * 1000:8.0f} ms")
    print(f"  baseline: the same checks on rows in memory:        {med(bare) * 1000:8.0f} ms")
    print(f"  ratio: {med(verify) / med(bare):.2f}")


if __name__ == "__main__":
    main()

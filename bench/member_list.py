"""Member list benchmark: profiles of 1,000, 10,000 and 100,000 members opened, paged, sorted,
filtered and scrolled, the way the clerk's window does it (ids on the database worker, rows by id).

Prints, for this machine:
- per profile size and for every sort key the list offers: the sort (every id in order plus the
  first page, painted), and a deep row — at the middle and 200 rows before the end — from the
  request (scrolling there) to the painted row, each also as a ratio against the first page of
  the default order measured in the same run. A deep row costs one batch of rows by id: it must
  not grow with the depth (middle vs end) nor with the size (1,000 vs 100,000 members);
- on the biggest profile: the first page (from the request to its rows painted, and to every id
  of the query in, which may come after), the filter by an ID fragment, the longest stall of the
  UI event loop (a 5 ms timer's longest gap) while the list is scrolled end to end and sorted by
  every key both ways, next to an idle event loop's longest gap over as long (the machine's floor:
  other processes taking the cores), and start-up next to a bare PySide6 window started the same way.
Targets (issues 2 and 10): first page ≤ 50 ms, filter ≤ 100 ms, deep row ≤ 50 ms, longest UI
stall ≤ 50 ms, start-up ratio ≤ 2.0.

    python bench/member_list.py [--sizes 1000,10000,100000] [--profiles DIR] [--runs 5]
"""
from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QObject

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BARE = """
import time, sys
t0 = time.perf_counter()
from PySide6.QtWidgets import QApplication, QMainWindow, QLabel
app = QApplication(sys.argv[:1])
w = QMainWindow(); w.setCentralWidget(QLabel("工会会员专享保障")); w.resize(1200, 700); w.show()
app.processEvents(); w.repaint()
print(f"shown {time.perf_counter():.6f} cpu {time.process_time():.6f}", flush=True)
"""
med = statistics.median


class Took(NamedTuple):
    """How long something took: by the clock, and the CPU this process spent meanwhile (all its
    threads — the UI's and the database worker's). On a shared machine the clock also counts the
    time other processes had the cores; the CPU time does not."""

    wall: float
    cpu: float

    def __str__(self) -> str:
        return f"{self.wall:6.1f} ms (CPU {self.cpu:5.1f})"


def start() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def took(started: tuple[float, float]) -> Took:
    return Took((time.perf_counter() - started[0]) * 1000, (time.process_time() - started[1]) * 1000)


def medt(values: list[Took]) -> Took:
    return Took(med(v.wall for v in values), med(v.cpu for v in values))


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


def time_process(cmd: list[str]) -> Took:
    """From spawning the process to its 'shown' line (it exits right after): wall time, and the
    CPU time the process had used by then (all its threads), as its 'shown' line says. A program
    that does not say it (an older frozen build) is charged all it used until it exited (wait4),
    shutting down included."""
    begin = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    for line in proc.stdout:  # type: ignore[union-attr]
        if line.startswith("shown"):
            elapsed = time.perf_counter() - begin
            said = line.split()
            break
    else:
        raise RuntimeError(f"{cmd} never showed a window")
    proc.stdout.close()  # type: ignore[union-attr]
    _pid, _status, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    cpu = float(said[3]) if len(said) >= 4 and said[2] == "cpu" else usage.ru_utime + usage.ru_stime
    return Took(elapsed * 1000, cpu * 1000)


def compile_app() -> None:
    """Byte-compile app/ as an installed or frozen app has it (PYTHONDONTWRITEBYTECODE, set here,
    would otherwise compile every module from source at every start, ~200 ms the bare window never
    pays)."""
    import compileall

    compileall.compile_dir(ROOT / "app", quiet=2)


def open_page(app):
    from app.services.members import current_union
    from app.views.member_list import MemberListPage

    page = MemberListPage(current_union().id, 2027, "bench")
    page.resize(1200, 700)
    page.show()
    app.processEvents()
    return page


def close_page(page, app) -> None:
    page.close()
    page.deleteLater()
    app.processEvents()


class _Painted(QObject):
    """Notes the table viewport's paint events once `after` is true (the filter sees one just
    before it is painted)."""

    def __init__(self, after) -> None:
        super().__init__()
        self.after = after
        self.seen = 0

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.after():
            self.seen += 1
        return False


def _until(done, msecs: int = 30_000) -> None:
    """Run the event loop until `done()`, sleeping in it between events (a 5 ms timer wakes it)."""
    from PySide6.QtCore import QTimer

    deadline = time.monotonic() + msecs / 1000
    wake = QTimer()
    wake.setInterval(5)
    wake.start()
    try:
        while not done():
            if time.monotonic() > deadline:
                raise RuntimeError("the member list's first page never painted")
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
    finally:
        wake.stop()


def first_page(page) -> tuple[Took, Took]:
    """The default order's first page: from the request to its rows painted (the event loop runs
    as in the app: the worker's answer arrives, the view is reset, then painted) — and to every id
    of the query in (a model that shows the first page before the rest fetches the rest after)."""
    from app.views import ops

    model, viewport = page.model, page.table.viewport()
    shown: list[int] = []
    painted = _Painted(lambda: bool(shown))  # a paint after the answer was shown
    model.totalChanged.connect(shown.append)
    viewport.installEventFilter(painted)
    t = start()
    page.requery()
    _until(lambda: painted.seen > 0)
    QCoreApplication.processEvents()
    first = took(t)
    viewport.removeEventFilter(painted)
    model.totalChanged.disconnect(shown.append)
    assert model.is_loaded(0), "the first page was painted without its rows"
    ops.drain()  # the rest of the ids, if they come after
    QCoreApplication.processEvents()
    return first, took(t)


def sorted_by(page, key: str) -> Took:
    from app.views import ops

    t = start()
    page.requery(sort_key=key, descending=False)
    ops.drain()
    QCoreApplication.processEvents()
    assert page.model.sort_key == key
    return took(t)


def deep_row(page, row: int) -> Took:
    """From scrolling to `row` (the view asks for it) to the row painted with its data."""
    from PySide6.QtWidgets import QAbstractItemView

    from app.views import ops

    model = page.model
    t = start()
    page.table.scrollTo(model.index(row, 0), QAbstractItemView.ScrollHint.PositionAtTop)
    # The event loop runs as in the app: the view paints the rows blank and asks for their batch,
    # the batch arrives from the worker, the rows are painted again with their data.
    ops.drain()
    QCoreApplication.processEvents()
    elapsed = took(t)
    assert model.is_loaded(row), f"row {row} never arrived"
    return elapsed


def deep_rows(profile: Path, app, runs: int) -> dict:
    """For one profile: the default first page and, per sort key, the sort and two deep rows."""
    from app.models import Member, close_database, open_database
    from app.models.queries.members import SORT_COLUMNS
    from app.paths import Profile

    prof = Profile(profile)
    open_database(prof.database, backup_dir=prof.backups)
    total = Member.select().count()
    page = open_page(app)
    firsts = [first_page(page) for _ in range(runs)]
    first, whole = medt([f for f, _ in firsts]), medt([w for _, w in firsts])
    offsets = (total // 2, total - 200)
    keys: dict[str, tuple[Took, dict[int, Took]]] = {}
    for key in SORT_COLUMNS:
        sort = medt([sorted_by(page, key) for _ in range(runs)])
        deep = {}
        for offset in offsets:
            times = []
            for _ in range(runs):
                page.model.reload_rows()  # forget the cache: every run fetches the row again
                times.append(deep_row(page, offset))
            deep[offset] = medt(times)
        keys[key] = (sort, deep)
    close_page(page, app)
    close_database()
    return {"total": total, "first": first, "whole": whole, "keys": keys}


def longest_stall_ms(profile: Path, app) -> tuple[float, float, int]:
    """The UI event loop's longest gap (a 5 ms timer's) while the list is scrolled end to end in
    200 jumps and sorted by every key both ways, each step 20 ms after the last, as a clerk
    dragging the scroll bar and clicking headers would. Returns (wall ms, CPU ms, steps): the
    longest gap by the clock, and the most CPU the UI thread spent between two ticks — on a
    shared machine the clock also counts the time other processes had the cores."""
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    from app.models import close_database, open_database
    from app.models.queries.members import SORT_COLUMNS
    from app.paths import Profile
    from app.views import ops

    prof = Profile(profile)
    open_database(prof.database, backup_dir=prof.backups)
    # As in the app, where app.main freezes what start-up built once the window is up (_started):
    # a full collection then walks only what came later. Unfrozen, the bench's own heap (every
    # module, the profiles' objects) made one full collection on the worker cost 50-140 ms here.
    gc.freeze()
    page = open_page(app)
    page.load_now()
    bar = page.table.verticalScrollBar()
    header = page.table.horizontalHeader()
    steps = [lambda v=v: bar.setValue(bar.maximum() * v // 200) for v in range(201)]
    for key in SORT_COLUMNS:
        column = [c[1] for c in page.model.COLUMNS].index(key)
        for order in (Qt.SortOrder.DescendingOrder, Qt.SortOrder.AscendingOrder):
            steps.append(lambda c=column, o=order: header.setSortIndicator(c, o))
            steps += [lambda v=v: bar.setValue(bar.maximum() * v // 4) for v in (4, 2, 0)]
    loop = QEventLoop()
    ticks: list[tuple[float, float]] = []  # (wall, the UI thread's CPU time)
    probe = QTimer()
    probe.setInterval(5)
    probe.timeout.connect(lambda: ticks.append((time.perf_counter(), time.thread_time())))
    driver = QTimer()
    driver.setInterval(20)

    def step() -> None:
        if steps:
            steps.pop(0)()
        else:
            driver.stop()
            QTimer.singleShot(500, loop.quit)  # the last rows arrive meanwhile

    driver.timeout.connect(step)
    n = len(steps)
    probe.start()
    driver.start()
    loop.exec()
    probe.stop()
    ops.drain()
    close_page(page, app)
    close_database()
    wall = max(b[0] - a[0] for a, b in zip(ticks, ticks[1:]))
    cpu = max(b[1] - a[1] for a, b in zip(ticks, ticks[1:]))
    return wall * 1000, cpu * 1000, n


def worker_stall(profile: Path, work) -> tuple[Took, float, float]:
    """`work` on the database worker (as the workbench runs its to-do figures at every start-up)
    while a 5 ms timer ticks on the UI thread: (the work's wall and CPU time, the timer's longest
    gap, the UI thread's most CPU between two ticks). Python on the worker holds the GIL and so
    stalls the UI; SQLite releases it while it steps."""
    from PySide6.QtCore import QEventLoop, QTimer

    from app.models import close_database, open_database
    from app.paths import Profile
    from app.services.members import current_union
    from app.views import ops

    prof = Profile(profile)
    open_database(prof.database, backup_dir=prof.backups)
    union_id = current_union().id
    ticks: list[tuple[float, float]] = []
    probe = QTimer()
    probe.setInterval(5)
    probe.timeout.connect(lambda: ticks.append((time.perf_counter(), time.thread_time())))
    loop = QEventLoop()
    spent: list[Took] = []

    def job():
        t = start()
        work(union_id)
        return took(t)

    probe.start()
    ops.run_db(None, job, lambda result: (spent.append(result), QTimer.singleShot(20, loop.quit)))
    loop.exec()
    probe.stop()
    ops.drain()
    close_database()
    wall = max(b[0] - a[0] for a, b in zip(ticks, ticks[1:]))
    cpu = max(b[1] - a[1] for a, b in zip(ticks, ticks[1:]))
    return spent[0], wall * 1000, cpu * 1000


def todo_figures(union_id: int) -> None:
    from datetime import date

    from app.services import todo

    todo.todo(union_id, 2027, date.today())


def python_pass(union_id: int) -> None:
    """What the to-do counts cost before they moved into SQL: the rules applied to every member,
    once per channel (enrollment.candidates) — kept here as the same-run baseline."""
    from app.services import enrollment

    for channel in ("card", "ss"):
        enrollment.candidates(union_id, 2027, channel, ordered=False)


def idle_stall_ms(seconds: float) -> float:
    """The longest gap of the same 5 ms timer in an event loop with nothing to do, for as long as
    the stall run took: what the machine alone costs the UI (other processes taking the cores),
    the floor under the longest UI stall."""
    from PySide6.QtCore import QEventLoop, QTimer

    ticks: list[float] = []
    probe = QTimer()
    probe.setInterval(5)
    probe.timeout.connect(lambda: ticks.append(time.perf_counter()))
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    probe.start()
    loop.exec()
    probe.stop()
    return max(b - a for a, b in zip(ticks, ticks[1:])) * 1000


def filtered(profile: Path, app, runs: int) -> tuple[Took, int, str]:
    from app.models import Member, close_database, open_database
    from app.models.queries import MemberFilter
    from app.paths import Profile
    from app.views import ops

    prof = Profile(profile)
    open_database(prof.database, backup_dir=prof.backups)
    fragment = (Member.select(Member.id_number).where(Member.id_type == "mainland")
                .order_by(Member.id.desc()).scalar()[-6:])
    times, matches = [], 0
    page = open_page(app)
    page.load_now()
    for _ in range(runs):
        page.model.requery(MemberFilter())
        ops.drain()
        t = start()
        page.model.requery(MemberFilter(text=fragment))
        ops.drain()
        QCoreApplication.processEvents()
        times.append(took(t))
        matches = page.model.total
    close_page(page, app)
    close_database()
    return medt(times), matches, fragment


def report_deep(results: list[dict]) -> None:
    print("\ndeep rows (medians): sort = every id in order + first page painted; rows at the middle and")
    print("200 before the end, from the scroll to the painted row; x = ratio to that size's first page")
    print("(wall time, and in brackets the CPU time of both threads)")
    for r in results:
        first: Took = r["first"]
        print(f"\n{r['total']:,} members — first page (default order, the baseline): {first}")
        for key, (sort, deep) in r["keys"].items():
            cells = "  ".join(f"@{o:<6}{t} {t.wall / first.wall:4.2f}x" for o, t in deep.items())
            print(f"  {key:<10} sort {sort} {sort.wall / first.wall:4.2f}x   {cells}")
    biggest = results[-1]
    print()
    for key, (_sort, deep) in biggest["keys"].items():
        for offset, t in deep.items():
            print(f"deep row {key} @{offset}: {t.wall:.0f} ms   (CPU {t.cpu:.0f} ms)")
    if len(results) > 1:
        small = results[0]
        for label, pick in (("wall", lambda t: t.wall), ("CPU", lambda t: t.cpu)):
            growth = [max(pick(t) for t in biggest["keys"][k][1].values())
                      / max(pick(t) for t in small["keys"][k][1].values()) for k in biggest["keys"]]
            depth = [pick(d[max(d)]) / pick(d[min(d)]) for _, d in biggest["keys"].values()]
            print(f"\ndeep row ({label}), {biggest['total']:,} vs {small['total']:,} members "
                  f"({biggest['total'] / small['total']:.0f}x the rows): {min(growth):.2f}x – {max(growth):.2f}x")
            print(f"deep row ({label}), end vs middle at {biggest['total']:,}: {min(depth):.2f}x – {max(depth):.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000", help="member counts, comma-separated")
    parser.add_argument("--profiles", type=Path, default=Path(tempfile.gettempdir()),
                        help="where the profiles union-clerk-bench-<N> are built once and kept")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--startup-only", action="store_true",
                        help="only the start-up phase (on the biggest profile), runs alternated")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    profiles = [args.profiles / f"union-clerk-bench-{n}" for n in sizes]
    for path, n in zip(profiles, sizes):
        build_profile(path, n)
    if args.startup_only:
        report_startup(*startup_runs(profiles[-1], args.runs))
        return

    from PySide6.QtWidgets import QApplication

    from app.views.fonts import register_bundled_font

    app = QApplication.instance() or QApplication(sys.argv[:1])
    register_bundled_font(app)
    results = [deep_rows(path, app, args.runs) for path in profiles]
    biggest = profiles[-1]
    filtering, matches, fragment = filtered(biggest, app, args.runs)
    load = os.getloadavg()[0]
    stalled = time.perf_counter()
    stall, stall_cpu, steps = longest_stall_ms(biggest, app)
    idle = idle_stall_ms(time.perf_counter() - stalled)
    todo_run = [worker_stall(biggest, todo_figures) for _ in range(args.runs)]
    pass_run = [worker_stall(biggest, python_pass) for _ in range(args.runs)]
    bare, ours = startup_runs(biggest, args.runs)

    print()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}")
    counts = ", ".join(f"{r['total']:,}" for r in results)
    print(f"profiles: {counts} members; runs: {args.runs} (medians)")
    report_deep(results)
    print()
    print(f"first page of the member list: {results[-1]['first']}   (target ≤ 50 ms; request to its rows painted)")
    print(f"  and every id of the query in:  {results[-1]['whole']}   (the rest come after the first page)")
    print(f"filter by ID fragment '{fragment[:2]}…' ({matches} found): {filtering}   (target ≤ 100 ms)")
    print(f"longest UI stall: {stall:.0f} ms   ({steps} scroll and sort steps 20 ms apart; target ≤ 50 ms)")
    print(f"  the UI thread's CPU in its busiest gap: {stall_cpu:.0f} ms (load average {load:.1f} on "
          f"{os.cpu_count()} cores when it ran)")
    print(f"  an idle event loop's longest gap, as long again: {idle:.0f} ms (the machine's floor)")
    for label, runs in (("to-do figures (SQL aggregates)", todo_run),
                        ("the Python pass they replaced (baseline)", pass_run)):
        spent = medt([r[0] for r in runs])
        print(f"{label} on the db worker: {spent}; UI's longest gap meanwhile "
              f"{max(r[1] for r in runs):.0f} ms (UI thread's CPU in it {max(r[2] for r in runs):.0f} ms)")
    report_startup(bare, ours)


def startup_runs(profile: Path, runs: int) -> tuple[list[Took], list[Took]]:
    """A bare PySide6 window and union-clerk on `profile`, each started `runs` times, alternated
    (a burst of load on the shared machine then falls on both alike), after one warm-up of each."""
    compile_app()
    bare_cmd = [sys.executable, "-c", BARE]
    ours_cmd = [sys.executable, "-m", "app.main", "--profile", str(profile), "--quit-after-show"]
    time_process(bare_cmd)
    time_process(ours_cmd)
    bare, ours = [], []
    for _ in range(runs):
        bare.append(time_process(bare_cmd))
        ours.append(time_process(ours_cmd))
    return bare, ours


def report_startup(bare: list[Took], ours: list[Took]) -> None:
    bare_t, ours_t = medt(bare), medt(ours)
    print(f"start-up, bare PySide6 window:     {bare_t}")
    print(f"start-up, union-clerk main window: {ours_t}")
    print(f"start-up ratio: {ours_t.wall / bare_t.wall:.2f}, by CPU {ours_t.cpu / bare_t.cpu:.2f}   (target ≤ 2.0; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()

"""集中参保实时监控 for the whole city (issue #16): 52,701 grassroots unions and 7.36 million
members, synthetic, on PostgreSQL and on SQLite — with a 10× smaller city measured in the same run
as the baseline, so the growth shows whatever the machine.

The world is made fast with bulk SQL into a fresh database (PostgreSQL: a throwaway database made
with the given role, dropped afterwards; SQLite: a temporary file): the demo hierarchy, campaign and
accounts by the server's own code, then 16 districts, the grassroots unions spread over them, and
per union 139–140 members (70 % with a member card, the rest 身份证 without one; 5 % retired; 10 %
灵活就业) by INSERT … SELECT generate_series (PostgreSQL) or a recursive CTE (SQLite). Batches as the
server stores them: 60 % of the unions sent a card batch (half of them 已完成), 30 % of those also an
SS batch, 10 % had theirs returned, spread over 30 days.

Measured over HTTP against the real server (in this process) as the center's account:
- first picture: GET /monitor answered + the monitor page's figures, table models and chart built
  (the first answer of a scope counts its eligible members: one GROUP BY over them);
- refresh: the same again on the open page (median of 3; the eligible counts are kept 5 minutes,
  so a refresh counts the batches only — the campaign's progress);
- the unions behind 未提交 (drill-down, about 30 % of the city), the .xlsx export with every union
  (as the page's 导出 Excel: the unions fetched, the workbook written) and the 黄浦 district's monitor.
Wall time and this process's CPU time (server and client; PostgreSQL's own CPU is not in it).

    python bench/monitor.py [--unions 52701] [--members 7360000] [--pg URL] [--no-sqlite]
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PASSWORD = "bench-password-1"
DISTRICTS = 16
PG_DEFAULT = "postgresql://union_test:union_test@127.0.0.1:5432/union_test"


class Took:
    def __init__(self, wall: float, cpu: float) -> None:
        self.wall, self.cpu = wall, cpu

    def __str__(self) -> str:
        return f"{self.wall:7.2f} s (CPU {self.cpu:6.2f} s)"


def timed(fn: Callable[[], Any]) -> tuple[Took, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return Took(time.perf_counter() - wall, time.process_time() - cpu), result


def _sql(db: Any, statement: str) -> None:
    """Run one statement as written (no parameters: psycopg would read its '%' as one)."""
    db.cursor().execute(statement)


def _members_sql(postgres: bool, first: int, unions: int, base: int, extra: int) -> str:
    """Every grassroots union's members: `base` each, one more for the first `extra` unions."""
    card = "CASE WHEN g % 10 < 7 THEN 'issued' ELSE 'none' END"
    life = "CASE WHEN g % 20 = 0 THEN 'retired' ELSE 'in_service' END"
    category = "CASE WHEN g % 10 = 9 THEN 'flexible' ELSE 'linked_enterprise' END"
    columns = ("union_id, id_number, id_type, category, life_status, card_status, versions, version, updated")
    select = (f"SELECT u.id, CAST(g AS TEXT), 'mainland', {category}, {life}, {card}, '{{}}', 1, "
              f"{'now()' if postgres else 'CURRENT_TIMESTAMP'} FROM trade_union u")
    count = f"{base} + CASE WHEN u.id - {first} < {extra} THEN 1 ELSE 0 END"
    where = f"u.level = 'grassroots' AND u.id >= {first}"
    if postgres:
        return f"INSERT INTO member ({columns}) {select} CROSS JOIN LATERAL generate_series(1, {count}) g WHERE {where}"
    return (f"INSERT INTO member ({columns}) WITH RECURSIVE seq(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM seq "
            f"WHERE g < {base + 1}) {select} JOIN seq ON seq.g <= {count} WHERE {where}")


def _batches_sql(postgres: bool, first: int, user: int, device: int, plan_year: int, channel: str,
                 which: str, status: str, count: int) -> str:
    """One batch per chosen union, stored as the server stores it (the totals priced at 26/13/13/0)."""
    fee, half = f"{26 * count}.00", f"{13 * count}.00"
    totals = f'{{"count": {count}, "fee": "{fee}", "city": "{half}", "district": "{half}", "grassroots": "0.00"}}'
    day = ("now() - (u.id % 30) * INTERVAL '1 day'" if postgres
           else "datetime('now', '-' || (u.id % 30) || ' days')")
    pdf = "'\\x00'::bytea" if postgres else "X'00'"
    return (f"INSERT INTO submission (union_id, user_id, device_id, batch_no, kind, plan_year, channel, plan_type, "
            f"member_count, totals, payload, payload_sha256, signature, pdf, pdf_sha256, status, received) "
            f"SELECT u.id, {user}, {device}, 'B' || u.id || '{channel}{status[:2]}', 'central', {plan_year}, "
            f"'{channel}', 'A', {count}, '{totals}', '{{}}', 'x', 'x', {pdf}, 'x', '{status}', {day} "
            f"FROM trade_union u WHERE u.level = 'grassroots' AND u.id >= {first} AND {which}")


def build_world(db_url: str, unions: int, members: int) -> int:
    """The synthetic city in the empty database at `db_url`; returns the plan year."""
    from server import accounts
    from server.campaigns import shanghai_today
    from server.db import database, is_sqlite, open_database, session, write_tx
    from server.demo import init_demo
    from server.migrations import migrate
    from server.models import Device, Union, User
    from server.settings import ServerContext

    open_database(db_url)
    migrate()
    ctx = ServerContext()
    postgres = not is_sqlite()
    with session():
        init_demo(ctx, password=PASSWORD, members_per_union=0)
        plan_year = shanghai_today(ctx).year + 1
        city = Union.get(Union.level == "city")
        districts = [Union.get(Union.level == "district").id]
        for i in range(1, DISTRICTS):
            districts.append(accounts.create_union(ctx, name=f"压测第{i}区总工会", org_code=f"81310{i:02d}00000000DX",
                                                   union_type="区总工会", level="district", parent=city).id)
        clerk = User.get(User.username == "grassroots")
        device = Device.create(user=clerk, public_key="bench-key", fingerprint="bench", created=ctx.now_naive())
        existing = Union.select().where(Union.level == "grassroots").count()
        db = database.obj
        first = int(Union.select().order_by(Union.id.desc()).get().id) + 1
        count = unions - existing
        if not postgres:
            _sql(db, "PRAGMA synchronous = OFF")
        with write_tx():
            seq = (f"generate_series(0, {count - 1}) g" if postgres else
                   f"(WITH RECURSIVE s(g) AS (SELECT 0 UNION ALL SELECT g + 1 FROM s WHERE g < {count - 1}) "
                   f"SELECT g FROM s)")
            cases = " ".join(f"WHEN {k} THEN {d}" for k, d in enumerate(districts))
            now = "now()" if postgres else "CURRENT_TIMESTAMP"
            _sql(db, f"INSERT INTO trade_union (id, name, org_code, union_type, level, parent_id, path, change_seq, "
                     f"created) SELECT {first} + g, '压测第' || g || '号公司工会委员会', 'BENCH' || g, '工会委员会', "
                     f"'grassroots', CASE g % {DISTRICTS} {cases} END, '', 0, {now} FROM {seq}")
            _sql(db, f"UPDATE trade_union SET path = (SELECT p.path FROM trade_union p WHERE p.id = "
                     f"trade_union.parent_id) || trade_union.id || '/' WHERE id >= {first}")
            if postgres:
                _sql(db, "SELECT setval(pg_get_serial_sequence('trade_union', 'id'), (SELECT max(id) FROM trade_union))")
            base, extra = divmod(members, unions)
            _sql(db, _members_sql(postgres, first, count, base, extra))
            sent = "u.id % 10 < 6"
            for channel, which, status, n in (
                    ("card", f"{sent} AND u.id % 2 = 0", "completed", 90), ("card", f"{sent} AND u.id % 2 = 1",
                                                                             "under_review", 90),
                    ("ss", f"{sent} AND u.id % 10 < 2", "completed", 20), ("card", "u.id % 10 = 6", "returned", 80)):
                _sql(db, _batches_sql(postgres, first, clerk.id, device.id, plan_year, channel, which, status, n))
        _sql(db, "ANALYZE")
    return plan_year


@contextmanager
def world_database(kind: str, pg_base: str, work: Path, label: str) -> Iterator[str]:
    """A fresh database for one world: a temporary SQLite file, or a throwaway PostgreSQL database
    made with the role of `pg_base` (it has CREATEDB) and dropped afterwards — leftovers of earlier
    runs that died are dropped first (bench/server_load.py's postgres_database)."""
    if kind == "sqlite":
        path = work / f"monitor-{label}.db"
        yield f"sqlite:///{path}"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    from server_load import postgres_database  # bench/server_load.py: made, marked, dropped however the run ends

    with postgres_database(pg_base, prefix="union_monitor_bench_") as url:
        yield url


def measure(db_url: str) -> dict[str, Took]:
    from PySide6.QtWidgets import QApplication

    from app.sync.client import ServerClient
    from app.sync.superior import SuperiorApi
    from app.views.monitor_page import MonitorPage
    from server.app import create_app
    from server.embedded import serve_in_thread

    app = QApplication.instance() or QApplication([])
    url, stop = serve_in_thread(create_app(db_url))
    try:
        client = ServerClient(url)
        client.login("center", PASSWORD)
        api = SuperiorApi(client)
        page = MonitorPage(lambda: api)
        page.resize(1366, 700)

        def picture() -> dict[str, Any]:
            data = api.monitor()
            page.show_result(data)
            app.processEvents()
            return data

        out: dict[str, Took] = {}
        out["first picture"], data = timed(picture)
        refreshes = [timed(picture)[0] for _ in range(3)]
        middle = statistics.median(r.wall for r in refreshes)
        out["refresh (median of 3)"] = next(r for r in refreshes if r.wall == middle)
        out["drill-down 未提交"], behind = timed(lambda: api.monitor_unions("not_submitted"))
        out["drill-down rows"] = Took(float(behind["total"]), 0.0)

        def export() -> Path:
            from app.services.monitor import export_xlsx

            target = Path(tempfile.mkdtemp(prefix="monitor-export-")) / "monitor.xlsx"
            export_xlsx(data, api.monitor_unions("all")["unions"], target)
            return target

        out["export .xlsx (every union)"], written = timed(export)
        written.unlink()
        written.parent.rmdir()
        district = ServerClient(url)
        district.login("district", PASSWORD)
        out["district 黄浦 first answer"], _ = timed(lambda: SuperiorApi(district).monitor())
        assert data["unions"]["total"] > 0 and data["members"]["eligible"] > 0
        page.deleteLater()
        return out
    finally:
        stop()


def run(kind: str, pg_base: str, work: Path, unions: int, members: int, label: str) -> dict[str, Took]:
    with world_database(kind, pg_base, work, label) as url:
        built, _ = timed(lambda: build_world(url, unions, members))
        print(f"  {kind} {label}: world built in {built}", flush=True)
        result = {"world built": built, **measure(url)}
        for name, took in result.items():
            print(f"    {name:28s} {int(took.wall) if name == 'drill-down rows' else took}", flush=True)
        from server.db import database

        close_all = getattr(database.obj, "close_all", None)  # every pooled connection, before the drop
        if close_all is not None:
            close_all()
        else:
            database.obj.close()
        return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unions", type=int, default=52_701)
    parser.add_argument("--members", type=int, default=7_360_000)
    parser.add_argument("--pg", default=os.environ.get("UNION_TEST_PG_URL", PG_DEFAULT))
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-pg", action="store_true")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    kinds = [k for k, skip in (("postgresql", args.no_pg), ("sqlite", args.no_sqlite)) if not skip]
    results: dict[str, dict[str, dict[str, Took]]] = {}
    with tempfile.TemporaryDirectory(prefix="monitor-bench-") as tmp:
        for kind in kinds:
            small = run(kind, args.pg, Path(tmp), args.unions // 10, args.members // 10, "baseline")
            city = run(kind, args.pg, Path(tmp), args.unions, args.members, "city")
            results[kind] = {"baseline": small, "city": city}
    print(f"\ncity: {args.unions:,} unions, {args.members:,} members; baseline: a tenth of each")
    for kind, both in results.items():
        print(f"\n{kind}:")
        for name, took in both["city"].items():
            base = both["baseline"][name]
            if name == "drill-down rows":
                print(f"  {name:28s} city {int(took.wall):>8,}   baseline {int(base.wall):>8,}")
                continue
            ratio = took.wall / base.wall if base.wall else float("nan")
            print(f"  {name:28s} city {took}   baseline {base}   ×{ratio:5.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

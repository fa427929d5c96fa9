"""bench/city.py's load generator, kept light so the clients do not starve the server on a small
box: every request body is built (and signed) before its wave and sent as bytes over a keep-alive
`http.client` connection per thread — no requests/urllib3 layers, no JSON encoding while timed,
an answer checked by counting its ok results (parsed only when one is missing).

Also the CPU the box spends beside the server: this process's own (the clients) and the
PostgreSQL backends serving the bench's database (`pg_stat_activity` pids, /proc), so the report
can say what is left of the cores for the server — the ceiling of 2 processes ÷ 1.
"""
from __future__ import annotations

import http.client
import json
import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import server_load as world
from server_load import Clerk, Phase

_local = threading.local()
_OK = (b'"status":"ok"', b'"status": "ok"')


def _connection(url: str) -> http.client.HTTPConnection:
    conn: http.client.HTTPConnection | None = getattr(_local, "conn", None)
    if conn is None or getattr(_local, "url", None) != url:
        parsed = urlparse(url)
        conn = _local.conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=300)
        _local.url = url
    return conn


def post(url: str, path: str, body: bytes, token: str) -> tuple[int, bytes]:
    """POST bytes of JSON on this thread's keep-alive connection (reconnecting once if the server
    closed it): (status, answer bytes)."""
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    for attempt in (1, 2):
        conn = _connection(url)
        try:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            conn.close()
            _local.conn = None
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def upsert_body(clerk: Clerk, numbers: list[str], first: int) -> bytes:
    """One request of new members (member_upsert records) for the clerk's union, as bytes."""
    from app.protocol import MemberUpsert, PushRecord

    records = []
    for n, number in enumerate(numbers):
        payload = MemberUpsert(number, {"name": f"新会员{n}", "id_type": "身份证", "phone": f"137{first + n:08d}",
                                        "work_address": "上海市黄浦区九江路二百号"}, {}, union=clerk.org_code)
        records.append(PushRecord(str(uuid.uuid4()), payload.KIND, payload.to_wire()).to_wire())
    return json.dumps({"device_fingerprint": clerk.fingerprint, "records": records}).encode()


def submission_bytes(clerk: Clerk, numbers: list[str], plan_year: int) -> bytes:
    """A signed submission request as bytes (its timestamp is now: send it within MAX_CLOCK_SKEW)."""
    return json.dumps(world.submission_body(clerk, numbers, plan_year)).encode()


def send(url: str, clerk: Clerk, body: bytes, expected: int, phase: Phase, lock: threading.Lock) -> None:
    """Push a pre-built body; an error unless all `expected` records are answered ok."""
    started = time.perf_counter()
    error = None
    try:
        status, answer = post(url, "/push", body, clerk.token)
        if status != 200:
            error = f"{clerk.username}: HTTP {status} {answer[:200]!r}"
        elif sum(answer.count(ok) for ok in _OK) != expected:  # parsed only then
            results = json.loads(answer)["results"]
            bad = [r for r in results if r.get("status") != "ok"]
            if bad or len(results) != expected:
                error = f"{clerk.username}: {len(bad)} of {len(results)} refused, e.g. {bad[0].get('problem') if bad else '?'}"
    except Exception as exc:  # noqa: BLE001 - every failure is counted and shown
        error = f"{clerk.username}: {type(exc).__name__} {exc}"
    phase.record(lock, time.perf_counter() - started, error)


@dataclass
class Spent:
    """CPU seconds spent during one wave, by whom (Linux /proc)."""

    wall: float
    server: float  # the server's process tree
    processes: list[float]  # each server process that worked (an HTTP worker), most first
    pg: float  # the PostgreSQL backends of the bench's database that serve connections
    pg_autovacuum: float  # its autovacuum workers (upkeep of every earlier write, not this wave's requests)
    pg_shared: float  # PostgreSQL's processes that serve every database (WAL writer, checkpointer, …)
    client: float  # this process: the load generator
    busy: float  # the whole box
    iowait: float = 0.0  # CPU seconds the box sat idle with I/O outstanding (commits waiting for the disk)
    upkeep: list[str] = field(default_factory=list)  # autovacuum's runs finished within the wave
    #: Active backends of the database seen every 0.25 s, by wait event ("CPU": none): lock waits,
    #: WAL flushes (commits) and I/O show here.
    waits: Counter[str] = field(default_factory=Counter)

    @property
    def others(self) -> float:
        """What the rest of the box took (other work than this bench's)."""
        return max(self.busy - self.server - self.pg - self.pg_autovacuum - self.pg_shared - self.client, 0.0)

    def per(self, done: int) -> tuple[float, float, float]:
        """(s, p, c): server, PostgreSQL and load-generator CPU seconds per item."""
        n = max(done, 1)
        return self.server / n, self.pg / n, self.client / n


def bound(s: float, p: float, c: float, cores: int = 2) -> float:
    """The most `cores` server processes can do ÷ one, when one process is bounded by its core
    (1/s items a second: the GIL) and `cores` processes by the cores they share with PostgreSQL
    and the clients (cores/(s+p+c)): cores·s/(s+p+c), at most `cores`."""
    return min(cores * s / max(s + p + c, 1e-12), float(cores))


Snapshot = tuple[float, float, dict[int, float], dict[int, float], dict[int, float], tuple[float, float], dict[int, float],
                 dict[str, tuple[int, int, int, int]], Counter[str]]


class BoxCpu:
    """CPU of the server's processes (`server_pids()`), of this process (the load generator), of
    the PostgreSQL backends of one database (None on SQLite) and of PostgreSQL's shared processes,
    sampled at the start and end of a wave. A backend's CPU is read in nanoseconds
    (/proc/PID/schedstat: a backend has one thread), a multi-threaded server process's in clock
    ticks (/proc/PID/stat, which keeps its ended threads' time too). The database's autovacuum
    workers come and go within a wave: a thread looks for them every 0.25 s and keeps each one's
    last CPU reading, so one that ended meanwhile still counts (to its last reading)."""

    def __init__(self, db_url: str | None, server_pids: Callable[[], Iterable[int]]) -> None:
        self.db_url = db_url
        self.server_pids = server_pids
        self._ticks = os.sysconf("SC_CLK_TCK")
        self._vacuum: dict[int, float] = {}  # autovacuum worker pid → its CPU at the last look
        self._waits: Counter[str] = Counter()  # active backends seen at each look, by what they wait on
        self._stop = threading.Event()
        if db_url is not None:
            threading.Thread(target=self._watch_autovacuum, daemon=True, name="autovacuum-watch").start()

    def _watch_autovacuum(self) -> None:
        import psycopg

        try:
            with psycopg.connect(str(self.db_url), autocommit=True) as conn:
                while not self._stop.wait(0.25):
                    rows = conn.execute("SELECT pid, backend_type, state, wait_event_type, wait_event "
                                        "FROM pg_stat_activity WHERE datname = current_database() "
                                        "AND pid <> pg_backend_pid()").fetchall()
                    for pid, kind, state, wait_type, wait in rows:
                        if kind == "autovacuum worker":
                            cpu = self._thread_cpu(int(pid))
                            if cpu:
                                self._vacuum[int(pid)] = cpu
                        elif state == "active":  # a backend inside a statement: on CPU, or waiting on what
                            self._waits[f"{wait_type}:{wait}" if wait_type else "CPU"] += 1
        except psycopg.Error:  # the bench's database dropped at the end
            return

    def close(self) -> None:
        self._stop.set()

    def _pg_pids(self) -> tuple[list[int], list[int], list[int], dict[str, tuple[int, int, int, int]]]:
        """(the backends of the database, PostgreSQL's processes of no database, the database's
        autovacuum workers, each table's autovacuum and autoanalyze runs, sequential scans and rows
        they read so far)."""
        if self.db_url is None:
            return [], [], [], {}
        import psycopg

        with psycopg.connect(self.db_url, autocommit=True) as conn:
            rows = conn.execute("SELECT pid, datname IS NULL, backend_type = 'autovacuum worker' FROM pg_stat_activity "
                                "WHERE (datname = current_database() OR datname IS NULL) AND pid <> pg_backend_pid()")
            ours, shared, vacuum = [], [], []
            for pid, no_database, autovacuum in rows:
                (vacuum if autovacuum else shared if no_database else ours).append(int(pid))
            tables = {name: (int(v), int(a), int(scans), int(read)) for name, v, a, scans, read in conn.execute(
                "SELECT relname, autovacuum_count, autoanalyze_count, seq_scan, seq_tup_read FROM pg_stat_user_tables")}
            return ours, shared, vacuum, tables

    def _cpu(self, pid: int) -> float:
        """CPU seconds of a process (all its threads, ended ones too), in clock ticks."""
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(stat[11]) + int(stat[12])) / self._ticks

    def _thread_cpu(self, pid: int) -> float:
        """CPU seconds of a single-threaded process, to the nanosecond (falls back to ticks)."""
        try:
            return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
        except (OSError, ValueError, IndexError):
            return self._cpu(pid)

    def _busy(self) -> tuple[float, float]:
        """CPU seconds the whole box has been busy (/proc/stat: all but idle and iowait), and in iowait."""
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
        return (sum(values) - values[3] - values[4]) / self._ticks, values[4] / self._ticks

    def sample(self) -> Snapshot:
        ours, shared, vacuum, tables = self._pg_pids()
        for pid in vacuum:
            cpu = self._thread_cpu(pid)
            if cpu:
                self._vacuum[pid] = cpu
        return (time.perf_counter(), time.process_time(), {pid: self._cpu(pid) for pid in self.server_pids()},
                {pid: self._thread_cpu(pid) for pid in ours}, {pid: self._thread_cpu(pid) for pid in shared},
                self._busy(), dict(self._vacuum), tables, Counter(self._waits))

    def since(self, start: Snapshot) -> Spent:
        """What was spent since `start`; a process that appeared meanwhile counts from 0, one that
        went is lost (the pool keeps its connections open)."""
        now = self.sample()

        def spent(before: dict[int, float], after: dict[int, float]) -> dict[int, float]:
            return {pid: cpu - before.get(pid, 0.0) for pid, cpu in after.items()}

        server = spent(start[2], now[2])
        # The tables autovacuum worked on (runs that finished), and seq scans that read many rows.
        before = {name: start[7].get(name, (0, 0, 0, 0)) for name in now[7]}
        upkeep = sorted(f"{'vacuum' if kind == 0 else 'analyze'} {name}" for name, counts in now[7].items()
                        for kind in (0, 1) if counts[kind] > before[name][kind])
        upkeep += sorted(f"{now[7][name][2] - before[name][2]} seq scans of {name} ({now[7][name][3] - before[name][3]:,} rows)"
                         for name in now[7] if now[7][name][3] - before[name][3] > 10_000)
        return Spent(wall=now[0] - start[0], server=sum(server.values()),
                     processes=sorted((cpu for cpu in server.values() if cpu > 0.05), reverse=True),
                     pg=sum(spent(start[3], now[3]).values()), pg_shared=sum(spent(start[4], now[4]).values()),
                     client=now[1] - start[1], busy=now[5][0] - start[5][0], iowait=now[5][1] - start[5][1],
                     pg_autovacuum=sum(spent(start[6], now[6]).values()),
                     upkeep=upkeep, waits=now[8] - start[8])


__all__ = ["BoxCpu", "Spent", "bound", "post", "send", "submission_bytes", "upsert_body"]

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


class BoxCpu:
    """CPU seconds of this process (the load generator) and of the PostgreSQL backends of one
    database (None on SQLite), sampled at the start and end of a wave."""

    def __init__(self, db_url: str | None) -> None:
        self.db_url = db_url
        self._ticks = os.sysconf("SC_CLK_TCK")

    def _pg_pids(self) -> list[int]:
        if self.db_url is None:
            return []
        import psycopg

        with psycopg.connect(self.db_url, autocommit=True) as conn:
            return [int(p) for (p,) in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")]

    def _cpu(self, pid: int) -> float:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(stat[11]) + int(stat[12])) / self._ticks

    def _busy(self) -> float:
        """CPU seconds the whole box has been busy (/proc/stat: all but idle and iowait)."""
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
        return (sum(values) - values[3] - values[4]) / self._ticks

    def sample(self) -> tuple[float, dict[int, float], float]:
        return time.process_time(), {pid: self._cpu(pid) for pid in self._pg_pids()}, self._busy()

    def since(self, start: tuple[float, dict[int, float], float]) -> tuple[float, float, float]:
        """(load generator CPU s, PostgreSQL backends' CPU s, the whole box's busy CPU s) since
        `start`; a backend that appeared meanwhile counts from 0, one that went is lost (the pool
        keeps them open)."""
        own, pg, busy = self.sample()
        return own - start[0], sum(cpu - start[1].get(pid, 0.0) for pid, cpu in pg.items()), busy - start[2]


__all__ = ["BoxCpu", "post", "send", "submission_bytes", "upsert_body"]

"""Login flood benchmark: does an anonymous flood of password guesses starve signed-in users?

Starts a real server (`server.app.create_app` under uvicorn, SQLite, in a subprocess on a loopback
port) with the demo accounts, signs the grassroots clerk in, and measures the clerk's `GET /me`:

- baseline: `--requests` calls one after another on a quiet server;
- flood: the same while `--flooders` threads send anonymous logins (unknown names, wrong
  passwords) as fast as the server answers.

It prints the median and p95 of `/me` in each phase, their ratio (flood / baseline), the flood's
answers by status (401 checked, 429 refused at admission), and the server's peak memory (RSS). The
per-address limit is lifted for the run (`max_failed_per_address`), so what is measured is the
bound on password hashing alone, as a flood from many addresses would meet it. It also times a
wrong password for a real account against a login of an unknown name (medians, same number of
earlier failures), which should be alike.

`--code DIR` runs the same measurement against another checkout (e.g. an older main) to compare;
settings that checkout does not know are ignored. Bounded: each phase stops after `--max-seconds`.

`--logins N` measures #19's memory target instead: "server peak RSS under 24 concurrent logins
≤ 2× its idle RSS". For SQLite and (with `--pg URL` or $UNION_TEST_PG_URL) PostgreSQL, a fresh
database with N grassroots clerks (distinct accounts, bench/server_load.py's world) and a freshly
started `union-server serve` (one process, default settings: its rate limits apply): its idle
RSS, then `--rounds` rounds of N clients logging in at the same instant (a barrier), each with
its own account and connection. Every login must succeed (a 429 or 401 is counted as a failure,
not retried); the peak RSS is the kernel's high-water mark (VmHWM, reset after the idle reading)
and a 5 ms sampler's maximum.

    python bench/login_flood.py [--requests 200] [--flooders 16] [--code DIR]
    python bench/login_flood.py --logins 24 [--rounds 5] [--pg URL]
"""
from __future__ import annotations

import argparse
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
PASSWORD = "bench-flood-2025"

SERVER = textwrap.dedent("""
    import dataclasses, sys
    sys.path.insert(0, {code!r})
    import uvicorn
    from server.app import create_app
    from server.db import session
    from server.demo import init_demo
    from server.settings import Settings
    known = {{f.name for f in dataclasses.fields(Settings)}}
    wanted = dict(max_failed_per_address=10**9, run_worker=False)
    app = create_app({db!r}, settings=Settings(**{{k: v for k, v in wanted.items() if k in known}}))
    with session():
        init_demo(app.state.ctx, password={password!r}, members_per_union=0)
    print("ready", flush=True)
    uvicorn.run(app, host="127.0.0.1", port={port}, log_level="warning")
""")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure_me(http: httpx.Client, headers: dict[str, str], count: int, max_seconds: float) -> list[float]:
    times: list[float] = []
    deadline = time.monotonic() + max_seconds
    while len(times) < count and time.monotonic() < deadline:
        started = time.perf_counter()
        response = http.get("/me", headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text
    return times


def flood(url: str, stop: threading.Event, answers: Counter[int], lock: threading.Lock) -> None:
    with httpx.Client(base_url=url, timeout=60) as http:
        while not stop.is_set():
            name = "ghost-" + secrets.token_hex(4)
            try:
                status = http.post("/auth/login", json={"username": name, "password": "flood-guess-1"}).status_code
            except httpx.HTTPError:
                status = 0
            with lock:
                answers[status] += 1


def describe(label: str, times: list[float]) -> tuple[float, float]:
    median = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 20 else max(times)
    print(f"  {label:<9} /me median {median:7.1f} ms   p95 {p95:7.1f} ms   ({len(times)} requests)")
    return median, p95


def login_timing(http: httpx.Client, rounds: int = 3) -> None:
    known = ["district", "secondary", "grassroots2", "city"]
    unknown = ["nobody-" + secrets.token_hex(3) for _ in known]
    wrong: list[float] = []
    missing: list[float] = []
    for _ in range(rounds):
        for real, fake in zip(known, unknown):
            for name, bucket in ((real, wrong), (fake, missing)):
                started = time.perf_counter()
                http.post("/auth/login", json={"username": name, "password": "not-the-password"})
                bucket.append((time.perf_counter() - started) * 1000)
    a, b = statistics.median(wrong), statistics.median(missing)
    print(f"  login answer: wrong password {a:.1f} ms, unknown name {b:.1f} ms (median; ratio {b / a:.2f})")


def run(args: argparse.Namespace) -> None:
    code = str(Path(args.code).resolve())
    work = Path(tempfile.mkdtemp(prefix="login-flood-"))
    port = free_port()
    script = SERVER.format(code=code, db=f"sqlite:///{work / 'server.db'}", password=PASSWORD, port=port)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": code}, cwd=code)
    url = f"http://127.0.0.1:{port}"
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        with httpx.Client(base_url=url, timeout=60) as http:
            for _ in range(100):
                try:
                    http.get("/time")
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            body = http.post("/auth/login", json={"username": "grassroots", "password": PASSWORD}).json()
            headers = {"Authorization": f"Bearer {body['access_token']}"}
            measure_me(http, headers, 20, args.max_seconds)  # warm up
            print(f"login flood against {code} (SQLite; {platform.node()}, {os.cpu_count()} cores, "
                  f"Python {platform.python_version()})")
            base = describe("baseline", measure_me(http, headers, args.requests, args.max_seconds))
            rss_before = rss_mb(proc.pid)
            stop, lock, answers = threading.Event(), threading.Lock(), Counter[int]()
            threads = [threading.Thread(target=flood, args=(url, stop, answers, lock), daemon=True)
                       for _ in range(args.flooders)]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            time.sleep(1.0)
            peak = rss_mb(proc.pid)
            under = describe("flood", measure_me(http, headers, args.requests, args.max_seconds))
            peak = max(peak, rss_mb(proc.pid))
            stop.set()
            for thread in threads:
                thread.join(timeout=90)
            seconds = time.monotonic() - started
            total = sum(answers.values())
            print(f"  flood: {args.flooders} threads, {total} logins in {seconds:.1f} s "
                  f"({total / seconds:.0f}/s): {dict(sorted(answers.items()))}")
            print(f"  server RSS: {rss_before:.0f} MB quiet, {peak:.0f} MB under the flood")
            print(f"  ratio flood/baseline: median {under[0] / base[0]:.1f}x, p95 {under[1] / base[1]:.1f}x")
            login_timing(http)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        for path in work.glob("*"):
            path.unlink()
        work.rmdir()


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _login_round(url: str, clerks: list[Any], times: list[float], answers: Counter[int]) -> None:
    """Every clerk logs in at the same instant (a barrier), each on a connection of its own."""
    import requests

    server_load = sys.modules["server_load"]
    barrier, lock = threading.Barrier(len(clerks)), threading.Lock()

    def one(clerk: Any) -> None:
        with requests.Session() as http:
            http.get(url + "/time", timeout=60)  # connected before the barrier
            barrier.wait(timeout=120)
            started = time.perf_counter()
            try:
                status = http.post(url + "/auth/login", json={"username": clerk.username,
                                                                "password": server_load.PASSWORD}, timeout=120).status_code
            except requests.RequestException:
                status = 0
            with lock:
                times.append(time.perf_counter() - started)
                answers[status] += 1

    threads = [threading.Thread(target=one, args=(clerk,)) for clerk in clerks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)


def concurrent_logins(label: str, db_url: str, work: Path, args: argparse.Namespace) -> bool:
    """#19's target on one backend: idle RSS of a fresh server, peak RSS under `args.logins`
    concurrent successful logins; True when every login succeeded and the target is met."""
    import server_load

    clerks, _ = server_load.build_world(db_url, args.logins, 0)
    with server_load.serving(db_url, work / f"server-{label}.log") as (url, pid):
        time.sleep(1.0)
        idle = _status_kb(pid, "VmRSS") / 1024
        try:
            Path(f"/proc/{pid}/clear_refs").write_text("5")  # reset VmHWM to the current RSS
            hwm_reset = True
        except OSError:
            hwm_reset = False
        peak_sampled, stop = idle, threading.Event()

        def sample() -> None:
            nonlocal peak_sampled
            while not stop.wait(0.005):
                peak_sampled = max(peak_sampled, _status_kb(pid, "VmRSS") / 1024)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        times: list[float] = []
        answers: Counter[int] = Counter()
        cpu_before, started = _cpu_seconds(pid), time.monotonic()
        for _ in range(args.rounds):
            _login_round(url, clerks, times, answers)
        wall = time.monotonic() - started
        stop.set()
        sampler.join()
        hwm = _status_kb(pid, "VmHWM") / 1024 if hwm_reset else 0.0
        after = _status_kb(pid, "VmRSS") / 1024
        server_cpu = _cpu_seconds(pid) - cpu_before
    peak = max(peak_sampled, hwm)
    total, ok = sum(answers.values()), answers.get(200, 0)
    times.sort()
    print(f"{label}: {args.rounds} rounds × {args.logins} concurrent logins (distinct accounts, one server process): "
          f"{ok}/{total} succeeded {dict(sorted(answers.items()))}; login p50 {times[len(times) // 2] * 1000:.0f} ms, "
          f"max {times[-1] * 1000:.0f} ms; {wall:.1f} s; server CPU {server_cpu:.1f} s in all "
          f"({server_cpu / max(wall, 1e-9):.2f} cores); load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"  idle RSS {idle:.0f} MB; peak RSS under {args.logins} concurrent logins {peak:.0f} MB "
          f"(VmHWM {hwm:.0f}, sampled {peak_sampled:.0f}); after {after:.0f} MB; "
          f"ratio {peak / idle:.2f}× (target ≤ 2×: {'met' if peak <= 2 * idle else 'NOT MET'})")
    return ok == total == args.rounds * args.logins and peak <= 2 * idle


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def logins_main(args: argparse.Namespace) -> int:
    import shutil

    import server_load

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    work = Path(tempfile.mkdtemp(prefix="login-rss-"))
    ok = True
    try:
        with server_load.sqlite_database(work) as db_url:
            ok = concurrent_logins("SQLite", db_url, work, args) and ok
        if args.pg:
            with server_load.postgres_database(args.pg) as db_url:
                ok = concurrent_logins("PostgreSQL", db_url, work, args) and ok
        else:
            print("PostgreSQL: skipped (no --pg URL or $UNION_TEST_PG_URL)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=0, help="N concurrent logins: #19's RSS target instead of the flood")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pg", default=os.environ.get("UNION_TEST_PG_URL"), help="PostgreSQL URL (--logins)")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--flooders", type=int, default=16)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument("--code", default=str(ROOT), help="the checkout whose server to run")
    args = parser.parse_args()
    if args.logins:
        sys.exit(logins_main(args))
    run(args)


if __name__ == "__main__":
    main()

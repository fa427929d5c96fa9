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

    python bench/login_flood.py [--requests 200] [--flooders 16] [--code DIR]
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

import httpx

ROOT = Path(__file__).resolve().parents[1]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--flooders", type=int, default=16)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument("--code", default=str(ROOT), help="the checkout whose server to run")
    run(parser.parse_args())


if __name__ == "__main__":
    main()

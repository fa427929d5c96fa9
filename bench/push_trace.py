"""Where a first push's requests wait: a time budget per request (bench/sync.py --trace-push).

Wraps one SyncEngine's push path (instance attributes only: the code measured is the code that
runs) and notes monotonic timestamps at each step of a request — the push thread starting on a
chunk, the body encoded, the HTTP request sent, the answer received, the answer decoded — and the
database work of the calling thread (run_db: answers applied, the next chunk claimed, members
queued). At the request's start and its answer it reads the scheduler's figures of every thread
of the server process and of this one (/proc/PID/task/*/schedstat: time on a CPU, time waiting
for one on the run queue), so a request's wall time splits into the server's CPU, the server
waiting for a core (the box is busy), and the rest (the server asleep: the body on the wire, a
lock, the other side).
"""
from __future__ import annotations

import os
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def schedstat(pid: int) -> tuple[float, float]:
    """Seconds on a CPU and seconds waiting on a run queue, summed over the threads of `pid`
    (threads that ended are not counted: the server's threads live as long as it does)."""
    cpu = wait = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            fields = (task / "schedstat").read_text().split()
        except OSError:
            continue
        cpu += int(fields[0])
        wait += int(fields[1])
    return cpu / 1e9, wait / 1e9


def threads(pid: int) -> dict[str, float]:
    """CPU seconds per thread of process `pid`: "main" (the server's event loop), else by name and
    thread id (the server's worker threads are all named "python")."""
    by_name: dict[str, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name = "main" if task.name == str(pid) else f"{(task / 'comm').read_text().strip()}:{task.name}"
            cpu = int((task / "schedstat").read_text().split()[0]) / 1e9
        except OSError:
            continue
        by_name[name] = by_name.get(name, 0.0) + cpu
    return by_name


class PushTrace:
    """Timestamps of every push request of `engine`, with the server `server_pid`'s scheduler figures."""

    def __init__(self, engine: Any, server_pid: int) -> None:
        self.server_pid = server_pid
        self.requests: list[dict[str, float]] = []
        self.db_calls: list[tuple[float, float]] = []
        self._server_threads0 = threads(server_pid)
        self._client_threads0 = threads(os.getpid())
        self._client_threads1 = self._client_threads0
        send, push, request, run_db = engine._send, engine.client.push, engine.client.http.request, engine.run_db
        local = threading.local()  # each request is sent, answered and decoded on one thread

        def traced_send(rows: list[Any], *args: Any) -> Any:
            current = local.current = {"start": time.monotonic()}
            result = send(rows, *args)
            current["decoded"] = time.monotonic()
            self.requests.append(dict(current, rows=len(rows)))
            self._client_threads1 = threads(os.getpid())  # the push thread's figures, before it ends
            return result

        def traced_push(*args: Any, **kwargs: Any) -> Any:
            local.current["encoded_records"] = time.monotonic()  # the records encoded (signed ones signed)
            return push(*args, **kwargs)

        def traced_request(method: str, url: str, **kwargs: Any) -> Any:
            if not url.endswith("/push"):
                return request(method, url, **kwargs)
            current = local.current
            current["body"] = time.monotonic()  # the body's bytes made
            current["server_cpu0"], current["server_wait0"] = schedstat(server_pid)
            current["sent"] = time.monotonic()
            answer = request(method, url, **kwargs)
            current["answered"] = time.monotonic()
            current["server_cpu1"], current["server_wait1"] = schedstat(server_pid)
            # The reads of /proc are this trace's own cost, between an answer and the next request.
            current["tracing"] = time.monotonic() - current["answered"] + current["sent"] - current["body"]
            current["bytes_up"] = len(kwargs.get("data") or b"")
            current["bytes_down"] = len(answer.content)
            return answer

        def traced_db(fn: Callable[[], Any]) -> Any:
            start = time.monotonic()
            try:
                return run_db(fn)
            finally:
                self.db_calls.append((start, time.monotonic()))

        from app.models import db

        commit = db.commit
        self.commits: list[float] = []

        def traced_commit() -> Any:
            start = time.monotonic()
            try:
                return commit()
            finally:
                self.commits.append(time.monotonic() - start)

        from app.sync import pushing

        take = pushing.Relay.take
        self.relayed: list[float] = []  # when a push thread sent the next request on, where it did

        def traced_take(relay: Any) -> Any:
            relayed = take(relay)
            if relayed is not None:
                self.relayed.append(time.monotonic())
            return relayed

        pushing.Relay.take = traced_take  # type: ignore[method-assign]  # the bench's process only
        engine._send, engine.client.push, engine.client.http.request = traced_send, traced_push, traced_request
        db.commit = traced_commit
        engine.run_db = traced_db

    def report(self) -> str:
        """The budget of a mean request, and what each side's threads spent."""
        reqs = sorted((r for r in self.requests if "answered" in r), key=lambda r: r["sent"])
        if not reqs:
            return "  (no push request traced)"

        def mean(values: list[float]) -> float:
            return statistics.fmean(values) * 1000 if values else 0.0

        gaps = [b["sent"] - a["answered"] - (a["tracing"] + b["tracing"]) / 2 for a, b in zip(reqs, reqs[1:])]
        window = [r["answered"] - r["sent"] for r in reqs]
        server_cpu = [r["server_cpu1"] - r["server_cpu0"] for r in reqs]
        server_wait = [r["server_wait1"] - r["server_wait0"] for r in reqs]
        # Database work of this process that overlapped nothing of a request: the push thread waited on it.
        spans = [(r["start"], r["decoded"]) for r in reqs]
        db_outside = sum(max(0.0, e - s - sum(max(0.0, min(e, re) - max(s, rs)) for rs, re in spans))
                         for s, e in self.db_calls)
        total = reqs[-1]["decoded"] - reqs[0]["start"]
        lines = [
            f"  push trace: {len(reqs)} requests of {statistics.fmean(r['rows'] for r in reqs):.0f} rows, "
            f"{statistics.fmean(r['bytes_up'] for r in reqs) / 1024:.0f} KiB up, "
            f"{statistics.fmean(r['bytes_down'] for r in reqs) / 1024:.0f} KiB down; first request to last answer {total:.2f} s",
            "  a mean request, ms:",
            f"    client: records encoded {mean([r['encoded_records'] - r['start'] for r in reqs]):7.1f}"
            f"   body made {mean([r['body'] - r['encoded_records'] for r in reqs]):7.1f}"
            f"   answer decoded {mean([r['decoded'] - r['answered'] for r in reqs]):7.1f}",
            f"    sent → answered {mean(window):7.1f}: server CPU {mean(server_cpu):7.1f} (its threads summed), "
            f"server waiting for a core {mean(server_wait):7.1f}, "
            f"rest {mean([w - c - q for w, c, q in zip(window, server_cpu, server_wait)]):7.1f}",
            f"    between an answer read and the next request sent (the server has nothing; this trace's reads of /proc left out): {mean(gaps):7.1f}"
            f" (median {statistics.median(gaps) * 1000 if gaps else 0:.1f}; {len(self.relayed)} sent on by the push thread"
            " that read the answer before)",
            f"  client database work (run_db): {sum(e - s for s, e in self.db_calls):.2f} s in {len(self.db_calls)} calls, "
            f"{db_outside:.2f} s of it while no request was on its way; {len(self.commits)} commits took "
            f"{sum(self.commits):.2f} s (the longest {max(self.commits, default=0) * 1000:.0f} ms)",
        ]
        lines.append("  CPU by thread, server: " + _by_thread(threads(self.server_pid), self._server_threads0))
        lines.append("  CPU by thread, client: " + _by_thread({**self._client_threads1, **threads(os.getpid())},
                                                                 self._client_threads0))
        return "\n".join(lines)


def _by_thread(now: dict[str, float], before: dict[str, float]) -> str:
    spent = {name: cpu - before.get(name, 0.0) for name, cpu in now.items()}
    return ", ".join(f"{name} {cpu:.2f} s" for name, cpu in sorted(spent.items(), key=lambda kv: -kv[1]) if cpu >= 0.01)

"""`union-server serve --workers N`: several HTTP processes against one PostgreSQL database.

A real server is started as a subprocess (`python -m server.cli serve --workers 2`); the tests
push to it concurrently and check the rows in the database: exactly one effect per idempotency
key however many processes answered, and the SS-check job worker (run once, by the supervising
process) still answers a queued check. SQLite refuses N>1 with a message saying why.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

import server.cli as cli
from server.campaigns import shanghai_today
from server.db import drop_tables, open_database, session
from server.demo import init_demo, insert_members
from server.migrations import migrate
from server.receipts import stored_key
from server.models import IdempotencyRecord, Member, RegistryEntry, SsCheckJob, Submission, Union
from server.settings import ServerContext
from union_server_testkit import (
    G1_CARDED,
    G1_NO_CARD,
    PASSWORD,
    LogCapture,
    MovableClock,
    Server,
    Session,
    mainland_id,
    member_row,
    member_upsert,
    submission_payload,
    submission_record,
)

ROOT = Path(cli.__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[str]:
    """Command lines of the live processes whose parent is `pid` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(cmdline)
    return found


@pytest.fixture
def two_process_server(pg_session_url: str | None) -> Iterator[tuple[Server, int]]:
    if pg_session_url is None:
        pytest.skip("needs PostgreSQL (UNION_TEST_PG_URL)")
    open_database(pg_session_url)
    drop_tables()
    migrate()
    ctx = ServerContext()
    with session():
        init_demo(ctx, password=PASSWORD, members_per_union=0)
        g1 = Union.get(Union.org_code == "813101010000000041")
        rows = [member_row(n, f"甲{i}", phone=f"1380000{i:04d}") for i, n in enumerate(G1_CARDED)]
        rows += [member_row(n, f"乙{i}", card=False, phone=f"1390000{i:04d}") for i, n in enumerate(G1_NO_CARD)]
        insert_members(ctx, g1, rows)
        for number in G1_NO_CARD:
            RegistryEntry.create(id_number=number, ss_card_status="normal", employment_status="unknown",
                                 updated=ctx.now_naive())
        plan_year = shanghai_today(ctx).year + 1
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--db", pg_session_url, "--port",
                                str(port), "--workers", "2", "--log-level", "warning"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    handle = Server(url=url, ctx=ctx, clock=MovableClock(), db_url=pg_session_url, logs=LogCapture(),
                    plan_year=plan_year)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/time", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            assert time.monotonic() < deadline, "the 2-process server did not start"
            time.sleep(0.2)
        yield handle, process.pid
    finally:
        for client in handle.clients:
            client.close()
        process.terminate()
        process.wait(30)


def test_two_processes_answer_concurrent_pushes_exactly_once(two_process_server: tuple[Server, int]) -> None:
    server, pid = two_process_server
    workers = [c for c in _children(pid) if "multiprocessing" in c and "resource_tracker" not in c]
    assert len(workers) == 2, workers
    clerk = Session(server, "grassroots")
    clerk.register_device()
    submission = submission_record(clerk, submission_payload(clerk, G1_CARDED[:3]))
    new_numbers = [mainland_id("19750505", i) for i in range(1, 9)]
    upserts = [member_upsert(n, {"name": f"新{i}", "id_type": "身份证", "phone": f"1360000{i:04d}",
                                 "work_address": "上海市黄浦区九江路二百号"}) for i, n in enumerate(new_numbers)]
    check = {"key": str(uuid.uuid4()), "kind": "ss_check_request", "payload": {"id_numbers": G1_NO_CARD}}
    body = {"device_fingerprint": clerk.fingerprint, "records": [submission, *upserts, check]}

    def send(_: int) -> list[dict[str, Any]]:
        # A fresh connection per request, so the two processes share the requests.
        with httpx.Client(base_url=server.url, timeout=120) as http:
            response = http.post("/push", json=body, headers=clerk.headers)
            assert response.status_code == 200, response.text
            return list(response.json()["results"])

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(send, range(10)))
    assert all(r["status"] == "ok" for answer in answers for r in answer), answers[0]
    assert all(answer == answers[0] for answer in answers)
    keys = [record["key"] for record in body["records"]]
    with session():
        assert Submission.select().count() == 1
        assert Member.select().where(Member.id_number.in_(new_numbers)).count() == len(new_numbers)
        assert IdempotencyRecord.select().where(IdempotencyRecord.key.in_([stored_key(k) for k in keys])).count() == len(keys)
        assert SsCheckJob.select().count() == 1
    # The supervising process's job worker answers the check (no HTTP worker runs one).
    deadline = time.monotonic() + 60
    while True:
        with session():
            if SsCheckJob.get().status == "done":
                break
        assert time.monotonic() < deadline, "the SS-check job was never run"
        time.sleep(0.2)
    with session():
        assert {m.insurance_status for m in Member.select().where(Member.id_number.in_(G1_NO_CARD))} == {"pending"}


def test_sqlite_refuses_more_than_one_worker(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'pilot.db'}"
    assert cli.main(["serve", "--db", db, "--workers", "2"]) == 2
    err = capsys.readouterr().err
    assert "PostgreSQL" in err and "SQLite" in err and "试点" in err
    assert not (tmp_path / "pilot.db").exists()  # refused before anything was opened


def _socket_inodes(pid: int) -> set[str]:
    """The inodes of the sockets process `pid` holds open (Linux /proc)."""
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            found.add(target[len("socket:["):-1])
    return found


def _tcp_inodes(port: int, state: str) -> set[str]:
    """The inodes of the TCP sockets in `state` (01 established, 0A listening) whose local port is
    `port` (/proc/net/tcp)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state:
            found.add(fields[9])
    return found


def test_connections_opened_together_reach_both_processes(two_process_server: tuple[Server, int]) -> None:
    """Each process listens on a socket of its own (server/workers.py): 16 connections opened at
    once are spread by the kernel, not all accepted by whichever process woke first."""
    server, pid = two_process_server
    workers = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _parent(int(p.name)) == pid
               and "multiprocessing" in _cmdline(int(p.name)) and "resource_tracker" not in _cmdline(int(p.name))]
    assert len(workers) == 2, workers
    port = int(server.url.rsplit(":", 1)[1])
    # The fixture goes on once one process answers; the other may still be starting to listen.
    deadline = time.monotonic() + 30
    while not all(_socket_inodes(worker) & _tcp_inodes(port, "0A") for worker in workers):
        assert time.monotonic() < deadline, "the second process never listened"
        time.sleep(0.1)
    connections = [socket.create_connection(("127.0.0.1", port)) for _ in range(16)]
    try:
        deadline = time.monotonic() + 30
        while True:
            accepted = _tcp_inodes(port, "01")
            held = [len(_socket_inodes(worker) & accepted) for worker in workers]
            if sum(held) == len(connections) or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert sum(held) == len(connections), held
        assert all(held), held  # all 16 on one process: 2 in 65,536 by chance
    finally:
        for connection in connections:
            connection.close()


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return -1


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""

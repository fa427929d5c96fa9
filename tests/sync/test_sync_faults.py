"""Faults on the client's side of sync, with the real engine and real processes on loopback.

- The client process is SIGKILLed in the middle of applying a large first pull (a page's rows
  written, its cursor not yet): what it had committed is exactly the pages before, the next sync
  (a new process) completes with every member once and the cursor at the feed's end, and
  `union-clerk-cli check` finds the profile healthy.
- The server process is SIGKILLed while a push of many outbox rows is being processed, and
  restarted on the same database and port: the next sync sends what was left and gets the stored
  answers for what had landed — one effect per row (one idempotency record per key, each edited
  member's version bumped once, one submission per batch).
"""
from __future__ import annotations

import json
import os
import queue
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from app.models import Member, Outbox, Setting
from app.models.outbox import enqueue
from app.paths import Profile
from app.protocol import RecordKind, generate_device_key, public_key_b64
from app.sync.client import Offline, ServerClient
from app.sync.engine import SyncEngine, link_union
from server.receipts import stored_key
from server.demo import demo_notice_pdf, demo_submission
from server.embedded import DEMO_CLERK, DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
G1 = "813101010000000041"  # the demo grassroots union the clerk belongs to

pytestmark = pytest.mark.slow


# --- helpers -----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cli(name: str) -> list[str]:
    script = Path(sys.executable).with_name(name)
    module = {"union-server": "server.cli", "union-clerk-cli": "app.cli"}[name]
    return [str(script)] if script.exists() else [sys.executable, "-m", module]


def _init_server_db(db_file: Path, members: int) -> None:
    """The demo world in a fresh server database, made by the real `union-server init-demo`."""
    subprocess.run([*_cli("union-server"), "init-demo", "--db", f"sqlite:///{db_file}", "--password", DEMO_PASSWORD,
                    "--members", str(members)], cwd=ROOT, check=True, capture_output=True, timeout=300)


class ServerProcess:
    """`union-server serve` on one database and one loopback port; killable and restartable."""

    def __init__(self, db_file: Path, log_file: Path) -> None:
        self.db_file = db_file
        self.log_file = log_file
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log_file, "ab") as log:
            self.proc = subprocess.Popen([*_cli("union-server"), "serve", "--db", f"sqlite:///{self.db_file}",
                                          "--port", str(self.port), "--log-level", "warning"],
                                         cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            assert self.proc.poll() is None, self.log_file.read_text(errors="replace")[-2000:]
            try:
                requests.get(self.url + "/time", timeout=1)
                return
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.05)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


def _query(db_file: Path, sql: str, *params: object) -> list[tuple]:
    """Read the server's (or a profile's) SQLite file directly, as its owner would after a crash."""
    con = sqlite3.connect(db_file, timeout=30)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def _read_lines(proc: subprocess.Popen[str], lines: queue.Queue[str]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.put(line.rstrip("\n"))


# --- (a) the client killed in the middle of applying a first pull -----------------------------

PULL_MEMBERS = 1500  # per demo union; the clerk's feed is these plus the campaign
PAGE = 200  # the child pulls in small pages so the feed has many of them

# The client: sign in, then sync into the profile. With PAUSE_AT=n it stops in the n-th page's
# transaction after writing the page's members and before storing its cursor, says so, and waits
# to be killed.
CLIENT = """
import os, sys, time
from pathlib import Path
from app.models import open_database
from app.paths import Profile
from app.sync import engine as sync_engine
from app.sync.client import ServerClient
from app.sync.engine import SyncEngine, link_union

url, root, user, password = sys.argv[1:5]
pause_at = int(os.environ.get("PAUSE_AT", "0"))
sync_engine.PULL_PAGE = int(os.environ["PAGE"])
profile = Profile(Path(root)).create()
open_database(profile.database, backup_dir=profile.backups)
client = ServerClient(url)
client.login(user, password)
me = client.me()
engine = SyncEngine(client, union_id=link_union(me["union"], me["enterprises"]), org_code=me["union"]["org_code"])
real_apply = engine.apply_changes
pages = []

def apply_then_pause(changes):
    real_apply(changes)
    pages.append(len(changes))
    if len(pages) == pause_at:
        print("PAUSED", len(changes), flush=True)
        time.sleep(600)

engine.apply_changes = apply_then_pause
report = engine.sync()
print("DONE", report.cursor, report.pulled, flush=True)
"""


@pytest.fixture(scope="module")
def pull_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    work = tmp_path_factory.mktemp("pull-server")
    db_file = work / "server.db"
    _init_server_db(db_file, PULL_MEMBERS)
    server = ServerProcess(db_file, work / "server.log")
    server.start()
    yield server.url, db_file
    server.stop()


def _run_client(url: str, root: Path, *, pause_at: int = 0, timeout: float = 120) -> tuple[subprocess.Popen[str], list[str]]:
    """Run the client script; with pause_at, return once it says PAUSED (still running)."""
    env = {**os.environ, "PAGE": str(PAGE), "PAUSE_AT": str(pause_at)}
    proc = subprocess.Popen([sys.executable, "-c", CLIENT, url, str(root), DEMO_CLERK, DEMO_PASSWORD], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_read_lines, args=(proc, lines), daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    want = "PAUSED" if pause_at else "DONE"
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            if proc.poll() is not None and lines.empty():
                break
            continue
        seen.append(line)
        if line.startswith(want):
            return proc, seen
    proc.kill()
    stderr = proc.stderr.read() if proc.stderr else ""
    raise AssertionError(f"the client never said {want}: {seen} {stderr[-3000:]}")


def _local_state(database: Path) -> tuple[int, int, int]:
    """(cursor, members, distinct id numbers) committed in a profile's database."""
    cursor = _query(database, "SELECT cursor FROM sync_state WHERE scope = ?", f"changes:{G1}")
    members, distinct = _query(database, "SELECT COUNT(*), COUNT(DISTINCT id_number) FROM member")[0]
    return (cursor[0][0] if cursor else 0), members, distinct


@pytest.mark.parametrize("pause_at", [1, 4])
def test_client_killed_mid_pull_resumes_without_gaps_or_doubles(pull_server: tuple[str, Path], tmp_path: Path,
                                                               pause_at: int) -> None:
    url, server_db = pull_server
    root = tmp_path / "profile"
    proc, _ = _run_client(url, root, pause_at=pause_at)
    proc.send_signal(signal.SIGKILL)  # in the middle of page `pause_at`'s transaction
    proc.wait(10)

    (union_id, latest), = _query(server_db, "SELECT id, change_seq FROM trade_union WHERE org_code = ?", G1)
    on_server = _query(server_db, "SELECT COUNT(*) FROM member WHERE union_id = ?", union_id)[0][0]
    database = Profile(root).database

    # What survived the kill is exactly the pages committed before it: the cursor and the members
    # agree, and the killed page left nothing behind.
    cursor, members, distinct = _local_state(database)
    assert cursor < latest
    # A member's feed change is its row's place (server/changes.py), or a change row.
    below = _query(server_db, "SELECT COUNT(*) FROM (SELECT entity_key FROM change WHERE union_id = ? "
                   "AND entity = 'member' AND seq <= ? UNION SELECT id_number FROM member WHERE union_id = ? "
                   "AND feed_seq <= ?)", union_id, cursor, union_id, cursor)[0][0]
    assert members == distinct == below
    if pause_at == 1:
        assert cursor == 0 and members == 0
    else:
        assert 0 < members < on_server

    # A new process syncs again: it picks up at the cursor and finishes.
    proc, seen = _run_client(url, root)
    proc.wait(30)
    assert proc.returncode == 0, seen
    cursor, members, distinct = _local_state(database)
    assert cursor == latest
    assert members == distinct == on_server == PULL_MEMBERS
    server_numbers = {n for (n,) in _query(server_db, "SELECT id_number FROM member WHERE union_id = ?", union_id)}
    local_numbers = {n for (n,) in _query(database, "SELECT id_number FROM member")}
    assert local_numbers == server_numbers
    # Server-owned fields came down for every member (nothing half-merged).
    server_cards = dict(_query(server_db, "SELECT id_number, card_no FROM member WHERE union_id = ?", union_id))
    local_cards = dict(_query(database, "SELECT id_number, card_no FROM member"))
    assert local_cards == server_cards

    check = subprocess.run([*_cli("union-clerk-cli"), "--profile", str(root), "check", "--json"],
                           check=False, cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    assert json.loads(check.stdout.strip().splitlines()[-1])["healthy"] is True


# --- (b) the server killed and restarted in the middle of a push --------------------------------

PUSH_MEMBERS = 1200  # per demo union: about a thousand edited members go up in chunks of 500
PDF = demo_notice_pdf("notice for the fault test")
NEW_ADDRESS = "上海市黄浦区福州路一百号三楼"


@pytest.fixture
def push_server(tmp_path: Path) -> Iterator[ServerProcess]:
    db_file = tmp_path / "server.db"
    _init_server_db(db_file, PUSH_MEMBERS)
    server = ServerProcess(db_file, tmp_path / "server.log")
    server.start()
    yield server
    server.stop()


def _kill_when_landing(server: ServerProcess, started: threading.Event, landed: list[int]) -> None:
    """Kill the server as soon as the first records of the push have been committed."""
    started.wait(60)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        count = _query(server.db_file, "SELECT COUNT(*) FROM idempotency_record")[0][0]
        if count >= 20:
            server.kill()
            landed.append(_query(server.db_file, "SELECT COUNT(*) FROM idempotency_record")[0][0])
            return
        time.sleep(0.005)


def test_server_restarted_mid_push_has_one_effect_per_row(push_server: ServerProcess, profile: Profile,
                                                          tmp_path: Path) -> None:
    server = push_server
    client = ServerClient(server.url)
    client.login(DEMO_CLERK, DEMO_PASSWORD)
    me = client.me()
    key = generate_device_key()
    fingerprint = client.register_device(public_key_b64(key), "fault test PC")["fingerprint"]
    engine = SyncEngine(client, union_id=link_union(me["union"], me["enterprises"]), org_code=G1,
                        device_key=key, device_fingerprint=fingerprint, actor=DEMO_CLERK)
    engine.sync()  # the first pull
    assert Member.select().count() == PUSH_MEMBERS

    # Two signed submissions first in the outbox, then an edit of most members' work address.
    plan_year = int(Setting.get(Setting.key == "campaign:current").value)
    eligible = [m.id_number for m in Member.select().where(
        Member.card_no.is_null(False) & (Member.life_status == "in_service") & (Member.id_type == "mainland")
        & (Member.insurance_status != "pending") & (Member.category == "linked_enterprise")
    ).order_by(Member.id).limit(60)]
    assert len(eligible) == 60
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(PDF)
    for part in (eligible[:30], eligible[30:]):
        enqueue(demo_submission(G1, plan_year, part, PDF), attachment=str(pdf))
    edited = [m.id for m in Member.select(Member.id).where(Member.work_address != NEW_ADDRESS).limit(1000)]
    Member.update(work_address=NEW_ADDRESS, dirty_fields='["work_address"]', sync_state="to_send").where(
        Member.id.in_(edited)).execute()
    total = 2 + len(edited)
    # Queued here (sync would do it) to know their keys: answered upserts leave the outbox.
    assert engine.queue_member_changes() == len(edited)
    upsert_keys = [row.key for row in Outbox.select().where(Outbox.kind == RecordKind.MEMBER_UPSERT)]

    # The push is cut by the server dying once some of its records have landed.
    started, landed = threading.Event(), []
    killer = threading.Thread(target=_kill_when_landing, args=(server, started, landed), daemon=True)
    killer.start()
    started.set()
    with pytest.raises(Offline):
        engine.sync()
    killer.join(30)
    assert landed and 0 < landed[0] < total, landed
    assert Outbox.select().where(Outbox.state == "sending").count() > 0

    # Restarted on the same database and port, the next sync finishes the job.
    server.start()
    report = engine.sync()
    assert report.refused == 0, report.errors
    assert Outbox.select().where(Outbox.state != "sent").count() == 0
    # Answered member upserts left the outbox (app/sync/member_queue.py); the submissions stay.
    assert Outbox.select().where(Outbox.kind == RecordKind.MEMBER_UPSERT).count() == 0
    keys = [row.key for row in Outbox.select().where(Outbox.kind == RecordKind.SUBMISSION)] + upsert_keys
    assert len(set(keys)) == total

    db = server.db_file
    (union_id,), = _query(db, "SELECT id FROM trade_union WHERE org_code = ?", G1)
    # This union's only: the demo world's other clerk has sent batches of its own (server.demo.add_samples).
    stored = _query(db, "SELECT key, COUNT(*) FROM idempotency_record WHERE union_id = ? GROUP BY key", union_id)
    packed = {stored_key(k) for k in keys}  # as the server stores them (server/receipts.py)
    assert {k: n for k, n in stored if k in packed} == {k: 1 for k in packed}
    # Each edited member changed once: its address at version 2, its row's new place in the feed
    # (server/changes.py) after the one it had, which stays as a change row at most.
    numbers = {m.id_number for m in Member.select(Member.id_number).where(Member.id.in_(edited))}
    rows = _query(db, "SELECT id_number, work_address, version, versions FROM member WHERE union_id = ?", union_id)
    for number, address, version, versions in rows:
        if number in numbers:
            assert (address, version, json.loads(versions)["work_address"]) == (NEW_ADDRESS, 2, 2), number
        else:
            assert version == 1, number
    kept = dict(_query(db, "SELECT entity_key, MAX(seq) FROM change WHERE union_id = ? AND entity = 'member' "
                       "GROUP BY entity_key", union_id))
    places = dict(_query(db, "SELECT id_number, feed_seq FROM member WHERE union_id = ?", union_id))
    counts = dict(_query(db, "SELECT entity_key, COUNT(*) FROM change WHERE union_id = ? AND entity = 'member' "
                         "GROUP BY entity_key", union_id))
    assert all(places[n] is not None and places[n] > kept.get(n, 0) and counts.get(n, 0) <= 1 for n in numbers)
    # One submission per batch, each person enrolled once.
    assert _query(db, "SELECT COUNT(*) FROM submission WHERE union_id = ?", union_id)[0][0] == 2
    assert _query(db, "SELECT COUNT(*), COUNT(DISTINCT id_number) FROM enrollment WHERE union_id = ?",
                  union_id)[0] == (60, 60)
    # And locally: every edited member is settled at the server's version.
    for m in Member.select().where(Member.id.in_(edited)):
        assert m.sync_state == "sent" and json.loads(m.field_versions)["work_address"] == 2

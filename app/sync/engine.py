"""Push and pull: the outbox goes up, server-owned changes come down. Plain Python, no Qt.

One `SyncEngine.sync()` call: refuse when the clock is off; queue members changed here as
member_upsert rows; push the outbox in order (each row's uuid is its idempotency key, so a retry
after any failure has exactly one effect); pull the change feed page by page, each page applied
together with its cursor in one transaction; cache the campaign config for offline use.

Field ownership: clerk-owned fields go up; server-owned ones come down. A pull never overwrites a
clerk-owned field that is still waiting to go up or was refused; a field changed on both sides is
a conflict the clerk resolves (`resolve_conflict`), never silently overwritten.
"""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import Any

from peewee import chunked

from app.models import Batch, Member, Outbox, Setting, SyncState, db
from app.models.bulk import insert_rows
from app.models.outbox import enqueue, pending_changes  # noqa: F401 (re-export)
from app.models.tables import UNSENT
from app.protocol import CLERK_OWNED_FIELDS, SHANGHAI, Entity, SubmissionStatus
from app.rules.codes import CardStatus, InsuranceStatus, LifeStatus
from app.sync import cards as card_sync
from app.sync import member_queue, removals, updates
from app.sync import transfers as transfer_sync
from app.sync.client import ClockSkew, ServerClient, ServerProblem
from app.sync.local import (  # noqa: F401 (re-exported: the views and tests use them from here)
    _local_value,
    conflicts,
    enterprise_id_for,
    link_union,
    resolve_conflict,
    wire_fields,
)
from app.sync.pushing import MAX_REPRICE_ATTEMPTS, REPRICE, TRANSIENT, Pushing, Sending, answered_for_good  # noqa: F401 (re-export)
from app.sync.pushing import Answer, Relay
from app.sync.updates import UpdateInfo

log = logging.getLogger(__name__)

PUSH_CHUNK = 500
PULL_PAGE = 5000

Progress = Callable[[str, int, int], None]


@dataclass
class Queueing:
    """Steps that queue outbox rows, in order, and the rows counted for them before they run."""

    steps: list[Callable[[], int]]
    counted: int


class SyncCancelled(Exception):
    """Cancelled between two steps; nothing lost (each push answer, each page with its cursor, was stored whole)."""


@dataclass
class SyncReport:
    pushed: int = 0
    refused: int = 0
    conflicts: int = 0
    pulled: int = 0
    cursor: int = 0
    errors: list[str] = field(default_factory=list)
    #: Notices for the clerk: security ("新设备已登录" when another PC registered for the union) and
    #: what changed in batches re-priced by the server's date before they were sent.
    notices: list[str] = field(default_factory=list)
    finished_at: datetime | None = None
    #: what the server said about this app's version (app.sync.updates), None if nothing
    update: UpdateInfo | None = None

    def summary(self) -> str:
        parts = [f"上传 {self.pushed} 条", f"下载 {self.pulled} 条变化"]
        if self.refused:
            parts.append(f"被退回 {self.refused} 条")
        if self.conflicts:
            parts.append(f"待处理冲突 {self.conflicts} 条")
        return "，".join(parts + self.notices)


class SyncEngine(Pushing):
    def __init__(self, client: ServerClient, *, union_id: int, org_code: str,
                 device_key=None, device_fingerprint: str | None = None,
                 actor: str = "sync", documents: Path | None = None,
                 prepare_submission: Callable[[int, date], str | None] | None = None) -> None:
        self.client = client
        self.union_id = union_id
        self.org_code = org_code
        self.device_key = device_key
        self.device_fingerprint = device_fingerprint
        self.actor = actor
        self.documents = documents
        #: (outbox id, the server's Shanghai date) → what changed, or None: re-prices a batch just
        #: before its first send (services.enrollment_send.reprice_for_send; sync may not import it).
        self.prepare_submission = prepare_submission
        self.clock_skew = 0.0  # seconds this PC's clock is ahead of the server's, at the last check
        self.now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)  # this PC's clock
        self._enterprises: dict[str, int] = {}
        #: During a first pull into an empty profile: the id numbers inserted so far.
        self._first_pull: set[str] | None = None
        #: Runs a piece of database work and returns its result. The desktop app sets it to run
        #: on its one database worker (the network stays on the calling thread); by default the
        #: work runs where sync() is called (CLI, tests, benches).
        self.run_db: Callable[[Callable[[], Any]], Any] = lambda fn: fn()
        #: While a page is applied: members whose life-status report waits to go up.
        self._marked: set[int] = set()
        self.cancelled = threading.Event()  # set by cancel() from any thread

    def cancel(self) -> None:
        """Stop the running sync at its next step (it raises SyncCancelled)."""
        self.cancelled.set()

    def _stop_if_cancelled(self) -> None:
        if self.cancelled.is_set():
            raise SyncCancelled

    # ---- the whole round ------------------------------------------------------------------
    def sync(self, progress: Progress | None = None) -> SyncReport:
        """One round; `progress(stage, done, total)` after each request ("上传") or page ("下载");
        `cancel()` from its start on (a click right after 同步 too) stops it at the next step."""
        report = SyncReport()
        try:
            self.check_clock()
            report.update = updates.check(self.client)  # refuses (ClientTooOld) only when the server says so
            self.push(report, progress, queueing=self.queueing())
            self.pull(report, progress)
            self.refresh_campaign()
            self.refresh_notices()
            self.run_db(lambda: self._finish(report))
            return report
        finally:
            self.cancelled.clear()

    def _finish(self, report: SyncReport) -> None:
        report.conflicts = Member.select().where(UNSENT & (Member.union == self.union_id)
                                                 & (Member.sync_state == "conflict")).count()
        report.finished_at = datetime.now().replace(microsecond=0)
        Setting.replace(key="last_sync", value=report.finished_at.isoformat()).execute()

    def check_clock(self) -> None:
        """Measure this PC's clock against the server's and keep the offset: business dates made
        offline (services.campaign.business_now) follow the server's calendar. ClockSkew beyond
        the allowed skew, after keeping it, so the clerk is warned offline too."""
        try:
            self.clock_skew = self.client.check_clock(self.now())
        except ClockSkew as exc:
            self.clock_skew = exc.seconds
            raise
        finally:
            skew = f"{self.clock_skew:.3f}"
            self.run_db(lambda: Setting.replace(key="clock:skew_seconds", value=skew).execute())

    def server_today(self) -> date:
        """The server's Shanghai date now, by this PC's clock and the measured offset."""
        return (self.now() - timedelta(seconds=self.clock_skew)).astimezone(SHANGHAI).date()

    # ---- up ---------------------------------------------------------------------------------
    def queue_member_changes(self, ids: list[int] | None = None) -> int:
        """Turn members changed here (those of `ids` still waiting, or all) into member_upsert
        outbox rows (short transactions, by chunk); returns how many rows were queued."""
        if ids is None:
            return member_queue.queue_member_changes(self.union_id, self.org_code)
        return member_queue.queue_chunk(self.union_id, self.org_code, ids)

    def queueing(self) -> Queueing:
        """What a sync queues, in order: the members changed here a chunk at a time, then the card
        checks (after the member changes, so a corrected expiry reaches the server before its
        check). Each step runs on the database worker and returns how many rows it queued beyond
        one a member; `counted` is one a member."""
        members = self.run_db(partial(member_queue.waiting, self.union_id))

        def chunk(ids: list[int]) -> int:
            return self.queue_member_changes(ids) - len(ids)

        chunks = list(chunked(members, member_queue.QUEUE_CHUNK)) or [[]]  # none waiting: still one step, as cheap
        steps: list[Callable[[], int]] = [partial(chunk, ids) for ids in chunks]
        steps.append(lambda: card_sync.queue_server_checks(self.union_id, self.org_code))
        return Queueing(steps, len(members))

    def push(self, report: SyncReport, progress: Progress | None = None, queueing: Queueing | None = None) -> None:
        """Send the outbox a chunk at a time, in order (app.sync.pushing says how the chunks overlap).
        `queueing`'s steps run first when there is one chunk of members or none; else the first,
        then one while the server takes a request when less than a request's rows wait to be
        claimed, and one whenever the outbox runs dry: the outbox stays a few chunks long.

        While the server takes a chunk, the answers to the one before are written and the member
        upserts after it claimed (one transaction): when its answer comes, the next request goes
        at once. Rows of other kinds are claimed after the answer, as they go."""
        steps = list(queueing.steps) if queueing else []
        total = self.run_db(lambda: Outbox.select().where(Outbox.state.in_(("to_send", "sending"))).count())
        total += queueing.counted if queueing else 0
        first = len(steps) if len(steps) <= 2 else 1  # one chunk of members (and the card checks), or the first
        for step in steps[:first]:
            total += self.run_db(step)
        del steps[:first]

        def claim(after: int) -> list[Sending]:
            nonlocal total
            while True:
                rows: list[Sending] = self.run_db(partial(self._claim, report, after, PUSH_CHUNK))
                if rows or not steps:
                    return rows
                total += self.run_db(steps.pop(0))

        done = 0
        # Two push threads: one reads an answer (and decodes it) while the other sends the request
        # after it, which the answer's thread sent on (Relay) when every record was accepted.
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="push") as sender:
            relay = Relay(lambda chunk, records: sender.submit(self._send, chunk, records, relay), self.cancelled)

            def send(chunk: list[Sending]) -> Future[Answer] | None:
                return sender.submit(self._send, chunk, self._prepared(chunk), relay) if chunk else None

            rows = claim(0)
            answer = send(rows)
            ready: list[Sending] | None = None  # claimed while the chunk before it was on its way
            while answer is not None:
                rows, by_key, relayed = answer.result()
                done += len(rows)
                if progress:
                    progress("上传", done, total)
                # The server is not taking anything now: try again next sync.
                resting = all(by_key.get(r.key, {}).get("problem") in TRANSIENT for r in rows)
                answer = None
                if relayed is not None:  # the chunk claimed ahead is on its way already
                    answer, upcoming = relayed
                else:
                    relay.withdraw()
                    if not resting and not self.cancelled.is_set() and answered_for_good(rows, by_key):
                        # The next chunk goes up before these answers are written: the server works
                        # meanwhile. Claimed already (no database write between an answer and the
                        # next request), unless this was the first answer.
                        upcoming = ready if ready is not None else claim(rows[-1].id)
                        answer = send(upcoming)
                # A chunk claimed but not sent stays "sending": it goes from the outbox's start below
                # (or in the next sync) under the same keys.
                ready = None
                if answer is not None:
                    ready, queued = self.run_db(partial(self._answered, report, rows, by_key, upcoming[-1].id, steps,
                                                                PUSH_CHUNK))
                    total += queued
                    if ready:  # its records and body made now, while the server works
                        relay.offer(ready, self._prepared(ready))
                else:
                    self.run_db(partial(self._apply_results, rows, by_key, report))
                    if resting:
                        return
                    self._stop_if_cancelled()
                    upcoming = claim(0)
                    answer = send(upcoming)

    # ---- conflicts --------------------------------------------------------------------------
    def resolve_conflict(self, member_id: int, choices: dict[str, str]) -> None:
        """Settle a conflict per field: "mine" (push again over the server's version) or
        "server" (take the server's value). Audited; the member is queued again if needed."""
        resolve_conflict(member_id, choices, actor=self.actor)

    # ---- down -------------------------------------------------------------------------------
    @property
    def scope(self) -> str:
        return f"changes:{self.org_code}"

    def cursor(self) -> int:
        state = SyncState.get_or_none(SyncState.scope == self.scope)
        return state.cursor if state else 0

    def pull(self, report: SyncReport, progress: Progress | None = None) -> None:
        """Fetch and apply the feed; the next page is fetched while this one is applied."""
        fresh = not self.run_db(lambda: Member.select().where(Member.union == self.union_id).exists())
        self._first_pull = set() if fresh else None
        # A profile's first pull replays the whole feed: old device registrations are no news.
        self._notices: list[str] | None = report.notices if self.cursor() else None
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pull") as prefetch:
            start = self.run_db(self.cursor)
            # A pull from the start takes every change, this PC's own too (its key may have outlived a lost profile).
            device = self.device_fingerprint if start > 0 else None
            page, cursor = self.client.changes(start, PULL_PAGE, device), start
            while True:
                changes = page.get("changes") or []
                # Go on while the cursor moves (a page may hold only this PC's own, skipped changes).
                more = bool(page.get("more")) and int(page["next"]) > cursor
                upcoming = prefetch.submit(self.client.changes, int(page["next"]), PULL_PAGE, device) if more else None
                cursor = int(page["next"])
                self.run_db(partial(self._apply_page, changes, cursor))
                report.pulled += len(changes)
                report.cursor = cursor
                if progress:  # changes of this union since the sync began
                    progress("下载", cursor - start, int(page.get("latest") or cursor) - start)
                if upcoming is None:
                    return
                self._stop_if_cancelled()
                page = upcoming.result()

    def _apply_page(self, changes: list[dict[str, Any]], cursor: int) -> None:
        """A page of the feed and the cursor after it, in one transaction."""
        with db.atomic("IMMEDIATE"):
            self.apply_changes(changes)
            SyncState.replace(scope=self.scope, cursor=cursor,
                              updated_at=datetime.now().replace(microsecond=0), ok=True).execute()

    def apply_changes(self, changes: list[dict[str, Any]]) -> None:
        """Apply one page of the feed (inside the caller's transaction)."""
        removed = [c for c in changes if c["entity"] == Entity.MEMBER_REMOVAL]
        if removed:
            removals.apply_removals(self.union_id, removed)
        leaving = removals.removing(self.union_id)
        if leaving:  # a removal on its way up: older changes of that member must not bring them back
            changes = [c for c in changes if c["key"] not in leaving or c["entity"] not in (Entity.MEMBER, Entity.SS_CHECK)]
        members = [c for c in changes if c["entity"] in (Entity.MEMBER, Entity.SS_CHECK)]
        numbers = list({c["key"] for c in members})
        local: dict[str, Member] = {}
        if self._first_pull is not None:
            # A first pull: only members this pull already inserted can be here.
            numbers = [n for n in numbers if n in self._first_pull]
        for chunk in chunked(numbers, 500):
            for m in Member.select().where((Member.union == self.union_id) & Member.id_number.in_(chunk)):
                local[m.id_number] = m
        self._marked = removals.life_status_pending([m.id for m in local.values()])
        new_rows: dict[str, dict[str, Any]] = {}
        card_checks: list[dict[str, Any]] = []
        card_batches: list[dict[str, Any]] = []
        moved = [c for c in changes if c["entity"] == Entity.TRANSFER]
        for change in changes:
            entity, data = change["entity"], change.get("data") or {}
            if entity == Entity.MEMBER:
                m = local.get(change["key"])
                if m is None:
                    new_rows[change["key"]] = self._new_member_row(data)
                else:
                    self._merge_member(m, data)
            elif entity == Entity.SS_CHECK:
                m = local.get(change["key"])
                if m is None and change["key"] in new_rows:
                    new_rows[change["key"]].update(self._ss_fields(data))
                elif m is not None:
                    for k, v in self._ss_fields(data).items():
                        setattr(m, k, v)
                    m.save()
            elif entity == Entity.CARD_CHECK:
                card_checks.append(data)
            elif entity == Entity.CARD_BATCH:
                card_batches.append(data)
            elif entity == Entity.CAMPAIGN:
                Setting.replace(key=f"campaign:{change['key']}", value=json.dumps(data, ensure_ascii=False)).execute()
            elif entity == Entity.DEVICE:
                self._device_notice(data)
            elif entity == Entity.SUBMISSION:
                Batch.update(status=data.get("status") or SubmissionStatus.UNDER_REVIEW, return_reason=data.get("return_reason"),
                             review_mark=data.get("review_mark"), updated_at=datetime.now().replace(microsecond=0)).where(
                    Batch.batch_no == change["key"]).execute()
        insert_rows(Member, list(new_rows.values()))
        card_sync.apply_card_checks(self.union_id, card_checks)
        card_sync.apply_card_batches(self.union_id, card_batches)
        transfer_sync.apply_transfers(self.union_id, moved, self.actor)
        if self._first_pull is not None:
            self._first_pull.update(new_rows)

    def _device_notice(self, data: dict[str, Any]) -> None:
        notices = getattr(self, "_notices", None)
        if notices is None or data.get("revoked") or data.get("fingerprint") == self.device_fingerprint:
            return
        notices.append(f"新设备已登录：账号 {data.get('username')} 于 {str(data.get('registered'))[:16].replace('T', ' ')}"
                       f"（UTC）在“{data.get('label') or '未命名电脑'}”登记了电脑（指纹 {data.get('fingerprint')}）。"
                       "如不是本单位的操作，请立即修改密码，并在“同步 → 设备管理”中停用该电脑")

    @staticmethod
    def _ss_fields(data: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"ss_card_status": data.get("ss_card_status"),
                               "employment_status": data.get("employment_status")}
        if data.get("insurance_status"):
            out["insurance_status"] = data["insurance_status"]
        if data.get("checked_at"):
            out["ss_checked_at"] = datetime.fromisoformat(data["checked_at"].rstrip("Z"))
        return out

    def _enterprise_id(self, name: str | None) -> int | None:
        if name and name not in self._enterprises:
            self._enterprises[name] = enterprise_id_for(self.union_id, name)
        return self._enterprises.get(name) if name else None

    def _server_owned(self, data: dict[str, Any]) -> dict[str, Any]:
        life = data.get("life_status") or LifeStatus.IN_SERVICE
        out = {
            "card_no": data.get("card_no"),
            "card_status": data.get("card_status") or CardStatus.NONE,
            "ss_card_status": data.get("ss_card_status"),
            "employment_status": data.get("employment_status"),
            "insurance_status": data.get("insurance_status") or InsuranceStatus.PAID,
            "life_status": life,
            "life_status_date": date.fromisoformat(data["retired_on"]) if data.get("retired_on") else None,
        }
        if data.get("ss_checked"):
            out["ss_checked_at"] = datetime.fromisoformat(data["ss_checked"].rstrip("Z"))
        return out

    def _new_member_row(self, data: dict[str, Any]) -> dict[str, Any]:
        row: dict[str, Any] = {"union": self.union_id, "id_number": data["id_number"]}
        for name in CLERK_OWNED_FIELDS:
            if name == "enterprise_name":
                row["enterprise"] = self._enterprise_id(data.get(name))
            else:
                row[name] = _local_value(name, data.get(name))
        row["name"] = row.get("name") or ""
        row["post_type"] = row.get("post_type") or "unknown"
        row["category"] = row.get("category") or "linked_enterprise"
        row.update(self._server_owned(data))
        row.update(sync_state="sent", dirty_fields="[]",
                   field_versions=json.dumps(data.get("versions") or {}))
        return row

    def _merge_member(self, m: Member, data: dict[str, Any]) -> None:
        for k, v in self._server_owned(data).items():
            if k in ("life_status", "life_status_date") and m.id in self._marked:
                continue  # the clerk's retired/deceased mark is on its way up
            setattr(m, k, v)
        versions = json.loads(m.field_versions or "{}")
        server_versions = data.get("versions") or {}
        pending = set(json.loads(m.dirty_fields or "[]"))
        if m.sync_state in ("sending", "error", "conflict"):
            # Fields in flight or refused are not overwritten; the push's answer settles them.
            pending |= set(CLERK_OWNED_FIELDS) if m.sync_state != "sending" else set()
            pending |= self._in_flight_fields(m.id)
        for name in CLERK_OWNED_FIELDS:
            if name in pending or name not in data:
                continue
            new = data.get(name)
            if name == "enterprise_name":
                m.enterprise = self._enterprise_id(new)
            else:
                setattr(m, name, _local_value(name, new))
            if name in server_versions:
                versions[name] = int(server_versions[name])
        m.field_versions = json.dumps(versions)
        m.save()

    @staticmethod
    def _in_flight_fields(member_id: int) -> set[str]:
        fields: set[str] = set()
        for row in Outbox.select(Outbox.payload).where((Outbox.member == member_id)
                                                        & (Outbox.state.in_(("to_send", "sending")))):
            fields |= set(json.loads(row.payload).get("fields", {}))
        return fields

    # ---- campaign -----------------------------------------------------------------------------
    def refresh_campaign(self) -> dict[str, Any] | None:
        try:
            config = self.client.campaign()
        except ServerProblem as exc:
            if exc.problem == "no_campaign":
                return None
            raise
        def store() -> None:
            Setting.replace(key=f"campaign:{config.get('plan_year')}",
                            value=json.dumps(config, ensure_ascii=False)).execute()
            Setting.replace(key="campaign:current", value=str(config.get("plan_year"))).execute()

        self.run_db(store)
        return config


    def refresh_notices(self) -> None:
        """Keep the server's current notices for 查看通知 (offline too); an older server without
        notices leaves what was kept."""
        try:
            notices = self.client.notices()
        except ServerProblem as exc:
            if exc.problem == "not_found":
                return
            raise

        def store() -> None:
            Setting.replace(key="notices", value=json.dumps(notices, ensure_ascii=False)).execute()
            Setting.replace(key="notices:fetched_at",
                            value=datetime.now().replace(microsecond=0).isoformat()).execute()

        self.run_db(store)

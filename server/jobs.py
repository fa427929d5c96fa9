"""SS-card / employment checks as background jobs over a registry adapter.

A clerk's request queues a job (`SsCheckJob`, not before now + the configured delay). Workers —
a thread inside each server process, or `union-server worker` — claim due jobs as leases
(server/leases.py, shared with the card jobs). Each member is looked up in
the registry; the result is written to the member and appended to the union's change feed in one
transaction with the job's completion.

The registry is an adapter (`Registry`); the default reads `RegistryEntry`, which the center
loads from the registry's CSV/xlsx export with `union-server load-registry FILE`.
"""
from __future__ import annotations

import csv
import logging
import os
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol

from peewee import chunked

from app.protocol import Entity
from app.rules.codes import EMPLOYMENT_LABELS, SS_CARD_LABELS, EmploymentStatus, SsCardStatus, code_for_label
from app.rules.normalize import compact
from server import card_jobs
from server.changes import emit_change
from server.db import IN_LIST, session, write_tx
from server.leases import DONE, claim, still_ours, worker_name
from server.models import Member, RegistryEntry, SsCheckJob
from server.pruning import prune_when_due
from server.settings import ServerContext

log = logging.getLogger("union_server.jobs")


class Registry(Protocol):
    """Where SS-card and employment statuses come from."""

    def lookup(self, id_numbers: list[str]) -> dict[str, tuple[str, str]]:
        """(ss_card_status, employment_status) codes for the numbers the registry knows."""
        ...


class TableRegistry:
    """The default adapter: the `RegistryEntry` table loaded from the registry's export."""

    def lookup(self, id_numbers: list[str]) -> dict[str, tuple[str, str]]:
        found: dict[str, tuple[str, str]] = {}
        for chunk in chunked(id_numbers, IN_LIST):
            query = RegistryEntry.select().where(RegistryEntry.id_number.in_(chunk))
            for row in query:
                found[row.id_number] = (row.ss_card_status, row.employment_status)
        return found


# --- Loading the registry export ---------------------------------------------------------------

COLUMN_ID = "证件号码"
COLUMN_SS = "社保卡状态"
COLUMN_EMPLOYMENT = "就业状态"


def _rows_from_file(path: Path) -> Iterator[dict[str, str]]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                yield {k.strip(): (v or "") for k, v in row.items() if k}
    elif suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        try:
            rows = book.active.iter_rows(values_only=True)
            header = [str(c).strip() if c is not None else "" for c in next(rows, ())]
            for values in rows:
                yield {header[i]: "" if v is None else str(v) for i, v in enumerate(values) if i < len(header)}
        finally:
            book.close()
    else:
        raise ValueError(f"只支持 .csv 或 .xlsx 文件：{path.name}")


def load_registry(ctx: ServerContext, path: str | os.PathLike[str]) -> tuple[int, list[str]]:
    """Upsert the registry export at `path`; returns (rows loaded, problems by row)."""
    file = Path(path)
    problems: list[str] = []
    entries: dict[str, tuple[str, str]] = {}
    for index, row in enumerate(_rows_from_file(file), start=2):
        missing = [c for c in (COLUMN_ID, COLUMN_SS, COLUMN_EMPLOYMENT) if c not in row]
        if missing:
            raise ValueError(f"文件缺少列：{'、'.join(missing)}")
        number = compact(row[COLUMN_ID]).upper()
        if not number:
            continue
        ss = code_for_label(SS_CARD_LABELS, row[COLUMN_SS])
        employment = code_for_label(EMPLOYMENT_LABELS, row[COLUMN_EMPLOYMENT])
        if ss is None or employment is None:
            problems.append(f"第{index}行：社保卡状态或就业状态无法识别")
            continue
        entries[number] = (ss, employment)
    save_registry(ctx, entries.items())
    return len(entries), problems


def save_registry(ctx: ServerContext, entries: Iterable[tuple[str, tuple[str, str]]]) -> None:
    now = ctx.now_naive()
    for chunk in chunked(entries, IN_LIST):
        with write_tx():
            RegistryEntry.delete().where(RegistryEntry.id_number.in_([n for n, _ in chunk])).execute()
            RegistryEntry.insert_many([
                {"id_number": n, "ss_card_status": ss, "employment_status": emp, "updated": now}
                for n, (ss, emp) in chunk
            ]).execute()


# --- Claiming and running jobs -------------------------------------------------------------------


def _insurance_status(member: Member, ss: str, employment: str) -> str | None:
    if employment == str(EmploymentStatus.EMPLOYED):
        return "paid"
    if member.insurance_status == "confirmed":
        return "confirmed"  # a confirmation is final
    if ss == str(SsCardStatus.NORMAL):
        return "pending"  # normal card, unclear employment: the clerk must confirm (SPEC §5.7)
    return member.insurance_status


def run_job(ctx: ServerContext, job: SsCheckJob, registry: Registry) -> int:
    """Look the job's members up and publish the results; returns how many were checked."""
    numbers = list(job.id_numbers or [])
    results = registry.lookup(numbers)
    now = ctx.now_naive()
    with write_tx():
        current = still_ours(job)
        if current is None:
            return 0
        for chunk in chunked(numbers, IN_LIST):
            members = Member.select().where((Member.union == job.union_id) & Member.id_number.in_(chunk))
            for member in members:
                ss, employment = results.get(member.id_number, (str(SsCardStatus.UNKNOWN), str(EmploymentStatus.UNKNOWN)))
                member.ss_card_status = ss
                member.employment_status = employment
                member.insurance_status = _insurance_status(member, ss, employment)
                member.ss_checked = now
                member.updated = now
                member.save()
                emit_change(ctx, job.union_id, Entity.SS_CHECK, member.id_number, {
                    "id_number": member.id_number,
                    "ss_card_status": ss,
                    "employment_status": employment,
                    "insurance_status": member.insurance_status,
                    "checked_at": now.isoformat() + "Z",
                    "job_id": job.id,
                })
        current.status, current.finished = DONE, now
        current.save()
    return len(numbers)


def run_pending(ctx: ServerContext, registry: Registry | None = None, worker: str | None = None) -> int:
    """Run due jobs until none is left; returns how many jobs ran."""
    registry = registry or TableRegistry()
    worker = worker or worker_name()
    done = 0
    while True:
        with session():
            job = claim(SsCheckJob, ctx, worker)
            if job is None:
                return done
            count = run_job(ctx, job, registry)
        log.info("ss check job %s done: %d members", job.id, count)
        done += 1


def expire_unpaid(ctx: ServerContext) -> int:
    """District batches past their voucher deadline become 未被受理 (server/superior/vouchers.py)."""
    from server.superior.vouchers import expire_unpaid as expire

    with session():
        return expire(ctx)


class JobWorker(threading.Thread):
    """Runs due jobs in the background until stopped."""

    def __init__(self, ctx: ServerContext, registry: Registry | None = None) -> None:
        super().__init__(name="union-server-jobs", daemon=True)
        self.ctx = ctx
        self.registry = registry or TableRegistry()
        self._stop_event = threading.Event()

    def run(self) -> None:
        worker = worker_name()
        pruned_at: float | None = None
        while not self._stop_event.is_set():
            try:
                run_pending(self.ctx, self.registry, worker)
                card_jobs.run_pending(self.ctx, worker)
                expire_unpaid(self.ctx)
                pruned_at = prune_when_due(self.ctx, pruned_at)
            except Exception:  # a bad job must not kill the worker (logged)
                log.exception("ss check worker failed; retrying")
            self.ctx.wake_worker.wait(self.ctx.settings.worker_poll_seconds)
            self.ctx.wake_worker.clear()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop_event.set()
        self.ctx.wake_worker.set()
        self.join(timeout)

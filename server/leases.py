"""Background jobs claimed as leases: the one claimer of SS-check jobs and card jobs.

Workers — a thread inside each server process, or `union-server worker` — claim one due job at a
time: on PostgreSQL with `SELECT … FOR UPDATE SKIP LOCKED`, so any number of workers on any number
of machines never take the same job; on SQLite inside an IMMEDIATE transaction. A claim is a
lease: a job whose worker died is claimed again after `Settings.job_lease_seconds`, so a worker
finishing a job first checks that its lease still holds (`still_ours`) inside the transaction
that writes the results.
"""
from __future__ import annotations

import os
import socket
import threading
from datetime import timedelta
from typing import TypeVar

from server.db import is_sqlite, write_tx
from server.models import CardJob, SsCheckJob
from server.settings import ServerContext

Job = TypeVar("Job", SsCheckJob, CardJob)

QUEUED, CLAIMED, DONE = "queued", "claimed", "done"


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def claim(model: type[Job], ctx: ServerContext, worker: str) -> Job | None:
    """Claim one due job of `model` (or one whose lease ran out) for `worker`, or None."""
    now = ctx.now_naive()
    lease_expired = now - timedelta(seconds=ctx.settings.job_lease_seconds)
    due = (((model.status == QUEUED) & (model.not_before <= now))
           | ((model.status == CLAIMED) & (model.claimed_at < lease_expired)))
    # Look before taking the write lock: an idle worker polling must not block writers.
    if not model.select(model.id).where(due).exists():
        return None
    with write_tx():
        query = model.select().where(due).order_by(model.not_before, model.id).limit(1)
        if not is_sqlite():
            query = query.for_update("FOR UPDATE SKIP LOCKED")
        job = query.first()
        if job is None:
            return None
        job.status, job.claimed_by, job.claimed_at = CLAIMED, worker, now
        job.save()
    return job


def still_ours(job: Job) -> Job | None:
    """The job as stored now if our lease on it still holds (call inside the transaction that
    writes its results), else None: the lease ran out and another worker took it."""
    current = type(job).get_by_id(job.id)
    if current.status != CLAIMED or current.claimed_by != job.claimed_by:
        return None
    return current

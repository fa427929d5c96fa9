"""Forgetting what no replay can need any more: idempotency records and submission nonces, and
the feed changes superseded for every device still counted (server/feed.py).

- An **idempotency record** answers a push record sent again under the same key (an answer lost on
  the way, a retry after a crash) with its first answer. A client resends a record until it is
  answered, so the record is kept for `Settings.idempotency_window_days` (90: a PC away for a
  quarter). A resend after that is handled as a new record: a member upsert carrying values the
  member already has changes nothing (answered ok, `changed: []`); a submission or card batch
  is refused (stale_timestamp: its signed timestamp is months old; re-stamped, its batch number
  is already used) — never a second effect.
- A **nonce** makes a signed submission unusable twice. Its timestamp must be within
  MAX_CLOCK_SKEW of the server's clock, so a nonce older than twice that can only come back on a
  payload refused as stale anyway; nonces are kept for `Settings.nonce_window_seconds` (a day).

`prune(ctx)` deletes what is past its window in slices of PRUNE_SLICE rows, one short write
transaction each, so it never holds the SQLite write lock or PostgreSQL row locks for long. Job
workers (serve's and `union-server worker`) run it every `Settings.prune_interval_seconds`
(`prune_when_due`); `union-server prune` runs it now.
"""
from __future__ import annotations

import logging
import time
from datetime import timedelta

from peewee import ModelSelect

from app.protocol import MAX_CLOCK_SKEW
from server import feed
from server.db import session, write_tx
from server.models import BaseModel, IdempotencyRecord, Nonce
from server.settings import ServerContext

log = logging.getLogger("union_server.pruning")

PRUNE_SLICE = 5000


def _delete_in_slices(model: type[BaseModel], old: ModelSelect) -> int:
    deleted = 0
    while True:
        with write_tx():
            ids = [row.id for row in old.limit(PRUNE_SLICE)]
            if ids:
                deleted += model.delete().where(model.id.in_(ids)).execute()
        if len(ids) < PRUNE_SLICE:
            return deleted


def prune(ctx: ServerContext) -> dict[str, int]:
    """Delete idempotency records and nonces past their replay windows; returns how many of each."""
    now = ctx.now_naive()
    settings = ctx.settings
    records_before = now - timedelta(days=settings.idempotency_window_days)
    # Never shorter than a stale timestamp's reach: a younger nonce may still come back signed.
    nonces_before = now - timedelta(seconds=max(settings.nonce_window_seconds, 2 * MAX_CLOCK_SKEW + 60))
    with session():
        records = _delete_in_slices(IdempotencyRecord, IdempotencyRecord.select(IdempotencyRecord.id).where(
            IdempotencyRecord.created < records_before).order_by(IdempotencyRecord.id))
        nonces = _delete_in_slices(Nonce, Nonce.select(Nonce.id).where(Nonce.seen_at < nonces_before)
                                   .order_by(Nonce.id))
    if records or nonces:
        log.info("pruned %d idempotency records and %d nonces", records, nonces)
    return {"idempotency_records": records, "nonces": nonces, "changes": feed.compact(ctx)}


def prune_when_due(ctx: ServerContext, last_run: float | None) -> float | None:
    """Prune when `prune_interval_seconds` have passed since `last_run` (time.monotonic(), None:
    never); returns the time of the latest run, for the next call."""
    if last_run is not None and time.monotonic() - last_run < ctx.settings.prune_interval_seconds:
        return last_run
    started = time.monotonic()
    prune(ctx)
    return started

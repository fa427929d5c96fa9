"""A change feed that stays small: each device's cursor, and compaction to the latest change per
entity once every device still counted has passed the older ones.

A PC pulls `GET /changes?since=N&device=<fingerprint>`: it has applied the feed up to N, so N is
its `FeedCursor`. Every feed change is a whole state of its entity (a member's record, a batch's
status, a check's result), so a change followed by a later one of the same entity tells nothing
the later one does not — except to a device that has not passed the earlier one yet, which might
apply the two in between others. `compact(ctx)` therefore deletes, per union, the changes that a
later change of the same (entity, key) supersedes, up to the union's floor: the lowest cursor of
its users' active devices seen within `Settings.feed_window_days`. A device never seen (just
registered) counts from 0 while it is within the window. A device away longer than the window
no longer holds the floor; when it comes back, its pull from its old cursor gets the latest
change of every entity changed since — a snapshot of what it missed — and a new PC's first pull
gets each entity about once. Nothing a device still counted has not passed is ever deleted.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from peewee import JOIN, fn

from server.db import session, write_tx
from server.models import Change, Device, FeedCursor, Union, User
from server.settings import ServerContext

log = logging.getLogger("union_server.feed")

#: Feed sequence numbers per compaction transaction: each stays short.
COMPACT_SLICE = 20_000


def own_device(user: User, fingerprint: str | None) -> Device | None:
    """The caller's active device with this fingerprint, if any."""
    if not fingerprint:
        return None
    return Device.get_or_none((Device.user == user) & (Device.fingerprint == fingerprint) & Device.revoked.is_null())


def record_cursor(ctx: ServerContext, device: Device, union_id: int, since: int) -> None:
    """The device has applied its union's feed up to `since`."""
    now = ctx.now_naive()
    with write_tx():
        (FeedCursor.insert(device=device.id, union=union_id, seq=since, seen=now)
         .on_conflict(conflict_target=[FeedCursor.device],
                      update={FeedCursor.union: union_id, FeedCursor.seq: since, FeedCursor.seen: now})
         .execute())


def floor(union_id: int, latest: int, counted_since: datetime) -> int:
    """The lowest cursor of the union's devices still counted (`latest` when none is)."""
    lowest = latest
    devices = (Device.select(Device.id, Device.created, FeedCursor.seq, FeedCursor.seen)
               .join(User, on=(Device.user == User.id))
               .join_from(Device, FeedCursor, on=(FeedCursor.device == Device.id), join_type=JOIN.LEFT_OUTER)
               .where((User.union == union_id) & Device.revoked.is_null()).objects())
    for device in devices:
        seen = device.seen if device.seen is not None else device.created
        if seen >= counted_since:
            lowest = min(lowest, int(device.seq) if device.seq is not None else 0)
    return lowest


def _compact_union(union_id: int, below: int) -> int:
    """Delete the union's changes up to `below` that a later change of their entity supersedes."""
    deleted, start = 0, 0
    while start < below:
        end = min(start + COMPACT_SLICE, below)
        later = Change.alias()
        superseded = (later.select(later.id).where(
            (later.union == Change.union) & (later.entity == Change.entity)
            & (later.entity_key == Change.entity_key) & (later.seq > Change.seq)))
        with write_tx():
            deleted += (Change.delete()
                        .where((Change.union == union_id) & (Change.seq > start) & (Change.seq <= end)
                               & fn.EXISTS(superseded))
                        .execute())
        start = end
    return deleted


def compact(ctx: ServerContext) -> int:
    """Compact every union's feed (see the module's note); returns how many changes went."""
    counted_since = ctx.now_naive() - timedelta(days=ctx.settings.feed_window_days)
    deleted = 0
    with session():
        unions = list(Union.select(Union.id, Union.change_seq).where(Union.change_seq > 0).tuples())
        for union_id, latest in unions:
            below = floor(union_id, int(latest), counted_since)
            if below > 0:
                deleted += _compact_union(union_id, below)
    if deleted:
        log.info("compacted the change feeds: %d superseded changes deleted", deleted)
    return deleted


__all__ = ["COMPACT_SLICE", "compact", "floor", "own_device", "record_cursor"]

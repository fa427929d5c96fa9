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
gets each entity about once. Nothing a device still counted has not passed is ever deleted. A
member's place in the feed is its row's (`Member.feed_seq`, server/changes.py): always its latest,
so a member's change rows up to the floor that its row's place supersedes are deleted too.

A run costs what changed since the last one, not the feeds' whole history (52,701 unions): each
union's `FeedMark` says how far compaction got — every change up to its floor that a change up to
`scanned` supersedes is gone — so a run reads only the changes after the mark (see `_start`), and a
union whose feed has not grown past its mark's floor is not even looked at.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from peewee import JOIN, fn

from server.db import session, write_tx
from app.protocol import Entity
from server.models import Change, Device, FeedCursor, FeedMark, Member, Union, User
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


@dataclass
class Compaction:
    """What one `compact` run did: unions it worked on, feed changes it read (the sequence ranges
    scanned, an upper bound), changes it deleted."""

    unions: int = 0
    scanned: int = 0
    deleted: int = 0


def _compact_union(union_id: int, start: int, latest: int, below: int) -> int:
    """Delete the union's changes up to `below` that a change in (start, latest] supersedes: a
    later change row of the same entity, or a member's row whose place in the feed is later
    (server/changes.py)."""
    deleted = 0
    while start < latest:
        end = min(start + COMPACT_SLICE, latest)
        new, old = Change.alias(), Change.alias()
        superseded = (new.select(old.id)
                      .join(old, on=((old.union == new.union) & (old.entity == new.entity)
                                     & (old.entity_key == new.entity_key) & (old.seq < new.seq)))
                      .where((new.union == union_id) & (new.seq > start) & (new.seq <= end) & (old.seq <= below)))
        by_row = (Member.select(old.id)
                  .join(old, on=((old.union == Member.union) & (old.entity == Entity.MEMBER)
                                 & (old.entity_key == Member.id_number) & (old.seq < Member.feed_seq)))
                  .where((Member.union == union_id) & (Member.feed_seq > start) & (Member.feed_seq <= end)
                         & (old.seq <= below)))
        with write_tx():
            deleted += Change.delete().where(Change.id.in_(superseded)).execute()
            deleted += Change.delete().where(Change.id.in_(by_row)).execute()
        start = end
    return deleted


def _start(floor_was: int, scanned: int, below: int, latest: int) -> int | None:
    """Where this run reads the union's feed from, None: nothing to do. The union's mark says
    every change up to `mark.floor` that a change up to `mark.scanned` supersedes is gone. A floor
    that rose means reading from the old floor (changes between the floors may be superseded by any
    later one); the same floor, only the changes since the last run. A floor under the mark's (a
    new device still catching up) waits for the device: nothing is deleted meanwhile."""
    if below > floor_was:
        return floor_was
    if below == floor_was and latest > scanned:
        return scanned
    return None


def compact_feeds(ctx: ServerContext) -> Compaction:
    """Compact the feeds of the unions with changes since the last run (see the module's note)."""
    counted_since = ctx.now_naive() - timedelta(days=ctx.settings.feed_window_days)
    done = Compaction()
    with session():
        # A union whose feed has not grown past its mark's floor has nothing compaction could read.
        floor_was = fn.COALESCE(FeedMark.floor, 0)
        unions = list(Union.select(Union.id, Union.change_seq, floor_was, fn.COALESCE(FeedMark.scanned, 0))
                      .join(FeedMark, JOIN.LEFT_OUTER, on=(FeedMark.union == Union.id))
                      .where(Union.change_seq > floor_was).tuples())
        for union_id, latest, was, scanned in unions:
            below = floor(union_id, int(latest), counted_since)
            start = _start(int(was), int(scanned), below, int(latest))
            if start is None:
                continue
            done.unions += 1
            done.scanned += int(latest) - start
            done.deleted += _compact_union(union_id, start, int(latest), below)
            with write_tx():
                (FeedMark.insert(union=union_id, floor=below, scanned=latest)
                 .on_conflict(conflict_target=[FeedMark.union],
                              update={FeedMark.floor: below, FeedMark.scanned: latest}).execute())
    if done.deleted:
        log.info("compacted the change feeds of %d unions: %d changes read, %d superseded deleted",
                 done.unions, done.scanned, done.deleted)
    return done


def compact(ctx: ServerContext) -> int:
    """Compact the feeds (`compact_feeds`); returns how many changes went."""
    return compact_feeds(ctx).deleted


__all__ = ["COMPACT_SLICE", "Compaction", "compact", "compact_feeds", "floor", "own_device", "record_cursor"]

"""业务工作台 figures: member counts and members joined per day / week / month."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from app.models import Enterprise, Member, Union
from app.models.queries import created_by_day, joins_by_day

@dataclass(frozen=True)
class WorkbenchFigures:
    union_name: str
    members: int
    grassroots_unions: int
    enterprises: int

    def as_dict(self) -> dict:
        return {"union": self.union_name, "members": self.members,
                "grassroots_unions": self.grassroots_unions, "enterprises": self.enterprises}


@dataclass(frozen=True)
class JoinBucket:
    start: date
    label: str
    new: int
    existing: int


def workbench_figures(union_id: int) -> WorkbenchFigures:
    union = Union.get_by_id(union_id)
    members = Member.select().where(Member.union == union_id).count()
    enterprises = Enterprise.select().where(Enterprise.union == union_id).count()
    # A grassroots profile is its own (single) organisation; superiors' figures come from the server.
    grassroots = 1 if union.level == "grassroots" else Union.select().where(Union.level == "grassroots").count()
    return WorkbenchFigures(union.name, members, grassroots, enterprises)


def bucket_start(day: date, granularity: str) -> date:
    if granularity == "day":
        return day
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    raise ValueError(granularity)


def _label(start: date, granularity: str) -> str:
    if granularity == "month":
        return f"{start.year}-{start.month:02d}"
    return f"{start.month:02d}-{start.day:02d}"


def _next(start: date, granularity: str) -> date:
    if granularity == "day":
        return start + timedelta(days=1)
    if granularity == "week":
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def join_series(union_id: int, start: date, end: date, granularity: str) -> list[JoinBucket]:
    """新增 (joined in the bucket) and 原有 (recorded in the bucket, joined earlier), every bucket
    of the range present even when empty."""
    if end < start:
        start, end = end, start
    new_by: dict[date, int] = {}
    for day, n in joins_by_day(union_id, start, end):
        key = bucket_start(day, granularity)
        new_by[key] = new_by.get(key, 0) + n
    old_by: dict[date, int] = {}
    for day, n in created_by_day(union_id, start, end):
        key = bucket_start(day, granularity)
        old_by[key] = old_by.get(key, 0) + n
    buckets = []
    cursor = bucket_start(start, granularity)
    while cursor <= end:
        buckets.append(JoinBucket(cursor, _label(cursor, granularity), new_by.get(cursor, 0), old_by.get(cursor, 0)))
        cursor = _next(cursor, granularity)
    return buckets

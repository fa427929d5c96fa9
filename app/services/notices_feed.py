"""查看通知: the notices the server published for this union, as the last sync kept them (offline too)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.models import Setting

SHANGHAI_OFFSET = timedelta(hours=8)


@dataclass(frozen=True)
class Notice:
    id: int
    title: str
    body: str
    publisher: str
    published: datetime  # Shanghai time


def cached_notices() -> tuple[list[Notice], datetime | None]:
    """(the notices newest first, when they were fetched — None if never)."""
    rows = {r.key: r.value for r in Setting.select().where(Setting.key.in_(("notices", "notices:fetched_at")))}
    fetched = datetime.fromisoformat(rows["notices:fetched_at"]) if "notices:fetched_at" in rows else None
    out = []
    for n in json.loads(rows.get("notices") or "[]"):
        published = datetime.fromisoformat(str(n.get("published", "")).rstrip("Z")) + SHANGHAI_OFFSET
        out.append(Notice(int(n["id"]), str(n.get("title") or ""), str(n.get("body") or ""),
                          str(n.get("publisher") or ""), published))
    out.sort(key=lambda n: n.published, reverse=True)
    return out, fetched

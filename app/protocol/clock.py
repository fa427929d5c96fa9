"""Time on the wire: timestamps, the Shanghai calendar and the allowed clock skew."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

# The client refuses to sync, and the server refuses a signed submission, when clocks differ by
# more than this many seconds.
MAX_CLOCK_SKEW = 300

# Campaign dates (deadlines, windows) are calendar days in Shanghai. China has no daylight saving
# time, so a fixed offset is exact and needs no tz database (absent on many Windows PCs).
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")


def format_timestamp(moment: datetime) -> str:
    """An aware datetime as ISO 8601 in UTC with a "Z", second precision: "2025-01-02T03:04:05Z"."""
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(text: str) -> datetime:
    """Read an ISO 8601 timestamp with an offset (or "Z") into an aware UTC datetime."""
    if not isinstance(text, str):
        raise ValueError("timestamp must be a string")
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("timestamp needs a timezone offset")
    return moment.astimezone(timezone.utc)

"""Time on the wire: timestamps, the Shanghai calendar and the allowed clock skew."""
from __future__ import annotations

from datetime import datetime, timezone

# Campaign dates are Shanghai calendar days: the rule's zone, re-exported here.
from app.rules.coverage import SHANGHAI as SHANGHAI

# The client refuses to sync, and the server refuses a signed submission, when clocks differ by
# more than this many seconds.
MAX_CLOCK_SKEW = 300



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

"""Writing to the outbox: the one way anything leaves this PC for the server.

The payload is frozen as canonical JSON when the row is made, with its SHA-256, so every retry
sends exactly the same bytes under the same idempotency key. The canonical form matches
`app.sync.protocol.canonical_json` (sorted keys, UTF-8, no whitespace, no floats), which the sync
tests check; it is written out here because models must not import sync.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from app.models.tables import Outbox


def canonical(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


def enqueue(kind: str, payload: dict[str, Any], *, member_id: int | None = None,
            attachment: str | None = None, key: str | None = None) -> Outbox:
    """Add a row to send; call inside the transaction that makes the change it reports."""
    text = canonical(payload)
    return Outbox.create(key=key or str(uuid.uuid4()), kind=kind, payload=text,
                         payload_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                         member=member_id, attachment=attachment)


def pending_changes() -> int:
    """What waits to go up: outbox rows not yet accepted plus members changed but not queued."""
    from peewee import fn

    from app.models.tables import UNSENT, Member

    waiting = Outbox.select().where(Outbox.state.in_(("to_send", "sending"))).count()
    return waiting + Member.select(fn.COUNT(Member.id)).where(UNSENT & (Member.sync_state == "to_send")).scalar()

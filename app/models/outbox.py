"""Writing to the outbox: the one way anything leaves this PC for the server.

A row holds a typed push record of the protocol kernel (`app.protocol`), frozen as canonical JSON
when the row is made, with its SHA-256, so every retry sends exactly the same bytes under the same
idempotency key.
"""
from __future__ import annotations

import hashlib
import uuid

from app.models.tables import Outbox
from app.protocol import Payload, canonical_text


def enqueue(payload: Payload, *, member_id: int | None = None, attachment: str | None = None,
            key: str | None = None) -> Outbox:
    """Add a row to send; call inside the transaction that makes the change it reports."""
    text = canonical_text(payload.to_wire())
    row: Outbox = Outbox.create(key=key or str(uuid.uuid4()), kind=str(payload.KIND), payload=text,
                                payload_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                                member=member_id, attachment=attachment)
    return row


def rewrite(row: Outbox, payload: Payload) -> None:  # the row object is stale afterwards: read it again
    """Replace the payload of a row not in flight: never sent, or refused with nothing kept by the
    server (its bytes are frozen while "sending": a retry goes under the same key and hash)."""
    if row.state != "to_send":
        raise ValueError(f"outbox row {row.id} was already sent: its payload is frozen")
    text = canonical_text(payload.to_wire())
    Outbox.update(payload=text, payload_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest()).where(
        Outbox.id == row.id).execute()


def pending_changes() -> int:
    """What waits to go up: outbox rows not yet accepted plus members changed but not queued."""
    from peewee import fn

    from app.models.tables import UNSENT, Member

    waiting = Outbox.select().where(Outbox.state.in_(("to_send", "sending"))).count()
    changed = Member.select(fn.COUNT(Member.id)).where(UNSENT & (Member.sync_state == "to_send")).scalar()
    return int(waiting) + int(changed)

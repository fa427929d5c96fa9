"""Appending to the audit trail (append-only): who did what, when, to which member, old → new.

In models so that every layer that changes data — services for clerk actions, sync for
conflict resolutions — records through the same function.
"""
from __future__ import annotations

from app.models.tables import AuditEntry

#: A member transferred into / out of the union (批量转移, app.sync.transfers). A transfer-in's
#: note is the transfer's JSON, with the history that came with the member (read-only).
TRANSFER_IN = "member.transfer_in"
TRANSFER_OUT = "member.transfer_out"


def record(actor: str, action: str, *, member_id: int | None = None, field: str = "",
           old: object = None, new: object = None, note: str = "") -> None:
    AuditEntry.create(
        actor=actor, action=action, member=member_id, field=field,
        old_value=None if old is None else str(old),
        new_value=None if new is None else str(new), note=note,
    )

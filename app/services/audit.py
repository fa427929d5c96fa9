"""Writing the audit trail: every clerk action, who, when, old → new."""
from __future__ import annotations

from app.models import AuditEntry


def record(actor: str, action: str, *, member_id: int | None = None, field: str = "",
           old: object = None, new: object = None, note: str = "") -> None:
    AuditEntry.create(
        actor=actor, action=action, member=member_id, field=field,
        old_value=None if old is None else str(old),
        new_value=None if new is None else str(new), note=note,
    )


def history(member_id: int) -> list[dict]:
    """The audit entries of one member, newest first, as plain dicts."""
    query = (AuditEntry.select().where(AuditEntry.member == member_id)
             .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()))
    return [
        {"at": e.at, "actor": e.actor, "action": e.action, "field": e.field,
         "old": e.old_value, "new": e.new_value, "note": e.note}
        for e in query
    ]

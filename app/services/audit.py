"""Writing the audit trail: every clerk action, who, when, old → new."""
from __future__ import annotations

from app.models import AuditEntry
from app.models.audit import record  # noqa: F401 (the one way to write an entry)


def history(member_id: int) -> list[dict]:
    """The audit entries of one member, newest first, as plain dicts."""
    query = (AuditEntry.select().where(AuditEntry.member == member_id)
             .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()))
    return [
        {"at": e.at, "actor": e.actor, "action": e.action, "field": e.field,
         "old": e.old_value, "new": e.new_value, "note": e.note}
        for e in query
    ]

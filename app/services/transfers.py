"""批量转移 on this PC, read side (SPEC §5.10): the members a transfer is about, and the history
that came with a member transferred into the union (app.sync.transfers applies the feed)."""
from __future__ import annotations

import json
from typing import Any

from app.models import AuditEntry, Member
from app.models.audit import TRANSFER_IN


def selected_members(member_ids: list[int]) -> list[tuple[str, str]]:
    """(name, ID number) of the members, in id order."""
    rows = Member.select(Member.name, Member.id_number).where(Member.id.in_(member_ids)).order_by(Member.id)
    return [(m.name, m.id_number) for m in rows]


def history_of(member_id: int) -> list[dict[str, Any]]:
    """What came with the member at each transfer into this union, newest first: {"at", "from",
    "from_name", "reason", "phone_cleared", "cards": [...], "enrollments": [...]} — read-only."""
    rows = (AuditEntry.select().where((AuditEntry.member == member_id) & (AuditEntry.action == TRANSFER_IN))
            .order_by(AuditEntry.id.desc()))
    out = []
    for row in rows:
        data = json.loads(row.note or "{}")
        history = data.get("history") or {}
        out.append({"at": data.get("at"), "from": data.get("other_union"), "from_name": data.get("other_union_name"),
                    "reason": data.get("reason"), "phone_cleared": bool(data.get("phone_cleared")),
                    "cards": list(history.get("cards") or []), "enrollments": list(history.get("enrollments") or [])})
    return out


__all__ = ["history_of", "selected_members"]

"""Snapshots of removed members (app.services.member_status) and putting one back (app.sync).

A removed member's row, with the ids of the rows that pointed at it (audit entries, batch rows —
set to NULL when the member's row went), kept as JSON until the server confirms the removal; a
refused removal restores the member and re-links those rows, so their history is whole again.
"""
from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from app.models.tables import AuditEntry, BatchMember, CardBatchMember, Member, RemovedMember


def restore(removal: RemovedMember) -> int:
    """Put the removed member back as they were (unless someone of that number exists again)."""
    union_id: int = removal.union_id  # type: ignore[attr-defined]  # peewee's foreign-key id
    existing = Member.get_or_none((Member.union == union_id) & (Member.id_number == removal.id_number))
    if existing is not None:
        return int(existing.id)
    row: dict[str, Any] = json.loads(str(removal.snapshot))
    row.pop("id", None)
    for name in ("birth_date", "join_date", "life_status_date"):
        if row.get(name):
            row[name] = date.fromisoformat(str(row[name])[:10])
    for name in ("created_at", "updated_at", "ss_checked_at"):
        if row.get(name):
            row[name] = datetime.fromisoformat(str(row[name]))
    links = row.pop("links", {})
    row["union"] = union_id
    member_id = int(Member.insert(row).execute())
    # What pointed at the member (set to NULL when the row went) points at it again.
    for table, ids in ((AuditEntry, links.get("audit_entry")), (BatchMember, links.get("batch_member")),
                       (CardBatchMember, links.get("card_batch_member"))):
        if ids:
            table.update(member=member_id).where(table.id.in_(ids) & table.member.is_null()).execute()
    return member_id


def snapshot(member: Member) -> str:
    """The member's row, and the ids of the rows that point at it, as JSON (see `restore`)."""
    from playhouse.shortcuts import model_to_dict

    row = model_to_dict(member, recurse=False)
    row["links"] = {"audit_entry": [r[0] for r in AuditEntry.select(AuditEntry.id).where(
                        AuditEntry.member == member.id).tuples()],
                    "batch_member": [r[0] for r in BatchMember.select(BatchMember.id).where(
                        BatchMember.member == member.id).tuples()],
                    "card_batch_member": [r[0] for r in CardBatchMember.select(CardBatchMember.id).where(
                        CardBatchMember.member == member.id).tuples()]}
    return json.dumps(row, default=str, ensure_ascii=False)

"""What the sync engine does for removed members and life-status reports (app.services.member_status).

A removal the server accepts is final; one it refuses puts the member back from the snapshot the
removal kept (nothing local is lost before the server has confirmed). A `member_removal` change
(another PC of the union removed them) removes the local member too. While a removal is on its
way up, a pulled change of that member must not bring them back.
"""
from __future__ import annotations

from typing import Any

from app.models import Member, Outbox, audit
from app.models.removed import restore, snapshot
from app.models.tables import RemovedMember
from app.protocol import RecordKind
from app.rules.idcard import mask_id


def removal_answered(row: Outbox, problem: str | None) -> None:
    """The server's answer to a member_removal record (inside the caller's transaction)."""
    removal = RemovedMember.get_or_none(RemovedMember.outbox == row.id)
    if removal is None:
        return
    if problem is None:
        removal.state, removal.problem = "removed", None
        removal.save()
        return
    removal.state, removal.problem = "refused", problem
    removal.save()
    restored = restore(removal)
    audit.record("sync", "member.delete.refused", member_id=restored, field="member",
                 new=f"{removal.name} {mask_id(removal.id_number)}", note=problem)


def removing(union_id: int) -> set[str]:
    """ID numbers whose removal is still on its way up (a pull must not bring them back)."""
    return {r.id_number for r in RemovedMember.select(RemovedMember.id_number)
            .where((RemovedMember.union == union_id) & (RemovedMember.state == "sending"))}


def apply_removals(union_id: int, changes: list[dict[str, Any]]) -> None:
    """`member_removal` changes of the feed: the member goes here too (audited)."""
    for change in changes:
        data = change.get("data") or {}
        member = Member.get_or_none((Member.union == union_id) & (Member.id_number == change["key"]))
        if member is None:
            RemovedMember.update(state="removed").where(
                (RemovedMember.union == union_id) & (RemovedMember.id_number == change["key"])
                & (RemovedMember.state == "sending")).execute()
            continue
        RemovedMember.create(union=union_id, id_number=member.id_number, member_no=member.member_no,
                             name=member.name, reason=str(data.get("reason") or ""), actor="同步",
                             state="removed", snapshot=snapshot(member))
        audit.record("sync", "member.delete.remote", member_id=member.id, field="member",
                     old=f"{member.name} {mask_id(member.id_number)}", note=str(data.get("reason") or ""))
        member.delete_instance()


def life_status_pending(member_ids: list[int]) -> set[int]:
    """Members whose life-status report waits to go up: a pull must not undo the clerk's mark."""
    if not member_ids:
        return set()
    query = (Outbox.select(Outbox.member).where(Outbox.member.in_(member_ids)
                                                & (Outbox.kind == str(RecordKind.LIFE_STATUS))
                                                & Outbox.state.in_(("to_send", "sending"))))
    return {r[0] for r in query.tuples()}

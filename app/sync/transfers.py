"""批量转移 on the clerk's PC (SPEC §5.10): asking the server to move members, and applying the
`transfer` changes the feed brings.

A transfer is online only: the server moves the member record at once (its idempotency key makes
a retry safe). The PCs learn of it on their next pull: the releasing union's PC removes the
member — with the member's edits still waiting to go up, which the server would refuse now — and
writes the removal to the audit trail; the receiving union's PC already has the member from the
`member` change before it, and keeps the history that came with the transfer (cards, past
enrollments) read-only in its audit trail (app.services.transfers.history_of).
"""
from __future__ import annotations

import json
import uuid
from typing import Any

from app.models import Member, Outbox, audit
from app.models.audit import TRANSFER_IN, TRANSFER_OUT
from app.protocol import RecordKind
from app.protocol.transfers import TransferDirection, TransferRequest
from app.rules.idcard import mask_id
from app.sync.client import ServerClient

def request_transfer(client: ServerClient, *, to_union: str, reason: str, id_numbers: list[str],
                     from_union: str | None = None, key: str | None = None) -> dict[str, Any]:
    """POST /transfers; raises Offline or ServerProblem (member_elsewhere, transfer_target,
    transfer_under_review, not_found, union_scope …). Safe to retry with the same key."""
    request = TransferRequest(key=key or uuid.uuid4().hex, to_union=to_union.strip().upper(), reason=reason.strip(),
                              id_numbers=[n.strip().upper() for n in id_numbers], from_union=from_union or None)
    return dict(client._json("POST", "/transfers", json=request.to_wire()))


def apply_transfers(union_id: int, changes: list[dict[str, Any]], actor: str = "sync") -> None:
    """Apply a page's `transfer` changes in order (inside the page's transaction, after its
    `member` changes were applied). A member who left and came back within the page stays."""
    last: dict[str, str] = {}
    for change in changes:
        last[change["key"]] = (change.get("data") or {}).get("direction", "")
    for change in changes:
        number, data = change["key"], change.get("data") or {}
        member = Member.get_or_none((Member.union == union_id) & (Member.id_number == number))
        if data.get("direction") == TransferDirection.IN and member is not None:
            audit.record(actor, TRANSFER_IN, member_id=member.id, new=data.get("other_union"),
                         note=json.dumps(data, ensure_ascii=False))
        elif data.get("direction") == TransferDirection.OUT and member is not None \
                and last[number] == TransferDirection.OUT:
            _remove(member, data, actor)


def _remove(member: Member, data: dict[str, Any], actor: str) -> None:
    """The member left this union: their waiting member edits are dropped (the server refuses
    them now), the removal is audited (masked number and name: the row is going), the row goes."""
    (Outbox.delete().where((Outbox.member == member.id) & (Outbox.kind == RecordKind.MEMBER_UPSERT)
                           & Outbox.state.in_(("to_send", "error"))).execute())
    audit.record(actor, TRANSFER_OUT, member_id=member.id, old=f"{member.name} {mask_id(member.id_number)}",
                 new=data.get("other_union"), note=str(data.get("reason") or ""))
    member.delete_instance()


__all__ = ["apply_transfers", "request_transfer"]

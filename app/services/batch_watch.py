"""What became of the clerk's batches: one batch's status (after 提交至上级审核 sends it), the
returned batches and the refused 申请撤销 of card batches the clerk has not opened yet (the notice
that stays until opened)."""
from __future__ import annotations

import json

from app.models import Batch, Setting, db

SEEN_KEY = "returned_seen"


def batch_status(batch_no: str) -> tuple[str, str | None]:
    """(status code, the server's refusal in words or None) of a batch made on this PC."""
    batch = Batch.get_or_none(Batch.batch_no == batch_no)
    if batch is None:
        return "missing", None
    return batch.status, batch.problem


def _seen() -> set[str]:
    row = Setting.get_or_none(Setting.key == SEEN_KEY)
    return set(json.loads(row.value)) if row else set()


def unseen_returned(union_id: int) -> list:  # list[enrollment.BatchInfo]
    """Returned batches (退回) whose notice the clerk has not opened, newest first."""
    from app.services.enrollment_batches import batches

    seen = _seen()
    return [b for b in batches(union_id, status="returned") if b.batch_no not in seen]


def mark_returned_seen(batch_nos: list[str]) -> None:
    with db.atomic("IMMEDIATE"):
        seen = _seen() | set(batch_nos)
        Setting.replace(key=SEEN_KEY, value=json.dumps(sorted(seen))).execute()


def unseen_withdrawal_refusals(union_id: int) -> list[tuple[str, str]]:
    """(batch number, the district's reason) of card batches whose 申请撤销 the district refused
    and whose notice the clerk has not opened, newest first."""
    from app.models.tables import CardBatch

    query = (CardBatch.select(CardBatch.batch_no, CardBatch.withdrawal_answer)
             .where((CardBatch.union == union_id) & (CardBatch.withdrawal_status == "refused")
                    & (CardBatch.withdrawal_seen == False))  # noqa: E712 (SQL)
             .order_by(CardBatch.updated_at.desc(), CardBatch.id.desc()))
    return [(b.batch_no, b.withdrawal_answer or "") for b in query]


def mark_withdrawals_seen(batch_nos: list[str]) -> None:
    from app.models.tables import CardBatch

    with db.atomic("IMMEDIATE"):
        CardBatch.update(withdrawal_seen=True).where(CardBatch.batch_no.in_(batch_nos)).execute()

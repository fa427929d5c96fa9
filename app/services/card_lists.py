"""What the card pages' id-only table models read: the ids of a list in order, then rows by id
(待办会员列表 and a card batch's members; 卡片信息管理 reads `cards.card_info_ids` and
`cards.card_members_by_ids`)."""
from __future__ import annotations

from datetime import date

from app.models.queries import QueueFilter, card_batch_member_ids, card_batch_members_by_ids, queue_ids, queue_rows_by_ids
from app.rules.cards import OUTCOME_LABELS, mask_card_no
from app.rules.idcard import mask_id
from app.services.cards.batches import CardBatchMemberRow
from app.services.cards.queue import QueueRow, _queue_row


def queued_ids(union_id: int, f: QueueFilter, sort_key: str = "queued_at", descending: bool = True,
               limit: int | None = None) -> list[int]:
    """The queue entries matching `f`, in list order (the first `limit` when given)."""
    return queue_ids(union_id, f, sort_key, descending, limit)


def queue_rows(ids: list[int], today: date) -> list[QueueRow]:
    """The rows of queue entries `ids` (any order)."""
    return [_queue_row(r, today) for r in queue_rows_by_ids(ids)]


def batch_member_ids(batch_id: int, limit: int | None = None) -> list[int]:
    """A card batch's members in the order they were submitted (the first `limit` when given)."""
    return card_batch_member_ids(batch_id, limit)


def batch_members_by_ids(ids: list[int]) -> list[CardBatchMemberRow]:
    return [CardBatchMemberRow(
        id=r["id"], member_id=r["member"], name=r["name"], masked_id=mask_id(r["id_number"]), outcome=r["outcome"],
        outcome_label=OUTCOME_LABELS.get(r["outcome"], r["outcome"]), card_no=mask_card_no(r["card_no"]),
        reason=r["reason"] or "") for r in card_batch_members_by_ids(ids)]

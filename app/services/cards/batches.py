"""办卡批次管理: card batches and what became of each member."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.models.queries import (
    CardBatchFilter,
    card_batch_member_page,
    card_batch_rows,
    count_card_batch_members,
    note_withdrawal,
)
from app.models.tables import CardBatch, CardBatchMember
from app.rules.cards import BATCH_STATUS_LABELS, OUTCOME_LABELS, WITHDRAWAL_STATUS_LABELS, mask_card_no
from app.rules.idcard import mask_id
from app.services.cards.queue import AddResult, add_to_queue


@dataclass(frozen=True)
class CardBatchRow:
    id: int
    batch_no: str
    member_count: int
    submitted_at: str
    updated_at: str
    status: str
    status_label: str
    issued: int
    refused: int
    problem: str
    withdrawal: str = ""  # 申请撤销: pending / approved / refused, "" when never asked
    withdrawal_reason: str = ""
    withdrawal_answer: str = ""  # the district's reason for refusing

    @property
    def withdrawal_label(self) -> str:
        return WITHDRAWAL_STATUS_LABELS.get(self.withdrawal, "")

    @property
    def withdrawal_text(self) -> str:
        """The request in words: 撤销审核中（原因：…）, 已撤销, 不同意撤销：<the district's reason>."""
        if self.withdrawal == "refused":
            return f"不同意撤销：{self.withdrawal_answer or '未说明原因'}（该批次照常制卡）"
        if self.withdrawal == "pending":
            return f"撤销审核中（撤销原因：{self.withdrawal_reason}），审核期间该批次暂停制卡"
        return "已撤销，批次中的会员可重新申请办卡" if self.withdrawal == "approved" else ""

    @property
    def outcome_text(self) -> str:
        if self.status == "withdrawn":
            return "已撤销，批次中的会员可重新申请办卡。"
        if self.status == "refused":
            return self.problem
        if self.status == "queued":
            return "尚未发送到服务器，联网同步时自动提交。"
        pending = self.member_count - self.issued - self.refused
        text = f"已发卡{self.issued}人"
        if self.refused:
            text += f"，未通过{self.refused}人"
        if pending > 0:
            text += f"，制卡中{pending}人"
        return text + "。"


def _stamp(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else str(value or "")[:16]


def card_batches(union_id: int, f: CardBatchFilter | None = None) -> list[CardBatchRow]:
    return [CardBatchRow(
        id=r["id"], batch_no=r["batch_no"], member_count=r["member_count"], submitted_at=_stamp(r["submitted_at"]),
        updated_at=_stamp(r["updated_at"]), status=r["status"],
        status_label=BATCH_STATUS_LABELS.get(r["status"], r["status"]), issued=r["issued_count"],
        refused=r["refused_count"], problem=r["problem"] or "", withdrawal=r["withdrawal_status"] or "",
        withdrawal_reason=r["withdrawal_reason"] or "", withdrawal_answer=r["withdrawal_answer"] or "",
    ) for r in card_batch_rows(union_id, f or CardBatchFilter())]


@dataclass(frozen=True)
class CardBatchMemberRow:
    id: int
    member_id: int | None
    name: str
    masked_id: str
    outcome: str
    outcome_label: str
    card_no: str
    reason: str


def count_batch_members(batch_id: int) -> int:
    return count_card_batch_members(batch_id)


def batch_members(batch_id: int, *, offset: int = 0, limit: int = 200) -> list[CardBatchMemberRow]:
    return [CardBatchMemberRow(
        id=r["id"], member_id=r["member"], name=r["name"], masked_id=mask_id(r["id_number"]), outcome=r["outcome"],
        outcome_label=OUTCOME_LABELS.get(r["outcome"], r["outcome"]), card_no=mask_card_no(r["card_no"]),
        reason=r["reason"] or "",
    ) for r in card_batch_member_page(batch_id, offset, limit)]


def requeue_refused(batch_id: int, *, actor: str, today: date) -> AddResult:
    """将未通过会员重新加入待办: members the issuer refused, back in the queue to be fixed."""
    batch = CardBatch.get_by_id(batch_id)
    ids = [r.member_id for r in CardBatchMember.select(CardBatchMember.member)
           .where((CardBatchMember.batch == batch_id) & (CardBatchMember.outcome == "refused")
                  & CardBatchMember.member.is_null(False))]
    return add_to_queue(batch.union_id, ids, actor=actor, today=today)


def note_withdrawal_sent(union_id: int, batch_no: str, answer: dict[str, Any]) -> None:
    """The server's answer to 申请撤销, kept at once (the next sync brings the same from the feed)."""
    with CardBatch._meta.database.atomic("IMMEDIATE"):
        batch = CardBatch.get_or_none((CardBatch.union == union_id) & (CardBatch.batch_no == batch_no))
        if batch is not None:
            note_withdrawal(batch, {"status": answer.get("status"), "reason": answer.get("reason"),
                                    "decision_reason": answer.get("decision_reason")})
            batch.save()

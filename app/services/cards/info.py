"""卡片信息管理: in-service members of linked enterprises and their cards."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.models.queries import (
    CardMemberFilter,
    applying_among,
    card_member_ids,
    card_member_page,
    count_card_members,
    queued_among,
)
from app.rules.cards import expiry_flag, mask_card_no
from app.rules.codes import CARD_STATUS_LABELS, ID_TYPE_LABELS, CardStatus
from app.rules.idcard import mask_id
from app.services import members as member_service
from app.services.members import FLAG_LABELS, mask_phone


@dataclass(frozen=True)
class CardMemberRow:
    """One row of 卡片信息管理: masked ID, phone and card number, Chinese labels."""

    id: int
    member_no: str
    name: str
    id_type: str
    masked_id: str
    enterprise: str
    masked_phone: str
    card_no: str
    card_status: str
    id_expiry: str
    queued: bool
    expiry_flag: str | None

    @property
    def flag_text(self) -> str:
        parts = [FLAG_LABELS[self.expiry_flag]] if self.expiry_flag else []
        if self.queued:
            parts.append("已加入待办")
        return "、".join(parts)


def _card_rows(rows: list[dict], today: date) -> list[CardMemberRow]:
    ids = [r["id"] for r in rows]
    queued = queued_among(ids)
    applying = applying_among(ids)
    out = []
    for r in rows:
        status = r["card_status"]
        if status == CardStatus.NONE and r["id"] in applying:
            status = CardStatus.APPLYING  # submitted here; the server's word comes with the next pull
        out.append(CardMemberRow(
            id=r["id"], member_no=r["member_no"] or "", name=r["name"],
            id_type=ID_TYPE_LABELS.get(r["id_type"], r["id_type"]), masked_id=mask_id(r["id_number"]),
            enterprise=r.get("enterprise_name") or "", masked_phone=mask_phone(r["phone"]),
            card_no=mask_card_no(r.get("card_no")), card_status=CARD_STATUS_LABELS.get(status, status),
            id_expiry=r["id_expiry"] or "", queued=r["id"] in queued, expiry_flag=expiry_flag(r["id_expiry"], today),
        ))
    return out


def card_members(union_id: int, f: CardMemberFilter, *, sort_key: str = "member_no", descending: bool = False,
                 offset: int = 0, limit: int = 200, today: date) -> list[CardMemberRow]:
    return _card_rows(card_member_page(union_id, f, sort_key, descending, offset, limit), today)


def card_members_by_ids(ids: list[int], today: date) -> list[CardMemberRow]:
    rows = member_service.member_rows_by_ids(ids)
    return _card_rows(rows, today)


def count_card_info(union_id: int, f: CardMemberFilter) -> int:
    return count_card_members(union_id, f)


def card_info_ids(union_id: int, f: CardMemberFilter, sort_key: str = "member_no", descending: bool = False,
                  limit: int | None = None) -> list[int]:
    return card_member_ids(union_id, f, sort_key, descending, limit)

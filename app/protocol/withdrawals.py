"""撤销办卡批次 (a grassroots union's request to withdraw a card batch not yet issued) and the
district's 撤销办卡批次审核: the wire names and what they read as in Chinese."""
from __future__ import annotations

from enum import StrEnum


class WithdrawalStatus(StrEnum):
    PENDING = "pending"  # 待审核: the batch's cards are held until the district decides
    APPROVED = "approved"  # 已撤销: the batch is withdrawn, its members may be applied for again
    REFUSED = "refused"  # 未同意 (with the district's reason): the cards are made as applied


WITHDRAWAL_LABELS: dict[str, str] = {
    WithdrawalStatus.PENDING: "撤销审核中",
    WithdrawalStatus.APPROVED: "已同意撤销",
    WithdrawalStatus.REFUSED: "未同意撤销",
}

#: The longest reason a clerk or the district may give.
MAX_WITHDRAWAL_REASON = 300

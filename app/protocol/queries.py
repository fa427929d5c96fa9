"""The queries' wire names (参保信息查询, 保障信息查询, 给付信息查询; manual §1 and part 4): what a
coverage reads as in Chinese, and the most rows one answer carries. Lists carry masked ID numbers
only ("id_masked"); the full number is what the caller typed and never comes back."""
from __future__ import annotations

from enum import StrEnum


class CoverageState(StrEnum):
    """Where one enrollment's coverage stands today (server clock)."""

    REVIEW = "review"  # the batch is still with the superior unions
    PENDING = "pending"  # approved, coverage not started yet
    ACTIVE = "active"  # 保障中
    EXPIRED = "expired"  # 已到期
    NOT_ACCEPTED = "not_accepted"  # 未被受理: the district's payment failed


COVERAGE_LABELS: dict[str, str] = {
    CoverageState.REVIEW: "审核中",
    CoverageState.PENDING: "待生效",
    CoverageState.ACTIVE: "保障中",
    CoverageState.EXPIRED: "已到期",
    CoverageState.NOT_ACCEPTED: "未被受理",
}

KIND_LABELS: dict[str, str] = {"central": "集中参保", "instant_carded": "有卡无保", "instant_new_card": "新办卡"}
CHANNEL_LABELS: dict[str, str] = {"card": "会员卡参保", "ss": "社保卡参保"}

#: The most rows one query answer carries (a batch's members, a year's payouts); the answer says
#: how many there are in all.
MAX_QUERY_ROWS = 5000

"""The superior side's wire names (SPEC §5.9–5.10, manual part 4): review queues and marks, the
district's batch to the center, payment vouchers — and what each status reads as in Chinese.

Both the server and the client import these; the request bodies the server reads are checked by
its routes, the answers are plain JSON objects whose keys are named here once.
"""
from __future__ import annotations

from enum import StrEnum


class ReviewQueue(StrEnum):
    """Which list of 集中参保审核 a reviewer looks at."""

    PENDING = "pending"  # 待审批参保列表
    READY = "ready"  # 待提交参保列表 (the district's, before it submits to the center)


class ReviewMark(StrEnum):
    """审核标识: who has approved a grassroots batch while it stays 区局确认中."""

    SECONDARY = "secondary"  # 二级工会
    DISTRICT = "district"  # 区局(产业) — in the district's 待提交 list


REVIEW_MARK_LABELS: dict[str, str] = {ReviewMark.SECONDARY: "二级工会", ReviewMark.DISTRICT: "区局(产业)"}


class DistrictBatchStatus(StrEnum):
    """The district's submission to the center (SPEC §5.9)."""

    CENTER_REVIEW = "center_review"  # 职保中心确认中
    COMPLETED = "completed"  # 已完成: a voucher accepted by the center
    NOT_ACCEPTED = "not_accepted"  # 未被受理: no accepted voucher by the payment deadline


DISTRICT_BATCH_LABELS: dict[str, str] = {
    DistrictBatchStatus.CENTER_REVIEW: "职保中心确认中",
    DistrictBatchStatus.COMPLETED: "已完成",
    DistrictBatchStatus.NOT_ACCEPTED: "未被受理",
}


class VoucherStatus(StrEnum):
    UPLOADED = "uploaded"  # 待审核
    ACCEPTED = "accepted"  # 已通过
    REJECTED = "rejected"  # 已驳回 (with the center's reason)


VOUCHER_LABELS: dict[str, str] = {
    VoucherStatus.UPLOADED: "待审核",
    VoucherStatus.ACCEPTED: "已通过",
    VoucherStatus.REJECTED: "已驳回",
}

#: A grassroots batch's server status as the clerk reads it (manual §3.2.8; SPEC §5.9).
SUBMISSION_STATUS_LABELS: dict[str, str] = {
    "under_review": "区局确认中",
    "returned": "退回",
    "approved": "区局确认中",  # the first wave's district approval: still the district's
    "completed": "已完成",
    "not_accepted": "未被受理",
}

#: Voucher photos: what the server takes (checked to be an image of this kind, EXIF removed).
VOUCHER_TYPES: dict[str, str] = {"image/jpeg": "JPEG", "image/png": "PNG"}
MAX_VOUCHER_BYTES = 8 * 1024 * 1024
MAX_VOUCHERS_PER_BATCH = 10
#: Longest reason a reviewer or the center may give (退回 / 驳回).
MAX_REASON_CHARS = 500
#: Most batches one 添加至待提交 may name.
MAX_BATCHES_PER_DECISION = 2000

"""缴费凭证 (manual §4.7–4.8): the district uploads photos of its transfer to a district batch;
the center accepts one (the batch and every grassroots batch in it: 已完成) or rejects it with a
reason the district reads; after the campaign's voucher deadline a batch with no accepted
voucher becomes 未被受理, on both levels (RULES.md "Fees": its members may then be enrolled
instantly).

An upload must be a JPEG or PNG that Pillow decodes whole, within the size limits; it is stored
re-encoded from its pixels, so EXIF (camera, GPS, time) and anything appended never reach the
center's screen.
"""
from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from typing import Any

from PIL import Image, UnidentifiedImageError

from app.protocol import SubmissionStatus, format_timestamp
from app.protocol.superior import (
    DISTRICT_BATCH_LABELS,
    MAX_REASON_CHARS,
    MAX_VOUCHER_BYTES,
    MAX_VOUCHERS_PER_BATCH,
    VOUCHER_LABELS,
    VOUCHER_TYPES,
    DistrictBatchStatus,
    VoucherStatus,
)
from server.accounts import audit
from server.campaigns import day_end
from server.db import is_sqlite, write_tx
from server.models import BatchReview, Campaign, DistrictBatch, Enrollment, Submission, Union, User, Voucher
from server.problems import ProblemError
from server.settings import ServerContext
from server.superior.review import publish
from server.superior.scope import district_union, require_center

MAX_PIXELS = 40_000_000  # a 40-megapixel photo; more is a decompression bomb, not a receipt


def clean_image(data: bytes, content_type: str) -> tuple[bytes, str, int, int]:
    """The photo re-encoded from its pixels (no EXIF, nothing appended): (bytes, type, w, h);
    ProblemError voucher_invalid when it is not a whole JPEG/PNG within the limits."""
    if not data:
        raise ProblemError("voucher_invalid", "文件是空的")
    if len(data) > MAX_VOUCHER_BYTES:
        raise ProblemError("voucher_invalid", f"照片超过 {MAX_VOUCHER_BYTES // (1024 * 1024)} MB")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
            if kind not in VOUCHER_TYPES.values() or VOUCHER_TYPES.get(content_type) != kind:
                raise ProblemError("voucher_invalid", "只接受 JPEG 或 PNG 照片")
            if width * height > MAX_PIXELS:
                raise ProblemError("voucher_invalid", "照片像素过多，请缩小后上传")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            pixels = image.convert("RGB") if kind == "JPEG" or image.mode not in ("RGB", "RGBA", "L") else image.copy()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ProblemError("voucher_invalid", "文件不是完整的 JPEG 或 PNG 图片") from None
    out = io.BytesIO()
    if kind == "JPEG":
        pixels.save(out, format="JPEG", quality=90)
    else:
        pixels.save(out, format="PNG", optimize=True)
    return out.getvalue(), content_type, width, height


def _district_batch(own: Union, batch_no: str) -> DistrictBatch:
    batch = DistrictBatch.get_or_none((DistrictBatch.batch_no == batch_no) & (DistrictBatch.union == own))
    if batch is None:
        raise ProblemError("union_scope", f"区局批次 {batch_no} 不是本工会的")
    return batch


def voucher_info(voucher: Voucher) -> dict[str, Any]:
    return {"id": voucher.id, "status": voucher.status, "status_label": VOUCHER_LABELS.get(voucher.status, ""),
            "content_type": voucher.content_type, "width": voucher.width, "height": voucher.height,
            "sha256": voucher.sha256, "uploaded_at": voucher.uploaded.isoformat() + "Z",
            "reason": voucher.reason}


def batch_info(batch: DistrictBatch) -> dict[str, Any]:
    union = Union.get_by_id(batch.union_id)
    vouchers = list(Voucher.select().where(Voucher.district_batch == batch).order_by(Voucher.id))
    return {"batch_no": batch.batch_no, "plan_year": batch.plan_year, "status": batch.status,
            "status_label": DISTRICT_BATCH_LABELS.get(batch.status, batch.status),
            "union": {"org_code": union.org_code, "name": union.name}, "counts": dict(batch.counts),
            "channels": dict(batch.channels), "totals": dict(batch.totals), "amount": str(batch.amount),
            "member_count": sum(dict(batch.counts).values()), "submitted_at": batch.submitted.isoformat() + "Z",
            "updated_at": batch.updated.isoformat() + "Z",
            "voucher_uploaded_at": vouchers[-1].uploaded.isoformat() + "Z" if vouchers else None,
            "vouchers": [voucher_info(v) for v in vouchers]}


def upload(ctx: ServerContext, user: User, batch_no: str, data: bytes, content_type: str) -> dict[str, Any]:
    """A district adds a voucher photo to its batch (again after a rejection, never once accepted)."""
    own = district_union(user)
    image, kind, width, height = clean_image(data, content_type)
    with write_tx():
        batch = _district_batch(own, batch_no)
        if batch.status != DistrictBatchStatus.CENTER_REVIEW:
            raise ProblemError("batch_state", f"区局批次已是“{DISTRICT_BATCH_LABELS[batch.status]}”，不能再上传凭证")
        if Voucher.select().where(Voucher.district_batch == batch).count() >= MAX_VOUCHERS_PER_BATCH:
            raise ProblemError("validation", f"每个批次最多上传 {MAX_VOUCHERS_PER_BATCH} 张凭证")
        now = ctx.now_naive()
        voucher = Voucher.create(district_batch=batch, uploaded_by=user, uploaded=now, content_type=kind,
                                 image=image, sha256=hashlib.sha256(image).hexdigest(), width=width, height=height)
        batch.updated = now
        batch.save()
        audit(ctx, "voucher_upload", user=user, union=own, entity="district_batch", entity_key=batch.batch_no,
              detail={"voucher": voucher.id, "bytes": len(image)})
    return voucher_info(voucher)


def district_batches(user: User) -> dict[str, Any]:
    own = district_union(user)
    rows = DistrictBatch.select().where(DistrictBatch.union == own).order_by(DistrictBatch.id.desc()).limit(500)
    return {"batches": [batch_info(b) for b in rows]}


def center_batches(user: User, status: str | None) -> dict[str, Any]:
    require_center(user)
    query = DistrictBatch.select().order_by(DistrictBatch.submitted, DistrictBatch.id)
    if status:
        query = query.where(DistrictBatch.status == status)
    return {"batches": [batch_info(b) for b in query.limit(2000)]}


def voucher_image(user: User, voucher_id: int) -> tuple[bytes, str]:
    """A voucher photo for the center, or for the district that uploaded it."""
    voucher = Voucher.get_or_none(Voucher.id == voucher_id)
    if voucher is None:
        raise ProblemError("not_found", "没有这张凭证")
    if user.role != "center":
        own = district_union(user)
        if DistrictBatch.get_by_id(voucher.district_batch_id).union_id != own.id:
            raise ProblemError("union_scope")
    return bytes(voucher.image), voucher.content_type


def _finish(ctx: ServerContext, batch: DistrictBatch, status: str, actor: User | None) -> None:
    """Set the district batch's status and carry it to its grassroots batches and their feeds."""
    now = ctx.now_naive()
    batch.status, batch.decided, batch.decided_by, batch.updated = status, now, actor, now
    batch.save()
    if status == DistrictBatchStatus.NOT_ACCEPTED:
        ids = [r.submission_id for r in BatchReview.select(BatchReview.submission).where(
            BatchReview.district_batch == batch)]
        Submission.update(status=SubmissionStatus.NOT_ACCEPTED, decided=now).where(Submission.id.in_(ids)).execute()
        Enrollment.delete().where(Enrollment.submission.in_(ids)).execute()
    for review in BatchReview.select().where(BatchReview.district_batch == batch):
        publish(ctx, Submission.get_by_id(review.submission_id), review)


def _center_batch(batch_no: str) -> DistrictBatch:
    query = DistrictBatch.select().where(DistrictBatch.batch_no == batch_no)
    if not is_sqlite():
        query = query.for_update()
    batch = query.first()
    if batch is None:
        raise ProblemError("not_found", f"没有区局批次 {batch_no}")
    if batch.status != DistrictBatchStatus.CENTER_REVIEW:
        raise ProblemError("batch_state", f"区局批次已是“{DISTRICT_BATCH_LABELS[batch.status]}”")
    return batch


def _latest_voucher(batch: DistrictBatch) -> Voucher:
    voucher = (Voucher.select().where((Voucher.district_batch == batch) & (Voucher.status == VoucherStatus.UPLOADED))
               .order_by(Voucher.id.desc()).first())
    if voucher is None:
        raise ProblemError("batch_state", "该批次没有待审核的缴费凭证")
    return voucher


def accept(ctx: ServerContext, user: User, batch_no: str) -> dict[str, Any]:
    """The center accepts the latest voucher: the district batch and its grassroots batches 已完成."""
    require_center(user)
    with write_tx():
        batch = _center_batch(batch_no)
        voucher = _latest_voucher(batch)
        voucher.status, voucher.decided, voucher.decided_by = VoucherStatus.ACCEPTED, ctx.now_naive(), user
        voucher.save()
        _finish(ctx, batch, DistrictBatchStatus.COMPLETED, user)
        audit(ctx, "voucher_accept", user=user, union=Union.get_by_id(batch.union_id), entity="district_batch",
              entity_key=batch.batch_no, detail={"voucher": voucher.id})
        return batch_info(batch)


def reject(ctx: ServerContext, user: User, batch_no: str, reason: str) -> dict[str, Any]:
    """The center rejects the latest voucher with a reason; the district may upload again."""
    require_center(user)
    text = (reason or "").strip()
    if not text or len(text) > MAX_REASON_CHARS:
        raise ProblemError("validation", f"驳回时必须填写原因（最多 {MAX_REASON_CHARS} 个字），区局会看到它")
    with write_tx():
        batch = _center_batch(batch_no)
        voucher = _latest_voucher(batch)
        voucher.status, voucher.reason = VoucherStatus.REJECTED, text
        voucher.decided, voucher.decided_by = ctx.now_naive(), user
        voucher.save()
        batch.updated = ctx.now_naive()
        batch.save()
        audit(ctx, "voucher_reject", user=user, union=Union.get_by_id(batch.union_id), entity="district_batch",
              entity_key=batch.batch_no, detail={"voucher": voucher.id, "reason": text})
        return batch_info(batch)


def expire_unpaid(ctx: ServerContext) -> int:
    """Every district batch still 职保中心确认中 after its campaign's voucher deadline (server
    clock, plus grace) becomes 未被受理 with its grassroots batches. Returns how many."""
    now = ctx.now()
    done = 0
    for campaign in Campaign.select():
        deadline = campaign.voucher_deadline or campaign.submission_window_end
        if now < day_end(deadline) + timedelta(seconds=campaign.grace_seconds):
            continue
        with write_tx():
            for batch in DistrictBatch.select().where((DistrictBatch.plan_year == campaign.plan_year)
                                                      & (DistrictBatch.status == DistrictBatchStatus.CENTER_REVIEW)):
                _finish(ctx, batch, DistrictBatchStatus.NOT_ACCEPTED, None)
                audit(ctx, "district_batch_not_accepted", union=Union.get_by_id(batch.union_id),
                      entity="district_batch", entity_key=batch.batch_no,
                      detail={"deadline": deadline.isoformat(), "at": format_timestamp(now)})
                done += 1
    return done

"""The district's and the center's work over HTTP: 待提交 totals, 提交至职保中心, district batches,
缴费凭证 upload, and the center's voucher decisions (server/superior/)."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from app.protocol.superior import MAX_REASON_CHARS, MAX_VOUCHER_BYTES, DistrictBatchStatus
from server.api import as_user, call, token
from server.problems import ProblemError
from server.settings import ServerContext
from server.superior import district, scope, vouchers

BatchNo = Annotated[str, Path(min_length=1, max_length=64)]


class SubmitIn(BaseModel):
    handler_name: str = Field(min_length=1, max_length=30, description="经办人姓名")
    handler_phone: str = Field(min_length=1, max_length=20, description="经办人手机号码")
    plan_year: int | None = Field(default=None, ge=2000, le=2100)


class RejectIn(BaseModel):
    reason: str = Field(min_length=1, max_length=MAX_REASON_CHARS, description="驳回原因, shown to the district")


async def _limited_body(request: Request) -> bytes:
    """The request body, refused once it passes the voucher limit (never read whole first)."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_VOUCHER_BYTES):
        raise ProblemError("voucher_invalid", f"照片超过 {MAX_VOUCHER_BYTES // (1024 * 1024)} MB")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_VOUCHER_BYTES:
            raise ProblemError("voucher_invalid", f"照片超过 {MAX_VOUCHER_BYTES // (1024 * 1024)} MB")
        chunks.append(chunk)
    return b"".join(chunks)


def _district_routes(ctx: ServerContext, api: APIRouter) -> None:
    @api.get("/district/totals", tags=["district"], summary="待提交参保列表的合计行 and the submission window")
    async def totals(plan_year: int | None = Query(default=None, ge=2000, le=2100),
                     access_token: str | None = Depends(token)) -> dict[str, Any]:
        return await call(as_user(ctx, access_token, lambda user: district.totals(ctx, user, plan_year)))

    @api.post("/district/submit", tags=["district"], summary="提交列表中的参保信息 to the center (final)")
    async def submit(body: SubmitIn, access_token: str | None = Depends(token)) -> dict[str, Any]:
        return await call(as_user(ctx, access_token, lambda user: district.submit(
            ctx, user, body.handler_name, body.handler_phone, body.plan_year)))

    @api.get("/district/batches", tags=["district"], summary="The district's batches to the center (参保批次管理)")
    async def batches(access_token: str | None = Depends(token)) -> dict[str, Any]:
        return await call(as_user(ctx, access_token, vouchers.district_batches))

    @api.post("/district/batches/{batch_no}/vouchers", tags=["district"],
              summary="Upload a 缴费凭证 photo (raw JPEG/PNG body, Content-Type image/jpeg or image/png)")
    async def upload(batch_no: BatchNo, request: Request, access_token: str | None = Depends(token)) -> dict[str, Any]:
        # Who is asking, before a byte of the photo is read.
        await call(as_user(ctx, access_token, scope.district_union))
        data = await _limited_body(request)
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        return await call(as_user(ctx, access_token,
                                  lambda user: vouchers.upload(ctx, user, batch_no, data, kind)))


def _center_routes(ctx: ServerContext, api: APIRouter) -> None:
    @api.get("/center/batches", tags=["center"], summary="District batches and their vouchers")
    async def batches(status: DistrictBatchStatus | None = Query(default=None),
                      access_token: str | None = Depends(token)) -> dict[str, Any]:
        return await call(as_user(ctx, access_token, lambda user: vouchers.center_batches(user, status)))

    @api.post("/center/batches/{batch_no}/accept", tags=["center"], summary="Accept the voucher: 已完成")
    async def accept(batch_no: BatchNo, access_token: str | None = Depends(token)) -> dict[str, Any]:
        return await call(as_user(ctx, access_token, lambda user: vouchers.accept(ctx, user, batch_no)))

    @api.post("/center/batches/{batch_no}/reject", tags=["center"], summary="Reject the voucher with a reason")
    async def reject(batch_no: BatchNo, body: RejectIn, access_token: str | None = Depends(token)) -> dict[str, Any]:
        return await call(as_user(ctx, access_token,
                                  lambda user: vouchers.reject(ctx, user, batch_no, body.reason)))

    @api.get("/vouchers/{voucher_id}", tags=["center"], summary="A voucher photo (center, or its district)",
             response_class=Response)
    async def image(voucher_id: Annotated[int, Path(ge=1, le=2**62)],
                    access_token: str | None = Depends(token)) -> Response:
        data, kind = await call(as_user(ctx, access_token, lambda user: vouchers.voucher_image(user, voucher_id)))
        return Response(data, media_type=kind)


def router(ctx: ServerContext) -> APIRouter:
    api = APIRouter()
    _district_routes(ctx, api)
    _center_routes(ctx, api)
    return api

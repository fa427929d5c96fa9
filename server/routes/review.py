"""集中参保审核 over HTTP: the 待审批 / 待提交 lists, one batch, 添加至待提交, 退回, 移除.

Who may call what is decided in server/superior/scope.py; a refusal is 403 union_scope.
"""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from app.protocol.superior import MAX_BATCHES_PER_DECISION, MAX_REASON_CHARS, ReviewQueue
from server.api import as_user, call, token
from server.settings import ServerContext
from server.superior import review
from server.superior.figures import subtree_figures

BatchNo = Annotated[str, Path(min_length=1, max_length=64)]


class ApproveIn(BaseModel):
    batches: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        min_length=1, max_length=MAX_BATCHES_PER_DECISION, description="batch numbers (批次编号)")


class ReturnIn(BaseModel):
    reason: str = Field(min_length=1, max_length=MAX_REASON_CHARS, description="退回原因, shown to the clerk")


def router(ctx: ServerContext) -> APIRouter:
    api = APIRouter(prefix="/review", tags=["review"])

    @api.get("/batches", summary="待审批参保列表 (queue=pending) or 待提交参保列表 (queue=ready)")
    async def list_batches(
        queue: ReviewQueue = Query(default=ReviewQueue.PENDING),
        name: str | None = Query(default=None, max_length=100),
        org_code: str | None = Query(default=None, max_length=32),
        received_from: date | None = Query(default=None),
        received_to: date | None = Query(default=None),
        parent: str | None = Query(default=None, max_length=32),
        plan_type: str | None = Query(default=None, max_length=10),
        channel: str | None = Query(default=None, max_length=10),
        kind: str | None = Query(default=None, max_length=20),
        plan_year: int | None = Query(default=None, ge=2000, le=2100),
        offset: int = Query(default=0, ge=0, le=10_000_000),
        limit: int = Query(default=100, ge=1, le=1000),
        access_token: str | None = Depends(token),
    ) -> dict[str, Any]:
        wanted = review.ReviewFilter(name=name, org_code=org_code, received_from=received_from,
                                     received_to=received_to, parent=parent, plan_type=plan_type,
                                     channel=channel, kind=kind, plan_year=plan_year)
        return await call(as_user(ctx, access_token,
                                  lambda user: review.list_batches(user, queue, wanted, offset, limit)))

    @api.get("/batches/{batch_no}", summary="One batch: masked roster, signature verified again")
    async def batch_detail(batch_no: BatchNo, access_token: str | None = Depends(token)) -> dict[str, Any]:
        return await call(as_user(ctx, access_token, lambda user: review.batch_detail(user, batch_no)))

    @api.post("/approve", summary="添加至待提交 (district) / 审核通过 (secondary), one result per batch")
    async def approve(body: ApproveIn, access_token: str | None = Depends(token)) -> dict[str, Any]:
        return await call(as_user(ctx, access_token, lambda user: review.approve(ctx, user, body.batches)))

    @api.post("/batches/{batch_no}/return", summary="退回 with a reason the clerk sees")
    async def return_batch(batch_no: BatchNo, body: ReturnIn,
                           access_token: str | None = Depends(token)) -> dict[str, Any]:
        return await call(as_user(ctx, access_token,
                                  lambda user: review.return_batch(ctx, user, batch_no, body.reason)))

    @api.post("/batches/{batch_no}/remove", summary="移除: out of 待提交, back to 待审批 (district)")
    async def remove(batch_no: BatchNo, access_token: str | None = Depends(token)) -> dict[str, Any]:
        return await call(as_user(ctx, access_token, lambda user: review.remove(ctx, user, batch_no)))

    @api.get("/figures", summary="业务工作台 figures over the caller's subtree (the center: the city)")
    async def figures(access_token: str | None = Depends(token)) -> dict[str, Any]:
        return await call(as_user(ctx, access_token, lambda user: subtree_figures(ctx, user)))

    return api


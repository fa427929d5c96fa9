"""撤销办卡批次 and 撤销办卡批次审核 over HTTP (server/card_withdrawals.py): a grassroots clerk's
request, the district's list and its decisions. Refusals are 403 union_scope / 409 batch_state."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from app.protocol.withdrawals import MAX_WITHDRAWAL_REASON
from server import card_withdrawals
from server.api import as_user, call, token
from server.settings import ServerContext

BatchNo = Annotated[str, Path(min_length=1, max_length=64)]
WithdrawalId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1, max_length=MAX_WITHDRAWAL_REASON)


def router(ctx: ServerContext) -> APIRouter:
    api = APIRouter(tags=["card withdrawals"])

    @api.post("/card-batches/{batch_no}/withdrawal", summary="撤销办卡批次: the clerk asks; the district decides")
    async def request(batch_no: BatchNo, body: ReasonIn, access_token: str | None = Depends(token)) -> dict[str, Any]:
        return await call(as_user(ctx, access_token, lambda user: card_withdrawals.request_withdrawal(
            ctx, user, batch_no, body.reason)))

    @api.get("/withdrawals", summary="撤销办卡批次审核: the district's requests (status pending, or empty for all)")
    async def listing(status: str = Query(default="pending", max_length=20),
                      access_token: str | None = Depends(token)) -> dict[str, Any]:
        return await call(as_user(ctx, access_token, lambda user: card_withdrawals.list_withdrawals(user, status)))

    @api.post("/withdrawals/{withdrawal_id}/approve", summary="同意撤销: the batch withdrawn, its members free again")
    async def approve(withdrawal_id: WithdrawalId, access_token: str | None = Depends(token)) -> dict[str, Any]:
        return await call(as_user(ctx, access_token, lambda user: card_withdrawals.decide(
            ctx, user, withdrawal_id, True)))

    @api.post("/withdrawals/{withdrawal_id}/refuse", summary="不同意撤销, with a reason the clerk reads")
    async def refuse(withdrawal_id: WithdrawalId, body: ReasonIn, access_token: str | None = Depends(token)) -> dict[str, Any]:
        return await call(as_user(ctx, access_token, lambda user: card_withdrawals.decide(
            ctx, user, withdrawal_id, False, body.reason)))

    return api

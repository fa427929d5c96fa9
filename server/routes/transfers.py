"""批量转移 over HTTP: POST /transfers (server/transfers.py decides who may move whom)."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from app.protocol import WireError
from app.protocol.transfers import MAX_TRANSFER_MEMBERS, MAX_TRANSFER_REASON, TransferRequest
from server import transfers
from server.api import as_user, call, token
from server.models import User
from server.problems import ProblemError
from server.settings import ServerContext


class TransferIn(BaseModel):
    key: str = Field(min_length=8, max_length=64, description="idempotency key (a uuid): a retry gets the first answer")
    to_union: str = Field(min_length=1, max_length=32, description="the receiving grassroots union's org code")
    reason: str = Field(min_length=1, max_length=MAX_TRANSFER_REASON, description="转移原因")
    id_numbers: list[Annotated[str, Field(min_length=1, max_length=32)]] = Field(
        min_length=1, max_length=MAX_TRANSFER_MEMBERS, description="the members' ID numbers")
    from_union: str | None = Field(default=None, max_length=32,
                                   description="the releasing union's org code (a superior's move); default the caller's")


def router(ctx: ServerContext) -> APIRouter:
    api = APIRouter(tags=["transfers"])

    @api.post("/transfers", summary="批量转移: move members to another grassroots union, with their history")
    async def transfer(body: TransferIn, access_token: str | None = Depends(token)) -> dict[str, Any]:
        def run(user: User) -> dict[str, Any]:
            try:
                request = TransferRequest.from_wire(body.model_dump(exclude_none=True))
            except WireError as error:
                raise ProblemError("validation", error.detail) from None
            return transfers.transfer(ctx, user, request)

        return await call(as_user(ctx, access_token, run))

    return api

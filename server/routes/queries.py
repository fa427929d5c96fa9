"""参保信息查询, 保障信息查询, 给付信息查询 over HTTP (server/superior/queries.py). The document
number travels in the request body, never in the URL, so no access log ever holds it."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from server.api import as_user, call, token
from server.problems import ProblemError
from server.settings import ServerContext
from server.superior import queries


class PersonIn(BaseModel):
    id_number: str = Field(min_length=1, max_length=40, description="证件号码 (full; answers carry it masked)")
    plan_year: int | None = Field(default=None, ge=2000, le=2100)


class CoverageIn(BaseModel):
    id_number: str | None = Field(default=None, max_length=40, description="a person's 证件号码 …")
    batch_no: str | None = Field(default=None, max_length=64, description="… or a batch's 批次编号")


class PayoutsIn(BaseModel):
    id_number: str | None = Field(default=None, max_length=40)
    plan_year: int | None = Field(default=None, ge=2000, le=2100)
    offset: int = Field(default=0, ge=0, le=10_000_000)
    limit: int = Field(default=500, ge=1, le=5000)


def router(ctx: ServerContext) -> APIRouter:
    api = APIRouter(prefix="/query", tags=["queries"])

    @api.post("/enrollments", summary="参保信息查询: a person's enrollments, any year, within the caller's scope")
    async def enrollments(body: PersonIn, access_token: str | None = Depends(token)) -> dict[str, Any]:
        return await call(as_user(ctx, access_token, lambda user: queries.person_enrollments(
            ctx, user, body.id_number, body.plan_year)))

    @api.post("/coverage", summary="保障信息查询: the coverage of a person (id_number) or of a batch (batch_no)")
    async def coverage(body: CoverageIn, access_token: str | None = Depends(token)) -> dict[str, Any]:
        if bool(body.id_number) == bool(body.batch_no):
            raise ProblemError("validation", "请填写证件号码或批次编号（二者选一）")
        if body.batch_no:
            batch_no = body.batch_no
            return await call(as_user(ctx, access_token, lambda user: queries.batch_coverage(ctx, user, batch_no)))
        return await call(as_user(ctx, access_token, lambda user: queries.person_enrollments(
            ctx, user, str(body.id_number))))

    @api.post("/payouts", summary="给付信息查询: claims paid to people of the caller's scope")
    async def payouts(body: PayoutsIn, access_token: str | None = Depends(token)) -> dict[str, Any]:
        return await call(as_user(ctx, access_token, lambda user: queries.payouts(
            user, body.id_number, body.plan_year, body.offset, body.limit)))

    return api

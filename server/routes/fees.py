"""保障金额设置 and 参保批次管理's downloads over HTTP: the fee table (GET /fees), a change of one
plan type's split (POST /fees), the statistics table's rows (GET /district/statistics) and a district
batch's notice figures again (GET /district/batches/{batch_no}/notice) — server/superior/."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from app.rules.codes import PlanType
from server.api import as_user, call, token
from server.campaigns import current_campaign
from server.models import User
from server.settings import ServerContext
from server.superior import district, fees, statistics, vouchers
from server.superior.scope import district_union

Money = Annotated[str, Field(min_length=1, max_length=16, pattern=r"^\s*\d{1,9}(\.\d{1,2})?\s*$")]
Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]


class FeeIn(BaseModel):
    plan_type: PlanType
    plan_year: int | None = Field(default=None, ge=2000, le=2100)
    fee: Money | None = Field(default=None, description="参保费用 (元/人), the center only")
    city: Money | None = Field(default=None, description="市总统一划拨 (元/人), the center only")
    district: Money | None = Field(default=None, description="区局/各级工会默认缴纳 (元/人)")
    grassroots: Money | None = Field(default=None, description="基层单位默认缴纳 (元/人)")
    valid_from: Day | None = Field(default=None, description="有效期开始, the center only")
    valid_to: Day | None = Field(default=None, description="有效期结束, the center only")


def _notice(ctx: ServerContext, user: User, batch_no: str) -> dict[str, Any]:
    batch = vouchers._district_batch(district_union(user), batch_no)
    return district.receipt(ctx, batch, current_campaign(ctx, batch.plan_year))


def router(ctx: ServerContext) -> APIRouter:
    api = APIRouter()

    @api.get("/fees", tags=["district"], summary="保障金额设置: the fee table, the fee window, recent changes")
    async def show(plan_year: int | None = Query(default=None, ge=2000, le=2100),
                   access_token: str | None = Depends(token)) -> dict[str, Any]:
        return await call(as_user(ctx, access_token, lambda user: fees.show(ctx, user, plan_year)))

    @api.post("/fees", tags=["district"], summary="保存设置: a plan type's split (district: in the fee window)")
    async def save(body: FeeIn, access_token: str | None = Depends(token)) -> dict[str, Any]:
        values = body.model_dump(exclude={"plan_type", "plan_year"}, exclude_none=True)
        return await call(as_user(ctx, access_token, lambda user: fees.set_split(
            ctx, user, str(body.plan_type), values, body.plan_year)))

    @api.get("/district/statistics", tags=["district"], summary="集中参保统计表: one row per grassroots union")
    async def table(plan_year: int | None = Query(default=None, ge=2000, le=2100),
                    access_token: str | None = Depends(token)) -> dict[str, Any]:
        return await call(as_user(ctx, access_token, lambda user: statistics.statistics(ctx, user, plan_year)))

    @api.get("/district/batches/{batch_no}/notice", tags=["district"],
             summary="集中参保告知书 again: the district batch's notice figures")
    async def notice(batch_no: Annotated[str, Path(min_length=1, max_length=64)],
                     access_token: str | None = Depends(token)) -> dict[str, Any]:
        return await call(as_user(ctx, access_token, lambda user: _notice(ctx, user, batch_no)))

    return api

"""The union tree, the campaign's configuration and the notices: /unions, /campaigns/current, /notices."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from app.protocol import format_timestamp
from server import accounts, campaigns, notices
from server.api import as_user, call, token
from server.models import Union, User
from server.settings import ServerContext


def router(ctx: ServerContext) -> APIRouter:
    api = APIRouter()

    @api.get("/unions", tags=["organisation"], summary="The caller's union and its subordinates")
    async def list_unions(access_token: str | None = Depends(token)) -> dict[str, Any]:
        def run(user: User) -> dict[str, Any]:
            own = Union.get_by_id(user.union_id)
            query = Union.select().order_by(Union.path)
            if user.role != "center":
                query = query.where(Union.path.startswith(own.path))
            return {"unions": [accounts.union_info(u) for u in query.limit(10_000)]}

        return await call(as_user(ctx, access_token, run))

    @api.get("/campaigns/current", tags=["campaign"], summary="Plan types, fee split, windows, bank account")
    async def current_campaign(
        plan_year: int | None = Query(default=None, ge=2000, le=2100),
        union: str | None = Query(default=None, description="org code; default the caller's union"),
        access_token: str | None = Depends(token),
    ) -> dict[str, Any]:
        def run(user: User) -> dict[str, Any]:
            target = accounts.union_for(user, union)
            campaign = campaigns.current_campaign(ctx, plan_year)
            config = campaigns.campaign_config(campaign, target)
            config["server_time"] = format_timestamp(ctx.now())
            return config

        return await call(as_user(ctx, access_token, run))

    @api.get("/notices", tags=["organisation"], summary="Notices for the caller's union (帮助 → 查看通知)")
    async def get_notices(access_token: str | None = Depends(token)) -> dict[str, Any]:
        return await call(as_user(ctx, access_token, lambda user: notices.for_user(ctx, user)))

    return api

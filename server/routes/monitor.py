"""集中参保实时监控画面 over HTTP: the figures over the caller's scope and the unions behind one.

A district or secondary reviewer sees its subtree, the center the city; anyone else gets 403
union_scope (server/superior/figures.py scope_union)."""
from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from app.protocol.monitor import MAX_MONITOR_UNIONS, Figure
from server.api import as_user, call, token
from server.settings import ServerContext
from server.superior import monitor


def router(ctx: ServerContext) -> APIRouter:
    api = APIRouter(prefix="/monitor", tags=["monitor"])

    @api.get("", summary="集中参保实时监控: progress, members per channel, fee, per day, days to each deadline")
    async def figures(plan_year: int | None = Query(default=None, ge=2000, le=2100),
                      access_token: str | None = Depends(token)) -> dict[str, Any]:
        return await call(as_user(ctx, access_token, lambda user: monitor.monitor(ctx, user, plan_year)))

    @api.get("/unions", summary="The grassroots unions behind one figure of the monitor")
    async def unions(figure: Figure = Query(default=Figure.ALL), day: date | None = Query(default=None),
                     plan_year: int | None = Query(default=None, ge=2000, le=2100),
                     offset: int = Query(default=0, ge=0, le=MAX_MONITOR_UNIONS),
                     limit: int = Query(default=1000, ge=1, le=MAX_MONITOR_UNIONS),
                     access_token: str | None = Depends(token)) -> JSONResponse:
        # Plain JSON already (str, int, None): straight to the wire, not through FastAPI's encoder
        # walk, which took seconds for the city's 52,701 unions.
        return JSONResponse(await call(as_user(ctx, access_token, lambda user: monitor.unions(
            ctx, user, figure, plan_year, day, offset, limit))))

    return api

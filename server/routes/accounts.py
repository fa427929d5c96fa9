"""A superior union's management of its subordinate unions' accounts (server/account_admin.py):
GET/POST /users, POST /users/{username}/reset-password | lock | unlock, GET /users/{username}/audit.

Answers that may hold a generated password are never cached (SecurityHeaders sends no-store on
every answer); a refusal for an account or union outside the caller's subtree is `union_scope`,
the same whether or not it exists.
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from app.protocol.accounts import (
    MAX_ACCOUNTS_PAGE,
    MAX_DISPLAY_NAME,
    MAX_LOCK_REASON,
    MAX_PASSWORD,
    MAX_USERNAME,
)
from server import account_admin
from server.api import as_user, call, token
from server.settings import ServerContext


class CreateAccountIn(BaseModel):
    union: str = Field(min_length=1, max_length=64, description="the subordinate union's org code")
    username: str = Field(min_length=1, max_length=MAX_USERNAME)
    display_name: str = Field(default="", max_length=MAX_DISPLAY_NAME)
    role: str = Field(default="", max_length=20, description="default: clerk (grassroots) or reviewer")
    password: str | None = Field(default=None, min_length=1, max_length=MAX_PASSWORD,
                                 description="omit to let the server generate one (answered once)")


class ResetPasswordIn(BaseModel):
    new_password: str | None = Field(default=None, min_length=1, max_length=MAX_PASSWORD,
                                     description="omit to let the server generate one (answered once)")


class LockIn(BaseModel):
    reason: str = Field(default="", max_length=MAX_LOCK_REASON)


def router(ctx: ServerContext) -> APIRouter:
    api = APIRouter(tags=["accounts"])

    @api.get("/users", summary="Accounts of the caller's subordinate unions (one union with `union`)")
    async def list_accounts(
        union: str | None = Query(default=None, max_length=64, description="a subordinate union's org code"),
        q: str = Query(default="", max_length=100, description="account, name, union name or org code"),
        offset: int = Query(default=0, ge=0),
        limit: int = Query(default=200, ge=1, le=MAX_ACCOUNTS_PAGE),
        access_token: str | None = Depends(token),
    ) -> dict[str, Any]:
        return await call(as_user(ctx, access_token, lambda user: account_admin.list_accounts(
            ctx, user, union=union, text=q, offset=offset, limit=limit)))

    @api.post("/users", summary="Create an account for a subordinate union (it sets its own password at first login)")
    async def create_account(body: CreateAccountIn, access_token: str | None = Depends(token)) -> dict[str, Any]:
        return await call(as_user(ctx, access_token, lambda user: account_admin.create_account(
            ctx, user, union=body.union, username=body.username, display_name=body.display_name, role=body.role,
            password=body.password)))

    @api.post("/users/{username}/reset-password", summary="A superior union resets a subordinate account's password")
    async def reset_password(username: str, body: ResetPasswordIn | None = None,
                             access_token: str | None = Depends(token)) -> dict[str, Any]:
        given = body.new_password if body is not None else None
        return await call(as_user(ctx, access_token, lambda user: {"ok": True, **account_admin.reset_password(
            ctx, user, username, given)}))

    @api.post("/users/{username}/lock", summary="A superior union locks a subordinate account (no login until unlocked)")
    async def lock(username: str, body: LockIn | None = None,
                   access_token: str | None = Depends(token)) -> dict[str, Any]:
        reason = body.reason if body is not None else ""
        return await call(as_user(ctx, access_token, lambda user: {"ok": True, **account_admin.lock(
            ctx, user, username, reason)}))

    @api.post("/users/{username}/unlock",
              summary="A superior union lifts a subordinate account's lock and its failed-login throttling")
    async def unlock(username: str, access_token: str | None = Depends(token)) -> dict[str, Any]:
        return await call(as_user(ctx, access_token, lambda user: {"ok": True, **account_admin.unlock(
            ctx, user, username)}))

    @api.get("/users/{username}/audit", summary="Who created, reset, locked or unlocked a subordinate account")
    async def audit(username: str, access_token: str | None = Depends(token)) -> dict[str, Any]:
        return await call(as_user(ctx, access_token, lambda user: {"entries": account_admin.audit_trail(
            ctx, user, username)}))

    return api

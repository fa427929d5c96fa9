"""Logins and device keys: /auth/*, /me, /devices (a superior's account management: routes/accounts.py)."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from server import accounts, logins
from server.api import as_user, call, token
from server.problems import ProblemError
from server.settings import ServerContext


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    device_cookie: str | None = Field(default=None, max_length=256,
                                      description="the device cookie of an earlier login on this PC")


class ChangePasswordIn(LoginIn):
    new_password: str = Field(min_length=1, max_length=256)


class RefreshIn(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=256)


class DeviceIn(BaseModel):
    public_key: str = Field(min_length=1, max_length=128, description="base64 raw Ed25519 public key")
    label: str = Field(default="", max_length=100, description="e.g. the PC's name")


async def _delayed(action: Awaitable[dict[str, Any]]) -> dict[str, Any]:
    """A refused login waits its delay (without holding a thread) before it is answered."""
    try:
        return await action
    except ProblemError as error:
        if error.delay > 0:
            await asyncio.sleep(error.delay)
        raise


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def router(ctx: ServerContext) -> APIRouter:
    api = APIRouter(tags=["auth"])
    gate: logins.PasswordGate = ctx.password_gate

    @api.post("/auth/login", summary="Username + password → access and refresh tokens")
    async def login(body: LoginIn, request: Request, response: Response) -> dict[str, Any]:
        response.headers["Cache-Control"] = "no-store"
        return await _delayed(logins.login(ctx, gate, body.username, body.password, _address(request),
                                           body.device_cookie))

    @api.post("/auth/change-password",
              summary="Change one's own password (required after a superior's reset); answers like a login")
    async def change_password(body: ChangePasswordIn, request: Request, response: Response) -> dict[str, Any]:
        response.headers["Cache-Control"] = "no-store"
        return await _delayed(logins.change_password(ctx, gate, body.username, body.password, body.new_password,
                                                     _address(request), body.device_cookie))

    @api.post("/auth/refresh", summary="Swap a refresh token for a new token pair")
    async def refresh(body: RefreshIn, response: Response) -> dict[str, Any]:
        response.headers["Cache-Control"] = "no-store"
        return await call(accounts.refresh, ctx, body.refresh_token)

    @api.post("/auth/logout", summary="Revoke every token of the caller")
    async def logout(access_token: str | None = Depends(token)) -> dict[str, Any]:
        await call(as_user(ctx, access_token, lambda user: accounts.logout(ctx, user)))
        return {"ok": True}

    @api.get("/me", summary="The caller's account and union")
    async def me(access_token: str | None = Depends(token)) -> dict[str, Any]:
        return await call(as_user(ctx, access_token, accounts.user_info))

    @api.post("/devices", summary="Register this PC's Ed25519 public key")
    async def register_device(body: DeviceIn, access_token: str | None = Depends(token)) -> dict[str, Any]:
        return await call(as_user(ctx, access_token,
                                  lambda user: accounts.register_device(ctx, user, body.public_key, body.label)))

    @api.get("/devices", summary="The caller's registered PCs (newest first)")
    async def list_devices(response: Response, access_token: str | None = Depends(token)) -> dict[str, Any]:
        response.headers["Cache-Control"] = "no-store"
        return await call(as_user(ctx, access_token, accounts.list_devices))

    @api.post("/devices/{fingerprint}/revoke", summary="Stop accepting a device key")
    async def revoke_device(fingerprint: str, access_token: str | None = Depends(token)) -> dict[str, Any]:
        await call(as_user(ctx, access_token, lambda user: accounts.revoke_device(ctx, user, fingerprint)))
        return {"ok": True}

    return api

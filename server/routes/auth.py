"""Accounts and device keys: /auth/*, /me, /devices, password resets."""
from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from server import accounts
from server.api import as_user, call, token
from server.problems import ProblemError
from server.settings import ServerContext


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class RefreshIn(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=256)


class DeviceIn(BaseModel):
    public_key: str = Field(min_length=1, max_length=128, description="base64 raw Ed25519 public key")
    label: str = Field(default="", max_length=100, description="e.g. the PC's name")


class ResetPasswordIn(BaseModel):
    new_password: str = Field(min_length=8, max_length=256)


def router(ctx: ServerContext) -> APIRouter:
    api = APIRouter(tags=["auth"])

    @api.post("/auth/login", summary="Username + password → access and refresh tokens")
    async def login(body: LoginIn, response: Response) -> dict[str, Any]:
        response.headers["Cache-Control"] = "no-store"
        try:
            return await call(accounts.login, ctx, body.username, body.password)
        except ProblemError as error:
            if error.delay > 0:
                await asyncio.sleep(error.delay)
            raise

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

    @api.post("/devices/{fingerprint}/revoke", summary="Stop accepting a device key")
    async def revoke_device(fingerprint: str, access_token: str | None = Depends(token)) -> dict[str, Any]:
        await call(as_user(ctx, access_token, lambda user: accounts.revoke_device(ctx, user, fingerprint)))
        return {"ok": True}

    @api.post("/users/{username}/reset-password", summary="A superior union resets a subordinate account's password")
    async def reset_password(username: str, body: ResetPasswordIn,
                             access_token: str | None = Depends(token)) -> dict[str, Any]:
        await call(as_user(ctx, access_token, lambda user: accounts.reset_password(
            ctx, actor=user, username=username, new_password=body.new_password)))
        return {"ok": True}

    return api

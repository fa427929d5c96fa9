"""What every route module shares: the caller's bearer token, running database work on a worker
thread inside one `session()`, and the uniform token check before it.

Route modules (server/routes/) each build an `APIRouter` for one concern with `router(ctx)`;
`create_app` includes them. A new concern is a new module there and one line in server/app.py.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from server import accounts
from server.db import session
from server.settings import ServerContext

T = TypeVar("T")

bearer = HTTPBearer(auto_error=False)


async def token(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> str | None:
    """The request's bearer token, if any (checked by `as_user`)."""
    return credentials.credentials if credentials is not None else None


async def call(fn: Callable[..., T], *args: Any) -> T:
    """fn(*args) on a worker thread, inside one database session."""

    def run() -> T:
        with session():
            return fn(*args)

    return await run_in_threadpool(run)


def as_user(ctx: ServerContext, access_token: str | None, fn: Callable[..., T], *args: Any) -> Callable[[], T]:
    """fn(user, *args) after the uniform token check, on the same thread and session."""

    def run() -> T:
        user = accounts.authenticate(ctx, access_token)
        return fn(user, *args)

    return run

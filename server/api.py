"""What every route module shares: the caller's bearer token, running database work on a worker
thread inside one `session()`, and the uniform token check before it.

Route modules (server/routes/) each build an `APIRouter` for one concern with `router(ctx)`;
`create_app` includes them. A new concern is a new module there and one line in server/app.py.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from server import accounts
from server.db import session
from server.models import User
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


#: Where a request's scope keeps the user its token was checked for before its body was read
#: (server/app.py's precheck of a push): the route does not check it a second time.
CHECKED_USER = "union_checked_user"


def checked_user(request: Request) -> User | None:
    """The user the request's token was already checked for, if it was."""
    state = request.scope.get("state")
    return state.get(CHECKED_USER) if isinstance(state, dict) else None


def as_user(ctx: ServerContext, access_token: str | None, fn: Callable[..., T], *args: Any,
            checked: User | None = None) -> Callable[[], T]:
    """fn(user, *args) after the uniform token check (done already: `checked`), on the same thread
    and session."""

    def run() -> T:
        user = checked if checked is not None else accounts.authenticate(ctx, access_token)
        return fn(user, *args)

    return run

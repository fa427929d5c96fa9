"""Pure ASGI middleware of the central server (no request body is ever read here).

`RequestLimits` — a body over its route's limit is refused before it is read (see the class).
`SecurityHeaders` — every answer carries `Cache-Control: no-store` (answers hold members' personal
data, tokens or signed batches: no proxy or browser cache may keep them) and
`X-Content-Type-Options: nosniff` (a browser never guesses a type other than the one sent).
"""
from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.protocol import message_for

if TYPE_CHECKING:
    from server.problems import ProblemError


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Cache-Control"] = "no-store"
                headers["X-Content-Type-Options"] = "nosniff"
            await send(message)

        await self.app(scope, receive, send_with_headers)


Refusal = Callable[[Scope], Awaitable["ProblemError | None"]]


class RequestLimits:
    """Refuse a request body over its route's limit before it is read.

    `limit_for(path)` gives the route's limit in bytes. A declared Content-Length over it is
    refused at once (413); a body that streams past it (chunked, or longer than declared) is cut
    off and refused the moment it does. `precheck(scope)`, for the routes in `checked_paths`, runs
    before a byte is read (the bearer token, for /push): an anonymous caller cannot make the
    server read megabytes before it is told no."""

    def __init__(self, app: ASGIApp, *, limit_for: Callable[[str], int], precheck: Refusal,
                 checked_paths: frozenset[str]) -> None:
        self.app = app
        self.limit_for = limit_for
        self.precheck = precheck
        self.checked_paths = checked_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(send, limit)
            return
        if scope["path"] in self.checked_paths:
            refused = await self.precheck(scope)
            if refused is not None:
                await _answer(send, refused.status, refused.body(),
                              {"WWW-Authenticate": "Bearer"} if refused.status == 401 else {})
                return
        received = 0
        answered = False

        async def capped_receive() -> Message:
            nonlocal received, answered
            message = await receive()
            if message["type"] == "http.request" and not answered:
                received += len(message.get("body", b""))
                if received > limit:
                    answered = True
                    await _too_large(send, limit)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not answered:  # after our 413 the app's own answer goes nowhere
                await send(message)

        await self.app(scope, capped_receive, guarded_send)


async def _answer(send: Send, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
           (b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff")]
    raw += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": data})


async def _too_large(send: Send, limit: int) -> None:
    detail = f"请求内容超过 {limit // 1024} KB，服务器未受理。请分批上传，或缩小告知书 PDF。"
    await _answer(send, 413, {"problem": "validation", "message": message_for("validation"), "detail": detail},
                  {"Connection": "close"})

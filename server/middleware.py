"""Pure ASGI middleware of the central server (no request body is ever read here).

`SecurityHeaders` — every answer carries `Cache-Control: no-store` (answers hold members' personal
data, tokens or signed batches: no proxy or browser cache may keep them) and
`X-Content-Type-Options: nosniff` (a browser never guesses a type other than the one sent).
"""
from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


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

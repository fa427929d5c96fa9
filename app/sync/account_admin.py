"""A superior union's account management over the central server (账号管理; server/account_admin.py):
list its subordinate unions' accounts, create one, reset a password, lock, unlock.

Online only: each call answers now or raises `Offline` / `ServerProblem` (app.sync.client). A change
is sent once, never retried blindly. A password the server generated comes back once in the
answer; nothing here keeps or logs it.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from app.sync.client import ServerClient


def _user(username: str) -> str:
    return "/users/" + quote(username, safe="")


class AccountAdminApi:
    """One superior account's management of the accounts below it, over its `ServerClient`."""

    def __init__(self, client: ServerClient) -> None:
        self.client = client

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self.client._json("POST", path, json=body, retry=False))

    def accounts(self, union: str | None = None, query: str = "", offset: int = 0, limit: int = 200) -> dict[str, Any]:
        """One page: {"total", "offset", "accounts": [row, …]} (rows: app.protocol.accounts)."""
        params: dict[str, Any] = {"offset": offset, "limit": limit}
        if union:
            params["union"] = union
        if query:
            params["q"] = query
        return dict(self.client._json("GET", "/users", params=params))

    def create(self, union: str, username: str, display_name: str = "", password: str | None = None,
               role: str = "") -> dict[str, Any]:
        body: dict[str, Any] = {"union": union, "username": username, "display_name": display_name}
        if role:
            body["role"] = role
        if password:
            body["password"] = password
        return self._post("/users", body)

    def reset_password(self, username: str, password: str | None = None) -> dict[str, Any]:
        return self._post(_user(username) + "/reset-password", {"new_password": password} if password else {})

    def lock(self, username: str, reason: str = "") -> dict[str, Any]:
        return self._post(_user(username) + "/lock", {"reason": reason})

    def unlock(self, username: str) -> dict[str, Any]:
        return self._post(_user(username) + "/unlock", {})

    def audit(self, username: str) -> list[dict[str, Any]]:
        return list(self.client._json("GET", _user(username) + "/audit")["entries"])

    def unions(self) -> list[dict[str, Any]]:
        """The unions whose accounts this account manages: those below its own (GET /unions lists
        the own union first — its path is the prefix of every other — then its subordinates)."""
        return list(self.client._json("GET", "/unions")["unions"])[1:]

"""参保信息查询, 保障信息查询, 给付信息查询 on the central server (server/superior/queries.py): any
signed-in account, each within its own scope. Online only; read-only, so a call may be retried.
The document number goes in the request body, never in a URL."""
from __future__ import annotations

from typing import Any

from app.sync.client import ServerClient


class QueryApi:
    """One account's queries over its `ServerClient`."""

    def __init__(self, client: ServerClient) -> None:
        self.client = client

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self.client._json("POST", path, json={k: v for k, v in body.items() if v not in (None, "")}))

    def enrollments(self, id_number: str, plan_year: int | None = None) -> dict[str, Any]:
        """参保信息查询: {"id_masked", "total", "rows"} of one person, newest year first."""
        return self._post("/query/enrollments", {"id_number": id_number, "plan_year": plan_year})

    def coverage(self, *, id_number: str | None = None, batch_no: str | None = None) -> dict[str, Any]:
        """保障信息查询 of a person or of a batch: {"total", "rows", …}."""
        return self._post("/query/coverage", {"id_number": id_number, "batch_no": batch_no})

    def payouts(self, id_number: str | None = None, plan_year: int | None = None,
                offset: int = 0, limit: int = 500) -> dict[str, Any]:
        """给付信息查询: {"total", "amount", "rows"}."""
        return self._post("/query/payouts", {"id_number": id_number, "plan_year": plan_year,
                                             "offset": offset or None, "limit": limit})

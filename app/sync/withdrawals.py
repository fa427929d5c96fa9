"""撤销办卡批次 (a grassroots clerk's request) and 撤销办卡批次审核 (the district's decisions) on the
central server (server/card_withdrawals.py). Online only; decisions are sent once, never retried
blindly. The batch's new state reaches the clerk's PC with the next pull (card_batch changes)."""
from __future__ import annotations

from typing import Any

from app.sync.client import ServerClient


class WithdrawalApi:
    def __init__(self, client: ServerClient) -> None:
        self.client = client

    def request(self, batch_no: str, reason: str) -> dict[str, Any]:
        return dict(self.client._json("POST", f"/card-batches/{batch_no}/withdrawal", json={"reason": reason},
                                      retry=False))

    def listing(self, status: str = "pending") -> dict[str, Any]:
        """{"total", "withdrawals"}: the district's requests to decide ("" for all), or a clerk's own."""
        return dict(self.client._json("GET", "/withdrawals", params={"status": status}))

    def approve(self, withdrawal_id: int) -> dict[str, Any]:
        return dict(self.client._json("POST", f"/withdrawals/{withdrawal_id}/approve", json={}, retry=False))

    def refuse(self, withdrawal_id: int, reason: str) -> dict[str, Any]:
        return dict(self.client._json("POST", f"/withdrawals/{withdrawal_id}/refuse", json={"reason": reason},
                                      retry=False))

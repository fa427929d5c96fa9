"""保障金额设置 and 参保批次管理's downloads over the central server (server/routes/fees.py): the fee
table and a change of one plan type's split, the 集中参保统计表 rows, a district batch's notice
figures again. Online only: each call answers now or raises `Offline` / `ServerProblem`
(app.sync.client); a change is sent once, never retried blindly.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from app.sync.client import ServerClient


class FeesApi:
    """One superior account's fee split and statistics, over its `ServerClient`."""

    def __init__(self, client: ServerClient) -> None:
        self.client = client

    def fees(self, plan_year: int | None = None) -> dict[str, Any]:
        """{"scope", "editable", "window", "plan_types": [...], "history": [...]} for the account's union."""
        params = {"plan_year": plan_year} if plan_year else None
        return dict(self.client._json("GET", "/fees", params=params))

    def set_fees(self, plan_type: str, plan_year: int | None = None, **values: str) -> dict[str, Any]:
        """保存设置 of one plan type: district/grassroots (a district), or every figure (the center)."""
        body: dict[str, Any] = {"plan_type": plan_type, "plan_year": plan_year,
                                **{k: v for k, v in values.items() if v not in (None, "")}}
        return dict(self.client._json("POST", "/fees", json=body, retry=False))

    def statistics(self, plan_year: int | None = None) -> dict[str, Any]:
        """The 集中参保统计表 rows and totals (the district's unions; the center: the city's)."""
        params = {"plan_year": plan_year} if plan_year else None
        return dict(self.client._json("GET", "/district/statistics", params=params))

    def district_notice(self, batch_no: str) -> dict[str, Any]:
        """The receipt of a district batch (its notice's figures), to print 集中参保告知书 again."""
        return dict(self.client._json("GET", f"/district/batches/{quote(batch_no, safe='')}/notice"))

"""The superior side's calls to the central server (集中参保审核, 待提交, 提交至职保中心, 缴费凭证,
the center's decisions). Online only: each call answers now or raises `Offline` / `ServerProblem`
(app.sync.client). Decisions are sent once, never retried blindly (a retry could act twice).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from app.protocol.monitor import MAX_MONITOR_UNIONS
from app.protocol.superior import ReviewQueue
from app.sync.client import ServerClient


class SuperiorApi:
    """One account's superior-side work over its `ServerClient`."""

    def __init__(self, client: ServerClient) -> None:
        self.client = client

    def _get(self, path: str, **params: Any) -> Any:
        return self.client._json("GET", path, params={k: v for k, v in params.items() if v not in (None, "")})

    def _post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client._json("POST", path, json=body or {}, retry=False)

    def figures(self) -> dict[str, Any]:
        """业务工作台 over the account's subtree: 会员数, 基层工会组织数, 覆盖企业数, joins by month."""
        return dict(self._get("/review/figures"))

    def campaign(self, plan_year: int | None = None) -> dict[str, Any]:
        """The campaign as the server serves it now (参保活动配置)."""
        return dict(self.client.campaign(plan_year))

    # ---- 集中参保实时监控 ------------------------------------------------------------------
    def monitor(self, plan_year: int | None = None) -> dict[str, Any]:
        """The campaign's figures over the account's subtree (the center: the city)."""
        return dict(self._get("/monitor", plan_year=plan_year))

    def monitor_unions(self, figure: str, day: str | None = None, plan_year: int | None = None,
                       limit: int = MAX_MONITOR_UNIONS) -> dict[str, Any]:
        """The grassroots unions behind one figure of the monitor (figure "day" with day=YYYY-MM-DD)."""
        return dict(self._get("/monitor/unions", figure=figure, day=day, plan_year=plan_year, limit=limit))

    # ---- 集中参保审核 ----------------------------------------------------------------------
    def review_list(self, queue: str = ReviewQueue.PENDING, **filters: Any) -> dict[str, Any]:
        """One page of the 待审批 (pending) or 待提交 (ready) list: {"total", "batches", …}."""
        return dict(self._get("/review/batches", queue=str(queue), **filters))

    def review_detail(self, batch_no: str) -> dict[str, Any]:
        return dict(self._get(f"/review/batches/{batch_no}"))

    def notice_pdf(self, submission_id: int) -> bytes:
        return self.client.submission_pdf(submission_id)

    def approve(self, batch_nos: list[str]) -> dict[str, Any]:
        return dict(self._post("/review/approve", {"batches": list(batch_nos)}))

    def return_batch(self, batch_no: str, reason: str) -> dict[str, Any]:
        return dict(self._post(f"/review/batches/{batch_no}/return", {"reason": reason}))

    def remove(self, batch_no: str) -> dict[str, Any]:
        return dict(self._post(f"/review/batches/{batch_no}/remove"))

    # ---- the district --------------------------------------------------------------------
    def district_totals(self, plan_year: int | None = None) -> dict[str, Any]:
        return dict(self._get("/district/totals", plan_year=plan_year))

    def district_submit(self, handler_name: str, handler_phone: str, plan_year: int | None = None) -> dict[str, Any]:
        return dict(self._post("/district/submit", {"handler_name": handler_name, "handler_phone": handler_phone,
                                                    "plan_year": plan_year}))

    def district_batches(self) -> list[dict[str, Any]]:
        return list(self._get("/district/batches")["batches"])

    def voucher_upload(self, batch_no: str, path: Path) -> dict[str, Any]:
        data = Path(path).read_bytes()
        kind = "image/png" if data[:8] == b"\x89PNG\r\n\x1a\n" else "image/jpeg"
        return dict(self.client._json("POST", f"/district/batches/{batch_no}/vouchers", data=data,
                                      headers={"Content-Type": kind}, retry=False))

    # ---- the center ----------------------------------------------------------------------
    def center_batches(self, status: str | None = None) -> list[dict[str, Any]]:
        return list(self._get("/center/batches", status=status)["batches"])

    def center_accept(self, batch_no: str) -> dict[str, Any]:
        return dict(self._post(f"/center/batches/{batch_no}/accept"))

    def center_reject(self, batch_no: str, reason: str) -> dict[str, Any]:
        return dict(self._post(f"/center/batches/{batch_no}/reject", {"reason": reason}))

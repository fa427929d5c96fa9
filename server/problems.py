"""Errors the server answers with: a stable problem code, its Chinese message and an HTTP status.

Raise `ProblemError(code, detail)` anywhere below the HTTP layer; the app turns it into
`{"problem": code, "message": …, "detail": …}` with the status below, and a push turns it into that
record's error result. Details never carry secrets or full ID numbers.
"""
from __future__ import annotations

from typing import Any

from app.protocol import message_for

HTTP_STATUS: dict[str, int] = {
    "auth_failed": 401,
    "token_expired": 401,
    "account_locked": 423,
    "union_type_unsupported": 403,
    "union_scope": 403,
    "unknown_device": 403,
    "bad_signature": 400,
    "replayed_nonce": 409,
    "stale_timestamp": 400,
    "clock_skew": 400,
    "idempotency_conflict": 409,
    "conflict": 409,
    "plan_type_mismatch": 409,
    "window_closed": 403,
    "fee_window_closed": 403,
    "ineligible": 422,
    "coverage_mismatch": 422,
    "price_mismatch": 422,
    "validation": 422,
    "not_found": 404,
    "no_campaign": 404,
    "rate_limited": 429,
    "password_weak": 422,
    "password_change_required": 403,
    "account_disabled": 403,
    "device_limit": 409,
    "batch_state": 409,
    "voucher_invalid": 422,
    "member_elsewhere": 409,
    "transfer_target": 422,
    "transfer_under_review": 409,
    "member_enrolled": 409,
    "internal": 500,
}


class ProblemError(Exception):
    """A request (or one push record) refused with a stable problem code."""

    def __init__(self, code: str, detail: Any = None, *, message: str | None = None, delay: float = 0.0) -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail
        self.message = message or message_for(code, detail if isinstance(detail, str) else None)
        # Seconds the HTTP layer waits before answering (failed logins slow down).
        self.delay = delay

    @property
    def status(self) -> int:
        return HTTP_STATUS.get(self.code, 400)

    def body(self) -> dict[str, Any]:
        return {"problem": self.code, "message": self.message, "detail": self.detail}

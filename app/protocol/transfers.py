"""Member transfer (批量转移, SPEC §5.10) on the wire: the request a releasing union (or a common
superior) sends, and the feed entries that move a member between two unions' PCs.

A member belongs to one union at a time. The releasing union's clerk names the members (ID
numbers), the receiving union's org code and a reason; a superior union's reviewer names the
releasing union too (`from_union`). The server moves the member record with its history; the
releasing union's feed then carries a `transfer` change with direction "out" (its PC removes the
member), the receiving union's a `member` change and a `transfer` change with direction "in" and
the member's history (cards, past enrollments), kept there read-only.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from app.protocol.records import read_id_numbers, read_text
from app.protocol.wire import WireError

#: The most members one transfer moves (a union may release a whole enterprise's staff).
MAX_TRANSFER_MEMBERS = 5000
#: The longest reason a transfer may carry.
MAX_TRANSFER_REASON = 200

_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_ORG_CODE = re.compile(r"^[0-9A-Z]{9,32}$")


class TransferDirection(StrEnum):
    OUT = "out"  # the member left this union: remove them from this PC
    IN = "in"  # the member joined this union: their history comes with the change


def _org_code(value: object, field: str) -> str:
    text = read_text(value, field, limit=32)
    code = (text or "").upper()
    if not _ORG_CODE.match(code):
        raise WireError({"field": field, "message": "组织代码应为9–32位的数字或大写字母"})
    return code


@dataclass(frozen=True)
class TransferRequest:
    """POST /transfers: move `id_numbers` from `from_union` (default: the caller's union) to the
    grassroots union `to_union`. `key` makes a retry safe: the same key and request get the first
    answer, the same key with another request is refused."""

    key: str
    to_union: str
    reason: str
    id_numbers: list[str]
    from_union: str | None = None

    def to_wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {"key": self.key, "to_union": self.to_union, "reason": self.reason,
                                "id_numbers": list(self.id_numbers)}
        if self.from_union:
            body["from_union"] = self.from_union
        return body

    @classmethod
    def from_wire(cls, raw: object) -> TransferRequest:
        if not isinstance(raw, Mapping):
            raise WireError("转移请求应为对象")
        key = raw.get("key")
        if not isinstance(key, str) or not _KEY.match(key):
            raise WireError({"field": "key", "message": "key 应为8–64位的字母、数字、- 或 _"})
        reason = read_text(raw.get("reason"), "reason", limit=MAX_TRANSFER_REASON)
        if not reason:
            raise WireError({"field": "reason", "message": "请填写转移原因"})
        source = raw.get("from_union")
        return cls(key=key, to_union=_org_code(raw.get("to_union"), "to_union"), reason=reason,
                   id_numbers=read_id_numbers(raw.get("id_numbers"), limit=MAX_TRANSFER_MEMBERS),
                   from_union=None if source in (None, "") else _org_code(source, "from_union"))


__all__ = ["MAX_TRANSFER_MEMBERS", "MAX_TRANSFER_REASON", "TransferDirection", "TransferRequest"]

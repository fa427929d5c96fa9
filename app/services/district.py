"""The district's side of the product as plain Python (no Qt, no HTTP): the district notice made
from the server's receipt of 提交列表中的参保信息 (manual §4.5), and the submission window's
countdown as the 待提交 page shows it. The server decided every figure; this only renders them.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.files import atomic_write
from app.protocol import parse_timestamp
from app.services.notices import DistrictNotice, district_notice_pdf


def fingerprint(digest: str) -> str:
    """The receipt's SHA-256 as the notice's footer prints a fingerprint: "ab12 cd34 …" (16 hex)."""
    head = digest[:16]
    return " ".join(head[i:i + 4] for i in range(0, len(head), 4))


def district_notice(receipt: dict[str, Any]) -> DistrictNotice:
    """The notice of a district batch, from the server's receipt (POST /district/submit)."""
    bank = receipt["bank_account"]
    return DistrictNotice(
        union_name=receipt["union"]["name"], plan_year=int(receipt["plan_year"]),
        counts={k: int(v) for k, v in receipt["counts"].items()}, amount=Decimal(receipt["amount"]),
        coverage_start=date.fromisoformat(receipt["coverage"]["start"]),
        coverage_end=date.fromisoformat(receipt["coverage"]["end"]),
        bank_account_name=bank["name"], bank_account_number=bank["number"], bank_name=bank["bank"],
        issued_on=date.fromisoformat(receipt["issued_on"]), batch_no=receipt["batch_no"],
        signature_fingerprint=fingerprint(receipt.get("receipt_sha256") or ""),
    )


def save_district_notice(receipt: dict[str, Any], target: Path) -> Path:
    """Render the district notice PDF and write it to `target` atomically; returns the path."""
    pdf = district_notice_pdf(district_notice(receipt))
    with atomic_write(Path(target)) as temp:
        temp.write_bytes(pdf)
    return Path(target)


def window_text(window: dict[str, Any], now: datetime | None = None, what: str = "提交时间") -> str:
    """"提交时间：12月26日至12月31日（以服务器时间为准），还剩 2天3小时" — or why it is closed
    (`what`: the window's name, e.g. 调整时间 of 保障金额设置)."""
    start, end = date.fromisoformat(window["start"]), date.fromisoformat(window["end"])
    span = f"{what}：{start.month}月{start.day}日至{end.month}月{end.day}日（以服务器时间为准）"
    moment = now or parse_timestamp(window["server_time"])
    opens, closes = parse_timestamp(window["opens_at"]), parse_timestamp(window["closes_at"])
    if moment < opens:
        return f"{span}，尚未开始，还有 {_left(opens - moment)}开始"
    if moment >= closes:
        return f"{span}，已截止"
    return f"{span}，还剩 {_left(closes - moment)}"


def _left(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    return f"{days}天{hours}小时" if days else f"{hours}小时{minutes}分"


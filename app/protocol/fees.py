"""保障金额设置's wire names (server/superior/fees.py, app/sync/fees.py): the four amounts of a plan
type's split and how one plan type's row reads as a line of text (the CLIs of both sides)."""
from __future__ import annotations

from typing import Any

#: The split's amounts (元/人), in the manual's order, with their Chinese names (manual §4.2).
AMOUNT_LABELS: tuple[tuple[str, str], ...] = (("fee", "参保费用"), ("city", "市总统一划拨"),
                                              ("district", "区局/各级工会默认缴纳"), ("grassroots", "基层单位默认缴纳"))


def fee_line(row: dict[str, Any]) -> str:
    """"A类会员专享基本保障：参保费用 26.00 元/人，…；有效期 2025-01-01 至 2025-12-31（本区局设置）"."""
    amounts = "，".join(f"{label} {row[key]} 元/人" for key, label in AMOUNT_LABELS)
    own = "（本区局设置）" if row.get("source") == "district" else ""
    return f"{row['label']}：{amounts}；有效期 {row['valid_from']} 至 {row['valid_to']}{own}"

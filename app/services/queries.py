"""The queries' tables (参保信息查询, 保障信息查询, 给付信息查询) as the pages, the CLI and the .xlsx
export show them — one definition of the columns for all three. The rows are the server's answers
(app/sync/queries.py): plain dicts whose document numbers are already masked, so nothing here can
write a full number."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.services.spreadsheets.export import ExportColumn, write_rows

PLAN_LABELS = {"A": "A类", "B": "B类", "A_PLUS": "A+类", "B_PLUS": "B+类"}
PERIOD_LABELS = {"full": "全年", "half": "半年"}


def _day(text: str | None) -> str:
    return (text or "")[:16].replace("T", " ")


@dataclass(frozen=True)
class QueryColumn:
    header: str
    value: Callable[[dict[str, Any]], str]
    width: int = 6  # in Chinese characters on the page; twice that many in the .xlsx


ENROLLMENT_COLUMNS: list[QueryColumn] = [
    QueryColumn("保障年度", lambda r: str(r["plan_year"]), 5),
    QueryColumn("姓名", lambda r: r.get("name") or "", 5),
    QueryColumn("证件号码", lambda r: r["id_masked"], 11),
    QueryColumn("基层工会", lambda r: r["union"]["name"], 17),
    QueryColumn("批次编号", lambda r: r["batch_no"], 10),
    QueryColumn("参保类型", lambda r: r["kind_label"], 5),
    QueryColumn("参保通道", lambda r: r["channel_label"], 6),
    QueryColumn("保障类型", lambda r: PLAN_LABELS.get(r["plan_type"], r["plan_type"]), 5),
    QueryColumn("提交时间", lambda r: _day(r["received_at"]), 9),
    QueryColumn("状态", lambda r: r["status_label"], 6),
]
COVERAGE_COLUMNS: list[QueryColumn] = [
    QueryColumn("姓名", lambda r: r.get("name") or "", 5),
    QueryColumn("证件号码", lambda r: r["id_masked"], 11),
    QueryColumn("会员卡号", lambda r: r.get("card_masked") or "", 10),
    QueryColumn("基层工会", lambda r: r["union"]["name"], 17),
    QueryColumn("保障年度", lambda r: str(r["plan_year"]), 5),
    QueryColumn("保障类型", lambda r: PLAN_LABELS.get(r["plan_type"], r["plan_type"]), 5),
    QueryColumn("保障开始", lambda r: r.get("coverage_start") or "", 6),
    QueryColumn("保障结束", lambda r: r.get("coverage_end") or "", 6),
    QueryColumn("全年/半年", lambda r: PERIOD_LABELS.get(r.get("period") or "full", ""), 5),
    QueryColumn("保障状态", lambda r: r["state_label"], 5),
    QueryColumn("批次编号", lambda r: r["batch_no"], 10),
]
PAYOUT_COLUMNS: list[QueryColumn] = [
    QueryColumn("理赔编号", lambda r: r["claim_no"], 9),
    QueryColumn("姓名", lambda r: r.get("name") or "", 5),
    QueryColumn("证件号码", lambda r: r["id_masked"], 11),
    QueryColumn("基层工会", lambda r: r["union"]["name"], 17),
    QueryColumn("保障年度", lambda r: str(r["plan_year"]), 5),
    QueryColumn("给付类型", lambda r: r["kind"], 7),
    QueryColumn("给付金额（元）", lambda r: r["amount"], 7),
    QueryColumn("给付日期", lambda r: r["paid_on"], 6),
]

#: Each query's columns and its export's sheet name.
QUERIES: dict[str, tuple[str, list[QueryColumn]]] = {
    "enrollment": ("参保信息", ENROLLMENT_COLUMNS),
    "coverage": ("保障信息", COVERAGE_COLUMNS),
    "payouts": ("给付信息", PAYOUT_COLUMNS),
}


def table_rows(query: str, rows: Sequence[dict[str, Any]]) -> list[list[str]]:
    """The rows as the page shows them, one string a cell."""
    columns = QUERIES[query][1]
    return [[c.value(row) for c in columns] for row in rows]


def export_query(query: str, rows: Sequence[dict[str, Any]], out: Path) -> int:
    """Save a query's answer as .xlsx (every cell text: masked numbers stay as shown)."""
    sheet, columns = QUERIES[query]
    return write_rows(Path(out), sheet, [ExportColumn(c.header, c.width * 2 + 2, text=True) for c in columns],
                      table_rows(query, rows))

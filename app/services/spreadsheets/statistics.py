"""下载集中参保统计表 (manual §4.8): the server's statistics rows (GET /district/statistics) as an .xlsx
formatted for printing — a title, the generation time, a bold header repeated on every printed
page, one row per grassroots union, the totals row, column widths, A4 landscape fitted to the page
width, page numbers in the footer. Organisation codes are text (never numbers); money is numbers
with two decimals. The server decided every figure; this only writes them (openpyxl, write-only,
so a city's 52,701 rows stream).
"""
from __future__ import annotations

from collections.abc import Callable
from copy import copy
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.protocol import SHANGHAI, parse_timestamp
from app.rules.fees import format_yuan
from app.services.spreadsheets.columns import column_letter
from app.services.spreadsheets.saving import save_streamed

#: (header, width, kind): kind "text" for codes kept as text, "int" counts, "money" yuan amounts.
COLUMNS: tuple[tuple[str, int, str], ...] = (
    ("序号", 6, "int"),
    ("组织机构代码", 21, "text"),
    ("单位名称", 30, ""),
    ("上级工会", 24, ""),
    ("保障类型", 20, ""),
    ("会员卡参保人数", 9, "int"),
    ("社保卡参保人数", 9, "int"),
    ("参保人数合计", 9, "int"),
    ("每人费用及分担(元)\n费用=市总+区局+基层", 22, ""),
    ("保障费用(元)", 12, "money"),
    ("市总统一划拨(元)", 12, "money"),
    ("区局/各级工会缴费(元)", 12, "money"),
    ("基层单位缴费(元)", 12, "money"),
    ("状态", 12, ""),
    ("提交时间", 17, ""),
)
MONEY_FORMAT = "#,##0.00"
HEADER_ROW = 3


def statistics_filename(table: dict[str, Any]) -> str:
    return f"集中参保统计表-{table['union']['name']}-{table['plan_year']}年度.xlsx"


def _local(stamp: str | None) -> str:
    if not stamp:
        return ""
    return parse_timestamp(stamp).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def _split_text(split: dict[str, Any] | None) -> str:
    if not split:
        return ""
    y = {k: format_yuan(Decimal(str(split[k]))) for k in ("fee", "city", "district", "grassroots")}
    return f"{y['fee']}={y['city']}+{y['district']}+{y['grassroots']}"


def _values(n: int, row: dict[str, Any]) -> list[Any]:
    return [n, row["org_code"], row["name"], row.get("parent") or "", row.get("plan_type_label") or "",
            row["card"], row["ss"], row["count"], _split_text(row.get("fee_split")),
            Decimal(row["fee"]), Decimal(row["city"]), Decimal(row["district"]), Decimal(row["grassroots"]),
            row["status"], _local(row.get("submitted_at"))]


def _totals_values(totals: dict[str, Any]) -> list[Any]:
    return ["合计", "", f"{totals['unions']}个基层工会（已提交{totals['submitted']}个）", "", "",
            totals["card"], totals["ss"], totals["count"], "", Decimal(totals["fee"]), Decimal(totals["city"]),
            Decimal(totals["district"]), Decimal(totals["grassroots"]), "", ""]


def _print_setup(sheet: Any, last_column: str) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = 9  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.merged_cells.ranges.add(f"A1:{last_column}1")
    sheet.merged_cells.ranges.add(f"A2:{last_column}2")


def save_statistics(table: dict[str, Any], out: Path, on_row: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Write the statistics table to `out` (whole or not at all); returns what was written."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("集中参保统计表")
    last = column_letter(len(COLUMNS) - 1)
    for i, (_head, width, _kind) in enumerate(COLUMNS):
        sheet.column_dimensions[column_letter(i)].width = width
    _print_setup(sheet, last)
    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)

    def cell(value: Any, kind: str = "", *, bold: bool = False, fill: str | None = None) -> Any:
        c = WriteOnlyCell(sheet, value=value)
        c.border = box
        if kind == "text":
            c.number_format = "@"
        elif kind == "money":
            c.number_format = MONEY_FORMAT
        if bold:
            c.font = Font(bold=True)
        if fill:
            c.fill = PatternFill("solid", fgColor=fill)
        return c

    # A data row's cells take their kind's style made once (openpyxl looks a style up on every
    # assignment; copying the made style array is what keeps a city's 52,701 rows quick).
    styles = {kind: cell(None, kind)._style for kind in ("", "text", "int", "money")}

    def data_cell(value: Any, kind: str) -> Any:
        c = WriteOnlyCell(sheet, value=value)
        c._style = copy(styles[kind])
        return c

    title = WriteOnlyCell(sheet, value=f"{table['union']['name']} {table['plan_year']}年度集中参保统计表")
    title.font = Font(bold=True, size=15)
    title.alignment = Alignment(horizontal="center")
    sheet.append([title])
    sheet.append([f"生成时间：{_local(table.get('generated_at'))}（数据以服务器为准；金额单位：元）"])
    header = [cell(head, bold=True, fill="DDEBF7") for head, _w, _k in COLUMNS]
    for c in header:
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.row_dimensions[HEADER_ROW].height = 32
    sheet.append(header)

    def fill() -> int:
        count = 0
        for count, row in enumerate(table["rows"], start=1):
            sheet.append([data_cell(v, kind) for v, (_h, _w, kind) in zip(_values(count, row), COLUMNS, strict=True)])
            if on_row and count % 500 == 0:
                on_row(count)
        sheet.append([cell(v, kind, bold=True, fill="F2F2F2")
                      for v, (_h, _w, kind) in zip(_totals_values(table["totals"]), COLUMNS, strict=True)])
        return count

    out = Path(out)
    count = save_streamed(workbook, sheet, out, fill)
    return {"path": str(out), "rows": count, "totals": table["totals"], "plan_year": table["plan_year"],
            "bytes": out.stat().st_size, "saved_at": datetime.now(SHANGHAI).isoformat(timespec="seconds")}

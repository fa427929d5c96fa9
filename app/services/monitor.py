"""集中参保实时监控 as plain Python (no Qt, no HTTP): the figures the server answered, said in the
words the page, the CLI and the exported workbook share, and the .xlsx export. The server decided
every figure (GET /monitor); nothing here counts members.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.protocol.monitor import FIGURE_LABELS, Figure, Progress


@dataclass(frozen=True)
class Tile:
    """One figure of the monitor: what it counts, its value, what it is measured against, and the
    figure whose unions it opens."""

    label: str
    value: str
    against: str
    figure: str


def _pct(part: float, whole: float) -> str:
    return f"{part * 100 / whole:.1f}%" if whole else "—"


def tiles(data: dict[str, Any]) -> list[Tile]:
    """The monitor's figures in reading order (unions, then members, then money)."""
    u, m, f = data["unions"], data["members"], data["fee"]
    total = u["total"]
    submitted = u[Progress.COMPLETED] + u[Progress.REVIEWING]
    enrolled = m["enrolled_card"] + m["enrolled_ss"]
    expected, paid = Decimal(f["expected"]), Decimal(f["submitted"])
    return [
        Tile("基层工会", f"{total}家", "", Figure.ALL),
        Tile("已提交", f"{submitted}家", f"占 {_pct(submitted, total)}", Figure.SUBMITTED),
        Tile("已完成", f"{u[Progress.COMPLETED]}家", f"占 {_pct(u[Progress.COMPLETED], total)}", Figure.COMPLETED),
        Tile("区局确认中", f"{u[Progress.REVIEWING]}家", "", Figure.REVIEWING),
        Tile("退回", f"{u[Progress.RETURNED]}家", "待基层修改后重新提交", Figure.RETURNED),
        Tile("未被受理", f"{u[Progress.NOT_ACCEPTED]}家", "", Figure.NOT_ACCEPTED),
        Tile("未提交", f"{u[Progress.NOT_SUBMITTED]}家", f"占 {_pct(u[Progress.NOT_SUBMITTED], total)}",
             Figure.NOT_SUBMITTED),
        Tile("应参保人数", f"{m['eligible']}人", f"有会员卡 {m['eligible_card']}人，无卡持身份证 {m['eligible_ss']}人",
             Figure.ELIGIBLE),
        Tile("会员卡参保", f"{m['enrolled_card']}人", f"可参保 {m['eligible_card']}人，{_pct(m['enrolled_card'], m['eligible_card'])}",
             Figure.ENROLLED_CARD),
        Tile("社保卡参保", f"{m['enrolled_ss']}人", f"可参保 {m['eligible_ss']}人，{_pct(m['enrolled_ss'], m['eligible_ss'])}",
             Figure.ENROLLED_SS),
        Tile("已参保合计", f"{enrolled}人", f"应参保 {m['eligible']}人，{_pct(enrolled, m['eligible'])}", Figure.SUBMITTED),
        Tile("保障费用", f"{f['submitted']}元", f"应缴 {f['expected']}元（{f['per_person']}元/人），"
             f"{_pct(float(paid), float(expected))}；已完成 {f['completed']}元", Figure.FEE),
    ]


def deadline_text(deadline: dict[str, Any]) -> str:
    """"区局(产业)提交至职保中心截止 2025-12-31：还剩 12天" (by the server's calendar)."""
    left = int(deadline["days_left"])
    when = "今天" if left == 0 else (f"还剩 {left}天" if left > 0 else f"已过 {-left}天")
    return f"{deadline['label']} {deadline['date']}：{when}"


def shanghai_time(stamp: str | None) -> str:
    """A server timestamp as Shanghai wall time, "2025-12-01 09:30" ("" for none)."""
    if not stamp:
        return ""
    from app.protocol import SHANGHAI, parse_timestamp

    return parse_timestamp(stamp).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def heading(data: dict[str, Any]) -> str:
    return (f"{data['union']['name']} — {data['plan_year']}年度集中参保实时监控"
            f"（服务器时间 {shanghai_time(data['server_time'])}）")


#: The drill-down's and the export's columns: (header, key of a union row).
UNION_COLUMNS: list[tuple[str, str]] = [
    ("组织机构代码", "org_code"), ("单位名称", "name"), ("上级工会", "parent"), ("参保状态", "progress_label"),
    ("应参保人数", "eligible"), ("有会员卡", "eligible_card"), ("无卡持身份证", "eligible_ss"),
    ("会员卡参保", "enrolled_card"), ("社保卡参保", "enrolled_ss"), ("保障费用(元)", "fee"),
    ("应缴(元)", "fee_expected"), ("最后提交时间", "last_submitted_at"),
]
NUMERIC = {"eligible", "eligible_card", "eligible_ss", "enrolled_card", "enrolled_ss"}
MONEY = {"fee", "fee_expected"}


def union_cell(row: dict[str, Any], key: str) -> Any:
    """A union row's cell as a table and the workbook show it."""
    value = row.get(key)
    if key == "last_submitted_at":
        return shanghai_time(value)
    return "" if value is None else value


def figure_title(figure: str, day: str | None = None) -> str:
    label = FIGURE_LABELS.get(figure, figure)
    return f"{day} {label}" if day else label


def _sheet(book: Any, title: str, widths: tuple[int, ...], heads: list[str], lead: list[str] | None = None) -> Any:
    """A write-only sheet laid out for printing (landscape, one page wide, its header row repeated)
    with its bold header row (after an optional leading line) already written."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    sheet = book.create_sheet(title)
    for i, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + i)].width = width
    head_row = 2 if lead else 1
    sheet.print_title_rows = f"{head_row}:{head_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if lead:
        sheet.append(lead)
    cells = []
    for head in heads:
        cell = WriteOnlyCell(sheet, value=head)
        cell.font = Font(bold=True)
        cells.append(cell)
    sheet.append(cells)
    return sheet


def export_xlsx(data: dict[str, Any], unions: list[dict[str, Any]], out: Path) -> Path:
    """The monitor to an .xlsx: 概况 (every figure), 每日进度, 截止日期 and 基层工会 (one row a union,
    the org code as text), formatted for printing; written as a stream (the city's 52,701 unions)
    and saved whole or not at all."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    from app.services.spreadsheets.saving import save_workbook

    book = Workbook(write_only=True)
    summary = _sheet(book, "概况", (16, 16, 60), ["指标", "数值", "说明"], [heading(data)])
    for tile in tiles(data):
        summary.append([tile.label, tile.value, tile.against])
    days = _sheet(book, "每日进度", (12, 12, 16, 16, 14), ["日期", "提交单位数", "会员卡参保人数", "社保卡参保人数", "保障费用(元)"])
    for d in data["days"]:
        days.append([d["day"], d["unions"], d["enrolled_card"], d["enrolled_ss"], Decimal(d["fee"])])
    deadlines = _sheet(book, "截止日期", (30, 12, 10), ["事项", "日期", "剩余天数"])
    for d in data["deadlines"]:
        deadlines.append([d["label"], d["date"], d["days_left"]])
    sheet = _sheet(book, "基层工会", (22, 30, 30, 10, 10, 10, 12, 12, 12, 12, 12, 17),
                   [head for head, _ in UNION_COLUMNS])
    for row in unions:
        code = WriteOnlyCell(sheet, value=row["org_code"])
        code.number_format = "@"
        sheet.append([code, *(Decimal(row[k]) if k in MONEY else union_cell(row, k) for _, k in UNION_COLUMNS[1:])])
    save_workbook(book, Path(out))
    return Path(out)

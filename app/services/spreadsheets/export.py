"""Exporting members to .xlsx: streamed (openpyxl write-only), the list's filter and order, ID and
phone numbers masked unless the clerk asked for them whole."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from app.rules.codes import GENDER_LABELS, ID_TYPE_LABELS, POST_TYPE_LABELS
from app.services.spreadsheets.columns import HEADER_FILL, column_letter
from app.services.spreadsheets.reading import ProgressFn
from app.services.spreadsheets.saving import save_streamed

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExportColumn:
    header: str
    width: int
    text: bool = False  # written as text ('@'): numbers that must not become numbers
    is_date: bool = False


def write_rows(out: Path, sheet_name: str, columns: Sequence[ExportColumn], rows: Iterable[Sequence[Any]],
               on_row: Callable[[int], None] | None = None) -> int:
    """Stream `rows` into a new .xlsx (openpyxl write-only): bold frozen header, text columns kept
    as text. `on_row(n)` is called after every 100 rows. Returns the number of rows written."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name)
    sheet.freeze_panes = "A2"
    for i, column in enumerate(columns):
        sheet.column_dimensions[column_letter(i)].width = column.width
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor=HEADER_FILL)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        cell.fill = fill
        header.append(cell)
    sheet.append(header)
    return save_streamed(workbook, sheet, out, lambda: _append_rows(sheet, columns, rows, on_row))


def _append_rows(sheet: Any, columns: Sequence[ExportColumn], rows: Iterable[Sequence[Any]],
                 on_row: Callable[[int], None] | None) -> int:
    from openpyxl.cell import WriteOnlyCell

    text_columns = [i for i, c in enumerate(columns) if c.text]
    date_columns = [i for i, c in enumerate(columns) if c.is_date]
    count = 0
    for row in rows:
        values: list[Any] = list(row)
        for i in text_columns:
            if values[i] not in (None, ""):
                cell = WriteOnlyCell(sheet, value=str(values[i]))
                cell.number_format = "@"
                values[i] = cell
        for i in date_columns:
            if isinstance(values[i], date):
                cell = WriteOnlyCell(sheet, value=values[i])
                cell.number_format = "yyyy-mm-dd"
                values[i] = cell
        sheet.append(values)
        count += 1
        if on_row and count % 100 == 0:
            on_row(count)
    return count


#: The member export: the import's columns first (a full export can be imported again), then
#: what the list shows.
EXPORT_COLUMNS: tuple[ExportColumn, ...] = (
    ExportColumn("会员编号", 12, text=True),
    ExportColumn("姓名", 12),
    ExportColumn("证件类型", 14),
    ExportColumn("证件号码", 22, text=True),
    ExportColumn("证件到期日", 12),
    ExportColumn("性别", 6),
    ExportColumn("出生日期", 12, is_date=True),
    ExportColumn("手机号码", 14, text=True),
    ExportColumn("工作单位详细地址", 30),
    ExportColumn("会员标签", 12),
    ExportColumn("入会日期", 12, is_date=True),
    ExportColumn("岗位类型", 10),
    ExportColumn("会员类型", 12),
    ExportColumn("关联企业", 26),
    ExportColumn("状态", 14),
    ExportColumn("会员卡", 22, text=True),
    ExportColumn("人保状态", 10),
    ExportColumn("提示", 24),
)


@dataclass(frozen=True)
class ExportResult:
    path: str
    rows: int
    full_ids: bool


def export_members(union_id: int, member_filter: Any, out: Path, *, full_ids: bool = False,
                   sort_key: str = "member_no", descending: bool = False, plan_year: int | None = None,
                   today: date | None = None, progress: ProgressFn | None = None) -> ExportResult:
    """The members matching `member_filter` (the list's current filter and order) as an .xlsx.

    ID and phone numbers are masked as the list shows them unless `full_ids` (the views ask the
    clerk to confirm first). `progress(done, total)` after every 100 rows; it may raise to cancel,
    and then no file is left behind.
    """
    from app.models.answers import retirement_answers
    from app.models.queries import count_members, iter_member_rows
    from app.rules.codes import (
        CARD_STATUS_LABELS,
        CATEGORY_LABELS,
        INSURANCE_STATUS_LABELS,
        LIFE_STATUS_LABELS,
    )
    from app.rules.idcard import mask_id
    from app.services.members import (
        FLAG_LABELS,
        default_plan_year,
        mask_phone,
        member_flags,
    )

    today = today or date.today()
    plan_year = plan_year or default_plan_year(today)
    answers = retirement_answers(union_id, plan_year)
    total = count_members(union_id, member_filter)
    if progress:
        progress(0, total)

    def rows() -> Iterable[list[Any]]:
        for r in iter_member_rows(union_id, member_filter, sort_key, descending):
            life = LIFE_STATUS_LABELS.get(r["life_status"], r["life_status"])
            if r.get("life_status_date") and r["life_status"] != "in_service":
                life = f"{life}（{r['life_status_date']}）"
            card_no = r.get("card_no") or ""
            card = (card_no if full_ids else mask_id(card_no)) if card_no else CARD_STATUS_LABELS.get(
                r["card_status"], "")
            flags = member_flags(r, plan_year, today, answers)
            yield [
                r["member_no"] or "",
                r["name"],
                ID_TYPE_LABELS.get(r["id_type"], r["id_type"]),
                r["id_number"] if full_ids else mask_id(r["id_number"]),
                r["id_expiry"] or "",
                GENDER_LABELS.get(r["gender"] or "", ""),
                r["birth_date"],
                (r["phone"] or "") if full_ids else mask_phone(r["phone"]),
                r["work_address"] or "",
                r["label"] or "",
                r["join_date"],
                POST_TYPE_LABELS.get(r["post_type"], "") if r["gender"] == "female" else "",
                CATEGORY_LABELS.get(r["category"], r["category"]),
                r.get("enterprise_name") or "",
                life,
                card,
                INSURANCE_STATUS_LABELS.get(r["insurance_status"], ""),
                "、".join(FLAG_LABELS[f] for f in flags if f != "no_card"),
            ]

    def on_row(n: int) -> None:
        if progress:
            progress(n, total)

    count = write_rows(Path(out), "会员信息", EXPORT_COLUMNS, rows(), on_row)
    if progress:
        progress(total, total)
    log.info("exported %s members (%s)", count, "full numbers" if full_ids else "masked")
    return ExportResult(str(out), count, full_ids)

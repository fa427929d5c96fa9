"""The error report: a copy of the clerk's own file with each bad cell filled light red and
commented, and an 错误说明 column summarising each bad row."""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path
from typing import Any

from app.services.errors import ClerkError
from app.services.spreadsheets.columns import REQUIRED_FONT, column_letter
from app.services.spreadsheets.reading import ProgressFn, read_with_calamine_sheet, row_is_blank
from app.services.spreadsheets.saving import discard_stream, save_workbook

log = logging.getLogger(__name__)


REPORT_FILL = "FFC7CE"  # Excel's "light red fill"
REPORT_COLUMN = "错误说明"


@dataclass(frozen=True)
class CellMark:
    row: int  # as Excel shows it
    column: int | None  # 0-based; None: the row as a whole
    header: str
    message: str


#: Above this many rows the report streams the values (openpyxl's full load of 100,000 rows takes
#: ~20 s and ~700 MB); below it the report is a faithful copy, formatting and all.
FAITHFUL_REPORT_ROWS = 20_000


def _row_summary(row_marks: list[CellMark]) -> str:
    return "；".join((f"{column_letter(m.column)}列“{m.header}”：" if m.column is not None else "") + m.message
                    for m in row_marks)


def _comment_text(marks: list[CellMark], col: int) -> str:
    return "\n".join(m.message for m in marks if m.column == col)


def write_error_report(source: Path, sheet_name: str, header_row: int, marks: Iterable[CellMark],
                       out: Path, progress: ProgressFn | None = None, *, rows: int | None = None,
                       faithful_limit: int = FAITHFUL_REPORT_ROWS) -> Path:
    """A copy of the clerk's own file with each bad cell filled light red and commented, and an
    错误说明 column summarising each bad row.

    Files of up to `faithful_limit` rows are copied whole (openpyxl load + save: formatting,
    other sheets and all); bigger ones have their member sheet's values streamed into a new file
    with the same marks. Falls back to the values alone when openpyxl cannot open the original.
    """
    by_row: dict[int, list[CellMark]] = {}
    for mark in marks:
        by_row.setdefault(mark.row, []).append(mark)
    if rows is not None and rows > faithful_limit:
        try:
            return _stream_error_report(source, sheet_name, header_row, by_row, Path(out), progress, rows)
        except ClerkError:
            raise
        except Exception as exc:  # noqa: BLE001 - odd files: the whole-file path has a fallback
            log.info("streamed error report failed (%s); copying the whole file", type(exc).__name__)
    return _copy_error_report(source, sheet_name, header_row, by_row, Path(out), progress)


class _StreamedRows:
    """Builds the streamed report's rows: marked cells filled and commented, dates formatted, and
    the 错误说明 column (found or added at the header row) holding each bad row's summary."""

    def __init__(self, sheet: Any, header_row: int, by_row: dict[int, list[CellMark]]) -> None:
        from openpyxl.styles import Font, PatternFill

        self.sheet = sheet
        self.header_row = header_row
        self.by_row = by_row
        self.fill = PatternFill("solid", fgColor=REPORT_FILL)
        self.red = Font(color=REQUIRED_FONT)
        self.bold_red = Font(bold=True, color=REQUIRED_FONT)
        self.report_col: int | None = None

    def _marked(self, value: Any, row_marks: list[CellMark], col: int) -> Any:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.comments import Comment

        cell = WriteOnlyCell(self.sheet, value=value)
        cell.fill = self.fill
        cell.comment = Comment(_comment_text(row_marks, col), "导入校验", width=320, height=120)
        return cell

    def values(self, number: int, cells: list[Any]) -> list[Any]:
        from openpyxl.cell import WriteOnlyCell

        sheet = self.sheet
        values: list[Any] = []
        row_marks = self.by_row.get(number) or []
        bad = {m.column for m in row_marks if m.column is not None}
        marked: set[int] = set()
        for col, value in enumerate(cells):
            if value == "":
                value = None
            if col in bad:
                marked.add(col)
                values.append(self._marked(value, row_marks, col))
            elif isinstance(value, (date, datetime, time_of_day, timedelta)):
                out_cell = WriteOnlyCell(sheet, value=value)
                if type(value) is date:
                    out_cell.number_format = "yyyy-mm-dd"
                values.append(out_cell)
            else:
                values.append(value)
        if number == self.header_row:
            texts = [v if isinstance(v, str) else None for v in values]
            self.report_col = texts.index(REPORT_COLUMN) if REPORT_COLUMN in texts else len(values)
            sheet.column_dimensions[column_letter(self.report_col)].width = 60
        for col in sorted(bad - marked):  # a bad cell past the row's last value
            while len(values) <= col:
                values.append(None)
            values[col] = self._marked(values[col], row_marks, col)
        if self.report_col is not None:
            while len(values) <= self.report_col:
                values.append(None)
            values[self.report_col] = self._note(number, row_marks)
        return values

    def _note(self, number: int, row_marks: list[CellMark]) -> Any:
        from openpyxl.cell import WriteOnlyCell

        if number == self.header_row:
            note = WriteOnlyCell(self.sheet, value=REPORT_COLUMN)
            note.font = self.bold_red
        elif row_marks:
            note = WriteOnlyCell(self.sheet, value=_row_summary(row_marks))
            note.font = self.red
        else:
            note = None  # an earlier report's note on a row that is now fine
        return note


def _stream_error_report(source: Path, sheet_name: str, header_row: int, by_row: dict[int, list[CellMark]],
                         out: Path, progress: ProgressFn | None, rows: int) -> Path:
    from openpyxl import Workbook

    total = rows + header_row
    if progress:
        progress(0, total)
    source_rows = read_with_calamine_sheet(source, sheet_name)  # values, as the import read them
    if progress:
        progress(min(len(source_rows), total) // 10, total)
    try:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(sheet_name[:31])
        sheet.freeze_panes = f"A{header_row + 1}"
        builder = _StreamedRows(sheet, header_row, by_row)
        count = 0
        try:
            while source_rows and row_is_blank(source_rows[-1]):
                source_rows.pop()
            for number, cells in enumerate(source_rows, start=1):
                sheet.append(builder.values(number, cells))
                count += 1
                if progress and count % 1000 == 0:
                    progress(min(total // 10 + count * 9 // 10, total), total)
        except BaseException:
            discard_stream(sheet)
            raise
    finally:
        source_rows = []
    out.parent.mkdir(parents=True, exist_ok=True)
    save_workbook(workbook, out)
    if progress:
        progress(total, total)
    return out


def _copy_error_report(source: Path, sheet_name: str, header_row: int, by_row: dict[int, list[CellMark]],
                       out: Path, progress: ProgressFn | None) -> Path:
    from openpyxl import Workbook, load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    if progress:
        progress(0, 3)
    try:
        workbook = load_workbook(source)
        sheet = workbook[sheet_name]
    except Exception as exc:  # noqa: BLE001 - odd files calamine reads but openpyxl doesn't
        log.info("error report falls back to values only: %s", type(exc).__name__)
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = sheet_name[:31] or "Sheet1"
        for row in read_with_calamine_sheet(source, sheet_name):
            sheet.append([_plain(v) for v in row])
    if progress:
        progress(1, 3)
    fill = PatternFill("solid", fgColor=REPORT_FILL)
    last_col = max(sheet.max_column, 1)
    header_cells = [sheet.cell(row=header_row, column=c).value for c in range(1, last_col + 1)]
    if REPORT_COLUMN in header_cells:
        report_col = header_cells.index(REPORT_COLUMN) + 1
    else:
        report_col = last_col + 1
    header = sheet.cell(row=header_row, column=report_col, value=REPORT_COLUMN)
    header.font = Font(bold=True, color=REQUIRED_FONT)
    sheet.column_dimensions[column_letter(report_col - 1)].width = 60
    for row, row_marks in sorted(by_row.items()):
        per_cell: dict[int, list[str]] = {}
        for mark in row_marks:
            if mark.column is not None:
                per_cell.setdefault(mark.column, []).append(mark.message)
        for col, messages in per_cell.items():
            cell = sheet.cell(row=row, column=col + 1)
            cell.fill = fill
            text = "\n".join(messages)
            cell.comment = Comment(text, "导入校验", width=320, height=max(80, 40 * len(messages) + 40))
        note = sheet.cell(row=row, column=report_col, value=_row_summary(row_marks))
        note.font = Font(color=REQUIRED_FONT)
    # Earlier reports' notes on rows that are now fine would mislead: clear them.
    for row in range(header_row + 1, sheet.max_row + 1):
        if row not in by_row and sheet.cell(row=row, column=report_col).value is not None:
            sheet.cell(row=row, column=report_col).value = None
    if progress:
        progress(2, 3)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    save_workbook(workbook, out)
    if progress:
        progress(3, 3)
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool, date, datetime)) or value is None:
        return value
    return str(value)

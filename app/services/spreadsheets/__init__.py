"""Spreadsheets of members: the import template, reading a clerk's file, the error report, export.

Reading uses python-calamine (an order of magnitude faster than openpyxl on 100,000 rows, see
bench/import.py; it also reads .xls, .xlsb and .ods); writing uses openpyxl (the error report is
always .xlsx). A clerk's file is the most common source of bad
input this product sees, so every odd file is a case with its own Chinese message
(`FileRefused`), checked *before* anything is materialised: the file's real format is sniffed
from its bytes, and a sheet's declared size is read from its XML before calamine loads it.

Its rooms: `columns` (the import columns and their headers), `fileformat` (what a file really is,
how big its sheets are), `reading`, `template`, `report` (the error report), `export`, and
`saving` (whole or not at all).
"""
from __future__ import annotations

from app.services.spreadsheets.columns import (
    COLUMNS_BY_KEY,
    EXAMPLE_ID,
    EXAMPLE_NAME,
    IMPORT_COLUMNS,
    REQUIRED_KEYS,
    ImportColumn,
    column_for_header,
    column_letter,
    header_key,
)
from app.services.spreadsheets.export import EXPORT_COLUMNS, ExportColumn, ExportResult, export_members, write_rows
from app.services.spreadsheets.fileformat import (
    FORMATS,
    MAX_DATA_ROWS,
    SAVE_AS_XLSX,
    SUFFIXES,
    FileRefused,
    SheetSize,
    check_file,
    measure_sheet,
)
from app.services.spreadsheets.reading import (
    ProgressFn,
    SheetData,
    find_header,
    read_member_sheet,
    read_with_calamine,
    read_with_openpyxl,
    row_is_blank,
)
from app.services.spreadsheets.report import REPORT_COLUMN, REPORT_FILL, CellMark, write_error_report
from app.services.spreadsheets.template import TEMPLATE_SHEET, write_template

__all__ = [
    "COLUMNS_BY_KEY", "EXAMPLE_ID", "EXAMPLE_NAME", "EXPORT_COLUMNS", "IMPORT_COLUMNS", "MAX_DATA_ROWS",
    "FORMATS", "REPORT_COLUMN", "REPORT_FILL", "REQUIRED_KEYS", "SAVE_AS_XLSX", "SUFFIXES", "TEMPLATE_SHEET", "CellMark",
    "ExportColumn", "ExportResult", "FileRefused", "ImportColumn", "ProgressFn", "SheetData", "SheetSize",
    "check_file", "column_for_header", "column_letter", "export_members", "find_header", "header_key",
    "measure_sheet", "read_member_sheet", "read_with_calamine", "read_with_openpyxl", "row_is_blank",
    "write_error_report", "write_rows", "write_template",
]

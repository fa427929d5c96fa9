"""Reading a clerk's file: the first visible sheet holding a member header, with python-calamine
(an order of magnitude faster than openpyxl on 100,000 rows, see bench/import.py), reporting
progress while the native parse runs."""
from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.services.spreadsheets.columns import COLUMNS_BY_KEY, REQUIRED_KEYS, column_for_header, column_letter
from app.services.spreadsheets.fileformat import (
    HEADER_SEARCH_ROWS,
    FileRefused,
    FORMATS,
    SheetSize,
    check_file,
    check_size,
    sheet_parts,
    sheet_size,
)

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]


@dataclass
class SheetData:
    """One sheet of a clerk's file, as read: rows[i] is the row Excel numbers i + 1."""

    path: Path
    sheet_name: str
    rows: list[list[Any]]
    header_index: int  # index into rows
    columns: dict[str, int]  # import column key → 0-based column index
    headers: dict[int, str]  # column index → header text as the clerk wrote it
    ignored_headers: list[str] = field(default_factory=list)

    @property
    def header_row(self) -> int:
        """The header's row number as Excel shows it."""
        return self.header_index + 1

    def column_name(self, key: str) -> str:
        """The header text for `key` as in the file, or the template's header if absent."""
        index = self.columns.get(key)
        if index is None:
            return COLUMNS_BY_KEY[key].header
        return self.headers.get(index) or COLUMNS_BY_KEY[key].header


@dataclass(frozen=True)
class HeaderMatch:
    index: int
    columns: dict[str, int]
    headers: dict[int, str]
    duplicates: dict[str, list[int]]
    ignored: list[str]


def find_header(rows: Sequence[Sequence[Any]]) -> HeaderMatch | None:
    """The row among the first HEADER_SEARCH_ROWS naming the most import columns (at least 2)."""
    best: HeaderMatch | None = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        headers: dict[int, str] = {}
        duplicates: dict[str, list[int]] = {}
        ignored: list[str] = []
        for col, cell in enumerate(row):
            key = column_for_header(cell)
            if key is None:
                if isinstance(cell, str) and cell.strip():
                    ignored.append(cell.strip())
                continue
            headers[col] = str(cell).strip()
            if key in columns:
                duplicates.setdefault(key, [columns[key]]).append(col)
            else:
                columns[key] = col
        if len(columns) >= 2 and (best is None or len(columns) > len(best.columns)):
            best = HeaderMatch(index, columns, headers, duplicates, ignored)
    return best


class _ReadProgress(threading.Thread):
    """Progress while a file is read: on a clock (calamine parses in native code without the GIL,
    so a thread can report meanwhile), and from the reading code itself; never going backwards.

    A cancel request raised by `progress` on the clock thread is re-raised by `stop()` on the
    caller's thread once the native call has returned.
    """

    def __init__(self, progress: ProgressFn | None, span: tuple[int, int, int], expected_seconds: float,
                 interval: float = 0.05) -> None:
        super().__init__(daemon=True, name="sheet-read-progress")
        self._progress = progress
        self._span = span
        self._expected = max(expected_seconds, 0.05)
        self._interval = interval
        self._stop_event = threading.Event()
        self._lock = threading.Lock()
        self._last = span[0]
        self._error: BaseException | None = None

    def emit(self, done: int) -> None:
        if self._progress is None:
            return
        with self._lock:
            done = max(done, self._last)
            self._last = done
            self._progress(done, self._span[2])

    def fraction(self, fraction: float) -> None:
        start, end, _ = self._span
        self.emit(start + int((end - start) * fraction))

    def run(self) -> None:
        if self._progress is None:
            return
        began = time.monotonic()
        while not self._stop_event.wait(self._interval):
            # Approaches 90 % without reaching it: 57 % at the expected time.
            elapsed = (time.monotonic() - began) / self._expected
            try:
                self.fraction(0.9 * (1 - math.exp(-elapsed)))
            except Exception as exc:  # noqa: BLE001 - Cancelled, re-raised by stop()
                self._error = exc
                return

    def stop(self, *, reraise: bool = True) -> None:
        self._stop_event.set()
        if self.is_alive():
            self.join()
        if reraise and self._error is not None:
            raise self._error


#: Rough calamine throughput on a clerk's PC, compressed bytes per second, for the progress bar.
_READ_BYTES_PER_SECOND = 8_000_000


def read_member_sheet(path: Path, progress: ProgressFn | None = None, *, span: tuple[int, int, int] = (0, 100, 100)
                      ) -> SheetData:
    """The first visible sheet of `path` holding a member header, or FileRefused saying why not.

    `progress(done, total)` is called at least every 0.1 s while reading, with `done` moving
    through span[0]..span[1] of span[2].
    """

    path = Path(path)
    size = path.stat().st_size if path.is_file() else 0
    reporter = _ReadProgress(progress, span, size / _READ_BYTES_PER_SECOND)
    reporter.emit(span[0])
    reporter.start()
    try:
        sheet = _read_member_sheet(path, reporter)
    except BaseException:
        reporter.stop(reraise=False)
        raise
    reporter.stop()
    reporter.emit(span[1])
    return sheet


def _read_member_sheet(path: Path, reporter: _ReadProgress) -> SheetData:
    kind = check_file(path)
    sizes: list[SheetSize | None] = []
    if kind == "xlsx":  # sized from its XML before loading (the other formats after calamine's parse)
        try:
            with zipfile.ZipFile(path) as archive:
                sizes = [sheet_size(archive, part) if part else None for part in sheet_parts(archive)]
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
            raise FileRefused(f"文件“{path.name}”已损坏，无法打开。",
                              "请确认文件能在 Excel 中正常打开，另存为 .xlsx 后再导入。") from None
    try:
        workbook = _open_workbook(path, kind)
    except Exception as exc:  # noqa: BLE001 - calamine's errors are all "cannot read this file"
        raise _damaged(path, exc, kind) from None
    try:
        return _read_first_member_sheet(workbook, path, sizes, reporter)
    finally:
        with contextlib.suppress(Exception):  # already closed
            workbook.close()


def _open_workbook(path: Path, kind: str) -> Any:
    """calamine's workbook of `path`, read as what its bytes say it is: by path when the extension
    agrees (calamine picks its reader by extension), else from the bytes (it sniffs them)."""
    import python_calamine

    if path.suffix.lower().lstrip(".") == kind or (kind == "xlsx" and path.suffix.lower() == ".xlsm"):
        return python_calamine.CalamineWorkbook.from_path(str(path))
    with path.open("rb") as stream:
        return python_calamine.CalamineWorkbook.from_filelike(stream)


def _damaged(path: Path, exc: BaseException, kind: str = "xlsx") -> FileRefused:
    import python_calamine

    log.info("calamine could not read %s (%s): %s", path.name, kind, type(exc).__name__)
    if isinstance(exc, python_calamine.PasswordError):
        return FileRefused(f"文件“{path.name}”设置了密码，程序无法读取。",
                           "请在 Excel 中去掉密码后另存为 .xlsx，再导入。")
    what = FORMATS.get(kind, "Excel")
    extra = "如果是 WPS 表格（.et）文件，请在 WPS 中另存为 .xlsx 后再导入；" if kind == "xls" else ""
    return FileRefused(f"文件“{path.name}”看起来是{what}，但已损坏或内容无效，无法读取。",
                       f"请确认文件能在 Excel 或 WPS 中正常打开，{extra}另存为 .xlsx 后再导入；或使用“下载模板”重新填写。")


def _read_first_member_sheet(workbook: Any, path: Path, sizes: list[SheetSize | None],
                             reporter: _ReadProgress) -> SheetData:
    import python_calamine

    metadata = workbook.sheets_metadata
    candidates = [
        i for i, meta in enumerate(metadata)
        if meta.typ == python_calamine.SheetTypeEnum.WorkSheet
        and meta.visible == python_calamine.SheetVisibleEnum.Visible
    ] or list(range(len(metadata)))
    any_data = False
    nearest: tuple[str, HeaderMatch] | None = None
    for i in candidates:
        name = metadata[i].name
        check_size(sizes[i] if i < len(sizes) else None, name)
        try:
            sheet = workbook.get_sheet_by_index(i)
        except Exception as exc:  # noqa: BLE001
            raise _damaged(path, exc) from None
        end = sheet.end  # (last row, last column), 0-based; None when empty
        if end is not None:
            check_size(SheetSize(end[0] + 1, end[1] + 1, False), name)
        rows = sheet_rows(sheet, reporter)
        reporter.fraction(0.95)
        if not rows:
            continue
        any_data = True
        match = find_header(rows)
        if match is None:
            continue
        missing = [k for k in REQUIRED_KEYS if k not in match.columns]
        if missing:
            if nearest is None or len(match.columns) > len(nearest[1].columns):
                nearest = (name, match)
            continue
        if match.duplicates:
            key, cols = next(iter(match.duplicates.items()))
            shown = "、".join(f"{column_letter(c)}列“{match.headers[c]}”" for c in cols)
            raise FileRefused(
                f"工作表“{name}”第 {match.index + 1} 行的表头中，{shown}都表示“{COLUMNS_BY_KEY[key].header}”，"
                "程序无法确定该用哪一列。",
                "请删除多余的一列，或把它改成别的列名，保存后再导入。")
        _trim_trailing_blank_rows(rows, match.index)
        if len(rows) <= match.index + 1:
            raise FileRefused(f"工作表“{name}”只有表头（第 {match.index + 1} 行），下面没有会员数据。",
                              "请在表头下方逐行填写会员信息后再导入。")
        return SheetData(path=path, sheet_name=name, rows=rows, header_index=match.index,
                         columns=match.columns, headers=match.headers, ignored_headers=match.ignored)
    if not any_data:
        raise FileRefused(f"文件“{path.name}”里没有任何数据（工作表都是空的）。",
                          "请确认选择的是填好的文件；如果还没有填写，请先“下载模板”并填写。")
    if nearest is not None:
        name, match = nearest
        missing = [COLUMNS_BY_KEY[k].header for k in REQUIRED_KEYS if k not in match.columns]
        raise FileRefused(
            f"工作表“{name}”第 {match.index + 1} 行的表头缺少必填列：{'、'.join(missing)}。",
            "姓名、证件号码、手机号码三列必须有。请按模板补上这些列（列名可以是“证件号”“身份证号”“手机号”"
            "“联系电话”等），或使用“下载模板”重新填写。")
    raise FileRefused(
        f"在文件“{path.name}”中找不到会员表头。",
        "表格中应有一行列名，至少包含“姓名”“证件号码”“手机号码”。请使用“下载模板”，把会员信息粘贴到模板中再导入。")


#: Rows read between two progress reports: a few milliseconds of the GIL each.
_ROWS_PER_REPORT = 2000


def sheet_rows(sheet: Any, reporter: _ReadProgress | None = None) -> list[list[Any]]:
    """The rows of a calamine sheet as `to_python(skip_empty_area=False)` gives them (rows[i] is
    Excel's row i + 1, cells[j] its column j + 1, empty cells ""), read row by row so that progress
    is reported between rows: `to_python` holds the GIL for 0.2–0.3 s per 100,000 rows, and neither
    the progress clock nor the UI thread could run meanwhile.

    `iter_rows()` leaves out the empty columns before the sheet's first used one (and, in some
    calamine versions, the empty rows above it): they are put back from the sheet's extent."""
    end = sheet.end  # (last row, last column), 0-based; None when empty
    if end is None:
        return []
    height, width = end[0] + 1, end[1] + 1
    rows: list[list[Any]] = []
    for row in sheet.iter_rows():
        rows.append(row)
        if reporter is not None and len(rows) % _ROWS_PER_REPORT == 0:
            reporter.fraction(0.9 + 0.05 * len(rows) / height)
    if not rows:
        return []
    missing_columns = width - len(rows[0])
    if missing_columns > 0:
        pad = [""] * missing_columns
        rows = [pad + row for row in rows]
    missing_rows = height - len(rows)
    if missing_rows > 0:
        rows[:0] = [[""] * width for _ in range(missing_rows)]
    return rows


def _is_blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def row_is_blank(row: Sequence[Any]) -> bool:
    return all(_is_blank(cell) for cell in row)


def _trim_trailing_blank_rows(rows: list[list[Any]], header_index: int) -> None:
    while len(rows) > header_index + 1 and row_is_blank(rows[-1]):
        rows.pop()


def read_with_openpyxl(path: Path) -> list[tuple[Any, ...]]:
    """A bare read of the first sheet with openpyxl's streaming reader (for bench comparisons)."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        return list(workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()


def read_with_calamine(path: Path) -> list[list[Any]]:
    """A bare read of the first sheet with python-calamine (for bench comparisons)."""
    import python_calamine

    with python_calamine.CalamineWorkbook.from_path(str(path)) as workbook:
        return workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)


def read_with_calamine_sheet(path: Path, sheet_name: str) -> list[list[Any]]:
    with _open_workbook(path, check_file(path)) as workbook:
        return sheet_rows(workbook.get_sheet_by_name(sheet_name))

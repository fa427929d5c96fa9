"""Spreadsheets of members: the import template, reading a clerk's file, the error report, export.

Reading uses python-calamine (an order of magnitude faster than openpyxl on 100,000 rows, see
bench/import.py); writing uses openpyxl. A clerk's file is the most common source of bad
input this product sees, so every odd file is a case with its own Chinese message
(`FileRefused`), checked *before* anything is materialised: the file's real format is sniffed
from its bytes, and a sheet's declared size is read from its XML before calamine loads it.
"""
from __future__ import annotations

import contextlib
import logging
import math
import re
import threading
import time
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from app.rules.codes import GENDER_LABELS, ID_TYPE_LABELS, POST_TYPE_LABELS
from app.rules.normalize import compact
from app.rules.errors import from_os_error
from app.services.errors import ClerkError

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]

#: A union has at most ~100,000 members; twice that is the most one file may hold.
MAX_DATA_ROWS = 200_000
#: Rows above the header we tolerate (titles, notes) when sizing a sheet.
HEADER_SEARCH_ROWS = 50
#: Declared rows × columns beyond which a sheet is refused before loading.
MAX_CELLS = 15_000_000
#: Uncompressed size of one sheet's XML beyond which the file is refused (zip bombs, junk rows).
MAX_SHEET_XML_BYTES = 600 * 1024 * 1024


class FileRefused(ClerkError):
    """The file as a whole cannot be imported; nothing was changed."""


# --- columns -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportColumn:
    key: str
    header: str  # the template's header
    variants: tuple[str, ...]  # other names clerks' files use (compared after `header_key`)
    required: bool
    hint: str  # input message shown in Excel (≤ 255 characters)
    width: int  # template column width in characters
    text_format: bool = False  # '@': Excel must keep what is typed as text
    choices: tuple[str, ...] = ()  # drop-down list
    example: object = ""


ID_TYPE_CHOICES = tuple(ID_TYPE_LABELS.values())
GENDER_CHOICES = tuple(GENDER_LABELS.values())
POST_TYPE_CHOICES = tuple(POST_TYPE_LABELS.values())

EXAMPLE_NAME = "张三（示例）"
EXAMPLE_ID = "610104196209276908"

IMPORT_COLUMNS: tuple[ImportColumn, ...] = (
    ImportColumn("member_no", "会员编号", ("会员号", "会员证号", "会员证编号"), False,
                 "选填。本工会内部的会员编号，可留空。", 12, text_format=True, example="0000001"),
    ImportColumn("name", "姓名", ("会员姓名", "职工姓名", "名字", "姓名全称"), True,
                 "必填。与证件上的姓名一致。", 12, example=EXAMPLE_NAME),
    ImportColumn("id_type", "证件类型", ("证件种类", "证件名称"), False,
                 "从下拉列表选择；不填视为身份证。", 14, choices=ID_TYPE_CHOICES, example="身份证"),
    ImportColumn("id_number", "证件号码", ("证件号", "身份证号", "身份证号码", "身份证", "证件编号",
                                          "公民身份号码", "身份证件号码"), True,
                 "必填。本列已设为文本格式，请直接输入18位身份证号码（末位X大写或小写均可）；"
                 "不要设成数字格式，否则后几位会变成0。同一证件号码再次导入会更新该会员。",
                 22, text_format=True, example=EXAMPLE_ID),
    ImportColumn("id_expiry", "证件到期日", ("证件有效期", "证件到期日期", "证件有效期至", "证件有效期截止日期",
                                            "证件截止日期", "身份证有效期", "身份证到期日", "身份证有效期至",
                                            "有效期", "有效期至", "到期日期", "有效期截止日期"), False,
                 "选填。证件背面的有效期截止日期，如2033-01-01、2033/1/1、20330101、2033.01.01；"
                 "长期有效的填“长期”。办理会员卡时必填。", 14, example="长期"),
    ImportColumn("gender", "性别", ("性別",), False,
                 "身份证会员可不填（按证件号码自动识别）；其他证件请选择。", 8,
                 choices=GENDER_CHOICES, example="男"),
    ImportColumn("birth_date", "出生日期", ("出生年月日", "生日", "出生年月"), False,
                 "身份证会员可不填（按证件号码自动识别）；其他证件请填写，如1990-01-31。", 12,
                 example=date(1962, 9, 27)),
    ImportColumn("phone", "手机号码", ("手机号", "联系电话", "手机", "联系方式", "电话号码", "移动电话",
                                      "手机号码(必填)", "联系手机"), True,
                 "必填。11位手机号码，不能填座机；同一工会内手机号码不能重复。", 14,
                 text_format=True, example="13812345678"),
    ImportColumn("work_address", "工作单位详细地址", ("工作单位地址", "单位地址", "单位详细地址", "工作地址",
                                                    "工作单位详细地址(办卡必填)"), False,
                 "请填写超过6个汉字且少于20个汉字的地址（数字、字母不计入）；如果要办理工会会员卡，请必填。"
                 "例如：上海市黄浦区中山东一路14号", 30, example="上海市黄浦区中山东一路14号"),
    ImportColumn("label", "会员标签", ("标签",), False, "选填，最多50个字，例如：劳模。", 12),
    ImportColumn("join_date", "入会日期", ("入会时间",), False,
                 "选填。日期格式如2024-10-01、2024/10/1、20241001。", 12, example=date(2024, 10, 1)),
    ImportColumn("post_type", "岗位类型", ("岗位性质", "岗位"), False,
                 "女职工请选择工人岗位或管理岗位（决定法定退休年龄）；不清楚的选“不明”。", 12,
                 choices=POST_TYPE_CHOICES, example=""),
)

COLUMNS_BY_KEY: dict[str, ImportColumn] = {c.key: c for c in IMPORT_COLUMNS}
REQUIRED_KEYS: tuple[str, ...] = tuple(c.key for c in IMPORT_COLUMNS if c.required)

# Marks that say "required" or "optional" around a header; compared after normalisation.
_HEADER_MARKS = "*※★☆#:："
_TRAILING_NOTE = re.compile(r"\((?:必填|选填|可选|必输|非必填|可不填|办卡必填)\)$")


def header_key(text: object) -> str:
    """A header cell reduced for matching: half-width, no spaces, no required-marks or notes."""
    key = compact(text)
    for _ in range(3):  # marks and notes may be stacked: "*姓名(必填)*"
        key = key.strip(_HEADER_MARKS)
        key = _TRAILING_NOTE.sub("", key)
    return key


_HEADER_LOOKUP: dict[str, str] = {}
for _column in IMPORT_COLUMNS:
    for _name in (_column.header, *_column.variants):
        _HEADER_LOOKUP[header_key(_name)] = _column.key


def column_for_header(text: object) -> str | None:
    """The import column a header cell names, or None."""
    if not isinstance(text, str):
        return None
    return _HEADER_LOOKUP.get(header_key(text))


def column_letter(index: int) -> str:
    """Excel's letter for a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# --- recognising the file ---------------------------------------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_ENCRYPTED_MARKERS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))

SAVE_AS_XLSX = "请在 Excel（或 WPS）中打开该文件，选择“文件 → 另存为”，保存类型选“Excel 工作簿 (*.xlsx)”，再导入另存的文件。"


def _refuse(message: str, action: str = SAVE_AS_XLSX) -> FileRefused:
    return FileRefused(message, action)


def _looks_like_text(head: bytes) -> str | None:
    """'csv', 'html' or 'xml' when the bytes are text of that kind, else None."""
    sample = head[:4096]
    for encoding in ("utf-8-sig", "gb18030", "utf-16"):
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not text:
            continue
        stripped = text.lstrip().lower()
        if stripped.startswith(("<html", "<!doctype html", "<table", "<meta")) or "<html" in stripped[:512]:
            return "html"
        if stripped.startswith(("<?xml", "<workbook")):
            return "xml"
        printable = sum(1 for ch in text if ch.isprintable() or ch in "\r\n\t")
        if printable / len(text) > 0.95:
            return "csv"
    return None


def check_file(path: Path) -> None:
    """Refuse anything that is not a readable .xlsx file, with a message saying what it is."""
    path = Path(path)
    if not path.exists():
        raise FileRefused(f"找不到文件“{path.name}”。", "请确认文件没有被移动或删除，然后重新选择。")
    if path.is_dir():
        raise FileRefused(f"“{path.name}”是一个文件夹，不是 Excel 文件。", "请选择 .xlsx 文件。")
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except PermissionError:
        raise FileRefused(f"没有权限读取文件“{path.name}”。",
                          "如果文件正在 Excel 中打开，请先关闭它；或把文件复制到桌面后再选择。") from None
    except OSError as exc:
        raise FileRefused(f"无法读取文件“{path.name}”（{exc.strerror or exc}）。",
                          "请把文件复制到本机桌面后重新选择。") from None
    if not head:
        raise FileRefused(f"文件“{path.name}”是空的（0 字节）。",
                          "文件可能没有保存完整。请在 Excel 中重新保存后再导入。")
    if head.startswith(_OLE_MAGIC):
        if _is_encrypted_ole(path):
            raise FileRefused(
                f"文件“{path.name}”设置了打开密码，程序无法读取。",
                "请在 Excel 中用密码打开它，选择“文件 → 信息 → 保护工作簿 → 用密码进行加密”，清空密码并保存，再导入。")
        raise _refuse(f"文件“{path.name}”是旧版 Excel 97-2003 格式（.xls），本系统只支持 .xlsx 文件。")
    if head.startswith(_ZIP_MAGIC):
        _check_zip(path)
    else:
        kind = _looks_like_text(path.read_bytes()[:4096])
        if kind == "csv":
            raise _refuse(f"文件“{path.name}”其实是文本（CSV）文件，只是扩展名写成了 Excel 的扩展名。")
        if kind in ("html", "xml"):
            raise _refuse(f"文件“{path.name}”其实是网页或 XML 格式（常见于从其他系统导出的“Excel”），不是真正的 .xlsx 文件。")
        raise FileRefused(f"文件“{path.name}”已损坏，或者不是 Excel 文件。",
                          "请在 Excel 中确认文件能正常打开，另存为 .xlsx 后再导入；或使用“下载模板”重新填写。")
    if path.suffix.lower() != ".xlsx":
        raise _refuse(f"只支持 .xlsx 文件，“{path.name}”的扩展名是“{path.suffix or '（无）'}”。")


def _is_encrypted_ole(path: Path) -> bool:
    # The OLE directory holds stream names in UTF-16; an encrypted OOXML package has
    # EncryptionInfo and EncryptedPackage streams. The directory sits near the start of small
    # files but may be anywhere, so read in chunks.
    with path.open("rb") as fh:
        tail = b""
        while True:
            chunk = fh.read(1 << 20)
            if not chunk:
                return False
            data = tail + chunk
            if any(marker in data for marker in _ENCRYPTED_MARKERS):
                return True
            tail = data[-64:]


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRefused(f"文件“{path.name}”已损坏（可能没有下载或复制完整），无法打开。",
                          "请重新获取文件，确认它能在 Excel 中正常打开，再导入。") from None
    if "xl/workbook.xml" in names:
        return
    if "xl/workbook.bin" in names:
        raise _refuse(f"文件“{path.name}”是 Excel 二进制工作簿（.xlsb）格式，本系统只支持 .xlsx。")
    if "word/document.xml" in names:
        raise FileRefused(f"文件“{path.name}”是 Word 文档，不是 Excel 表格。", "请选择填好的会员 Excel 文件（.xlsx）。")
    if "ppt/presentation.xml" in names:
        raise FileRefused(f"文件“{path.name}”是 PowerPoint 演示文稿，不是 Excel 表格。", "请选择填好的会员 Excel 文件（.xlsx）。")
    if "content.xml" in names or "mimetype" in names:
        raise _refuse(f"文件“{path.name}”是 OpenDocument/WPS 表格（.ods/.et）格式，不是 .xlsx。")
    raise FileRefused(f"文件“{path.name}”是一个压缩包，不是 Excel 表格。", "请解压后选择其中的 .xlsx 文件。")


# --- the workbook's sheets, sized before loading ---------------------------------------------------

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Za-z]*)(\d*)(?::([A-Za-z]+)(\d+))?\"")


@dataclass(frozen=True)
class SheetSize:
    rows: int
    columns: int
    declared: bool  # from the <dimension> element (else counted)


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def _sheet_parts(archive: zipfile.ZipFile) -> list[str]:
    """The worksheet part names in workbook order (the order calamine uses)."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return []
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[rel.get("Id")] = target
    parts = []
    for sheet in workbook.iter(f"{_NS_MAIN}sheet"):
        parts.append(targets.get(sheet.get(f"{_NS_REL}id"), ""))
    return parts


def measure_sheet(archive: zipfile.ZipFile, part: str) -> SheetSize | None:
    """The size a sheet declares in its <dimension> element, read without loading the sheet.

    None when the sheet has no dimension (openpyxl's write-only mode and some exporters omit it):
    its size is then checked after calamine's native parse and before any Python object is made.
    An XML part too big to be a member list is reported as oversized at once.
    """
    try:
        info = archive.getinfo(part)
    except KeyError:
        return None
    if info.file_size > MAX_SHEET_XML_BYTES:
        return SheetSize(rows=MAX_DATA_ROWS * 100, columns=0, declared=False)
    with archive.open(info) as stream:
        head = stream.read(1 << 16)
    match = _DIMENSION.search(head.split(b"<sheetData", 1)[0])
    if not match or not match.group(2):
        return None
    last_col, last_row = match.group(3), match.group(4)
    if last_row is None:  # a single-cell ref like "A1"
        last_col, last_row = match.group(1), match.group(2)
    return SheetSize(rows=int(last_row), columns=_column_number(last_col.decode()), declared=True)


def _check_size(size: SheetSize | None, sheet_name: str) -> None:
    if size is None:
        return
    limit = MAX_DATA_ROWS + HEADER_SEARCH_ROWS
    if size.rows > limit or size.rows * max(size.columns, 1) > MAX_CELLS:
        shown = f"{size.rows:,}" if size.rows < MAX_DATA_ROWS * 100 else "超过一百万"
        raise FileRefused(
            f"工作表“{sheet_name}”{'声明' if size.declared else '含'}有 {shown} 行"
            f"{f'、{size.columns:,} 列' if size.columns > 200 else ''}，"
            f"超过了一次导入的上限（{MAX_DATA_ROWS:,} 行）。"
            "这通常是因为表格下方或右侧有大量设置过格式的空行、空列。",
            "请选中数据下方的所有空行（或右侧的空列）并“删除”（不是清除内容），保存后再导入；"
            f"如果确实超过 {MAX_DATA_ROWS:,} 人，请拆分成几个文件分别导入。")


# --- reading ---------------------------------------------------------------------------------


@dataclass
class SheetData:
    """One sheet of a clerk's file, as read: rows[i] is the row Excel numbers i + 1."""

    path: Path
    sheet_name: str
    sheet_index: int
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

    @property
    def data_rows(self) -> int:
        return len(self.rows) - self.header_index - 1


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
    import python_calamine

    check_file(path)
    try:
        with zipfile.ZipFile(path) as archive:
            parts = _sheet_parts(archive)
            sizes = [measure_sheet(archive, part) if part else None for part in parts]
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
        raise FileRefused(f"文件“{path.name}”已损坏，无法打开。",
                          "请确认文件能在 Excel 中正常打开，另存为 .xlsx 后再导入。") from None
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # noqa: BLE001 - calamine's errors are all "cannot read this file"
        raise _damaged(path, exc) from None
    try:
        return _read_first_member_sheet(workbook, path, sizes, reporter)
    finally:
        with contextlib.suppress(Exception):  # already closed
            workbook.close()


def _damaged(path: Path, exc: BaseException) -> FileRefused:
    import python_calamine

    log.info("calamine could not read %s: %s", path.name, type(exc).__name__)
    if isinstance(exc, python_calamine.PasswordError):
        return FileRefused(f"文件“{path.name}”设置了密码，程序无法读取。",
                           "请在 Excel 中去掉密码后另存为 .xlsx，再导入。")
    return FileRefused(f"文件“{path.name}”已损坏，或者内容不是有效的 Excel 表格，无法读取。",
                       "请确认文件能在 Excel 中正常打开，另存为 .xlsx 后再导入；或使用“下载模板”重新填写。")


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
        _check_size(sizes[i] if i < len(sizes) else None, name)
        try:
            sheet = workbook.get_sheet_by_index(i)
        except Exception as exc:  # noqa: BLE001
            raise _damaged(path, exc) from None
        end = sheet.end  # (last row, last column), 0-based; None when empty
        if end is not None:
            _check_size(SheetSize(end[0] + 1, end[1] + 1, False), name)
        rows = sheet.to_python(skip_empty_area=False)  # holds the GIL: ~0.15 s per 100,000 rows
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
        return SheetData(path=path, sheet_name=name, sheet_index=i, rows=rows, header_index=match.index,
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


# --- the template ------------------------------------------------------------------------------

TEMPLATE_SHEET = "会员信息"
TEMPLATE_ROWS = 5000  # rows the drop-downs and text format are set on
_HEADER_FILL = "DDEBF7"
_REQUIRED_FONT = "C00000"


def write_template(out: Path) -> Path:
    """The import template: required headers marked, hints, drop-downs, the ID column as text."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = TEMPLATE_SHEET
    last_row = TEMPLATE_ROWS + 1
    for col, column in enumerate(IMPORT_COLUMNS, start=1):
        letter = column_letter(col - 1)
        cell = sheet.cell(row=1, column=col, value=column.header + ("*" if column.required else ""))
        cell.font = Font(bold=True, color=_REQUIRED_FONT if column.required else "000000")
        cell.fill = PatternFill("solid", fgColor=_HEADER_FILL)
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.comment = Comment(column.hint, "会员导入模板", width=260, height=110)
        dimension = sheet.column_dimensions[letter]
        dimension.width = column.width
        if column.text_format:
            dimension.number_format = "@"
        elif column.key in ("birth_date", "join_date"):
            dimension.number_format = "yyyy-mm-dd"
        if column.choices:
            validation = DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"',
                                        allow_blank=True, showDropDown=False)
            validation.error = f"请从下拉列表中选择：{'、'.join(column.choices)}"
            validation.errorTitle = f"{column.header}不正确"
            validation.showErrorMessage = True
        else:
            validation = DataValidation(allow_blank=True)
        validation.prompt = column.hint[:255]
        validation.promptTitle = (column.header + ("（必填）" if column.required else ""))[:32]
        validation.showInputMessage = True
        validation.add(f"{letter}1:{letter}{last_row}")
        sheet.add_data_validation(validation)
        example = column.example
        value_cell = sheet.cell(row=2, column=col, value=example if example != "" else None)
        value_cell.font = Font(italic=True, color="808080")
        if column.text_format:
            value_cell.number_format = "@"
        elif isinstance(example, date):
            value_cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    sheet.row_dimensions[1].height = 22

    notes = workbook.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 100
    lines = [
        "会员信息导入模板 · 填写说明",
        "1. 带 * 的列（姓名、证件号码、手机号码）必填；其他列可留空。列的顺序可以调整，不要修改列名。",
        "2. 第2行是示例（灰色斜体），导入时会自动跳过；也可以直接删除。",
        ("3. 证件号码列已设为文本格式。从其他表格粘贴时请用“选择性粘贴 → 数值”，"
         "不要把该列改成数字格式，否则18位号码的后几位会变成0且无法恢复。"),
        "4. 证件类型从下拉列表选择，不填视为身份证。身份证会员的性别、出生日期按号码自动识别。",
        "5. 工作单位详细地址请填写超过6个汉字且少于20个汉字（如果要办理工会会员卡，请必填）。",
        "6. 手机号码不要重复：同一工会内每位会员的手机号码必须不同。",
        "7. 日期可写成 2033-01-01、2033/1/1、20330101、2033.01.01 或 Excel 日期；证件长期有效的填“长期”。",
        "8. 同一证件号码再次导入时会更新该会员的信息（空白单元格不会清除已有信息）。",
        "9. 会员导入成功后直接进入当前工会；会员类型（关联企业类/灵活就业类/企业外入会类）在导入时选择。",
    ]
    for row, line in enumerate(lines, start=1):
        cell = notes.cell(row=row, column=1, value=line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if row == 1:
            cell.font = Font(bold=True, size=14)
    workbook.active = 0
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    _save_atomically(workbook, out)
    return out


def _save_atomically(workbook: Any, out: Path) -> None:
    """Save to a temporary file beside `out`, then replace it: a crash never leaves half a file."""
    import os

    tmp = out.with_name(f".{out.name}.part")
    try:
        workbook.save(tmp)
        os.replace(tmp, out)
    except PermissionError:
        tmp.unlink(missing_ok=True)
        raise ClerkError(f"无法写入文件“{out.name}”。",
                         "如果该文件正在 Excel 中打开，请先关闭它；或换一个文件名、换一个文件夹保存。") from None
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if from_os_error(exc) is not None:
            raise ClerkError("磁盘空间已满，文件没有保存。", "请清理磁盘空间后重试。") from None
        raise ClerkError(f"无法保存文件“{out.name}”（{exc.strerror or exc}）。", "请换一个文件夹保存。") from None


# --- the error report ----------------------------------------------------------------------------

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


def _stream_error_report(source: Path, sheet_name: str, header_row: int, by_row: dict[int, list[CellMark]],
                         out: Path, progress: ProgressFn | None, rows: int) -> Path:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    fill = PatternFill("solid", fgColor=REPORT_FILL)
    red = Font(color=_REQUIRED_FONT)
    bold_red = Font(bold=True, color=_REQUIRED_FONT)
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
        report_col: int | None = None
        count = 0
        try:
            while source_rows and row_is_blank(source_rows[-1]):
                source_rows.pop()
            for number, cells in enumerate(source_rows, start=1):
                values: list[Any] = []
                row_marks = by_row.get(number)
                bad = {m.column for m in row_marks if m.column is not None} if row_marks else set()
                marked: set[int] = set()
                for col, value in enumerate(cells):
                    if value == "":
                        value = None
                    if col in bad:
                        marked.add(col)
                        out_cell = WriteOnlyCell(sheet, value=value)
                        out_cell.fill = fill
                        out_cell.comment = Comment(_comment_text(row_marks, col), "导入校验", width=320, height=120)
                        values.append(out_cell)
                    elif isinstance(value, (date, datetime, time_of_day, timedelta)):
                        out_cell = WriteOnlyCell(sheet, value=value)
                        if type(value) is date:
                            out_cell.number_format = "yyyy-mm-dd"
                        values.append(out_cell)
                    else:
                        values.append(value)
                if number == header_row:
                    texts = [v if isinstance(v, str) else None for v in values]
                    report_col = texts.index(REPORT_COLUMN) if REPORT_COLUMN in texts else len(values)
                    sheet.column_dimensions[column_letter(report_col)].width = 60
                for col in sorted(bad - marked):  # a bad cell past the row's last value
                    while len(values) <= col:
                        values.append(None)
                    out_cell = WriteOnlyCell(sheet, value=values[col])
                    out_cell.fill = fill
                    out_cell.comment = Comment(_comment_text(row_marks, col), "导入校验", width=320, height=120)
                    values[col] = out_cell
                if report_col is not None:
                    while len(values) <= report_col:
                        values.append(None)
                    if number == header_row:
                        note = WriteOnlyCell(sheet, value=REPORT_COLUMN)
                        note.font = bold_red
                    elif row_marks:
                        note = WriteOnlyCell(sheet, value=_row_summary(row_marks))
                        note.font = red
                    else:
                        note = None  # an earlier report's note on a row that is now fine
                    values[report_col] = note
                sheet.append(values)
                count += 1
                if progress and count % 1000 == 0:
                    progress(min(total // 10 + count * 9 // 10, total), total)
        except BaseException:
            sheet.close()
            if sheet._writer is not None:
                sheet._writer.cleanup()
            raise
    finally:
        source_rows = []
    out.parent.mkdir(parents=True, exist_ok=True)
    _save_atomically(workbook, out)
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
    header.font = Font(bold=True, color=_REQUIRED_FONT)
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
        note.font = Font(color=_REQUIRED_FONT)
    # Earlier reports' notes on rows that are now fine would mislead: clear them.
    for row in range(header_row + 1, sheet.max_row + 1):
        if row not in by_row and sheet.cell(row=row, column=report_col).value is not None:
            sheet.cell(row=row, column=report_col).value = None
    if progress:
        progress(2, 3)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    _save_atomically(workbook, out)
    if progress:
        progress(3, 3)
    return out


def read_with_calamine_sheet(path: Path, sheet_name: str) -> list[list[Any]]:
    import python_calamine

    with python_calamine.CalamineWorkbook.from_path(str(path)) as workbook:
        return workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)


def _plain(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool, date, datetime)) or value is None:
        return value
    return str(value)


# --- export ------------------------------------------------------------------------------------

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
    fill = PatternFill("solid", fgColor=_HEADER_FILL)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        cell.fill = fill
        header.append(cell)
    sheet.append(header)
    try:
        count = _append_rows(sheet, columns, rows, on_row)
    except BaseException:
        # Finish the half-written sheet and drop its temporary file (no half a workbook anywhere).
        sheet.close()
        if sheet._writer is not None:  # openpyxl keeps the stream in a temporary file
            sheet._writer.cleanup()
        raise
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    _save_atomically(workbook, out)
    return count


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
            flags = member_flags(r, plan_year, today)
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

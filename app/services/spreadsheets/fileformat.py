"""Recognising a clerk's file before anything is loaded: its real format sniffed from its bytes —
.xlsx, .xls (Excel 97–2003, still WPS's default), .xlsb and .ods are read (python-calamine reads
them all); CSV, HTML, Word … are each refused with their own advice — and, for .xlsx, each sheet's
size read from its XML so that an oversized sheet is refused before calamine materialises it.

A sheet's size is the rows that hold data: a <dimension> reaching row 1,048,576 because one cell
down there was formatted is common in real files and costs nothing to ignore.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from openpyxl.utils import column_index_from_string

from app.services.errors import ClerkError

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


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_ENCRYPTED_MARKERS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))

SAVE_AS_XLSX = "请在 Excel（或 WPS）中打开该文件，选择“文件 → 另存为”，保存类型选“Excel 工作簿 (*.xlsx)”，再导入另存的文件。"
#: The formats read (by content, whatever the file's extension says), and the extensions offered.
FORMATS = {"xlsx": "Excel 工作簿（.xlsx）", "xls": "Excel 97-2003 工作簿（.xls）",
           "xlsb": "Excel 二进制工作簿（.xlsb）", "ods": "OpenDocument 表格（.ods）"}
SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


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


def check_file(path: Path) -> str:
    """The file's format ("xlsx", "xls", "xlsb" or "ods", from its bytes); anything else is refused
    with a message saying what it is."""
    path = Path(path)
    if not path.exists():
        raise FileRefused(f"找不到文件“{path.name}”。", "请确认文件没有被移动或删除，然后重新选择。")
    if path.is_dir():
        raise FileRefused(f"“{path.name}”是一个文件夹，不是 Excel 文件。", "请选择填好的会员 Excel 文件。")
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
        return "xls"
    if head.startswith(_ZIP_MAGIC):
        return _check_zip(path)
    else:
        kind = _looks_like_text(path.read_bytes()[:4096])
        if kind == "csv":
            raise _refuse(f"文件“{path.name}”其实是文本（CSV）文件，只是扩展名写成了 Excel 的扩展名。")
        if kind in ("html", "xml"):
            raise _refuse(f"文件“{path.name}”其实是网页或 XML 格式（常见于从其他系统导出的“Excel”），不是真正的 .xlsx 文件。")
        raise FileRefused(f"文件“{path.name}”已损坏，或者不是 Excel 文件。",
                          "请在 Excel 中确认文件能正常打开，另存为 .xlsx 后再导入；或使用“下载模板”重新填写。")


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


def _check_zip(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:80].strip() if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
        raise FileRefused(f"文件“{path.name}”已损坏（可能没有下载或复制完整），无法打开。",
                          "请重新获取文件，确认它能在 Excel 中正常打开，再导入。") from None
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if mimetype.startswith(_ODS_MIMETYPE) or ("content.xml" in names and not mimetype):
        return "ods"
    if "word/document.xml" in names:
        raise FileRefused(f"文件“{path.name}”是 Word 文档，不是 Excel 表格。", "请选择填好的会员 Excel 文件（.xlsx）。")
    if "ppt/presentation.xml" in names:
        raise FileRefused(f"文件“{path.name}”是 PowerPoint 演示文稿，不是 Excel 表格。", "请选择填好的会员 Excel 文件（.xlsx）。")
    if "content.xml" in names:
        raise FileRefused(f"文件“{path.name}”是 OpenDocument 文字或演示文档，不是表格。",
                          "请选择填好的会员 Excel 文件（.xlsx、.xls）或 OpenDocument 表格（.ods）。")
    raise FileRefused(f"文件“{path.name}”是一个压缩包，不是 Excel 表格。", "请解压后选择其中的 Excel 文件。")


# --- the workbook's sheets, sized before loading ---------------------------------------------------

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Za-z]*)(\d*)(?::([A-Za-z]+)(\d+))?\"")


@dataclass(frozen=True)
class SheetSize:
    rows: int  # declared or counted rows; when `holding`, the rows that hold data
    columns: int
    declared: bool  # from the <dimension> element (else counted)
    #: Counted from the cells that hold data: `rows` of them, the last at `last_row`.
    holding: bool = False
    last_row: int = 0


def _column_number(letters: str) -> int:
    try:
        return int(column_index_from_string(letters))
    except ValueError:  # beyond Excel's last column (XFD): as oversized as it gets
        return MAX_CELLS


def sheet_parts(archive: zipfile.ZipFile) -> list[str]:
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


_ROW = re.compile(rb"<(?:\w+:)?row\b[^>]*?\sr=\"(\d+)\"[^>]*?(?:/>|>(.*?)</(?:\w+:)?row>)", re.S)
_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\sr=\"([A-Za-z]+)\d+\"")
_HAS_VALUE = re.compile(rb"<(?:\w+:)?(?:v|is)[\s>]")
_CHUNK = 4 << 20


def scan_sheet(archive: zipfile.ZipFile, part: str) -> SheetSize:
    """Count the rows of a sheet's XML that hold a value (formatting alone does not count), and
    find the last of them and the farthest column holding one — streamed, nothing loaded."""
    rows = last_row = columns = 0
    pending = b""
    with archive.open(part) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            data = pending + chunk
            cut = len(data) if not chunk else _last_row_start(data)
            for match in _ROW.finditer(data, 0, cut):
                content = match.group(2)
                values = [v.start() for v in _HAS_VALUE.finditer(content)] if content else []
                if not values:
                    continue
                rows += 1
                last_row = max(last_row, int(match.group(1)))
                refs = _CELL_REF.findall(content, 0, values[-1])
                if refs:
                    columns = max(columns, _column_number(refs[-1].decode()))
            pending = data[cut:]
            if not chunk:
                return SheetSize(rows=rows, columns=columns, declared=False, holding=True, last_row=last_row)


def _last_row_start(data: bytes) -> int:
    """Where the last (maybe incomplete) row element of `data` starts: the rows before it are whole."""
    plain, prefixed = data.rfind(b"<row"), data.rfind(b":row ")
    if prefixed > plain:
        plain = data.rfind(b"<", 0, prefixed)
    return plain if plain > 0 else len(data)


def sheet_size(archive: zipfile.ZipFile, part: str) -> SheetSize | None:
    """What to check a sheet by before loading it: its declared size, or — when that is over the
    limits — the rows that really hold data (a formatted cell at row 1,048,576 is no data)."""
    declared = measure_sheet(archive, part)
    if declared is None or not _oversized(declared.rows, declared.columns):
        return declared
    if declared.rows >= MAX_DATA_ROWS * 100 and not declared.declared:  # an XML part too big to read
        return declared
    return scan_sheet(archive, part)


def _oversized(rows: int, columns: int) -> bool:
    return rows > MAX_DATA_ROWS + HEADER_SEARCH_ROWS or rows * max(columns, 1) > MAX_CELLS


def check_size(size: SheetSize | None, sheet_name: str) -> None:
    if size is None:
        return
    if size.holding:
        _check_holding(size, sheet_name)
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


def _check_holding(size: SheetSize, sheet_name: str) -> None:
    """The rows holding data may be many (refused as too many members for one file), or few with
    one far below the rest (refused naming its row: loading would span every row up to it)."""
    if size.rows > MAX_DATA_ROWS + HEADER_SEARCH_ROWS:
        raise FileRefused(
            f"工作表“{sheet_name}”有 {size.rows:,} 行数据，超过了一次导入的上限（{MAX_DATA_ROWS:,} 行）。",
            f"请拆分成几个文件（每个不超过 {MAX_DATA_ROWS:,} 人）分别导入。")
    if _oversized(size.last_row, size.columns):
        raise FileRefused(
            f"工作表“{sheet_name}”第 {size.last_row:,} 行还有内容，离上面的会员数据很远"
            f"{f'（最远到第 {size.columns:,} 列）' if size.columns > 200 else ''}。",
            f"请到第 {size.last_row:,} 行（按 Ctrl+End 可跳到最后一个有内容的单元格）删除这些多余的内容，"
            "保存后再导入。")

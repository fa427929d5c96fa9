"""Saving a workbook the clerk asked for: whole or not at all, with what to do when it cannot be."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from app.files import atomic_write
from app.rules.errors import from_os_error
from app.services.errors import ClerkError

T = TypeVar("T")


def save_workbook(workbook: Any, out: Path) -> None:
    """Save whole or not at all (`app.files.atomic_write`): a crash never leaves half a file."""
    try:
        with atomic_write(out) as temp:
            workbook.save(temp)
    except PermissionError:
        raise ClerkError(f"无法写入文件“{out.name}”。",
                         "如果该文件正在 Excel 中打开，请先关闭它；或换一个文件名、换一个文件夹保存。") from None
    except OSError as exc:
        if from_os_error(exc) is not None:
            raise ClerkError("磁盘空间已满，文件没有保存。", "请清理磁盘空间后重试。") from None
        raise ClerkError(f"无法保存文件“{out.name}”（{exc.strerror or exc}）。", "请换一个文件夹保存。") from None


def discard_stream(sheet: Any) -> None:
    """Finish a half-written write-only sheet and drop its temporary file (no half a workbook
    anywhere): openpyxl keeps the stream of a write-only sheet in a temporary file."""
    sheet.close()
    if sheet._writer is not None:
        sheet._writer.cleanup()


def save_streamed(workbook: Any, sheet: Any, out: Path, fill: Callable[[], T]) -> T:
    """Run `fill()` (appending rows to the write-only `sheet`), then save `workbook` to `out` whole;
    if filling fails, the half-written stream is dropped. Returns what `fill` returned."""
    try:
        result = fill()
    except BaseException:
        discard_stream(sheet)
        raise
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    save_workbook(workbook, out)
    return result

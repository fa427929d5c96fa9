"""Showing errors to a clerk: what happened, what to do, and where the log is."""
from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from app.services.errors import clerk_facing

log = logging.getLogger(__name__)

#: Set by main() once the profile is known.
LOG_FILE: Path | None = None
#: False when running headless (--screenshot): errors go to stderr instead of a modal dialog.
INTERACTIVE = True


def describe(exc: BaseException) -> tuple[str, str, bool]:
    """(message, what to do, is_bug) for an exception."""
    known = clerk_facing(exc)
    if known is not None:
        return known.message, known.action, False
    where = f"日志已保存在：{LOG_FILE}" if LOG_FILE else ""
    return "程序出现意外错误，刚才的操作没有完成。", f"请重试；如果问题重复出现，请把日志文件发给技术支持（12351）。{where}", True


def show_error(parent: QWidget | None, exc: BaseException, title: str = "出错了") -> None:
    message, action, is_bug = describe(exc)
    if is_bug:
        log.error("unexpected error:\n%s", "".join(traceback.format_exception(exc)))
    else:
        log.info("clerk-facing error: %s", message)
    if not INTERACTIVE:
        print(f"{title}：{message} {action}", file=sys.stderr)
        return
    box = QMessageBox(QMessageBox.Icon.Critical if is_bug else QMessageBox.Icon.Warning, title, message,
                      QMessageBox.StandardButton.Ok, parent)
    box.setInformativeText(action)
    box.exec()


def describe_sync_error(exc: BaseException) -> str:
    """What a failed sync or login means for the clerk, in one line (status bar, login dialog)."""
    known = clerk_facing(exc)
    return str(known) if known is not None else "同步时出现意外错误，本机数据未受影响。请稍后重试。"

"""What the QApplication gets before the first window: Qt's own Chinese texts and the app icon.

Qt's standard dialogs and buttons (QMessageBox, QFileDialog, context menus) say 取消 / 确定 / 打开
only with Qt's translation loaded; `qtbase_zh_CN.qm` ships with PySide6 and the frozen build keeps
just that one file. The few strings of Qt's own file dialog that catalogue lacks come from
`QT_MISSING` (found by tests/views/screen_walk.py, which fails on English a clerk can see).
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from app.paths import qt_translation_dirs, resource_path

log = logging.getLogger(__name__)

QT_CATALOG = "qtbase_zh_CN"
ICON = ("icons", "union-clerk.png")
#: (context, source text) of Qt's own widgets that qtbase_zh_CN.qm (Qt 6.9–6.11) leaves English.
QT_MISSING = {
    ("QFileDialog", "&Look in:"): "查找范围(&L)：",
    ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
    ("QAbstractFileIconProvider", "Drive"): "驱动器",
    ("QAbstractFileIconProvider", "Folder"): "文件夹",
    ("QAbstractFileIconProvider", "File"): "文件",
    ("QAbstractFileIconProvider", "%1 File"): "%1 文件",
    ("QAbstractFileIconProvider", "Shortcut"): "快捷方式",
    ("QAbstractFileIconProvider", "Alias"): "替身",
    ("QAbstractFileIconProvider", "Unknown"): "未知",
}


class _QtCatalogue(QTranslator):
    """Qt's catalogue, with `QT_MISSING` for the strings it lacks. None (a null string) for the
    rest, so the next translator — or the source text — answers: "" would blank every label."""

    def translate(self, context: str, source: str, disambiguation: str | None = None,
                  n: int = -1) -> str | None:
        return super().translate(context, source, disambiguation, n) or QT_MISSING.get((context, source))


def install_qt_translations(app: QApplication) -> QTranslator | None:
    """Load Qt's Simplified Chinese catalogue into `app` from the first folder that has it (a
    frozen build's own layout included); None (logged) when none does."""
    translator = _QtCatalogue(app)
    folders = qt_translation_dirs(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    for folder in folders:
        if translator.load(QT_CATALOG, str(folder)):
            app.installTranslator(translator)
            return translator
    log.warning("Qt translation %s not found in %s: standard buttons stay in English", QT_CATALOG,
                ", ".join(map(str, folders)))
    return None


def set_app_icon(app: QApplication) -> None:
    app.setWindowIcon(QIcon(str(resource_path(*ICON))))


def use_chinese_locale() -> None:
    """Dates, month and day names in Chinese whatever the PC's own language: a calendar pop-up on
    an English Windows (or under the C locale) said "January" and "Mon"."""
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))


def prepare(app: QApplication) -> None:
    install_qt_translations(app)
    use_chinese_locale()
    set_app_icon(app)

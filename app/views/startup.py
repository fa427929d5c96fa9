"""What the QApplication gets before the first window: Qt's own Chinese texts and the app icon.

Qt's standard dialogs and buttons (QMessageBox, QFileDialog, context menus) say 取消 / 确定 / 打开
only with Qt's translation loaded; `qtbase_zh_CN.qm` ships with PySide6 and the frozen build keeps
just that one file.
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QLibraryInfo, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from app.paths import qt_translation_dirs, resource_path

log = logging.getLogger(__name__)

QT_CATALOG = "qtbase_zh_CN"
ICON = ("icons", "union-clerk.png")


def install_qt_translations(app: QApplication) -> QTranslator | None:
    """Load Qt's Simplified Chinese catalogue into `app` from the first folder that has it (a
    frozen build's own layout included); None (logged) when none does."""
    translator = QTranslator(app)
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


def prepare(app: QApplication) -> None:
    install_qt_translations(app)
    set_app_icon(app)

"""Registering the bundled CJK font so Chinese renders on a PC with no CJK font installed."""
from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from app.paths import resource_path

log = logging.getLogger(__name__)

FONT_FILE = ("fonts", "wqy-microhei.ttc")


def register_bundled_font(app: QApplication, point_size: float = 10.0) -> str | None:
    """Add the bundled font and make it the application font; returns its family name."""
    path = resource_path(*FONT_FILE)
    font_id = QFontDatabase.addApplicationFont(str(path))
    if font_id < 0:
        log.error("could not load bundled font %s", path)
        return None
    families = QFontDatabase.applicationFontFamilies(font_id)
    family = families[0]
    font = QFont(family)
    font.setPointSizeF(point_size)
    app.setFont(font)
    return family

"""Window sizes that fit the clerk's screen (issue #13: every page, wizard step and dialog fits a
1366×768 screen, at 150 % scaling too — 911×512 logical pixels).

Sizes are asked for in the font's own units (`em`), then held inside the screen's available area:
a dialog sized for a big monitor opens whole on a small one, its lists showing fewer rows.
"""
from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QStackedWidget, QWidget

#: Room kept for the window frame and title bar, in logical pixels.
FRAME_WIDTH, FRAME_HEIGHT = 16, 40


def em(widget: QWidget) -> int:
    """The width of one Chinese character in `widget`'s font."""
    return widget.fontMetrics().horizontalAdvance("中")


def resize_in_screen(widget: QWidget, width: int, height: int) -> None:
    """Resize `widget` to width×height, or to the screen's available area when that is smaller."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        widget.resize(width, height)
        return
    area = screen.availableGeometry()
    widget.resize(min(width, area.width() - FRAME_WIDTH), min(height, area.height() - FRAME_HEIGHT))


class CurrentPageStack(QStackedWidget):
    """A stack of pages sized by the page shown, not by the largest page ever built (a
    QStackedWidget's minimum is the largest of all its pages': one wide page would make every
    page scroll sideways inside the main window at 150 %)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.currentChanged.connect(lambda _i: self.updateGeometry())

    def sizeHint(self) -> QSize:
        page = self.currentWidget()
        return page.sizeHint() if page is not None else super().sizeHint()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's virtual)
        page = self.currentWidget()
        return page.minimumSizeHint().expandedTo(page.minimumSize()) if page is not None else super().minimumSizeHint()

"""帮助: 操作说明 (the app's own Chinese manual, offline, shipped in resources/manual with screenshots
of this app), 技术支持 (the hotline and the manual's last-page numbers), 查看通知 (notices from the
server, as the last sync brought them)."""
from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.paths import resource_path
from app.views import ops
from app.views.sizing import resize_in_screen
from app.views.windows import show_beside

MANUAL = ("manual", "index.html")
SUPPORT = ("manual", "support.html")


class ManualDialog(QDialog):
    """A page of the bundled manual in a text browser: links inside it stay inside; web links open
    in the PC's browser."""

    def __init__(self, page: tuple[str, str] = MANUAL, title: str = "操作说明", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr(title))
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(True)
        self.browser.setOpenExternalLinks(False)
        self.browser.setSearchPaths([str(resource_path(page[0]))])
        self.browser.anchorClicked.connect(self._anchor)
        self.browser.setSource(QUrl.fromLocalFile(str(resource_path(*page))))
        back = QPushButton(self.tr("返回"))
        back.clicked.connect(self.browser.backward)
        self.browser.backwardAvailable.connect(back.setEnabled)
        back.setEnabled(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("关闭"))
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(back)
        bottom.addStretch(1)
        bottom.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addLayout(bottom)
        em = self.fontMetrics().horizontalAdvance("中")
        resize_in_screen(self, em * 60, em * 40)

    def _anchor(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)
            self.browser.setSource(self.browser.source())  # stay on the page


def open_manual(parent: QWidget) -> ManualDialog:
    """操作说明 beside the main window, which stays usable while the clerk follows it."""
    return show_beside(ManualDialog(MANUAL, "操作说明", parent))


def open_support(parent: QWidget) -> ManualDialog:
    dialog = ManualDialog(SUPPORT, "技术支持", parent)
    em = dialog.fontMetrics().horizontalAdvance("中")
    resize_in_screen(dialog, em * 40, em * 26)
    return show_beside(dialog)


def open_notices(parent: QWidget) -> NoticesDialog:
    """查看通知 beside the main window."""
    return show_beside(NoticesDialog(parent))


class NoticesDialog(QDialog):
    """查看通知: the notices the server published, newest first; a notice's text beside the list."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("查看通知"))
        self.list = QListWidget()
        self.text = QTextBrowser()
        self.text.setOpenExternalLinks(True)
        splitter = QSplitter()
        splitter.addWidget(self.list)
        splitter.addWidget(self.text)
        splitter.setStretchFactor(1, 2)
        self.status = QLabel(self.tr("正在读取…"))
        self.status.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("关闭"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.list.currentItemChanged.connect(self._show)
        em = self.fontMetrics().horizontalAdvance("中")
        resize_in_screen(self, em * 56, em * 30)
        from app.services import notices_feed

        ops.run_db(self, notices_feed.cached_notices, self.show_notices)

    def show_notices(self, data) -> None:
        notices, fetched_at = data
        self.list.clear()
        for notice in notices:
            item = QListWidgetItem(f"{notice.published:%Y-%m-%d}　{notice.title}")
            item.setData(256, notice)
            self.list.addItem(item)
        if notices:
            self.list.setCurrentRow(0)
            when = self.tr("（{0} 同步）").format(fetched_at.strftime("%Y-%m-%d %H:%M")) if fetched_at else ""
            self.status.setText(self.tr("共 {0} 条通知{1}。").format(len(notices), when))
        elif fetched_at is None:
            self.status.setText(self.tr("还没有从服务器获取过通知。请登录并同步后再查看。"))
        else:
            self.status.setText(self.tr("目前没有通知（{0} 同步）。").format(fetched_at.strftime("%Y-%m-%d %H:%M")))

    def _show(self, item: QListWidgetItem | None, _previous=None) -> None:
        notice = item.data(256) if item is not None else None
        if notice is None:
            self.text.clear()
            return
        self.text.setPlainText(f"{notice.title}\n{notice.published:%Y年%m月%d日}　{notice.publisher}\n\n{notice.body}")

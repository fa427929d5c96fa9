"""The status-bar sync indicator: 在线/离线, what waits to be sent, the last sync, the last error in
words, and the 同步 button. It only reads the controller's state."""
from __future__ import annotations

from PySide6 import QtCore  # QtCore.Qt named only when used: see app.views.main_window.USER_ROLE
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from app.views.sync_controller import SyncController


class SyncStatusWidget(QWidget):
    """Status bar: 在线/离线, what waits to be sent, last sync, last error in words, 同步."""

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.state = QLabel()
        self.pending = QLabel()
        self.last = QLabel()
        #: 有新版本 with its download page, when the server announces one (never installed by itself)
        self.update_notice = QLabel()
        self.update_notice.setOpenExternalLinks(True)
        self.update_notice.setStyleSheet("color: #b9770e; font-weight: bold;")
        self.error = QLabel()
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setMaximumWidth(self.fontMetrics().horizontalAdvance("中") * 24)
        self.button = QToolButton()
        self.button.setText(self.tr("同步"))
        self.button.clicked.connect(controller.sync_now)
        self.progress = QLabel()  # 上传 a/b  下载 c/d, while a sync runs
        self.cancel = QToolButton()
        self.cancel.setText(self.tr("取消"))
        self.cancel.setToolTip(self.tr("停止本次同步；已上传、已下载的部分都会保留"))
        self.cancel.clicked.connect(controller.cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (self.update_notice, self.error, self.state, self.progress, self.cancel, self.pending, self.last,
                  self.button):
            layout.addWidget(w)
        controller.statusChanged.connect(self.update_view)
        self.update_view()

    def update_view(self) -> None:
        c = self.controller
        if c.signed_in is None and c.resume_pending is not None:
            state, colour = (self.tr("正在连接服务器…"), "#2c7be5") if c.running else (self.tr("● 离线"), "#c0392b")
        elif c.signed_in is None:
            state, colour = self.tr("未登录（离线工作）"), "#888888"
        elif c.running:
            state, colour = self.tr("正在取消…") if c.cancelling else self.tr("正在同步…"), "#2c7be5"
        elif c.online is False:
            state, colour = self.tr("● 离线"), "#c0392b"
        elif c.online:
            state, colour = self.tr("● 在线"), "#27ae60"
        else:
            state, colour = self.tr("● 尚未同步"), "#888888"
        self.state.setText(state)
        self.state.setStyleSheet(f"color: {colour};")
        self.pending.setText(self.tr("待发送 {0} 条").format(c.pending))
        self.last.setText(self.tr("上次同步 {0}").format(c.last_sync.strftime("%m-%d %H:%M")) if c.last_sync
                          else self.tr("从未同步"))
        text = c.last_error or c.keyring_note
        if text or self.error.text():  # (QtCore.Qt only when there is something to say: see sync_status's import)
            metrics = self.error.fontMetrics()
            self.error.setText(metrics.elidedText(text, QtCore.Qt.TextElideMode.ElideRight, self.error.maximumWidth()))
        self.error.setToolTip(text)
        notice = _update_notice(c.update)
        self.update_notice.setText(notice)
        self.update_notice.setVisible(bool(notice))
        self.button.setEnabled((c.signed_in is not None or c.resume_pending is not None) and not c.running)
        self.progress.setText("  ".join(f"{stage} {done:,}/{total:,}" for stage, (done, total) in c.progress.items()))
        self.progress.setVisible(c.running and bool(c.progress))
        self.cancel.setVisible(c.running and c.signed_in is not None)  # not while the saved login is resumed
        self.cancel.setEnabled(not c.cancelling)


def _update_notice(update: object) -> str:
    """'有新版本 …' once an update check found one; the about dialog's module (and the site
    configuration it reads) is imported only then, not at every start-up."""
    if update is None:
        return ""
    from app.views.about_dialog import update_text

    return update_text(update)

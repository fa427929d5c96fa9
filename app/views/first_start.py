"""首次启动: a new profile's first start — log in once and download the union and its campaign,
with progress; or, with no network, say so and offer what works without it (演示, 使用手册, 关于).

Never a dead end: the dialog stays open whatever fails, and the program closes only when the
clerk presses 退出. After one successful login the app starts straight into its window, offline
if need be, with everything it downloaded.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialogButtonBox, QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from app.views import ops
from app.views.errors import describe_sync_error
from app.views.login_dialog import LoginDialog

if TYPE_CHECKING:
    from app.sync import account

COLOURS = {"checking": "#666666", "online": "#27ae60", "offline": "#c0392b", "no_url": "#b9770e"}


def server_reachable(url: str, ca_bundle: str | None) -> bool:
    """One quick, unauthenticated request (GET /time); raises Offline when there is no answer."""
    from app.sync.client import ServerClient

    ServerClient(url, ca_bundle=ca_bundle, retries=1).server_time()
    return True


class FirstStartDialog(LoginDialog):
    DEMO, SIGNED_IN, QUIT = "demo", "signed_in", "quit"

    def __init__(self, profile_root: Path, *, server_url: str = "", parent: QWidget | None = None) -> None:
        super().__init__(profile_root, server_url=server_url, parent=parent)
        self.choice = self.QUIT
        self.state = ""
        self.setWindowTitle(self.tr("欢迎使用工会会员专享保障参保客户端"))
        welcome = QLabel(self.tr("<b>欢迎使用</b><br>首次使用需要联网登录一次：程序会下载本工会的会员名单和本年度的"
                                 "参保活动，之后没有网络也能继续工作。"))
        welcome.setWordWrap(True)
        self.connection = QLabel()
        self.connection.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.hide()
        self.body.insertWidget(0, welcome)
        self.body.insertWidget(1, self.connection)
        self.body.insertWidget(self.body.indexOf(self.error), self.progress)

        self.quit_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.quit_button.setText(self.tr("退出"))
        self.retry = self.buttons.addButton(self.tr("重新连接"), QDialogButtonBox.ButtonRole.ActionRole)
        self.retry.clicked.connect(self.probe)
        self.demo_button = QPushButton(self.tr("打开演示"))
        self.demo_button.setToolTip(self.tr("用演示数据试用全部功能，不影响本机的正式数据"))
        self.demo_button.clicked.connect(self.open_demo)
        self.manual_button = QPushButton(self.tr("使用手册"))
        self.manual_button.clicked.connect(self.open_manual)
        self.about_button = QPushButton(self.tr("关于"))
        self.about_button.clicked.connect(self.open_about)
        extras = QHBoxLayout()
        for button in (self.demo_button, self.manual_button, self.about_button):
            extras.addWidget(button)
        extras.addStretch(1)
        self.body.insertLayout(self.body.indexOf(self.buttons), extras)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 34)
        QTimer.singleShot(0, self.probe)

    # ---- is the server there? ------------------------------------------------------------
    def probe(self) -> None:
        url = self.server.text().strip()
        if not url:
            self._set_state("no_url", self.tr("尚未设置服务器地址：请在“高级”中填写上级工会或单位电脑管理员告知的地址。"))
            self.show_advanced(True)
            return
        self._set_state("checking", self.tr("正在连接服务器 {0} …").format(url))
        ops.run_io(self, lambda: server_reachable(url, self.ca_bundle),
                   lambda _ok: self._set_state("online", self.tr("● 已连接服务器 {0}").format(url)),
                   self._unreachable)

    def _unreachable(self, exc: BaseException) -> None:
        from app.sync.client import Offline

        url = self.server.text().strip()
        if isinstance(exc, Offline):
            self._set_state("offline", self.tr(
                "● 无法连接服务器 {0}（离线）。首次使用必须联网登录一次：请检查网络后点“重新连接”，"
                "或联系单位电脑管理员。没有网络时，可以先打开演示试用，或阅读使用手册。").format(url))
        else:
            self._set_state("online", self.tr("服务器 {0} 有应答，但：{1}").format(url, describe_sync_error(exc)))

    def _set_state(self, state: str, text: str) -> None:
        self.state = state
        self.connection.setText(text)
        self.connection.setStyleSheet(f"color: {COLOURS[state]};")
        offline = state == "offline"
        for widget in (self.username, self.password):
            widget.setEnabled(not offline)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not offline)
        self.retry.setVisible(offline)

    # ---- logging in, then the first download --------------------------------------------------
    def try_login(self) -> None:
        if self.signed_in is not None:  # logged in; the download failed and is tried again
            self._download()
            return
        super().try_login()

    def _failed(self, exc: BaseException) -> None:
        super()._failed(exc)
        from app.sync.client import Offline

        if isinstance(exc, Offline):
            self._unreachable(exc)

    def _done(self, signed_in: account.SignedIn) -> None:
        self.signed_in = signed_in
        self._download()

    def _download(self) -> None:
        self.buttons.setEnabled(False)
        self.error.hide()
        self.progress.setRange(0, 0)
        self.progress.setFormat(self.tr("正在下载本工会的会员和参保活动…"))
        self.progress.show()
        engine = self.signed_in.engine  # type: ignore[union-attr]
        engine.run_db = ops.call_db  # its database work on the database worker, like every sync
        ops.run_io_with_progress(self, lambda progress: engine.sync(lambda _phase, done, total: progress(done, total)),
                                 self._downloaded, self._download_failed, self._progressed)

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(min(done, max(total, 1)))
        self.progress.setFormat(self.tr("正在下载本工会的会员和参保活动：%v / %m"))

    def _downloaded(self, _report) -> None:
        self.choice = self.SIGNED_IN
        self.accept()

    def _download_failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.progress.hide()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("重试下载"))
        self.quit_button.setText(self.tr("稍后下载"))
        self._show_error(self.tr("已登录，但下载没有完成：{0}\n可以点“重试下载”；或点“稍后下载”先进入程序，"
                                 "联网后会自动继续下载。").format(describe_sync_error(exc)))

    def reject(self) -> None:
        if self.signed_in is not None:  # 稍后下载: the union is linked; the window syncs later
            self.choice = self.SIGNED_IN
            self.accept()
            return
        self.choice = self.QUIT
        super().reject()

    # ---- what works without a network ---------------------------------------------------------
    def open_demo(self) -> None:
        self.choice = self.DEMO
        self.accept()

    def open_manual(self) -> None:
        from app.views.about_dialog import open_manual

        open_manual(self)

    def open_about(self) -> None:
        from app.views.about_dialog import AboutDialog

        AboutDialog(self.profile_root, server_url=self.server.text().strip(), parent=self).open()

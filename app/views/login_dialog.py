"""登录: the login dialog (account + password → a signed-in sync engine), and telling the clerk
when the OS keyring could not keep the login.

The sign-in runs on the I/O pool; the dialog only asks and shows the answer.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.views import ops
from app.views.errors import describe_sync_error
from app.views.wrapping import wrap_at

if TYPE_CHECKING:
    from app.sync import account

# app.sync (requests, cryptography, keyring) loads on first use, after the window is shown.


class LoginDialog(QDialog):
    """账号 + 密码 → a signed-in engine (the work runs on a worker).

    The server address comes from IT's site configuration (or the one used last) and sits under
    高级: a clerk rarely needs to see it, and can still change it there. It opens by itself when
    no address is known."""

    def __init__(self, profile_root: Path, *, server_url: str = "", username: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from app import site_config

        site = site_config.current()
        self.profile_root = profile_root
        self.ca_bundle = site.ca_bundle
        self.signed_in: account.SignedIn | None = None
        self.setWindowTitle(self.tr("登录"))
        self.server = QLineEdit(site_config.server_url(server_url))
        self.server.setPlaceholderText("https://…")
        # Wide enough for a whole address with a port (it was cut to "://union.example.cn").
        self.server.setMinimumWidth(self.server.fontMetrics().horizontalAdvance("https://union.example.cn:8443/中中"))
        self.username = QLineEdit(username)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        # Shown when the server requires a new password (after a superior's reset).
        self.new_password = QLineEdit()
        self.new_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_password2 = QLineEdit()
        self.new_password2.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c0392b;")
        self.error.hide()
        form = QFormLayout()
        form.addRow(self.tr("账号"), self.username)
        form.addRow(self.tr("密码"), self.password)
        form.addRow(self.tr("新密码"), self.new_password)
        form.addRow(self.tr("确认新密码"), self.new_password2)
        self.form = form
        self._show_new_password(False)
        self.advanced_button = QToolButton()
        self.advanced_button.setText(self.tr("高级"))
        self.advanced_button.setCheckable(True)
        self.advanced_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_button.setAutoRaise(True)
        self.advanced_button.toggled.connect(self.show_advanced)
        self.advanced = QWidget()
        advanced_form = QFormLayout(self.advanced)
        advanced_form.setContentsMargins(0, 0, 0, 0)
        advanced_form.addRow(self.tr("服务器地址"), self.server)
        where = str(site.source) if site.source else self.tr("未设置（服务器地址请向上级工会或单位电脑管理员询问）")
        self.site_note = QLabel(self.tr("站点配置：{0}").format(where))
        self.site_note.setWordWrap(True)
        self.site_note.setStyleSheet("color: #666666;")
        advanced_form.addRow(self.site_note)
        # Its two clauses whole ("…密码重\n置。" once, at 150 %).
        hint = QLabel(wrap_at(self.tr("忘记账号或密码，请联系上级工会进行账号找回或密码重置。")))
        hint.setWordWrap(True)
        self.site_problems = QLabel("\n".join(site.problems))
        self.site_problems.setWordWrap(True)
        self.site_problems.setStyleSheet("color: #b9770e;")
        self.site_problems.setVisible(bool(site.problems))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("登录"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("离线工作"))
        self.buttons.accepted.connect(self.try_login)
        self.buttons.rejected.connect(self.reject)
        self.body = QVBoxLayout(self)
        self.body.addLayout(form)
        self.body.addWidget(self.advanced_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.body.addWidget(self.advanced)
        self.body.addWidget(self.site_problems)
        self.body.addWidget(self.error)
        self.body.addWidget(hint)
        self.body.addWidget(self.buttons)
        self.show_advanced(not self.server.text())
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 24)  # a refusal wraps in a few lines
        (self.password if username else self.username).setFocus()

    def show_advanced(self, shown: bool) -> None:
        self.advanced.setVisible(shown)
        self.advanced_button.setChecked(shown)
        self.advanced_button.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)

    def try_login(self) -> None:
        url, user, password = self.server.text().strip(), self.username.text().strip(), self.password.text()
        if not url:
            self.show_advanced(True)
            self._show_error(self.tr("请在“高级”中填写服务器地址（向上级工会或单位电脑管理员询问）。"))
            return
        from app.sync.client import InsecureServer, check_transport

        try:  # the rule the command line follows too; nothing is sent before it holds
            check_transport(url)
        except InsecureServer as refused:
            self.show_advanced(True)
            self._show_error(describe_sync_error(refused))
            return
        if not user or not password:
            self._show_error(self.tr("请填写账号和密码。"))
            return
        new_password = self.new_password.text() if self.changing_password else None
        if new_password is not None and (not new_password or new_password != self.new_password2.text()):
            self._show_error(self.tr("两次输入的新密码不一致，请重新输入。"))
            return
        self.buttons.setEnabled(False)
        self.error.hide()
        from app.sync import account

        ca_bundle = self.ca_bundle
        ops.run_io(self, lambda: account.sign_in(url, user, password, profile_root=self.profile_root,
                                                 ca_bundle=ca_bundle, new_password=new_password),
                   self._done, self._failed)

    def _show_new_password(self, shown: bool) -> None:
        """The two new-password rows, asked for after a superior's reset."""
        self.changing_password = shown
        for field in (self.new_password, self.new_password2):
            self.form.setRowVisible(field, shown)

    def _done(self, signed_in: account.SignedIn) -> None:
        self.signed_in = signed_in
        self.buttons.setEnabled(True)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        problem = getattr(exc, "problem", "")
        if problem == "password_change_required":
            self._show_new_password(True)  # the current password stays typed in
            self.new_password.setFocus()
        elif problem != "password_weak":
            self.password.clear()
        self._show_error(describe_sync_error(exc))

    def _show_error(self, text: str) -> None:
        """The refusal in red under the fields; the dialog grows to hold every line of it (a
        refusal of several lines once overlapped the hint below it, issue #13)."""
        self.error.setText(text)
        self.error.show()
        self.body.activate()
        self.adjustSize()


def tell_if_not_saved(parent: QWidget, signed_in: account.SignedIn) -> None:
    """Say plainly when the OS keyring could not keep the login (nothing falls back to a file)."""
    if not signed_in.keyring_ok:
        from app.sync.credentials import KeyringUnavailable

        QMessageBox.information(parent, "登录信息未保存", str(KeyringUnavailable()))

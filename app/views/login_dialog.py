"""登录: the login dialog (account + password → a signed-in sync engine), and telling the clerk
when the OS keyring could not keep the login.

The sign-in runs on the I/O pool; the dialog only asks and shows the answer.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from app.views import ops
from app.views.errors import describe_sync_error

if TYPE_CHECKING:
    from app.sync import account

# app.sync (requests, cryptography, keyring) loads on first use, after the window is shown.


class LoginDialog(QDialog):
    """账号 + 密码 → a signed-in engine (the work runs on a worker)."""

    def __init__(self, profile_root: Path, *, server_url: str = "", username: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.profile_root = profile_root
        self.signed_in: account.SignedIn | None = None
        self.setWindowTitle(self.tr("登录"))
        self.server = QLineEdit(server_url)
        self.server.setPlaceholderText("https://…")
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
        form.addRow(self.tr("服务器地址"), self.server)
        form.addRow(self.tr("账号"), self.username)
        form.addRow(self.tr("密码"), self.password)
        form.addRow(self.tr("新密码"), self.new_password)
        form.addRow(self.tr("确认新密码"), self.new_password2)
        self.form = form
        self._show_new_password(False)
        hint = QLabel(self.tr("忘记账号或密码，请联系上级工会进行账号找回或密码重置。"))
        hint.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("登录"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("离线工作"))
        self.buttons.accepted.connect(self.try_login)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(hint)
        layout.addWidget(self.buttons)
        (self.password if username else self.username).setFocus()

    def try_login(self) -> None:
        url, user, password = self.server.text().strip(), self.username.text().strip(), self.password.text()
        if not url or not user or not password:
            self._show_error(self.tr("请填写服务器地址、账号和密码。"))
            return
        new_password = self.new_password.text() if self.changing_password else None
        if new_password is not None and (not new_password or new_password != self.new_password2.text()):
            self._show_error(self.tr("两次输入的新密码不一致，请重新输入。"))
            return
        self.buttons.setEnabled(False)
        self.error.hide()
        from app.sync import account

        ops.run_io(self, lambda: account.sign_in(url, user, password, profile_root=self.profile_root,
                                                 new_password=new_password),
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
        self.error.setText(text)
        self.error.show()


def tell_if_not_saved(parent: QWidget, signed_in: account.SignedIn) -> None:
    """Say plainly when the OS keyring could not keep the login (nothing falls back to a file)."""
    if not signed_in.keyring_ok:
        from app.sync.credentials import KeyringUnavailable

        QMessageBox.information(parent, "登录信息未保存", str(KeyringUnavailable()))

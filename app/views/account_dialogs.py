"""Dialogs of 账号管理 (app/views/accounts_page.py): 新建账号 for a subordinate union, and the
new password shown once after a creation or a reset. Network work runs on the I/O pool; a dialog
opens empty and fills from the server."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.protocol.accounts import LEVEL_LABELS, MAX_DISPLAY_NAME, MAX_USERNAME, username_problem
from app.views import ops
from app.views.superior_pages import OFFLINE, ApiSource, describe

ONCE_NOTE = ("这个密码只显示这一次，关闭本窗口后无法再次查看。请当面或电话告知本人，不要通过群聊转发。"
             "本人下次登录时必须改成只有自己知道的新密码。")


class PasswordOnceDialog(QDialog):
    """The password the server generated (or that the superior typed): shown once, copyable."""

    def __init__(self, answer: dict[str, Any], what: str, parent: QWidget) -> None:
        super().__init__(parent)
        row = answer["account"]
        self.setWindowTitle(self.tr("{0}：{1}").format(what, row["username"]))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("账号 <b>{0}</b>（{1}，{2}）{3}。").format(
            row["username"], row["display_name"] or self.tr("未填姓名"), row["union"]["name"], what)))
        self.password = QLineEdit(answer.get("password") or "")
        self.password.setReadOnly(True)
        font = QFont(self.password.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setFamilies(["monospace", *font.families()])
        self.password.setFont(font)
        if answer.get("password"):
            layout.addWidget(QLabel(self.tr("新密码：")))
            layout.addWidget(self.password)
            copy = QPushButton(self.tr("复制密码"))
            copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.password.text()))
            layout.addWidget(copy)
            note = ONCE_NOTE
        else:
            self.password.hide()
            note = self.tr("密码为您刚才设定的密码，请当面或电话告知本人。本人下次登录时必须改成只有自己知道的新密码。")
        self.note = QLabel(note)
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #a33;")
        layout.addWidget(self.note)
        buttons = QDialogButtonBox()
        buttons.addButton(self.tr("我已告知本人，关闭"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.resize(self.fontMetrics().horizontalAdvance("中") * 36, self.sizeHint().height())


class PasswordChoice(QWidget):
    """由系统生成（推荐） or 自己设定 (typed twice)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.generated = QRadioButton(self.tr("由系统生成（推荐）"))
        self.typed = QRadioButton(self.tr("自己设定"))
        self.generated.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.generated)
        group.addButton(self.typed)
        self.first, self.second = QLineEdit(), QLineEdit()
        for edit, hint in ((self.first, self.tr("新密码（至少 8 位，不要用常见密码）")), (self.second, self.tr("再输入一次"))):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setPlaceholderText(hint)
            edit.setEnabled(False)
        self.typed.toggled.connect(self.first.setEnabled)
        self.typed.toggled.connect(self.second.setEnabled)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.generated, self.typed, self.first, self.second):
            layout.addWidget(widget)

    def value(self) -> tuple[str | None, str | None]:
        """(password or None for generated, the problem to tell)."""
        if self.generated.isChecked():
            return None, None
        if not self.first.text():
            return None, self.tr("请输入新密码，或选择“由系统生成”。")
        if self.first.text() != self.second.text():
            return None, self.tr("两次输入的新密码不一致，请重新输入。")
        return self.first.text(), None


class NewAccountDialog(QDialog):
    """新建账号: for one of the unions below the superior's (filled from the server)."""

    def __init__(self, api: ApiSource, parent: QWidget, *, union_hint: str = "",
                 done: Callable[[dict[str, Any]], None] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("新建下级工会账号"))
        self.api, self.union_hint, self.on_created = api, union_hint, done
        self.union = QComboBox()
        self.union.setEditable(False)
        self.union.addItem(self.tr("正在读取下级工会…"), "")
        self.username = QLineEdit()
        self.username.setMaxLength(MAX_USERNAME)
        self.username.setPlaceholderText(self.tr("3–64 位英文字母、数字或 . _ -"))
        self.display_name = QLineEdit()
        self.display_name.setMaxLength(MAX_DISPLAY_NAME)
        self.display_name.setPlaceholderText(self.tr("使用人姓名，如：王芳"))
        self.password = PasswordChoice(self)
        form = QFormLayout()
        form.addRow(self.tr("所属工会"), self.union)
        form.addRow(self.tr("账号"), self.username)
        form.addRow(self.tr("使用人姓名"), self.display_name)
        form.addRow(self.tr("初始密码"), self.password)
        self.error = QLabel("")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c0392b;")
        note = QLabel(self.tr("基层工会的账号为经办人，二级工会、区局(产业)工会的账号为审核人。"
                              "新账号首次登录时必须改成本人自己的密码。"))
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("新建"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(self.fontMetrics().horizontalAdvance("中") * 48, self.sizeHint().height())
        source = api()
        if source is None:
            self.error.setText(OFFLINE)
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        else:
            ops.run_io(self, source.unions, self._unions, self._failed)

    def _unions(self, unions: list[dict[str, Any]]) -> None:
        self.union.clear()
        for u in unions:
            self.union.addItem(f"{u['name']}（{LEVEL_LABELS.get(u['level'], u['level'])}，{u['org_code']}）",
                               u["org_code"])
        if not unions:
            self.error.setText(self.tr("本工会下面没有下级工会，无法新建账号。"))
        found = self.union.findData(self.union_hint)
        if found >= 0:
            self.union.setCurrentIndex(found)

    def _failed(self, exc: BaseException) -> None:
        self.error.setText(describe(exc))
        self.buttons.setEnabled(True)

    def submit(self) -> None:
        org_code = self.union.currentData()
        username = self.username.text().strip()
        password, problem = self.password.value()
        if not org_code:
            problem = self.tr("请选择所属工会。")
        elif username_problem(username):
            problem = username_problem(username)
        if problem:
            self.error.setText(problem)
            return
        source = self.api()
        if source is None:
            self.error.setText(OFFLINE)
            return
        self.buttons.setEnabled(False)
        self.error.setText(self.tr("正在新建…"))
        name = self.display_name.text().strip()
        ops.run_io(self, lambda: source.create(org_code, username, name, password), self._created, self._failed)

    def _created(self, answer: dict[str, Any]) -> None:
        self.buttons.setEnabled(True)
        if self.on_created is not None:
            self.on_created(answer)
        self.accept()


class ResetDialog(QDialog):
    """重置密码: system-generated (recommended) or typed; says what follows for the account."""

    def __init__(self, row: dict[str, Any], parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("重置密码：{0}").format(row["username"]))
        layout = QVBoxLayout(self)
        text = QLabel(self.tr("重置 {0}（{1}）的登录密码？\n重置后该账号在所有电脑上立即退出登录；"
                              "本人下次登录时必须设置只有自己知道的新密码。").format(row["username"], row["union"]["name"]))
        text.setWordWrap(True)
        layout.addWidget(text)
        self.password = PasswordChoice(self)
        layout.addWidget(self.password)
        self.error = QLabel("")
        self.error.setStyleSheet("color: #c0392b;")
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("重置密码"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.chosen: str | None = None
        self.resize(self.fontMetrics().horizontalAdvance("中") * 34, self.sizeHint().height())

    def _check(self) -> None:
        password, problem = self.password.value()
        if problem:
            self.error.setText(problem)
            return
        self.chosen = password
        self.accept()

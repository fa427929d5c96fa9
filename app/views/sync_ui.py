"""Sync in the window: the login dialog, the status-bar indicator, the 同步 action, conflicts.

Network work runs on the I/O pool (never the database writer), so a stalled server never blocks
a save; the engine's own writes are short transactions on its worker's connection.
"""
from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.models.outbox import pending_changes
from app.views import ops

if TYPE_CHECKING:
    from app.sync import account

# app.sync (requests, cryptography, keyring) loads on first use, after the window is shown.

log = logging.getLogger(__name__)

AUTO_SYNC_MS = 5 * 60 * 1000



def wire_field_label(name: str) -> str:
    from app.services.members import FIELD_LABELS

    extra = {"enterprise_name": "关联企业", "name": "姓名", "member_no": "会员编号", "birth_date": "出生日期",
             "join_date": "入会日期", "gender": "性别", "id_type": "证件类型"}
    return FIELD_LABELS.get(name) or extra.get(name, name)


def describe_sync_error(exc: BaseException) -> str:
    from app.sync.client import SyncError
    from app.sync.credentials import KeyringUnavailable

    if isinstance(exc, SyncError):
        return exc.message + (getattr(exc, "action", "") or "")
    if isinstance(exc, KeyringUnavailable):
        return str(exc)
    return "同步时出现意外错误，本机数据未受影响。请稍后重试。"


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
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c0392b;")
        self.error.hide()
        form = QFormLayout()
        form.addRow(self.tr("服务器地址"), self.server)
        form.addRow(self.tr("账号"), self.username)
        form.addRow(self.tr("密码"), self.password)
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
        self.buttons.setEnabled(False)
        self.error.hide()
        from app.sync import account

        ops.run_io(self, lambda: account.sign_in(url, user, password, profile_root=self.profile_root),
                   self._done, self._failed)

    def _done(self, signed_in: account.SignedIn) -> None:
        self.signed_in = signed_in
        self.buttons.setEnabled(True)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.password.clear()
        self._show_error(describe_sync_error(exc))

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()


def _last_sync() -> datetime | None:
    """When this profile last finished a sync (kept by the engine), for the status bar."""
    from app.models import Setting

    row = Setting.get_or_none(Setting.key == "last_sync")
    return datetime.fromisoformat(row.value) if row else None


class SyncController(QObject):
    """Owns the signed-in engine; runs a sync on the I/O pool and reports its outcome."""

    statusChanged = Signal()
    synced = Signal(object)  # SyncReport
    conflictsFound = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.signed_in: account.SignedIn | None = None
        self.online: bool | None = None
        self.running = False
        self.pending = 0
        self.last_sync: datetime | None = None
        self.last_error = ""
        self.keyring_note = ""
        self.timer = QTimer(self)
        self.timer.setInterval(AUTO_SYNC_MS)
        self.timer.timeout.connect(self.sync_now)

    def set_signed_in(self, signed_in: account.SignedIn | None) -> None:
        self.signed_in = signed_in
        self.keyring_note = "" if signed_in is None or signed_in.keyring_ok else (
            "系统凭据管理不可用：登录信息不会保存，下次启动需重新登录。")
        if signed_in is not None:
            self.timer.start()
            ops.run_db(self, _last_sync, self._show_last_sync)
        else:
            self.timer.stop()
            self.online = None
        self.statusChanged.emit()

    def _show_last_sync(self, when: datetime | None) -> None:
        if when is not None and self.last_sync is None:
            self.last_sync = when
            self.statusChanged.emit()

    def refresh_pending(self) -> None:
        ops.run_db(self, pending_changes, self._pending)

    def _pending(self, n: int) -> None:
        self.pending = n
        self.statusChanged.emit()

    def sync_now(self) -> None:
        if self.signed_in is None or self.running:
            return
        self.running = True
        self.statusChanged.emit()
        engine = self.signed_in.engine
        ops.run_io(self, lambda: (engine.sync(), pending_changes()), self._done, self._failed)

    def _done(self, result) -> None:
        report, pending = result
        self.running, self.online, self.pending = False, True, pending
        self.last_sync = report.finished_at
        self.last_error = "；".join(dict.fromkeys(report.errors))[:500]
        self.statusChanged.emit()
        self.synced.emit(report)
        if report.conflicts:
            self.conflictsFound.emit(report.conflicts)

    def _failed(self, exc: BaseException) -> None:
        from app.sync.client import Offline, SyncError

        self.running = False
        self.online = False if isinstance(exc, Offline) else self.online
        if not isinstance(exc, SyncError):
            log.error("sync failed unexpectedly", exc_info=exc)
        self.last_error = describe_sync_error(exc)
        self.statusChanged.emit()
        self.refresh_pending()


class SyncStatusWidget(QWidget):
    """Status bar: 在线/离线, what waits to be sent, last sync, last error in words, 同步."""

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.state = QLabel()
        self.pending = QLabel()
        self.last = QLabel()
        self.error = QLabel()
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setMaximumWidth(self.fontMetrics().horizontalAdvance("中") * 24)
        self.button = QToolButton()
        self.button.setText(self.tr("同步"))
        self.button.clicked.connect(controller.sync_now)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (self.error, self.state, self.pending, self.last, self.button):
            layout.addWidget(w)
        controller.statusChanged.connect(self.update_view)
        self.update_view()

    def update_view(self) -> None:
        c = self.controller
        if c.signed_in is None:
            state, colour = self.tr("未登录（离线工作）"), "#888888"
        elif c.running:
            state, colour = self.tr("正在同步…"), "#2c7be5"
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
        metrics = self.error.fontMetrics()
        self.error.setText(metrics.elidedText(text, Qt.TextElideMode.ElideRight, self.error.maximumWidth()))
        self.error.setToolTip(text)
        self.button.setEnabled(c.signed_in is not None and not c.running)


class ConflictDialog(QDialog):
    """Members changed both here and on the server: keep mine or take the server's, per field."""

    resolved = Signal()

    def __init__(self, union_id: int, actor: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.actor = actor
        from app.rules.idcard import mask_id
        from app.sync import engine as sync_engine

        self.setWindowTitle(self.tr("处理同步冲突"))
        self.items = sync_engine.conflicts(union_id)
        rows = [(c, name, info) for c in self.items for name, info in c["fields"].items()]
        self.table = QTableWidget(len(rows), 5)
        self.table.setHorizontalHeaderLabels([self.tr("会员"), self.tr("字段"), self.tr("本机的值"),
                                              self.tr("服务器上的值"), self.tr("处理方式")])
        self.choices: list[tuple[int, str, QComboBox]] = []
        for r, (c, name, info) in enumerate(rows):
            values = [f"{c['name']}（{mask_id(c['id_number'])}）", wire_field_label(name),
                      str(info.get("mine") or ""), str(info.get("server") or "")]
            for col, value in enumerate(values):
                self.table.setItem(r, col, QTableWidgetItem(value))
            combo = QComboBox()
            combo.addItem(self.tr("保留本机的修改"), "mine")
            combo.addItem(self.tr("采用服务器上的内容"), "server")
            self.table.setCellWidget(r, 4, combo)
            self.choices.append((c["member_id"], name, combo))
        self.table.resizeColumnsToContents()
        intro = QLabel(self.tr("以下会员信息在您上次同步后，服务器上也被修改过。请逐项选择保留哪一方的内容；"
                               "选择后会记入修改记录。"))
        intro.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("确定"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("稍后处理"))
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        em = self.fontMetrics().horizontalAdvance("中")
        self.resize(em * 60, em * 25)

    def selections(self) -> dict[int, dict[str, str]]:
        out: dict[int, dict[str, str]] = {}
        for member_id, name, combo in self.choices:
            out.setdefault(member_id, {})[name] = combo.currentData()
        return out

    def apply(self) -> None:
        chosen = self.selections()

        from app.sync import engine as sync_engine

        def work() -> None:
            for member_id, choices in chosen.items():
                sync_engine.resolve_conflict(member_id, choices, actor=self.actor)

        ops.run_db(self, work, lambda _r: (self.resolved.emit(), self.accept()))


def tell_if_not_saved(parent: QWidget, signed_in: account.SignedIn) -> None:
    """Say plainly when the OS keyring could not keep the login (nothing falls back to a file)."""
    if not signed_in.keyring_ok:
        from app.sync.credentials import KeyringUnavailable

        QMessageBox.information(parent, "登录信息未保存", str(KeyringUnavailable()))

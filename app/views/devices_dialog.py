"""设备管理: the PCs registered for the signed-in account, and stopping one the clerk does not
know (after "新设备已登录") or no longer uses. Online only; every request runs on the I/O pool.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.views import ops
from app.views.errors import describe_sync_error

if TYPE_CHECKING:
    from app.sync import account


def _when(stamp: str | None) -> str:
    """The server's UTC stamp ("2026-12-01T05:07:00Z") in this PC's local time."""
    if not stamp:
        return ""
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp[:16].replace("T", " ")


class DevicesDialog(QDialog):
    """A short list (a handful of PCs per account) in a QStandardItemModel; the fingerprint of
    each row is kept in its first column's user role."""

    def __init__(self, signed_in: account.SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.signed_in = signed_in
        self.devices: list[dict] = []
        self.summary = ""
        self.setWindowTitle(self.tr("设备管理"))
        intro = QLabel(self.tr("账号 {0} 登录过的电脑。看到不认识的电脑，或某台电脑已不再使用，请选中后停用："
                               "服务器将不再接受它提交的数据。").format(signed_in.username))
        intro.setWordWrap(True)
        self.model = QStandardItemModel(0, 3, self)
        self.model.setHorizontalHeaderLabels([self.tr("电脑名称"), self.tr("登记时间"), self.tr("状态")])
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.revoke_button = QPushButton(self.tr("停用所选电脑"))
        self.revoke_button.setEnabled(False)
        self.revoke_button.clicked.connect(self.revoke_selected)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("关闭"))
        buttons.addButton(self.revoke_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        em = self.fontMetrics().horizontalAdvance("中")
        self.resize(em * 40, em * 22)
        self.load()

    def load(self) -> None:
        from app.sync import account

        self._say(self.tr("正在读取…"), "#666666")
        signed_in = self.signed_in
        ops.run_io(self, lambda: account.devices(signed_in), self._loaded, self._failed)

    def _loaded(self, devices: list[dict]) -> None:
        self.devices = devices
        self.model.removeRows(0, self.model.rowCount())
        for d in devices:
            name = QStandardItem(d["label"] + (self.tr("（本机）") if d["this_pc"] else ""))
            name.setData(d["fingerprint"], Qt.ItemDataRole.UserRole)
            name.setToolTip(self.tr("指纹：{0}").format(d["fingerprint"]))
            state = self.tr("已停用 {0}").format(_when(d["revoked"])) if d["revoked"] else self.tr("使用中")
            self.model.appendRow([name, QStandardItem(_when(d["registered"])), QStandardItem(state)])
        self.table.resizeColumnsToContents()
        self.summary = self.tr("共 {0} 台电脑，使用中 {1} 台。").format(
            len(devices), sum(1 for d in devices if not d["revoked"]))
        self._say(self.summary, "#666666")
        self._selection_changed()

    def selected(self) -> dict | None:
        rows = self.table.selectionModel().selectedRows()
        return self.devices[rows[0].row()] if rows else None

    def _selection_changed(self, *_args: object) -> None:
        device = self.selected()
        self.revoke_button.setEnabled(device is not None and not device["revoked"] and not device["this_pc"])
        if device is not None and device["this_pc"]:
            self._say(self.tr("这是本机，不能在本机停用；本机不再使用时，选“退出登录”即可。"), "#666666")
        elif self.summary:
            self._say(self.summary, "#666666")

    def revoke_selected(self) -> None:
        device = self.selected()
        if device is None:
            return
        answer = QMessageBox.question(
            self, self.tr("停用电脑"),
            self.tr("确定停用电脑“{0}”（登记于 {1}）吗？停用后它提交的数据不会再被受理；"
                    "如果那是您自己的电脑，需要在那台电脑上重新登录。").format(device["label"], _when(device["registered"])))
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.confirmed_revoke(device["fingerprint"])

    def confirmed_revoke(self, fingerprint: str) -> None:
        from app.sync import account

        self.revoke_button.setEnabled(False)
        signed_in = self.signed_in
        ops.run_io(self, lambda: account.revoke_device(signed_in, fingerprint), lambda _none: self.load(),
                   self._failed)

    def _failed(self, exc: BaseException) -> None:
        self._say(describe_sync_error(exc), "#c0392b")
        self._selection_changed()

    def _say(self, text: str, colour: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {colour};")

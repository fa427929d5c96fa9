"""会员管理 on 会员信息: 删除 (with a reason), 标记退休/死亡 (or 恢复在职), and 已删除会员.

The dialogs collect the clerk's answer; the work runs on the database worker
(app.services.member_status) and the page reloads when it is done.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.rules.codes import LifeStatus
from app.services import member_status
from app.views import ops
from app.views.errors import show_error

REMOVAL_REASONS = ("调离本单位", "已离职", "退会", "重复录入", "录入错误")
REMOVAL_WORDS = ("删除后，该会员不再出现在会员列表和参保名单中，删除会同步到服务器并记入操作记录。"
                 "已参加本年度保障的会员在保障期内不能删除。")


def _names(names: list[str]) -> str:
    shown = "、".join(names[:5])
    return shown + (f" 等 {len(names)} 人" if len(names) > 5 else "")


class RemoveMembersDialog(QDialog):
    """删除会员: who, why (a reason is required), and what deleting means."""

    def __init__(self, names: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("删除会员"))
        who = QLabel(self.tr("将删除：{0}").format(_names(names)))
        who.setWordWrap(True)
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.addItems([self.tr(r) for r in REMOVAL_REASONS])
        self.reason.setCurrentIndex(-1)
        self.reason.lineEdit().setPlaceholderText(self.tr("请选择或填写删除原因（必填）"))
        note = QLabel(self.tr(REMOVAL_WORDS))
        note.setWordWrap(True)
        note.setStyleSheet("color: #b35c00;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("删除"))
        self.ok.setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason.currentTextChanged.connect(lambda text: self.ok.setEnabled(bool(text.strip())))
        form = QFormLayout()
        form.addRow(self.tr("删除原因"), self.reason)
        layout = QVBoxLayout(self)
        layout.addWidget(who)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 34)

    def reason_text(self) -> str:
        return self.reason.currentText().strip()


class LifeStatusDialog(QDialog):
    """标记退休/死亡: 已退休 or 已死亡 on a date, or 恢复在职 to undo a wrong mark."""

    def __init__(self, names: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("标记退休/死亡"))
        who = QLabel(self.tr("会员：{0}").format(_names(names)))
        who.setWordWrap(True)
        self.group = QButtonGroup(self)
        row = QHBoxLayout()
        for status, text in ((LifeStatus.RETIRED, "已退休"), (LifeStatus.DECEASED, "已死亡"),
                             (LifeStatus.IN_SERVICE, "恢复在职")):
            button = QRadioButton(self.tr(text))
            button.setProperty("status", str(status))
            self.group.addButton(button)
            row.addWidget(button)
        row.addStretch(1)
        self.group.buttons()[0].setChecked(True)
        today = date.today()
        self.when = QDateEdit(QDate(today.year, today.month, today.day))
        self.when.setDisplayFormat("yyyy-MM-dd")
        self.when.setCalendarPopup(True)
        self.when.setMaximumDate(QDate(today.year, today.month, today.day))
        self.when.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # no date changed by a passing wheel
        self.when_label = QLabel(self.tr("日期"))
        note = QLabel(self.tr("已退休或已死亡的会员不再出现在参保名单中；状态会同步到服务器并记入操作记录。"))
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("确定"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.group.buttonToggled.connect(self._toggled)
        form = QFormLayout()
        form.addRow(self.tr("状态"), row)
        form.addRow(self.when_label, self.when)
        layout = QVBoxLayout(self)
        layout.addWidget(who)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 30)

    def _toggled(self, *_args) -> None:
        dated = self.status() != LifeStatus.IN_SERVICE
        self.when.setEnabled(dated)
        self.when_label.setEnabled(dated)

    def status(self) -> str:
        return self.group.checkedButton().property("status")

    def on(self) -> date | None:
        return None if self.status() == LifeStatus.IN_SERVICE else self.when.date().toPython()


class RemovedMembersDialog(QDialog):
    """已删除会员: who was removed, when, by whom, why, and whether the server has confirmed."""

    HEADERS = ("删除时间", "姓名", "会员编号", "证件号码", "删除原因", "操作人", "状态")

    def __init__(self, union_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("已删除会员"))
        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setHorizontalHeaderLabels([self.tr(h) for h in self.HEADERS])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.count = QLabel(self.tr("正在读取…"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("关闭"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        layout.addWidget(buttons)
        em = self.fontMetrics().horizontalAdvance("中")
        self.resize(em * 56, em * 26)
        ops.run_db(self, lambda: member_status.removed(union_id), self.show_rows)

    def show_rows(self, rows: list[member_status.RemovedRow]) -> None:
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            state = row.state + (f"：{row.problem}" if row.problem else "")
            values = (row.removed_at.strftime("%Y-%m-%d %H:%M"), row.name, row.member_no, row.masked_id, row.reason,
                      row.actor, state)
            for c, value in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(value))
        self.count.setText(self.tr("共 {0} 人").format(len(rows)))


def remove_members(page: QWidget, union_id: int, member_ids: list[int], names: list[str], actor: str,
                   done: Callable[[int], None]) -> QDialog:
    """删除: ask for the reason, then remove on the database worker; `done(n)` after."""
    dialog = RemoveMembersDialog(names, page)

    def accepted() -> None:
        reason = dialog.reason_text()
        ops.run_db(page, lambda: member_status.remove_members(union_id, member_ids, reason, actor=actor,
                                                              today=date.today()),
                   done, lambda exc: show_error(page, exc, page.tr("未删除")))

    dialog.accepted.connect(accepted)
    dialog.open()
    return dialog


def mark_life_status(page: QWidget, union_id: int, member_ids: list[int], names: list[str], actor: str,
                     done: Callable[[int], None]) -> QDialog:
    """标记退休/死亡: ask for the status and date, then apply on the database worker."""
    dialog = LifeStatusDialog(names, page)

    def accepted() -> None:
        status, on = dialog.status(), dialog.on()
        ops.run_db(page, lambda: member_status.set_life_status(union_id, member_ids, status, on, actor=actor,
                                                               today=date.today()),
                   done, lambda exc: show_error(page, exc, page.tr("未标记")))

    dialog.accepted.connect(accepted)
    dialog.open()
    return dialog

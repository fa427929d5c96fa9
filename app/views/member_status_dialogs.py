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
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.rules.codes import LifeStatus
from app.services import member_status
from app.views import ops
from app.views.errors import show_error
from app.views.list_dialog import ListDialog
from app.views.table_model import ListTableModel
from app.views.windows import open_modeless

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


class RemovedModel(ListTableModel):
    COLUMNS = (("删除时间", None, "removed_at"), ("姓名", None, "name"), ("会员编号", None, "member_no"),
               ("证件号码", None, "masked_id"), ("删除原因", None, "reason"), ("操作人", None, "actor"),
               ("状态", None, "state"))

    def display(self, row: member_status.RemovedRow, attribute: str) -> str:
        if attribute == "removed_at":
            return row.removed_at.strftime("%Y-%m-%d %H:%M")
        if attribute == "state" and row.problem:
            return f"{row.state}：{row.problem}"
        return str(getattr(row, attribute))


class RemovedMembersDialog(ListDialog):
    """已删除会员: who was removed, when, by whom, why, and whether the server has confirmed."""

    def __init__(self, union_id: int, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("已删除会员"), RemovedModel(), lambda: member_status.removed(union_id),
                         height_em=26, parent=parent)


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
    return open_modeless(dialog)


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
    return open_modeless(dialog)

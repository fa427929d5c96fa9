"""查看详情: one member's data, with the clerk-owned fields editable and validated."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.rules import address
from app.rules.codes import (
    CARD_STATUS_LABELS,
    CATEGORY_LABELS,
    EMPLOYMENT_LABELS,
    GENDER_LABELS,
    ID_TYPE_LABELS,
    INSURANCE_STATUS_LABELS,
    LIFE_STATUS_LABELS,
    POST_TYPE_LABELS,
    SS_CARD_LABELS,
    Category,
    Gender,
)
from app.rules.cards import mask_card_no
from app.rules.idcard import mask_id
from app.services import member_status
from app.services import members as member_service
from app.services.errors import ValidationFailed
from app.services.members import FIELD_LABELS, FLAG_LABELS, MemberDetail
from app.views import ops
from app.views.errors import show_error
from app.views.sizing import resize_in_screen
from app.views.windows import open_modeless


@dataclass(frozen=True)
class MemberData:
    """What the dialog shows, read together on the database worker."""

    detail: MemberDetail
    enterprises: list[tuple[int, str]]
    history: list[member_status.HistoryEntry]


def load_member(member_id: int, plan_year: int) -> MemberData:
    """On the database worker."""
    detail = member_service.get_member(member_id, plan_year=plan_year, today=date.today())
    return MemberData(detail, member_service.enterprises(detail.union_id), member_status.history(member_id))


def open_member_dialog(parent: QWidget, member_id: int, *, plan_year: int, actor: str,
                       on_saved: Callable[[int], None] | None = None) -> None:
    """会员详情: the member is read on the database worker, then the dialog opens filled."""
    def show(data: MemberData) -> None:
        dialog = MemberDialog(member_id, plan_year=plan_year, actor=actor, data=data, parent=parent)
        if on_saved is not None:
            dialog.saved.connect(on_saved)
        open_modeless(dialog)

    ops.run_db(parent, lambda: load_member(member_id, plan_year), show)


class MemberDialog(QDialog):
    saved = Signal(int)

    def __init__(self, member_id: int, *, plan_year: int, actor: str, data: MemberData,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.member_id = member_id
        self.plan_year = plan_year
        self.actor = actor
        self.detail: MemberDetail = data.detail
        d = self.detail
        self.setWindowTitle(self.tr("会员详情 — {0}").format(d.name))

        tabs = QTabWidget()
        tabs.addTab(self._edit_page(d, data.enterprises), self.tr("可修改信息"))
        tabs.addTab(self._info_page(d), self.tr("基本信息"))
        tabs.addTab(self._history_table(data.history), self.tr("历史记录"))

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("保存"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(self.buttons)
        em = self.fontMetrics().horizontalAdvance("中")
        resize_in_screen(self, em * 40, em * 36)

    def _info_page(self, d: MemberDetail) -> QWidget:
        """基本信息: what the clerk reads, the ID masked until 显示完整号码."""
        info = QFormLayout()
        self.id_label = QLabel(mask_id(d.id_number))
        self.id_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        reveal = QPushButton(self.tr("显示完整号码"))
        reveal.setCheckable(True)
        reveal.toggled.connect(lambda on: self.id_label.setText(d.id_number if on else mask_id(d.id_number)))
        id_row = QWidget()
        id_layout = QVBoxLayout(id_row)
        id_layout.setContentsMargins(0, 0, 0, 0)
        id_layout.addWidget(self.id_label)
        id_layout.addWidget(reveal, 0, Qt.AlignmentFlag.AlignLeft)
        life = LIFE_STATUS_LABELS.get(d.life_status, d.life_status)
        if d.life_status_date:
            life += f"（{d.life_status_date.isoformat()}）"
        rows: list[tuple[str, object]] = [
            (self.tr("会员编号"), d.member_no),
            (self.tr("姓名"), d.name),
            (self.tr("证件类型"), ID_TYPE_LABELS.get(d.id_type, d.id_type)),
            (self.tr("证件号码"), id_row),
            (self.tr("性别"), GENDER_LABELS.get(d.gender or "", "")),
            (self.tr("出生日期"), d.birth_date.isoformat() if d.birth_date else ""),
            (self.tr("法定退休日期"), self._retirement_text(d)),
            (self.tr("入会日期"), d.join_date.isoformat() if d.join_date else ""),
            (self.tr("状态"), life),
            (self.tr("会员卡"), (mask_card_no(d.card_no) if d.card_no else CARD_STATUS_LABELS.get(d.card_status, ""))),
            (self.tr("社保卡状态"), SS_CARD_LABELS.get(d.ss_card_status or "", self.tr("未获取"))),
            (self.tr("就业状态"), EMPLOYMENT_LABELS.get(d.employment_status or "", self.tr("未获取"))),
            (self.tr("人保状态"), INSURANCE_STATUS_LABELS.get(d.insurance_status, "")),
            (self.tr("提示"), "、".join(FLAG_LABELS[f] for f in d.flags if f != "no_card") or self.tr("无")),
        ]
        for label, value in rows:
            info.addRow(label, value if isinstance(value, QWidget) else QLabel(str(value)))
        page = QWidget()
        page.setLayout(info)
        return page

    def _make_editors(self, d: MemberDetail, enterprises) -> dict[str, QWidget]:
        """The clerk-owned fields' editors, filled with the member's values."""
        self.phone = QLineEdit(d.phone)
        self.address = QLineEdit(d.work_address)
        self.address_count = QLabel()
        self.address.textChanged.connect(self._count_address)
        self._count_address(d.work_address)
        self.expiry = QLineEdit(d.id_expiry)
        self.expiry.setPlaceholderText(self.tr("如 2033-01-01、2033/1/1、20330101 或 长期"))
        self.label = QLineEdit(d.label)
        self.category = QComboBox()
        for code, text in CATEGORY_LABELS.items():
            self.category.addItem(text, str(code))
        self.category.setCurrentIndex(self.category.findData(d.category))
        self.enterprise = QComboBox()
        self.enterprise.addItem(self.tr("（不关联企业）"), None)
        for ent_id, name in enterprises:
            self.enterprise.addItem(name, ent_id)
        self.enterprise.setCurrentIndex(max(0, self.enterprise.findData(d.enterprise_id)))
        self.category.currentIndexChanged.connect(self._category_changed)
        self._category_changed()
        self.post_type = QComboBox()
        for code, text in POST_TYPE_LABELS.items():
            self.post_type.addItem(text, str(code))
        self.post_type.setCurrentIndex(self.post_type.findData(d.post_type))
        self.post_type.setEnabled(d.gender == Gender.FEMALE)
        self.post_type.setToolTip(self.tr("女职工的岗位类型决定原法定退休年龄（管理岗位55岁，工人岗位50岁）。"))
        return {
            "phone": self.phone, "work_address": self.address, "id_expiry": self.expiry,
            "label": self.label, "category": self.category, "enterprise_id": self.enterprise,
            "post_type": self.post_type,
        }

    def _edit_page(self, d: MemberDetail, enterprises) -> QWidget:
        """可修改信息: each editor with the line that names its error."""
        self.errors: dict[str, QLabel] = {}
        edit = QFormLayout()
        for name, widget in self._make_editors(d, enterprises).items():
            error = QLabel()
            error.setObjectName("fieldError")
            error.setStyleSheet("color: #c0392b;")
            error.setWordWrap(True)
            error.hide()
            self.errors[name] = error
            box = QWidget()
            box_layout = QVBoxLayout(box)
            box_layout.setContentsMargins(0, 0, 0, 0)
            box_layout.addWidget(widget)
            if name == "work_address":
                box_layout.addWidget(self.address_count)
            box_layout.addWidget(error)
            edit.addRow(FIELD_LABELS[name], box)
        page = QWidget()
        page.setLayout(edit)
        return page

    def _history_table(self, history) -> QTableWidget:
        """历史记录: everything that happened to one member (a handful; a plain table widget)."""
        self.history = QTableWidget(0, 7)
        self.history.setHorizontalHeaderLabels([self.tr("时间"), self.tr("操作人"), self.tr("操作"), self.tr("字段"),
                                                self.tr("原值"), self.tr("新值"), self.tr("说明")])
        self.history.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.history.verticalHeader().setVisible(False)
        self.history.horizontalHeader().setStretchLastSection(True)
        self._show_history(history)
        return self.history

    def _retirement_text(self, d: MemberDetail) -> str:
        if not d.retirement_dates:
            return self.tr("（非身份证会员请手工确认）")
        if len(d.retirement_dates) == 2:
            return self.tr("{0}（若为工人岗位）或 {1}（若为管理岗位）").format(
                d.retirement_dates[0].isoformat(), d.retirement_dates[1].isoformat())
        return d.retirement_dates[0].isoformat()

    def _count_address(self, text: str) -> None:
        n = address.count_cjk(text)
        self.address_count.setText(self.tr("已输入 {0} 个汉字（应多于6个、少于20个）").format(n))

    def _category_changed(self, *_args) -> None:
        linked = self.category.currentData() == Category.LINKED_ENTERPRISE
        self.enterprise.setEnabled(linked)

    def _show_history(self, entries: list[member_status.HistoryEntry]) -> None:
        """历史记录: everything that happened to the member, newest first."""
        self.history.setRowCount(len(entries))
        for row, e in enumerate(entries):
            values = [e.at.strftime("%Y-%m-%d %H:%M"), e.actor, e.action, e.field, e.old, e.new, e.note]
            for col, value in enumerate(values):
                self.history.setItem(row, col, QTableWidgetItem(value))
        self.history.resizeColumnsToContents()

    def changes(self) -> dict[str, object]:
        """The fields the clerk changed, as raw input."""
        d = self.detail
        current = {
            "phone": self.phone.text().strip(), "work_address": self.address.text().strip(),
            "id_expiry": self.expiry.text().strip(), "label": self.label.text().strip(),
            "category": self.category.currentData(),
            "enterprise_id": self.enterprise.currentData() if self.enterprise.isEnabled() else None,
            "post_type": self.post_type.currentData(),
        }
        original = d.clerk_values()
        return {k: v for k, v in current.items() if (v or None) != (original[k] or None)}

    def save(self) -> None:
        for label in self.errors.values():
            label.hide()
        changes = self.changes()
        if not changes:
            self.accept()
            return
        self.buttons.setEnabled(False)

        def work():
            return member_service.update_member(self.member_id, changes, actor=self.actor,
                                                plan_year=self.plan_year, today=date.today())

        ops.run_db(self, work, self._saved, self._failed)

    def _saved(self, detail: MemberDetail) -> None:
        self.detail = detail
        self.buttons.setEnabled(True)
        self.saved.emit(self.member_id)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        if isinstance(exc, ValidationFailed):
            for name, problem in exc.problems.items():
                label = self.errors.get(name)
                if label is not None:
                    label.setText(problem.message)
                    label.show()
            return
        show_error(self, exc)

"""处理同步冲突: members changed both here and on the server since the last sync; the clerk keeps
theirs or takes the server's, field by field (audited).

The dialog opens empty and fills from the database worker; the conflicts are a table model (one
row per member and field) whose 处理方式 column is edited with a combo box only while editing.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.views import ops
from app.views.table_model import ListTableModel
from app.views.sizing import resize_in_screen

CHOICES = (("mine", "保留本机的修改"), ("server", "采用服务器上的内容"))


def wire_field_label(name: str) -> str:
    from app.services.members import FIELD_LABELS

    extra = {"enterprise_name": "关联企业", "name": "姓名", "member_no": "会员编号", "birth_date": "出生日期",
             "join_date": "入会日期", "gender": "性别", "id_type": "证件类型"}
    return FIELD_LABELS.get(name) or extra.get(name, name)


@dataclass(frozen=True)
class ConflictRow:
    member_id: int
    member: str  # name (masked ID)
    field: str  # the wire name
    field_label: str
    mine: str
    server: str
    choice: str = "mine"

    @property
    def id(self) -> tuple[int, str]:
        return (self.member_id, self.field)

    @property
    def choice_label(self) -> str:
        return dict(CHOICES)[self.choice]


def conflict_rows(union_id: int) -> list[ConflictRow]:
    """The union's conflicts, one row per member and field (on the database worker)."""
    from app.rules.idcard import mask_id
    from app.sync import engine as sync_engine

    return [ConflictRow(c["member_id"], f"{c['name']}（{mask_id(c['id_number'])}）", name, wire_field_label(name),
                        str(info.get("mine") or ""), str(info.get("server") or ""))
            for c in sync_engine.conflicts(union_id) for name, info in c["fields"].items()]


class ConflictModel(ListTableModel):
    COLUMNS = (("会员", None, "member"), ("字段", None, "field_label"), ("本机的值", None, "mine"),
               ("服务器上的值", None, "server"), ("处理方式", None, "choice_label"))
    CHOICE_COLUMN = 4

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        return flags | Qt.ItemFlag.ItemIsEditable if index.column() == self.CHOICE_COLUMN else flags

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.EditRole and index.isValid():
            return self.row_at(index.row()).choice
        return super().data(index, role)

    def setData(self, index: QModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or index.column() != self.CHOICE_COLUMN or value not in dict(CHOICES):
            return False
        self.update_row(index.row(), replace(self.row_at(index.row()), choice=value))
        return True

    def choose_all(self, choice: str) -> None:
        for r in range(self.row_count()):
            self._rows[r] = replace(self._rows[r], choice=choice)  # type: ignore[index]
        self._rows_changed(0, self.row_count() - 1)


class ChoiceDelegate(QStyledItemDelegate):
    """A combo box over 处理方式 while the cell is edited (one editor at a time, not one per row)."""

    def createEditor(self, parent: QWidget, option, index: QModelIndex) -> QWidget:  # noqa: N802
        combo = QComboBox(parent)
        for code, label in CHOICES:
            combo.addItem(label, code)
        combo.activated.connect(lambda _i: self.commitData.emit(combo))
        return combo

    def setEditorData(self, editor: QComboBox, index: QModelIndex) -> None:  # noqa: N802
        editor.setCurrentIndex(editor.findData(index.data(Qt.ItemDataRole.EditRole)))

    def setModelData(self, editor: QComboBox, model, index: QModelIndex) -> None:  # noqa: N802
        model.setData(index, editor.currentData())


class ConflictDialog(QDialog):
    """Members changed both here and on the server: keep mine or take the server's, per field."""

    resolved = Signal()
    #: How many conflicts were found once the dialog has filled.
    loaded = Signal(int)

    def __init__(self, union_id: int, actor: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.actor = actor
        self.setWindowTitle(self.tr("处理同步冲突"))
        self.model = ConflictModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(ConflictModel.CHOICE_COLUMN, ChoiceDelegate(self.table))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        em = self.fontMetrics().horizontalAdvance("中")
        for column, width in enumerate((16, 9, 20, 20)):  # an address (6–20 characters) shows whole
            self.table.setColumnWidth(column, em * width)
        intro = QLabel(self.tr("以下会员信息在您上次同步后，服务器上也被修改过。请逐项选择保留哪一方的内容；"
                               "选择后会记入修改记录。"))
        intro.setWordWrap(True)
        self.status = QLabel(self.tr("正在读取…"))
        mine_all = QPushButton(self.tr("全部保留本机的修改"))
        server_all = QPushButton(self.tr("全部采用服务器上的内容"))
        mine_all.clicked.connect(lambda: self.model.choose_all("mine"))
        server_all.clicked.connect(lambda: self.model.choose_all("server"))
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(mine_all)
        row.addWidget(server_all)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("确定"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("稍后处理"))
        self.buttons.accepted.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.buttons)
        resize_in_screen(self, em * 76, em * 25)
        ops.run_db(self, lambda: conflict_rows(union_id), self._show)

    def _show(self, rows: list[ConflictRow]) -> None:
        self.model.set_rows(rows)
        self.status.setText(self.tr("共 {0} 项待处理").format(len(rows)))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(rows))
        self.loaded.emit(len(rows))

    def selections(self) -> dict[int, dict[str, str]]:
        out: dict[int, dict[str, str]] = {}
        for row in self.model.rows():
            out.setdefault(row.member_id, {})[row.field] = row.choice
        return out

    def apply(self) -> None:
        chosen = self.selections()
        actor = self.actor

        def work() -> None:
            from app.sync import engine as sync_engine

            for member_id, choices in chosen.items():
                sync_engine.resolve_conflict(member_id, choices, actor=actor)

        ops.run_db(self, work, lambda _r: (self.resolved.emit(), self.accept()))

"""处理同步冲突: members changed both here and on the server since the last sync; the clerk keeps
theirs or takes the server's, field by field (audited)."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.views import ops


def wire_field_label(name: str) -> str:
    from app.services.members import FIELD_LABELS

    extra = {"enterprise_name": "关联企业", "name": "姓名", "member_no": "会员编号", "birth_date": "出生日期",
             "join_date": "入会日期", "gender": "性别", "id_type": "证件类型"}
    return FIELD_LABELS.get(name) or extra.get(name, name)


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

"""The members behind a figure of the workbench's to-do list (证件将到期, 可能已退休待确认, 可参保尚未提交):
a table model over rows computed on the database worker; a double click opens the member."""
from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QWidget

from app.rules.cards import mask_card_no
from app.rules.idcard import mask_id
from app.views.list_dialog import ListDialog
from app.views.table_model import ListTableModel
from app.views.windows import open_modeless

TITLES = {
    "id_expiring": "证件在截止日前到期的会员",
    "flagged": "可能已退休待确认的会员",
    "eligible": "可参保尚未提交的会员",
}


class TodoMembersModel(ListTableModel):
    """Enrollment candidates (app.services.enrollment.Candidate) as the to-do lists show them."""

    COLUMNS = (("会员编号", None, "member_no"), ("姓名", None, "name"), ("证件号码", None, "id_number"),
               ("会员卡号", None, "card_no"), ("法定退休日期", None, "retirement_dates"), ("说明", None, "reason_text"))

    def display(self, row, attribute: str) -> str:
        if attribute == "id_number":
            return mask_id(row.id_number)
        if attribute == "card_no":
            return mask_card_no(row.card_no) if row.card_no else ""
        if attribute == "retirement_dates":
            return " 或 ".join(d.isoformat() for d in row.retirement_dates)
        return super().display(row, attribute)


class TodoMembersDialog(ListDialog):
    """One to-do list of members, filled from the database worker; a double click opens one."""

    COUNT_TEXT = "共 {0} 人。双击一行查看会员详情。"

    def __init__(self, union_id: int, plan_year: int, which: str, *, actor: str, parent: QWidget | None = None) -> None:
        from app.services import todo

        self.plan_year, self.actor = plan_year, actor
        super().__init__(TITLES.get(which, "会员"), TodoMembersModel(),
                         lambda: todo.todo_members(union_id, plan_year, which, date.today()), parent=parent)
        self.table.doubleClicked.connect(self.open_member)

    def open_member(self, index) -> None:
        from app.views.member_dialog import open_member_dialog

        row = self.model.row_at(index.row())
        if row is not None:
            open_member_dialog(self, row.id, plan_year=self.plan_year, actor=self.actor)


def open_list(parent: QWidget, union_id: int, plan_year: int, which: str, actor: str) -> TodoMembersDialog:
    return open_modeless(TodoMembersDialog(union_id, plan_year, which, actor=actor, parent=parent))

"""账号管理: a secondary, district or the center manages the accounts of the unions below it (manual
§1 "忘记密码请联系上级工会"; issue #16) — list and find them, 新建账号, 重置密码 (the new one shown
once; the account must change it at its next login), 锁定 and 解除锁定 (which also lifts the lock of
too many wrong passwords).

The list lives on the server: every call runs on the I/O pool through app.views.ops (never on the UI
thread, never the local database); offline the page says so. The table is model/view over the
server's rows; actions work on the selected rows.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.protocol.accounts import LEVEL_LABELS, MAX_LOCK_REASON, AccountState
from app.views.superior_pages import ApiSource, Column, OnlinePage, RowsModel, _table, local_time
from app.views.windows import open_modeless

PAGE_SIZE = 500


ACCOUNT_COLUMNS: list[Column] = [
    ("账号", lambda r: r["username"]),
    ("使用人", lambda r: r["display_name"]),
    ("角色", lambda r: r["role_label"]),
    ("所属工会", lambda r: r["union"]["name"]),
    ("组织机构代码", lambda r: r["union"]["org_code"]),
    ("工会级别", lambda r: LEVEL_LABELS.get(r["union"]["level"], r["union"]["level"])),
    ("状态", lambda r: r["state_label"]),
    ("最近登录", lambda r: local_time(r.get("last_login")) or "从未登录"),
]
AUDIT_COLUMNS: list[Column] = [
    ("时间", lambda r: local_time(r["at"])),
    ("操作人", lambda r: r["actor"] or "系统管理员"),
    ("操作", lambda r: {"create_user": "新建账号", "reset_password": "重置密码", "lock": "锁定",
                       "unlock": "解除锁定"}.get(r["action"], r["action"])),
    ("说明", lambda r: (r.get("detail") or {}).get("reason")
     or ("系统生成密码" if (r.get("detail") or {}).get("generated") else "")),
]


class AccountsModel(RowsModel):
    """Account rows; UserRole is the row itself, locked and throttled accounts read in red."""

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and role == Qt.ItemDataRole.UserRole:
            return self.rows[index.row()]
        if index.isValid() and role == Qt.ItemDataRole.ForegroundRole:
            state = self.rows[index.row()]["state"]
            return QColor("#b03a2e") if state in (AccountState.LOCKED, AccountState.THROTTLED) else None
        return super().data(index, role)


def _admin(api: ApiSource) -> Any:
    """The signed-in account's AccountAdminApi over its SuperiorApi's client (None offline)."""
    superior = api()
    if superior is None:
        return None
    from app.sync.account_admin import AccountAdminApi

    return AccountAdminApi(superior.client)


class AccountsPage(OnlinePage):
    """下级工会账号管理."""

    def __init__(self, api: ApiSource) -> None:
        super().__init__(lambda: _admin(api), "下级工会账号管理")
        hint = QLabel(self.tr("下级工会经办人忘记密码或账号被锁定时，在这里为其重置密码或解除锁定。"
                              "新密码只显示一次；本人下次登录时必须改成只有自己知道的密码。"))
        hint.setWordWrap(True)
        self.layout_.addWidget(hint)
        self.query = QLineEdit()
        self.query.setPlaceholderText(self.tr("按账号、使用人、工会名称或组织机构代码查找"))
        self.query.returnPressed.connect(self.refresh)
        search, refresh = QPushButton(self.tr("查找")), QPushButton(self.tr("刷新"))
        search.clicked.connect(self.refresh)
        refresh.clicked.connect(self.refresh)
        row = QHBoxLayout()
        for widget in (self.query, search, refresh):
            row.addWidget(widget)
        self.layout_.addLayout(row)
        self.model = AccountsModel(ACCOUNT_COLUMNS, self)
        self.table = _table(self, self.model, {"账号": 9, "使用人": 14, "角色": 5, "所属工会": 17,
                                               "组织机构代码": 11, "工会级别": 8, "状态": 13, "最近登录": 9})
        self.table.doubleClicked.connect(lambda _index: self.show_audit())
        self.layout_.addWidget(self.table, 1)
        self.count = QLabel("")
        buttons = QHBoxLayout()
        buttons.addWidget(self.count)
        buttons.addStretch(1)
        for text, slot in ((self.tr("新建账号…"), self.new_account), (self.tr("重置密码…"), self.reset_selected),
                           (self.tr("锁定…"), self.lock_selected), (self.tr("解除锁定"), self.unlock_selected),
                           (self.tr("操作记录"), self.show_audit)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        self.layout_.addLayout(buttons)

    # ---- reading --------------------------------------------------------------------------
    def fetch(self, api: Any) -> Any:  # on the I/O pool
        return api.accounts(query=self.query.text().strip(), limit=PAGE_SIZE)

    def show_result(self, result: Any) -> None:
        self.model.set_rows(result["accounts"])
        shown, total = len(result["accounts"]), result["total"]
        self.count.setText(self.tr("共 {0} 个账号{1}").format(
            total, "" if shown == total else self.tr("（显示前 {0} 个，请输入查找条件缩小范围）").format(shown)))

    def selected(self) -> list[dict[str, Any]]:
        return [self.model.data(i, Qt.ItemDataRole.UserRole) for i in self.table.selectionModel().selectedRows()]

    def _need(self, one: bool = False) -> list[dict[str, Any]] | None:
        rows = self.selected()
        if not rows or (one and len(rows) != 1):
            QMessageBox.information(self, self.tr("请选择"), self.tr("请先在列表中选择一个账号。") if one
                                    else self.tr("请先在列表中选择账号。"))
            return None
        return rows

    # ---- acting ---------------------------------------------------------------------------
    def new_account(self) -> None:
        from app.views.account_dialogs import NewAccountDialog

        rows = self.selected()
        hint = rows[0]["union"]["org_code"] if rows else ""
        open_modeless(NewAccountDialog(self.api, self, union_hint=hint,
                                       done=lambda answer: self._changed(answer, self.tr("已新建"))))

    def reset_selected(self) -> None:
        from app.views.account_dialogs import ResetDialog

        rows = self._need(one=True)
        if not rows:
            return
        dialog = ResetDialog(rows[0], self)
        dialog.accepted.connect(lambda: self.do_reset(rows[0]["username"], dialog.chosen))
        open_modeless(dialog)

    def do_reset(self, username: str, password: str | None = None) -> None:
        self.act(lambda api: api.reset_password(username, password),
                 lambda answer: self._changed(answer, self.tr("密码已重置")))

    def _changed(self, answer: dict[str, Any], what: str) -> None:
        """After a creation or a reset: the password, once; the list again."""
        from app.views.account_dialogs import PasswordOnceDialog

        self.last_password_dialog = open_modeless(PasswordOnceDialog(answer, what, self))
        self.refresh()

    def lock_selected(self) -> None:
        rows = self._need()
        if not rows:
            return
        names = "、".join(r["username"] for r in rows[:5]) + ("等" if len(rows) > 5 else "")
        reason, ok = QInputDialog.getText(self, self.tr("锁定账号"), self.tr(
            "锁定 {0} 共 {1} 个账号？锁定后不能登录，已登录的电脑立即退出。\n锁定原因（记入操作记录，可不填）：").format(
            names, len(rows)))
        if ok:
            self.do_lock([r["username"] for r in rows], reason.strip()[:MAX_LOCK_REASON])

    def do_lock(self, usernames: list[str], reason: str = "") -> None:
        self.act(lambda api: [api.lock(u, reason) for u in usernames], lambda _r: None)

    def unlock_selected(self) -> None:
        rows = self._need()
        if rows and QMessageBox.question(self, self.tr("解除锁定"), self.tr(
                "解除 {0} 个账号的锁定？同时清除密码输错造成的暂时锁定，本人可以立即登录。").format(len(rows))) == \
                QMessageBox.StandardButton.Yes:
            self.do_unlock([r["username"] for r in rows])

    def do_unlock(self, usernames: list[str]) -> None:
        self.act(lambda api: [api.unlock(u) for u in usernames], lambda _r: None)

    def show_audit(self) -> None:
        rows = self._need(one=True)
        if rows:
            self.audit_dialog = open_modeless(AuditDialog(self.api, rows[0], self))


class AuditView(OnlinePage):
    """The entries of one account: who created, reset, locked or unlocked it, and when."""

    def __init__(self, api: ApiSource, row: dict[str, Any]) -> None:
        super().__init__(api, f"账号 {row['username']}（{row['union']['name']}）的操作记录")
        self.username = row["username"]
        self.model = RowsModel(AUDIT_COLUMNS, self)
        self.table = _table(self, self.model, {"时间": 10, "操作人": 8, "操作": 6})
        self.layout_.addWidget(self.table, 1)

    def fetch(self, api: Any) -> Any:
        return api.audit(self.username)

    def show_result(self, result: Any) -> None:
        self.model.set_rows(result)


class AuditDialog(QDialog):
    """操作记录 of one account (opens empty, fills from the server)."""

    def __init__(self, api: ApiSource, row: dict[str, Any], parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("操作记录"))
        self.view = AuditView(api, row)
        close = QDialogButtonBox()
        close.addButton(self.tr("关闭"), QDialogButtonBox.ButtonRole.RejectRole)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(close)
        self.resize(self.fontMetrics().horizontalAdvance("中") * 44, self.fontMetrics().height() * 20)
        self.view.refresh()

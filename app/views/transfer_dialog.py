"""批量转移: move the selected members to another grassroots union (SPEC §5.10).

The dialog opens empty and fills through `ops` (the selected members' names and ID numbers on the
database worker). The clerk types the receiving union's org code and a reason, confirms — the
transfer cannot be undone here, only by the receiving union transferring them back — and the
request goes to the server on the I/O pool. Online only: without a signed-in server the dialog
says so. After a transfer the sync runs, so the members leave this PC's list.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from app.protocol.transfers import MAX_TRANSFER_REASON
from app.services.transfers import selected_members
from app.views import ops

ERROR_STYLE = "color: #c0392b;"
#: The signed-in server client, or None when this PC is not signed in.
ClientSource = Callable[[], Any]


def _problem_text(exc: BaseException) -> str:
    """What the clerk reads for a refused or failed transfer: the server's reason and, where it
    names members, which ones (masked)."""
    from app.sync.client import ServerProblem

    text = getattr(exc, "message", "") or str(exc)
    detail = exc.detail if isinstance(exc, ServerProblem) else None
    if isinstance(detail, dict) and detail.get("members"):
        named = [f"{m['id_number']}（{m['reason']}）" if isinstance(m, dict) else str(m) for m in detail["members"]]
        text += "\n" + "、".join(named[:10])
    elif isinstance(detail, dict) and detail.get("missing"):
        text += "\n" + "、".join(detail["missing"][:10])
    action = getattr(exc, "action", "")
    return f"{text}\n{action}".strip()


class TransferDialog(QDialog):
    """`transferred(answer)` after the server moved the members."""

    transferred = Signal(object)

    def __init__(self, member_ids: list[int], client: ClientSource, *, on_done: Callable[[], None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.member_ids = list(member_ids)
        self.client = client
        self.on_done = on_done
        self.numbers: list[str] = []
        self.setWindowTitle(self.tr("批量转移"))
        self.setMinimumWidth(520)

        self.members = QLabel(self.tr("正在读取选中的会员…"))
        self.members.setWordWrap(True)
        self.target = QLineEdit()
        self.target.setPlaceholderText(self.tr("接收工会的组织代码（统一社会信用代码），如 81310101000000005X"))
        self.target.setMaxLength(32)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("如：调动至接收单位工作"))
        self.reason.setMaxLength(MAX_TRANSFER_REASON)
        form = QFormLayout()
        form.addRow(self.tr("转移会员"), self.members)
        form.addRow(self.tr("接收工会组织代码"), self.target)
        form.addRow(self.tr("转移原因"), self.reason)

        hint = QLabel(self.tr("转移后，会员连同其会员卡和参保记录转入接收工会，本工会不再能查看或办理；"
                              "参保批次正在审核中或会员卡正在办理中的会员不能转移。需要联网。"))
        hint.setWordWrap(True)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.hide()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("确认转移"))
        self.ok_button.setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        ops.run_db(self, lambda: selected_members(self.member_ids), self._loaded, self._failed)

    def _loaded(self, rows: list[tuple[str, str]]) -> None:
        self.numbers = [number for _, number in rows]
        names = "、".join(name for name, _ in rows[:5]) + (self.tr(" 等") if len(rows) > 5 else "")
        self.members.setText(self.tr("{0} 人：{1}").format(len(rows), names))
        self.ok_button.setEnabled(bool(rows))

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def confirm(self, target: str) -> bool:
        text = self.tr("确定把这 {0} 名会员转移到组织代码为 {1} 的工会吗？\n转移后本工会不能撤销，"
                       "只能由接收工会再转回。").format(len(self.numbers), target)
        return QMessageBox.question(self, self.tr("请确认"), text) == QMessageBox.StandardButton.Yes

    def submit(self) -> None:
        target, reason = self.target.text().strip().upper(), self.reason.text().strip()
        if not target:
            return self.show_error(self.tr("请填写接收工会的组织代码。"))
        if not reason:
            return self.show_error(self.tr("请填写转移原因。"))
        client = self.client()
        if client is None:
            return self.show_error(self.tr("本机尚未登录服务器。批量转移需要联网：请先登录并同步后再转移。"))
        if not self.confirm(target):
            return None
        from app.sync.transfers import request_transfer

        numbers = list(self.numbers)
        self.ok_button.setEnabled(False)
        self.error.hide()
        ops.run_io(self, lambda: request_transfer(client, to_union=target, reason=reason, id_numbers=numbers),
                   self._done, self._failed)
        return None

    def _done(self, answer: dict[str, Any]) -> None:
        self.transferred.emit(answer)
        if self.on_done is not None:
            self.on_done()
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.ok_button.setEnabled(bool(self.numbers))
        self.show_error(_problem_text(exc))


def open_transfer_dialog(parent: QWidget, member_ids: list[int]) -> TransferDialog:
    """批量转移 for the members selected on `parent`'s page, with the main window's sync (if any)."""
    from app.views.windows import open_modeless

    sync = getattr(parent.window(), "sync", None)

    def client() -> Any:
        signed = getattr(sync, "signed_in", None)
        return signed.engine.client if signed is not None else None

    dialog = TransferDialog(member_ids, client, on_done=getattr(sync, "sync_now", None), parent=parent)
    return open_modeless(dialog)

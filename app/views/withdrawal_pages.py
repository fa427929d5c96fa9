"""撤销办卡批次 and 撤销办卡批次审核 (manual part 4, the district's menu): the district's page of
requests with 同意撤销 / 不同意, and the clerk's 申请撤销 from 办卡批次管理. Both talk to the server on
the I/O pool (app/sync/withdrawals.py); offline they say so. The batch's new state reaches the
clerk's PC with the next sync.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QInputDialog, QLabel, QMessageBox, QPushButton, QWidget

from app.views import ops
from app.views.superior_pages import OFFLINE, ApiSource, Column, OnlinePage, RowsModel, _table, describe, local_time


def withdrawal_api(api: ApiSource) -> ApiSource:
    def make() -> Any:
        from app.sync.withdrawals import WithdrawalApi

        signed = api()
        return None if signed is None else WithdrawalApi(signed.client)

    return make


WITHDRAWAL_COLUMNS: list[Column] = [
    ("批次编号", lambda r: r["batch_no"]),
    ("基层工会", lambda r: r["union"]["name"]),
    ("办卡人数", lambda r: str(r["member_count"])),
    ("提交办卡时间", lambda r: local_time(r["received_at"])),
    ("申请撤销时间", lambda r: local_time(r["requested_at"])),
    ("状态", lambda r: r["status_label"]),
    ("撤销原因", lambda r: r["reason"] + (f"（不同意：{r['decision_reason']}）" if r.get("decision_reason") else "")),
]


class WithdrawalReviewPage(OnlinePage):
    """撤销办卡批次审核: the requests of the district's grassroots unions."""

    def __init__(self, api: ApiSource) -> None:
        super().__init__(withdrawal_api(api), "撤销办卡批次审核")
        row = QHBoxLayout()
        self.status = QComboBox()
        self.status.addItem(self.tr("待审核"), "pending")
        self.status.addItem(self.tr("全部"), "")
        self.status.currentIndexChanged.connect(self.refresh)
        search = QPushButton(self.tr("刷新"))
        search.clicked.connect(self.refresh)
        hint = QLabel(self.tr("基层工会申请撤销尚未发卡的办卡批次；审核期间该批次暂停制卡。同意撤销后，"
                              "批次中的会员可重新申请办卡。"))
        hint.setWordWrap(True)
        for widget in (QLabel(self.tr("状态")), self.status, search):
            row.addWidget(widget)
        row.addStretch(1)
        self.layout_.addLayout(row)
        self.layout_.addWidget(hint)
        self.model = RowsModel(WITHDRAWAL_COLUMNS, self)
        self.table = _table(self, self.model, {"批次编号": 18, "基层工会": 17, "办卡人数": 5, "提交办卡时间": 9,
                                               "申请撤销时间": 9, "状态": 6})
        self.layout_.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.count = QLabel("")
        self.approve_button = QPushButton(self.tr("同意撤销"))
        self.approve_button.clicked.connect(self.approve_selected)
        self.refuse_button = QPushButton(self.tr("不同意"))
        self.refuse_button.clicked.connect(self.refuse_selected)
        buttons.addWidget(self.count)
        buttons.addStretch(1)
        buttons.addWidget(self.approve_button)
        buttons.addWidget(self.refuse_button)
        self.layout_.addLayout(buttons)

    def fetch(self, api: Any) -> Any:
        return api.listing(self.status.currentData())

    def show_result(self, result: Any) -> None:
        self.model.set_rows(result["withdrawals"])
        self.count.setText(self.tr("共 {0} 个撤销申请").format(result["total"]))

    def selected(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows()
        row = self.model.rows[rows[0].row()] if rows else None
        if row is None or row["status"] != "pending":
            QMessageBox.information(self, self.tr("请选择"), self.tr("请先在列表中选择一个待审核的撤销申请。"))
            return None
        return row

    def approve_selected(self, *, confirmed: bool = False) -> None:
        row = self.selected()
        if row is None:
            return
        if not confirmed and QMessageBox.question(self, self.tr("同意撤销"), self.tr(
                "确定同意撤销办卡批次 {0}（{1}，{2}人）？撤销后该批次不再制卡，其中会员可重新申请办卡。").format(
                row["batch_no"], row["union"]["name"], row["member_count"])) != QMessageBox.StandardButton.Yes:
            return
        self.act(lambda api: api.approve(row["id"]), lambda _answer: None)

    def refuse_selected(self, reason: str | None = None) -> None:
        row = self.selected()
        if row is None:
            return
        if reason is None:
            reason, ok = QInputDialog.getText(self, self.tr("不同意撤销"), self.tr("不同意的原因（基层工会可见）："))
            if not ok:
                return
        if not reason.strip():
            QMessageBox.warning(self, self.tr("请填写原因"), self.tr("请填写不同意撤销的原因。"))
            return
        self.act(lambda api: api.refuse(row["id"], reason.strip()), lambda _answer: None)


def ask_withdrawal(parent: QWidget, api: ApiSource, batch_no: str, reason: str | None = None,
                   done: Any = None, sent: Any = None) -> None:
    """申请撤销 from 办卡批次管理: ask the reason, send the request, say what happens next
    (`sent` gets the server's answer, to keep the request's state on this PC)."""
    source = withdrawal_api(api)()
    if source is None:
        QMessageBox.warning(parent, parent.tr("需要联网"), OFFLINE)
        return
    if reason is None:
        reason, ok = QInputDialog.getText(parent, parent.tr("申请撤销办卡批次"), parent.tr(
            "撤销批次 {0}：请填写撤销原因（由区局(产业)工会审核，审核期间暂停制卡）：").format(batch_no))
        if not ok or not reason.strip():
            return

    def answered(answer: dict[str, Any]) -> None:
        if sent is not None:
            sent(answer)
        message = parent.tr("已申请撤销批次 {0}，等待区局(产业)工会审核；审核期间该批次暂停制卡。同步后可看到审核结果。").format(
            answer["batch_no"])
        if done is not None:
            done(message)
        else:
            QMessageBox.information(parent, parent.tr("已提交撤销申请"), message)

    def failed(exc: BaseException) -> None:
        if done is not None:
            done(describe(exc))
        else:
            QMessageBox.warning(parent, parent.tr("未能申请撤销"), describe(exc))

    text = reason.strip()
    ops.run_io(parent, lambda: source.request(batch_no, text), answered, failed)

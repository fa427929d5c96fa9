"""Dialogs of the superior pages: a batch opened for review (masked roster, its signature verified
by the server, its notice PDF) and the district's 提交列表中的参保信息 (handler, final warning,
the district notice saved and opened). Network work runs on the I/O pool."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.rules.cards import mask_card_no
from app.views import ops
from app.views.superior_pages import OFFLINE, PLAN_LABELS, ApiSource, RowsModel, _table, describe
from app.views.wrapping import wrap_at

ROSTER_COLUMNS = [
    ("姓名", lambda r: r.get("name") or ""),
    ("证件号码", lambda r: r["id_number"]),
    ("会员卡号", lambda r: mask_card_no(r.get("card_no"))),  # masked as on every other screen
    ("起保日期", lambda r: r.get("coverage_start") or ""),
    ("终保日期", lambda r: r.get("coverage_end") or ""),
    ("半年/全年", lambda r: "半年" if r.get("period") == "half" else "全年"),
]


class BatchDetailDialog(QDialog):
    """批次详情: opens empty, fills from the server."""

    def __init__(self, api: ApiSource, batch_no: str, documents: Path | None, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("批次详情 {0}").format(batch_no))
        self.api, self.batch_no, self.documents = api, batch_no, documents
        self.detail: dict[str, Any] | None = None
        layout = QVBoxLayout(self)
        self.summary = QLabel(self.tr("正在读取…"))
        self.summary.setWordWrap(True)
        self.signature = QLabel("")
        self.signature.setWordWrap(True)
        self.model = RowsModel(ROSTER_COLUMNS, self)
        self.table = _table(self, self.model, {"证件号码": 12, "会员卡号": 12, "起保日期": 7, "终保日期": 7})
        self.pdf_button = QPushButton(self.tr("打开告知书 PDF"))
        self.pdf_button.setEnabled(False)
        self.pdf_button.clicked.connect(self.open_pdf)
        close = QDialogButtonBox()
        close.addButton(self.tr("关闭"), QDialogButtonBox.ButtonRole.RejectRole)
        close.rejected.connect(self.reject)
        for widget in (self.summary, self.signature, self.table, self.pdf_button, close):
            layout.addWidget(widget)
        self.resize(self.fontMetrics().horizontalAdvance("中") * 60, self.fontMetrics().height() * 30)
        source = api()
        if source is None:
            self.summary.setText(OFFLINE)
        else:
            ops.run_io(self, lambda: source.review_detail(batch_no), self._loaded,
                       lambda exc: self.summary.setText(describe(exc)))

    def _loaded(self, detail: dict[str, Any]) -> None:
        self.detail = detail
        # Two lines of whole fields: one line wrapped at the dialog's edge cut a batch number in two.
        self.summary.setText(self.tr("{0}　批次 {1}").format(detail["union"]["name"], detail["batch_no"]) + "\n"
                             + self.tr("{0}　{1} 人　保障费用 {2} 元").format(
                                 PLAN_LABELS.get(detail["plan_type"], detail["plan_type"]), detail["member_count"],
                                 detail["totals"]["fee"]))
        sig = detail["signature"]
        self.signature.setText(self.tr("签名校验：通过（设备指纹 {0}）").format(sig["fingerprint"]) if sig["valid"]
                               else self.tr("签名校验：不通过——{0}。该批次不能审批，请退回。").format(sig["problem"]))
        self.model.set_rows(detail["roster"])
        self.pdf_button.setEnabled(True)

    def open_pdf(self) -> None:
        source, detail = self.api(), self.detail
        if source is None or detail is None:
            return
        folder = Path(self.documents or Path.home()) / "审核"

        def fetch() -> Path:
            from app.services.notices import save_notice

            return save_notice(source.notice_pdf(detail["submission_id"]), folder, detail["batch_no"])

        ops.run_io(self, fetch, lambda path: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))),
                   lambda exc: QMessageBox.warning(self, self.tr("告知书"), describe(exc)))


class DistrictSubmitDialog(QDialog):
    """提交列表中的参保信息: handler's name and phone, the final warning, then the district notice."""

    def __init__(self, api: ApiSource, totals: dict[str, Any] | None, documents: Path | None, parent: QWidget,
                 done: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("提交列表中的参保信息"))
        self.api, self.documents, self.done_callback = api, documents, done
        layout = QVBoxLayout(self)
        line = QLabel(wrap_at(totals["line"]) if totals else "")
        line.setWordWrap(True)
        warning = QLabel(self.tr("区局（产业）确认提交至职保会后将无法修改，请仔细核无误后再提交！！！！"))
        warning.setStyleSheet("color: #a33; font-weight: bold;")
        warning.setWordWrap(True)
        form = QFormLayout()
        self.handler_name, self.handler_phone = QLineEdit(), QLineEdit()
        form.addRow(self.tr("经办人姓名"), self.handler_name)
        form.addRow(self.tr("经办人手机号码"), self.handler_phone)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.submit_button = buttons.addButton(self.tr("确认提交至职保中心"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.tr("取消"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        for item in (line, warning):
            layout.addWidget(item)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(buttons)

    def submit(self) -> None:
        name, phone = self.handler_name.text().strip(), self.handler_phone.text().strip()
        if not name or not phone:
            self.status.setText(self.tr("请填写经办人姓名和手机号码。"))
            return
        if QMessageBox.question(self, self.tr("最后确认"), self.tr(
                "提交后将无法修改。确认将待提交列表中的全部参保信息提交至职保中心？")) != QMessageBox.StandardButton.Yes:
            return
        source = self.api()
        if source is None:
            self.status.setText(OFFLINE)
            return
        folder = Path(self.documents or Path.home()) / "区局告知书"

        def send() -> Path:
            from app.services.district import save_district_notice
            from app.services.notices import notice_filename

            receipt = source.district_submit(name, phone)
            return save_district_notice(receipt, folder / notice_filename(receipt["batch_no"], "district"))

        self.submit_button.setEnabled(False)
        ops.run_io(self, send, self._sent, self._failed)

    def _sent(self, path: Path) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        QMessageBox.information(self, self.tr("已提交"), self.tr("已提交至职保中心。区局告知书已保存到：{0}").format(path))
        if self.done_callback:
            self.done_callback()
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.submit_button.setEnabled(True)
        self.status.setText(describe(exc))

"""会员信息 → 导出: the list's current filter and order to .xlsx, masked numbers unless the clerk
confirms that the file will hold full ID and phone numbers; progress bar and cancel on the database
worker."""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.models.queries import MemberFilter
from app.services import spreadsheets
from app.services.spreadsheets import ExportResult
from app.views import ops
from app.views.errors import describe
from app.views.sizing import resize_in_screen

log = logging.getLogger(__name__)


class ExportDialog(QDialog):
    exported = Signal(object)  # ExportResult

    def __init__(self, union_id: int, member_filter: MemberFilter, *, total: int | None = None,
                 sort_key: str = "member_no", descending: bool = False, plan_year: int | None = None,
                 parent: QWidget | None = None, today: date | None = None) -> None:
        super().__init__(parent)
        self.union_id = union_id
        self.member_filter = member_filter
        self.sort_key = sort_key
        self.descending = descending
        self.plan_year = plan_year
        self.today = today
        self.result: ExportResult | None = None
        self._handle: ops.Progress | None = None
        self.setWindowTitle(self.tr("导出会员信息"))
        scope = self.tr("导出当前列表中的会员（按当前的查询条件和排序）")
        if total is not None:
            scope += self.tr("，共 {0} 人").format(total)
        intro = QLabel(scope + self.tr("。"))
        intro.setWordWrap(True)
        self.masked = QRadioButton(self.tr("证件号码、手机号码隐去中间几位（推荐）"))
        self.full = QRadioButton(self.tr("导出完整的证件号码和手机号码"))
        self.masked.setChecked(True)
        self.path = QLineEdit(str(Path.home() / f"会员信息-{(today or date.today()):%Y%m%d}.xlsx"))
        browse = QPushButton(self.tr("浏览…"))
        path_row = QHBoxLayout()
        path_row.addWidget(QLabel(self.tr("保存到：")))
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)
        self.bar = QProgressBar()
        self.bar.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton(self.tr("导出"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(self.tr("取消"), QDialogButtonBox.ButtonRole.RejectRole)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.masked)
        layout.addWidget(self.full)
        layout.addLayout(path_row)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        browse.clicked.connect(self._browse)
        self.export_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.reject)
        em = self.fontMetrics().horizontalAdvance("中")
        resize_in_screen(self, em * 40, self.sizeHint().height())

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("导出会员信息"), self.path.text(),
                                              self.tr("Excel 工作簿 (*.xlsx)"))
        if path:
            self.path.setText(path)

    def confirm_full(self) -> bool:
        """Full numbers leave the app only after a confirmation (tests replace this)."""
        answer = QMessageBox.warning(
            self, self.tr("导出完整号码"),
            self.tr("导出的文件将包含完整的证件号码和手机号码，属于个人敏感信息。\n"
                    "请妥善保管，不要通过微信、QQ、电子邮件等方式随意传送。\n\n确定导出完整号码吗？"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def start(self, on_done: Callable[[ExportResult], None] | None = None) -> None:
        text = self.path.text().strip()
        if not text:
            self.status.setText(self.tr("请选择保存位置。"))
            return
        if not text.lower().endswith(".xlsx"):
            text += ".xlsx"
            self.path.setText(text)
        full = self.full.isChecked()
        if full and not self.confirm_full():
            return
        out = Path(text)
        self.export_button.setEnabled(False)
        self.masked.setEnabled(False)
        self.full.setEnabled(False)
        self.bar.show()
        self.bar.setRange(0, 0)
        self.status.setText(self.tr("正在导出…"))
        union_id, f = self.union_id, self.member_filter
        sort_key, descending, plan_year, today = self.sort_key, self.descending, self.plan_year, self.today

        def work(progress: ops.Progress) -> ExportResult:
            return spreadsheets.export_members(union_id, f, out, full_ids=full, sort_key=sort_key,
                                               descending=descending, plan_year=plan_year, today=today,
                                               progress=progress)

        def done(result: ExportResult) -> None:
            self._handle = None
            self.result = result
            self.bar.setRange(0, 1)
            self.bar.setValue(1)
            self.status.setText(self.tr("已导出 {0} 人到：{1}").format(result.rows, result.path))
            self.cancel_button.setText(self.tr("关闭"))
            self.exported.emit(result)
            if on_done:
                on_done(result)

        self._handle = ops.run_db_with_progress(self, work, on_success=done, on_failure=self._failed,
                                                on_progress=self._progress)

    def _progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.status.setText(self.tr("正在导出：{0} / {1}").format(done, total))

    def _failed(self, exc: BaseException) -> None:
        self._handle = None
        self.bar.hide()
        self.export_button.setEnabled(True)
        self.masked.setEnabled(True)
        self.full.setEnabled(True)
        if isinstance(exc, ops.Cancelled):
            self.status.setText(self.tr("已取消导出，没有生成文件。"))
            return
        message, action, is_bug = describe(exc)
        if is_bug:
            log.error("export failed", exc_info=exc)
        self.status.setText(f"{message}{action}")

    def reject(self) -> None:
        if self._handle is not None:  # cancel first; the dialog stays until the worker stops
            self._handle.cancel_requested.set()
            self.status.setText(self.tr("正在取消…"))
            return
        super().reject()

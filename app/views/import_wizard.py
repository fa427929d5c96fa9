"""会员管理 → 会员信息 → 批量导入: the import wizard, and saving the template.

Pages follow the manual (§3.1): choose the file → choose the category (关联企业类 needs the
enterprise) → check the file on the database worker, with a progress bar and cancel → preview
(new / updated / unchanged / rows with errors, each error by row, column and message) → import in
one transaction after a backup (cancel rolls back) → 查看导入结果, with 保存错误报告.
Nothing is written before the preview's 确定导入 (the commit page); every page validates in
`validatePage()`; all file and database work runs off the UI thread.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
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
    QWizard,
    QWizardPage,
)

from app.rules.codes import CATEGORY_LABELS, Category
from app.services import importer, spreadsheets
from app.services.importer import ImportOptions, ImportPlan, ImportResult
from app.views import ops
from app.views.errors import describe
from app.views.import_issues import issues_layout
from app.views.list_page import fill_enterprises
from app.views.sizing import resize_in_screen

log = logging.getLogger(__name__)

TEMPLATE_NAME = "会员信息导入模板.xlsx"


def _error_style(label: QLabel) -> None:
    label.setStyleSheet("color: #b00020;")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)


def save_template(parent: QWidget, path: str | None = None, on_done: Callable[[str], None] | None = None) -> None:
    """下载模板: ask where (unless `path`), write the template off the UI thread, say where it is."""
    if path is None:
        path, _ = QFileDialog.getSaveFileName(parent, parent.tr("保存会员导入模板"),
                                              str(Path.home() / TEMPLATE_NAME), parent.tr("Excel 工作簿 (*.xlsx)"))
        if not path:
            return
    if not path.lower().endswith(".xlsx"):
        path += ".xlsx"

    def done(out: Path) -> None:
        if on_done:
            on_done(str(out))
        else:
            QMessageBox.information(parent, parent.tr("下载模板"),
                                    parent.tr("模板已保存到：\n{0}\n\n请按模板填写会员信息后，用“批量导入”上传。").format(out))

    ops.run_io(parent, lambda: spreadsheets.write_template(Path(path)), done)


class FilePage(QWizardPage):
    """① 选择文件."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("选择要导入的文件"))
        self.setSubTitle(self.tr("可以导入 Excel 文件（.xlsx、.xls、.xlsb）和 WPS/LibreOffice 表格（.ods）。"
                                 "请使用“下载模板”得到的模板填写会员信息。"))
        self.path = QLineEdit()
        self.path.setPlaceholderText(self.tr("点击“选择文件…”，或把文件路径粘贴到这里"))
        self.browse = QPushButton(self.tr("选择文件…"))
        self.template_button = QPushButton(self.tr("下载模板…"))
        self.error = QLabel()
        _error_style(self.error)
        notes = QLabel(self.tr(
            "填写提示：\n"
            "① 工作单位详细地址请填写超过6个汉字且少于20个汉字（如果要办理工会会员卡，请必填）；\n"
            "② 手机号码不要重复；\n"
            "③ 证件号码列请保持“文本”格式，不要改成数字，否则号码后几位会丢失。"))
        notes.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addSpacing(self.fontMetrics().height())
        layout.addWidget(notes)
        template_row = QHBoxLayout()
        template_row.addWidget(self.template_button)
        template_row.addStretch(1)
        layout.addLayout(template_row)
        layout.addStretch(1)
        self.registerField("file*", self.path)
        self.browse.clicked.connect(self.choose)
        self.template_button.clicked.connect(lambda: save_template(self))
        self.path.textChanged.connect(lambda _text: self.error.clear())

    def choose(self) -> None:
        start = self.path.text().strip() or str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, self.tr("选择会员信息文件"), start,
                                              self.tr("表格文件 (*.xlsx *.xls *.xlsb *.ods);;所有文件 (*)"))
        if path:
            self.path.setText(path)

    def validatePage(self) -> bool:
        text = self.path.text().strip().strip('"')
        path = Path(text)
        if not text or not path.is_file():
            self.error.setText(self.tr("找不到这个文件，请重新选择。"))
            return False
        if path.suffix.lower() not in spreadsheets.SUFFIXES:
            self.error.setText(self.tr("只能导入 .xlsx、.xls、.xlsb 或 .ods 表格。如果是 .csv 或其他文件，请在 Excel 中"
                                       "“另存为”Excel 工作簿 (*.xlsx) 后再选择。"))
            return False
        self.wizard().source = path
        return True


class CategoryPage(QWizardPage):
    """② 选择上传的会员数据类型 (关联企业类 requires the enterprise)."""

    def __init__(self, union_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("选择上传的会员数据类型"))
        self.setSubTitle(self.tr("温馨提示：会员导入成功后直接进入当前工会。"))
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        layout = QVBoxLayout(self)
        for code in (Category.LINKED_ENTERPRISE, Category.FLEXIBLE, Category.OUTSIDE_ENTERPRISE):
            button = QRadioButton(self.tr(CATEGORY_LABELS[code]))
            self.group.addButton(button)
            self.buttons[str(code)] = button
            layout.addWidget(button)
            if code == Category.LINKED_ENTERPRISE:
                self.enterprise = QComboBox()
                self.enterprise.addItem(self.tr("请选择单位"), None)
                # Filled from the database worker; one enterprise is chosen for the clerk.
                fill_enterprises(self, self.enterprise, union_id, lambda: self.enterprise.count() == 2
                                 and self.enterprise.setCurrentIndex(1))
                row = QHBoxLayout()
                row.addSpacing(self.fontMetrics().horizontalAdvance("中") * 2)
                row.addWidget(QLabel(self.tr("关联企业：")))
                row.addWidget(self.enterprise, 1)
                layout.addLayout(row)
        self.buttons[Category.LINKED_ENTERPRISE].setChecked(True)
        self.error = QLabel()
        _error_style(self.error)
        layout.addWidget(self.error)
        layout.addStretch(1)
        self.group.buttonToggled.connect(self._toggled)
        self.enterprise.currentIndexChanged.connect(lambda _i: self.error.clear())

    def _toggled(self, *_args: Any) -> None:
        self.enterprise.setEnabled(self.category() == Category.LINKED_ENTERPRISE)
        self.error.clear()

    def category(self) -> str:
        for code, button in self.buttons.items():
            if button.isChecked():
                return code
        return Category.LINKED_ENTERPRISE

    def select(self, category: str, enterprise_id: int | None = None) -> None:
        self.buttons[category].setChecked(True)
        if enterprise_id is not None:
            self.enterprise.setCurrentIndex(self.enterprise.findData(enterprise_id))

    def validatePage(self) -> bool:
        category = self.category()
        enterprise_id = self.enterprise.currentData() if category == Category.LINKED_ENTERPRISE else None
        if category == Category.LINKED_ENTERPRISE and enterprise_id is None:
            if self.enterprise.count() <= 1:
                self.error.setText(self.tr("本工会还没有关联企业，不能导入关联企业类会员。请选择灵活就业类或企业外入会类。"))
            else:
                self.error.setText(self.tr("关联企业类必须选择单位。"))
            return False
        wizard = self.wizard()
        wizard.category, wizard.enterprise_id = category, enterprise_id
        return True


class CheckPage(QWizardPage):
    """③ 校验: read and check the file on the database worker, with progress and cancel."""

    checked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("校验文件"))
        self.setSubTitle(self.tr("正在逐行检查文件中的会员信息，此时不会写入任何数据。"))
        _progress_layout(self, self.tr("取消校验"), self.tr("重新校验"))
        self.bar.setRange(0, importer.PROGRESS_TOTAL)
        self._handle: ops.Progress | None = None
        self._serial = 0
        self.cancel_button.clicked.connect(self.cancel)
        self.retry_button.clicked.connect(self.start)

    def initializePage(self) -> None:
        self.start()

    def cleanupPage(self) -> None:  # going back: abandon the running check
        self.cancel()
        self._serial += 1
        self.wizard().plan = None

    def isComplete(self) -> bool:
        return self.wizard() is not None and self.wizard().plan is not None

    def running(self) -> bool:
        return self._handle is not None

    def start(self) -> None:
        wizard = self.wizard()
        wizard.plan = None
        self._serial += 1
        serial = self._serial
        self.error.clear()
        self.bar.setValue(0)
        self.status.setText(self.tr("正在读取“{0}”…").format(wizard.source.name))
        self.retry_button.hide()
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        options = wizard.options()
        source = wizard.source
        self.completeChanged.emit()

        def work(progress: ops.Progress) -> ImportPlan:
            return importer.prepare_import(source, options, progress)

        self._handle = ops.run_db_with_progress(
            self, work,
            on_success=lambda plan: self._done(serial, plan),
            on_failure=lambda exc: self._failed(serial, exc),
            on_progress=lambda done, total: self._progress(serial, done, total))

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel_requested.set()
            self.cancel_button.setEnabled(False)
            self.status.setText(self.tr("正在取消…"))

    def _progress(self, serial: int, done: int, total: int) -> None:
        if serial != self._serial:
            return
        self.bar.setMaximum(total)
        self.bar.setValue(done)
        if done >= total * importer.READ_SHARE // importer.PROGRESS_TOTAL:
            self.status.setText(self.tr("正在校验每一行…"))

    def _done(self, serial: int, plan: ImportPlan) -> None:
        if serial != self._serial:
            return
        self._handle = None
        self.wizard().plan = plan
        self.bar.setValue(self.bar.maximum())
        self.status.setText(self.tr("校验完成，用时 {0:.1f} 秒。").format(plan.seconds))
        self.cancel_button.hide()
        self.completeChanged.emit()
        self.checked.emit()

    def _failed(self, serial: int, exc: BaseException) -> None:
        if serial != self._serial:
            return
        self._handle = None
        self.cancel_button.hide()
        self.retry_button.show()
        if isinstance(exc, ops.Cancelled):
            self.status.setText(self.tr("已取消校验。可以点“重新校验”，或点“上一步”重新选择文件。"))
            return
        message, action, is_bug = describe(exc)
        if is_bug:
            log.error("import check failed", exc_info=exc)
        self.status.setText(self.tr("这个文件不能导入，数据库没有任何改变。"))
        self.error.setText(f"{message}\n{action}")
        self.retry_button.setVisible(is_bug)


def _progress_layout(page: QWizardPage, cancel_text: str, retry_text: str) -> None:
    """The checking and the writing pages' body: status, progress bar, retry/cancel, error."""
    page.status = QLabel()
    page.status.setWordWrap(True)
    page.bar = QProgressBar()
    page.error = QLabel()
    _error_style(page.error)
    page.cancel_button = QPushButton(cancel_text)
    page.retry_button = QPushButton(retry_text)
    buttons = QHBoxLayout()
    buttons.addStretch(1)
    buttons.addWidget(page.retry_button)
    buttons.addWidget(page.cancel_button)
    layout = QVBoxLayout(page)
    layout.addWidget(page.status)
    layout.addWidget(page.bar)
    layout.addLayout(buttons)
    layout.addWidget(page.error)
    layout.addStretch(1)


class PreviewPage(QWizardPage):
    """④ 预览: what the import would do, and every problem by row and column. The commit page."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("导入预览"))
        self.setSubTitle(self.tr("请核对下列数字。点“确定导入”后，没有错误的行会一次性写入（导入前自动备份数据库）；"
                                 "有错误的行不会导入，改正后可再次导入。"))
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("确定导入"))
        issues_layout(self)

    def initializePage(self) -> None:
        plan = self.wizard().plan
        self.summary.setText(summary_html(self, plan))
        self.model.set_issues(plan.errors + plan.warnings)
        self.table.setVisible(bool(plan.errors or plan.warnings))
        self.report_button.setEnabled(bool(plan.errors))
        self.report_status.clear()

    def validatePage(self) -> bool:
        wizard = self.wizard()
        plan = wizard.plan
        writes = len(plan.new_rows) + len(plan.updates)
        if writes == 0:
            return wizard.ask(self.tr("没有需要写入的会员（全部无变化或有错误）。\n点“是”查看导入结果。"))
        text = self.tr("确定导入？\n\n将新增 {0} 人、更新 {1} 人。").format(len(plan.new_rows), len(plan.updates))
        if plan.failed:
            text += self.tr("\n有错误的 {0} 行不会导入。").format(plan.failed)
        text += self.tr("\n\n导入前会自动备份数据库。")
        return wizard.ask(text)


def summary_html(widget: QWidget, plan: ImportPlan) -> str:
    tr = widget.tr
    parts = [
        tr("文件：{0}（工作表“{1}”，表头在第 {2} 行），共 {3} 行会员数据。").format(
            plan.file_name, plan.sheet_name, plan.header_row, plan.rows_read),
        tr("新增 <b>{0}</b> 人；更新 <b>{1}</b> 人；无变化 <b>{2}</b> 人；"
           "<span style='color:#b00020'>有错误 <b>{3}</b> 行</span>（不会导入）。").format(
            len(plan.new_rows), len(plan.updates), plan.unchanged, plan.failed),
    ]
    if plan.warnings:
        parts.append(tr("另有 {0} 条提醒（如证件即将到期），不影响导入。").format(len(plan.warnings)))
    if plan.ignored_headers:
        shown = "、".join(plan.ignored_headers[:6]) + ("…" if len(plan.ignored_headers) > 6 else "")
        parts.append(tr("以下列不是导入项，已忽略：{0}").format(shown))
    return "<br>".join(parts)


class WritePage(QWizardPage):
    """⑤ 导入: one transaction after a backup; cancel rolls it back."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("正在导入"))
        self.setSubTitle(self.tr("正在备份数据库并写入会员信息。取消或中断时，本次导入的数据全部不会写入。"))
        _progress_layout(self, self.tr("取消导入"), self.tr("重新导入"))
        self._handle: ops.Progress | None = None
        self.cancel_button.clicked.connect(self.cancel)
        self.retry_button.clicked.connect(self.start)

    def initializePage(self) -> None:
        self.start()

    def isComplete(self) -> bool:
        return self.wizard() is not None and self.wizard().result is not None

    def running(self) -> bool:
        return self._handle is not None

    def start(self) -> None:
        wizard = self.wizard()
        plan = wizard.plan
        self.error.clear()
        self.retry_button.hide()
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        self.bar.setRange(0, 0)  # busy until the backup is taken
        self.status.setText(self.tr("正在备份数据库…"))
        backup_dir = wizard.backup_dir
        wizard.set_busy(True)

        def work(progress: ops.Progress) -> ImportResult:
            return importer.apply_import(plan, backup_dir=backup_dir, progress=progress)

        self._handle = ops.run_db_with_progress(self, work, on_success=self._done, on_failure=self._failed,
                                                on_progress=self._progress)

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel_requested.set()
            self.cancel_button.setEnabled(False)
            self.status.setText(self.tr("正在取消，已写入的部分会全部撤销…"))

    def _progress(self, done: int, total: int) -> None:
        if self._handle is None:
            return
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.status.setText(self.tr("正在写入：{0} / {1}").format(done, total))

    def _done(self, result: ImportResult) -> None:
        self._handle = None
        wizard = self.wizard()
        wizard.set_busy(False)
        wizard.result = result
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self.cancel_button.hide()
        self.status.setText(self.tr("导入完成。"))
        self.completeChanged.emit()
        wizard.imported.emit(result)
        QTimer.singleShot(0, wizard.next)

    def _failed(self, exc: BaseException) -> None:
        self._handle = None
        self.wizard().set_busy(False)
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.cancel_button.hide()
        self.retry_button.show()
        if isinstance(exc, ops.Cancelled):
            self.status.setText(self.tr("已取消导入，数据库没有任何改变。可以点“重新导入”，或关闭窗口。"))
            return
        message, action, is_bug = describe(exc)
        if is_bug:
            log.error("import write failed", exc_info=exc)
        self.status.setText(self.tr("导入没有完成，数据库没有任何改变。"))
        self.error.setText(f"{message}\n{action}")


class ResultPage(QWizardPage):
    """⑥ 查看导入结果, with 保存错误报告."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("查看导入结果"))
        self.setSubTitle(self.tr("本次导入已完成。下表列出有错误、没有导入的行，以及需要注意的提醒。"))
        issues_layout(self)
        self.report_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def initializePage(self) -> None:
        wizard = self.wizard()
        result: ImportResult = wizard.result
        plan = wizard.plan
        lines = [self.tr("导入完成：新增 <b>{0}</b> 人，更新 <b>{1}</b> 人，无变化 <b>{2}</b> 人；"
                         "<span style='color:#b00020'>有错误未导入 <b>{3}</b> 行</span>。").format(
            result.imported, result.updated, result.unchanged, result.failed)]
        if result.backup:
            lines.append(self.tr("导入前的数据库备份：{0}").format(Path(result.backup).name))
        if result.failed:
            lines.append(self.tr("请点“保存错误报告”，按报告中标红的单元格改正后，再导入一次（已导入的会员会按证件号码更新，不会重复）。"))
        self.summary.setText("<br>".join(lines))
        self.model.set_issues(plan.errors + plan.warnings)
        self.table.setVisible(bool(plan.errors or plan.warnings))
        self.report_button.setEnabled(bool(plan.errors))


# --- the wizard ------------------------------------------------------------------------------------


class ImportWizard(QWizard):
    """批量导入 → 导入会员."""

    imported = Signal(object)  # ImportResult, once the transaction committed

    FILE, CATEGORY, CHECK, PREVIEW, WRITE, RESULT = range(6)

    def __init__(self, union_id: int, actor: str, backup_dir: Path | None = None, parent: QWidget | None = None,
                 today: date | None = None) -> None:
        super().__init__(parent)
        self.union_id = union_id
        self.actor = actor
        self.backup_dir = Path(backup_dir) if backup_dir else importer.default_backup_dir()
        self.today = today
        self.source: Path = Path()
        self.category: str = Category.LINKED_ENTERPRISE
        self.enterprise_id: int | None = None
        self.plan: ImportPlan | None = None
        self.result: ImportResult | None = None
        self._busy = False
        self.setWindowTitle(self.tr("批量导入会员"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("下一步 >"))
        self.setButtonText(QWizard.WizardButton.BackButton, self.tr("< 上一步"))
        self.setButtonText(QWizard.WizardButton.CancelButton, self.tr("取消"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("完成"))
        self.file_page = FilePage()
        self.category_page = CategoryPage(union_id)
        self.check_page = CheckPage()
        self.preview_page = PreviewPage()
        self.write_page = WritePage()
        self.result_page = ResultPage()
        for page_id, page in enumerate((self.file_page, self.category_page, self.check_page, self.preview_page,
                                        self.write_page, self.result_page)):
            self.setPage(page_id, page)
        self.check_page.checked.connect(lambda: QTimer.singleShot(0, self._advance_after_check))
        em = self.fontMetrics().horizontalAdvance("中")
        resize_in_screen(self, em * 58, em * 40)

    def _advance_after_check(self) -> None:
        if self.currentId() == self.CHECK and self.plan is not None:
            self.next()

    def options(self) -> ImportOptions:
        kwargs: dict[str, Any] = {}
        if self.today is not None:
            kwargs["today"] = self.today
        return ImportOptions(union_id=self.union_id, category=self.category, enterprise_id=self.enterprise_id,
                             actor=self.actor, **kwargs)

    def ask(self, text: str) -> bool:
        """A yes/no confirmation in the manual's words (tests replace this)."""
        answer = QMessageBox.question(self, self.windowTitle(), text,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def set_busy(self, busy: bool) -> None:
        """While the transaction runs the wizard cannot be closed (the page has its own cancel)."""
        self._busy = busy
        self.button(QWizard.WizardButton.CancelButton).setEnabled(not busy)

    def reject(self) -> None:
        if self._busy:
            return
        if self.check_page.running():
            self.check_page.cancel()
        super().reject()

    def report_name(self) -> str:
        return f"{self.source.stem}-错误报告.xlsx"

    def save_report(self, path: str | None = None, status: QLabel | None = None,
                    on_done: Callable[[str], None] | None = None, busy: QWidget | None = None) -> None:
        """保存错误报告: a copy of the clerk's file with each bad cell marked, written off the UI thread."""
        plan = self.plan
        if plan is None or not plan.errors:
            return
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("保存错误报告"),
                                                  str(self.source.with_name(self.report_name())),
                                                  self.tr("Excel 工作簿 (*.xlsx)"))
            if not path:
                return
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        if Path(path).resolve() == self.source.resolve():
            if status is not None:
                status.setText(self.tr("不能覆盖原文件，请换一个文件名。"))
            return
        if status is not None:
            status.setText(self.tr("正在保存错误报告…"))
        if busy is not None:
            busy.show()

        def done(out: Path) -> None:
            if busy is not None:
                busy.hide()
            if status is not None:
                status.setText(self.tr("错误报告已保存：{0}（标红的单元格即有错误，鼠标停在单元格上可看到说明）").format(out))
            if on_done:
                on_done(str(out))

        def failed(exc: BaseException) -> None:
            if busy is not None:
                busy.hide()
            message, action, _ = describe(exc)
            if status is not None:
                status.setText(f"{message}{action}")

        ops.run_io(self, lambda: importer.write_report(plan, Path(path)), done, failed)

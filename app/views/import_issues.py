"""The import wizard's issue list (preview and result): every refused cell by row, column and
message, as a table model — 100,000 rows with errors scroll like ten — with the selected issue's
full text below, and the page body that holds it with 保存错误报告."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from app.services.importer import RowIssue


class IssueModel(QAbstractTableModel):
    """Errors and warnings of an import: 行号 / 列 / 类型 / 说明."""

    HEADERS = ("行号", "列", "类型", "说明")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._issues: list[RowIssue] = []

    def set_issues(self, issues: list[RowIssue]) -> None:
        self.beginResetModel()
        self._issues = list(issues)
        self.endResetModel()

    def issue(self, row: int) -> RowIssue:
        return self._issues[row]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._issues)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.HEADERS):
            return self.tr(self.HEADERS[section])
        if orientation == Qt.Orientation.Vertical:
            return section + 1
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._issues):
            return None
        issue = self._issues[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == 0:
                return issue.row
            if column == 1:
                return issue.column
            if column == 2:
                return self.tr("错误") if issue.severity == "error" else self.tr("提醒")
            if column == 3:
                return issue.message
        if role == Qt.ItemDataRole.ForegroundRole and column == 2:
            return QColor("#b00020") if issue.severity == "error" else QColor("#8a6d00")
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def issue_detail(table: QTableView, model: IssueModel) -> QLabel:
    """A label under the table showing the selected problem in full (messages are long)."""
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def show(current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            issue = model.issue(current.row())
            label.setText(table.tr("第 {0} 行“{1}”：{2}").format(issue.row, issue.column, issue.message))
        else:
            label.clear()

    table.selectionModel().currentRowChanged.connect(show)
    model.modelReset.connect(label.clear)
    return label


def issue_table(model: IssueModel, parent: QWidget) -> QTableView:
    table = QTableView(parent)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    em = parent.fontMetrics().horizontalAdvance("中")
    header = table.horizontalHeader()
    header.resizeSection(0, em * 4)
    header.resizeSection(1, em * 9)
    header.resizeSection(2, em * 3)
    header.setStretchLastSection(True)
    header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
    return table


# --- pages ---------------------------------------------------------------------------------------


def issues_layout(page: QWizardPage) -> None:
    """The preview's and the result's body: summary, the issues by row and column, and 保存错误报告."""
    page.summary = QLabel()
    page.summary.setWordWrap(True)
    page.summary.setTextFormat(Qt.TextFormat.RichText)
    page.model = IssueModel(page)
    page.table = issue_table(page.model, page)
    page.detail = issue_detail(page.table, page.model)
    page.report_button = QPushButton(page.tr("保存错误报告…"))
    page.report_status = QLabel()
    page.report_status.setWordWrap(True)
    page.report_busy = QProgressBar()
    page.report_busy.setRange(0, 0)
    page.report_busy.setMaximumWidth(page.fontMetrics().horizontalAdvance("中") * 8)
    page.report_busy.hide()
    row = QHBoxLayout()
    row.addWidget(page.report_status, 1)
    row.addWidget(page.report_busy)
    row.addWidget(page.report_button)
    layout = QVBoxLayout(page)
    layout.addWidget(page.summary)
    layout.addWidget(page.table, 1)
    layout.addWidget(page.detail)
    layout.addLayout(row)
    page.report_button.clicked.connect(
        lambda: page.wizard().save_report(status=page.report_status, busy=page.report_busy))

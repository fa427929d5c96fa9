"""参保信息查询, 保障信息查询, 给付信息查询 (manual §1 menus, part 4): pages that ask the server
(app/sync/queries.py) on the I/O pool and show its rows through a model/view table; 导出 saves what
is shown as .xlsx on the I/O pool too. Document numbers arrive masked and stay masked. Offline the
page says so and keeps what was typed.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton

from app.services.queries import QUERIES
from app.views import ops
from app.views.superior_pages import ApiSource, OnlinePage, RowsModel, _table, describe


def query_api(api: ApiSource) -> ApiSource:
    """The signed-in account's QueryApi over the client of what `api()` gives (None offline)."""

    def make() -> Any:
        from app.sync.queries import QueryApi

        superior = api()
        return None if superior is None else QueryApi(superior.client)

    return make


class QueryPage(OnlinePage):
    """A query's page: its inputs (built by the subclass), 查询, the table, a count line and 导出."""

    query = "enrollment"
    title = "参保信息查询"
    hint = ""

    def __init__(self, api: ApiSource) -> None:
        super().__init__(query_api(api), self.title)
        self.inputs = QHBoxLayout()
        self.build_inputs()
        self.search_button = QPushButton(self.tr("查询"))
        self.search_button.clicked.connect(self.search)
        self.inputs.addWidget(self.search_button)
        self.inputs.addStretch(1)
        self.layout_.addLayout(self.inputs)
        if self.hint:
            hint = QLabel(self.hint)
            hint.setWordWrap(True)
            self.layout_.addWidget(hint)
        columns = QUERIES[self.query][1]
        self.model = RowsModel([(c.header, c.value) for c in columns], self)
        self.table = _table(self, self.model, {c.header: c.width for c in columns})
        self.layout_.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        self.count = QLabel("")
        self.export_button = QPushButton(self.tr("导出"))
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.export)
        bottom.addWidget(self.count)
        bottom.addStretch(1)
        bottom.addWidget(self.export_button)
        self.layout_.addLayout(bottom)

    def build_inputs(self) -> None:
        raise NotImplementedError

    def person_inputs(self, placeholder: str) -> None:
        """证件号码 and 保障年度 (both pages that ask by person)."""
        self.id_number = QLineEdit()
        self.id_number.setPlaceholderText(placeholder)
        self.id_number.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 14)
        self.id_number.returnPressed.connect(self.search)
        self.plan_year = _year_box(self)
        for widget in (QLabel(self.tr("证件号码")), self.id_number, self.plan_year):
            self.inputs.addWidget(widget)

    def ready(self) -> bool:
        """Whether the inputs are enough to ask (else the page waits for 查询)."""
        return True

    def refresh(self) -> None:
        if self.ready():  # a page opened before anything is typed waits for 查询
            super().refresh()

    def search(self) -> None:
        if not self.ready():
            self.banner.setText(self.tr("请先填写证件号码。"))
            return
        self.refresh()

    def show_result(self, result: Any) -> None:
        rows = result["rows"]
        self.model.set_rows(rows)
        self.export_button.setEnabled(bool(rows))
        self.count.setText(self.count_text(result) if rows else self.tr("没有查到记录（或不在本单位的查询范围内）。"))

    def count_text(self, result: Any) -> str:
        shown = len(result["rows"])
        more = "" if shown == result["total"] else self.tr("（显示前 {0} 条）").format(shown)
        return self.tr("共 {0} 条{1}").format(result["total"], more)

    def export(self) -> None:
        name = f"{QUERIES[self.query][0]}.xlsx"
        path, _ = QFileDialog.getSaveFileName(self, self.tr("导出"), name, self.tr("Excel 工作簿 (*.xlsx)"))
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        from app.services.queries import export_query

        rows = list(self.model.rows)
        ops.run_io(self, lambda: export_query(self.query, rows, path),
                   lambda n: self.count.setText(self.tr("已导出 {0} 行：{1}").format(n, path)),
                   lambda exc: QMessageBox.warning(self, self.tr("未能导出"), describe(exc)))


def _year_box(page: QueryPage) -> QLineEdit:
    box = QLineEdit()
    box.setPlaceholderText(page.tr("保障年度（可不填）"))
    box.setMaxLength(4)
    box.setFixedWidth(page.fontMetrics().horizontalAdvance("中") * 11)
    return box


def _year(box: QLineEdit) -> int | None:
    text = box.text().strip()
    return int(text) if text.isdigit() and len(text) == 4 else None


class EnrollmentQueryPage(QueryPage):
    """参保信息查询: a person's enrollments by document number, every year."""

    query, title = "enrollment", "参保信息查询"
    hint = "按证件号码查询该人员历年的参保记录（本单位查询范围内）。列表中的证件号码隐去中间位。"

    def build_inputs(self) -> None:
        self.person_inputs(self.tr("证件号码"))

    def ready(self) -> bool:
        return bool(self.id_number.text().strip())

    def fetch(self, api: Any) -> Any:
        return api.enrollments(self.id_number.text().strip(), _year(self.plan_year))


class CoverageQueryPage(QueryPage):
    """保障信息查询: the coverage of a person (by document number) or of a batch (by 批次编号)."""

    query, title = "coverage", "保障信息查询"
    hint = "按人员（证件号码）或按批次（批次编号）查询保障期间和保障状态（以服务器日期为准）。"

    def build_inputs(self) -> None:
        self.mode = QComboBox()
        self.mode.addItem(self.tr("按人员（证件号码）"), "person")
        self.mode.addItem(self.tr("按批次（批次编号）"), "batch")
        self.key = QLineEdit()
        self.key.setPlaceholderText(self.tr("证件号码或批次编号"))
        self.key.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 14)
        self.key.returnPressed.connect(self.search)
        for widget in (self.mode, self.key):
            self.inputs.addWidget(widget)

    def ready(self) -> bool:
        return bool(self.key.text().strip())

    def fetch(self, api: Any) -> Any:
        key = self.key.text().strip()
        if self.mode.currentData() == "batch":
            return api.coverage(batch_no=key)
        return api.coverage(id_number=key)

    def count_text(self, result: Any) -> str:
        text = super().count_text(result)
        if "batch_no" in result:
            text = self.tr("批次 {0}（{1}，{2}年度，{3}）：").format(
                result["batch_no"], result["union"]["name"], result["plan_year"], result["status_label"]) + text
        return text


class PayoutQueryPage(QueryPage):
    """给付信息查询: claims paid to people of the account's scope (one person, one year, or all)."""

    query, title = "payouts", "给付信息查询"
    hint = "职保中心已给付的理赔记录（本单位查询范围内）。证件号码和保障年度可不填。"

    def build_inputs(self) -> None:
        self.person_inputs(self.tr("证件号码（可不填）"))

    def fetch(self, api: Any) -> Any:
        return api.payouts(self.id_number.text().strip() or None, _year(self.plan_year), limit=5000)

    def count_text(self, result: Any) -> str:
        return super().count_text(result) + self.tr("，给付金额合计 {0} 元").format(result["amount"])

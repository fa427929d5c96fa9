"""保障金额设置 (manual §4.2 基层缴费设置; SPEC §5.10): per plan type 参保费用, 市总统一划拨,
区局/各级工会默认缴纳, 基层单位默认缴纳 and 有效期, as the server serves them to this account's union.

A district edits its two shares only while the server says its fee window is open; the center edits
the city-wide figures. Each row checks that the shares add up to the fee before 保存设置 sends it;
the server decides (window by its clock, the sum, the audit). Every call runs on the I/O pool; offline
the page says so. Below: the union's recent changes (修改记录), from the server's audit.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.views.superior_pages import ApiSource, Column, OnlinePage, RowsModel, _table, local_time
from app.views.wrapping import BREAK, wrap_at

AMOUNTS = ("fee", "city", "district", "grassroots")
HEADS = ("保障类型名称", "参保费用\n(元/人)", "市总统一\n划拨(元/人)", "区局/各级\n工会默认缴纳\n(元/人)",
         "基层单位\n默认缴纳\n(元/人)", "有效期\n(开始/结束)", "标准来源", "")
DISTRICT_NOTE = ("区局(产业)工会可在调整时间内修改“区局/各级工会默认缴纳”和“基层单位默认缴纳”，三项之和须等于参保费用；"
                 "参保费用和市总统一划拨由市总工会设置。修改后本区基层工会同步即按新标准计算；已提交的批次仍按提交时的标准。")
CITY_NOTE = ("职保中心设置全市标准：参保费用、市总统一划拨、区局/各级工会和基层单位默认缴纳、有效期。各区局可在调整时间内"
             "调整本区的分担；改变参保费用或市总统一划拨后，不再相符的区局分担恢复为全市标准。已提交的批次不受影响。")


def _split_text(split: dict[str, Any]) -> str:
    return "/".join(str(split.get(k, "")) for k in AMOUNTS)


HISTORY_COLUMNS: list[Column] = [
    ("修改时间", lambda r: local_time(r["at"])),
    ("账号", lambda r: r.get("username") or ""),
    ("保障类型", lambda r: r.get("plan_type", "")),
    ("修改前（费用/市总/区局/基层）", lambda r: _split_text(r.get("before", {}))),
    ("修改后（费用/市总/区局/基层）", lambda r: _split_text(r.get("after", {}))),
]


def _money(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() and value >= 0 and value == value.quantize(Decimal("0.01")) else None


class FeeRow:
    """One plan type's line of the form: its edits, its check and its 保存设置 button."""

    def __init__(self, page: FeesPage, grid: QGridLayout, row: int) -> None:
        self.page = page
        self.plan_type = self.name = ""
        self.label = QLabel("")
        self.edits = {key: QLineEdit() for key in (*AMOUNTS, "valid_from", "valid_to")}
        self.source = QLabel("")
        self.save = QPushButton(page.tr("保存设置"))
        self.save.clicked.connect(lambda: page.save_row(self))
        dates = QWidget()  # 有效期: the start above the end, so the row fits a laptop at 150 %
        stacked = QVBoxLayout(dates)
        stacked.setContentsMargins(0, 0, 0, 0)
        stacked.setSpacing(2)
        for key in ("valid_from", "valid_to"):
            stacked.addWidget(self.edits[key])
        amounts: list[QWidget] = [self.edits[key] for key in AMOUNTS]
        for column, widget in enumerate([self.label, *amounts, dates, self.source, self.save]):
            grid.addWidget(widget, row, column)
        metrics = page.fontMetrics()
        self.label.setWordWrap(True)  # "A+类会员专享基本保障" on two lines
        self.label.setMinimumWidth(metrics.horizontalAdvance("A+类会员专享"))
        for key in AMOUNTS:  # room for "99999.99", no more: the row stays whole on a laptop
            self.edits[key].setFixedWidth(metrics.horizontalAdvance("99999.99") + 2 * metrics.averageCharWidth())
            self.edits[key].textEdited.connect(page.check)
        for key in ("valid_from", "valid_to"):
            self.edits[key].setFixedWidth(metrics.horizontalAdvance("2030-12-31") + 2 * metrics.averageCharWidth())
            self.edits[key].setPlaceholderText("年-月-日")

    def show(self, plan: dict[str, Any], editable: bool, center: bool) -> None:
        self.plan_type = plan["plan_type"]
        self.name = str(plan["label"])
        self.label.setText(wrap_at(self.name.replace("基本保障", BREAK + "基本保障")))
        for key, edit in self.edits.items():
            edit.setText(str(plan.get(key, "")))
            edit.setReadOnly(not editable or (not center and key not in ("district", "grassroots")))
            edit.setStyleSheet("background: #eeeeee; color: #444;" if edit.isReadOnly() else "")
        self.source.setText(self.page.tr("本区局设置") if plan.get("source") == "district" else self.page.tr("全市标准"))
        self.save.setVisible(editable)

    def values(self) -> dict[str, str]:
        return {key: edit.text().strip() for key, edit in self.edits.items()}

    def problem(self) -> str | None:
        """Why the row cannot be saved as typed (None: it adds up)."""
        amounts = {key: _money(self.edits[key].text()) for key in AMOUNTS}
        bad = [key for key, value in amounts.items() if value is None]
        if bad:
            return self.page.tr("{0}：金额应为不小于0的数字，最多两位小数").format(self.name)
        fee, city, district, grassroots = (amounts[k] or Decimal(0) for k in AMOUNTS)
        if city + district + grassroots != fee:
            return self.page.tr("{0}：市总{1}＋区局{2}＋基层{3}＝{4}元，与参保费用{5}元不相等").format(
                self.name, city, district, grassroots, city + district + grassroots, fee)
        return None


class FeesPage(OnlinePage):
    """保障金额设置 of a district (its split, in the fee window) or the center (the city's figures)."""

    def __init__(self, api: ApiSource) -> None:
        super().__init__(api, "保障金额设置")
        self.window_label = self.add_line()
        self.note = self.add_line()
        grid = QGridLayout()
        for column, head in enumerate(HEADS):
            grid.addWidget(QLabel(f"<b>{head}</b>".replace("\n", "<br>")), 0, column)
        self.rows = [FeeRow(self, grid, n + 1) for n in range(4)]
        grid.setColumnStretch(len(HEADS), 1)  # the columns keep their size; the room goes right
        self.layout_.addLayout(grid)
        self.problems = QLabel("")
        self.problems.setStyleSheet("color: #a33;")
        self.saved = QLabel("")
        self.saved.setStyleSheet("color: #262;")
        self.layout_.addWidget(self.problems)
        self.layout_.addWidget(self.saved)
        self.layout_.addWidget(QLabel(self.tr("修改记录")))
        self.history = RowsModel(HISTORY_COLUMNS, self)
        self.table = _table(self, self.history, {"修改时间": 9, "账号": 8, "保障类型": 6,
                                                 "修改前（费用/市总/区局/基层）": 16, "修改后（费用/市总/区局/基层）": 16})
        self.layout_.addWidget(self.table, 1)
        for row in self.rows:
            row.label.setVisible(False)

    def fetch(self, api: Any) -> Any:
        from app.sync.fees import FeesApi

        return FeesApi(api.client).fees()

    def show_result(self, result: Any) -> None:
        from app.services.district import window_text

        center = result["scope"] == "city"
        self.note.setText(self.tr(CITY_NOTE if center else DISTRICT_NOTE))
        text = window_text(result["window"], what=self.tr("区局调整时间"))
        self.window_label.setText(text if center or result["editable"] else
                                  text + self.tr("。现在不能修改，如需调整请联系市总工会（职保中心）。"))
        plans = result["plan_types"]
        for row, plan in zip(self.rows, plans, strict=False):
            row.show(plan, bool(result["editable"]), center)
            row.label.setVisible(True)
        self.history.set_rows(result.get("history", []))
        self.check()

    def check(self) -> None:
        problems = [p for p in (row.problem() for row in self.rows if row.plan_type) if p]
        self.problems.setText("\n".join(problems))
        for row in self.rows:
            row.save.setEnabled(bool(row.plan_type) and row.problem() is None)

    def save_row(self, row: FeeRow) -> None:
        from app.sync.fees import FeesApi

        values = row.values()
        plan_type = row.plan_type
        self.act(lambda api: FeesApi(api.client).set_fees(plan_type, **values), lambda answer: self.saved.setText(
            self.tr("已保存设置：{0} 参保费用{1}元＝市总{2}＋区局{3}＋基层{4}（元/人）").format(
                row.name, *(answer["saved"][k] for k in AMOUNTS))))

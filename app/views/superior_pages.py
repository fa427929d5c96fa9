"""The superior side's pages (SPEC §5.10, manual part 4): 待审批参保列表, 待提交参保列表, 参保批次管理
(缴费凭证) and the center's 缴费凭证审核. They need the server: every call runs on the I/O pool
(never the UI thread, never the database), and offline the page says so plainly and keeps what
was typed in its filters. Tables are model/view over the server's rows.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.protocol.queries import KIND_LABELS
from app.protocol.superior import REVIEW_MARK_LABELS
from app.views import ops
from app.views.list_page import list_table
from app.views.windows import open_modeless
from app.views.wrapping import wrap_at

ApiSource = Callable[[], Any]  # the signed-in account's SuperiorApi, or None when not signed in

OFFLINE = ("这项工作需要连接服务器：当前未连接（离线）。已填写的筛选条件和内容不会丢失，"
           "请检查网络后点“刷新”。")
CHANNEL_LABELS = {"card": "会员卡参保", "ss": "社保卡参保"}
PLAN_LABELS = {"A": "A类会员专享基本保障", "B": "B类会员专享基本保障", "A_PLUS": "A+类会员专享基本保障",
               "B_PLUS": "B+类会员专享基本保障"}

#: (header, how a row shows it)
Column = tuple[str, Callable[[dict[str, Any]], str]]
#: A plan's and a channel's short names, for the review tables' narrow columns ("A+类", "社保卡").
PLAN_SHORT = {code: label.split("会员")[0] for code, label in PLAN_LABELS.items()}
CHANNEL_SHORT = {code: label.removesuffix("参保") for code, label in CHANNEL_LABELS.items()}
MARK_SHORT = {code: label.removesuffix("(产业)") for code, label in REVIEW_MARK_LABELS.items()}  # 二级工会, 区局
#: 集中参保审核 and 即时参保审核: what a reviewer compares across batches, narrow enough for a
#: 1366×768 screen at 150 % (the batch number and the parent union are in the detail line under it).
REVIEW_COLUMNS: list[Column] = [
    ("单位名称", lambda r: r["union"]["name"]),
    ("保障类型", lambda r: PLAN_SHORT.get(r["plan_type"], r["plan_type"])),
    ("参保人数", lambda r: str(r["member_count"])),
    ("类型", lambda r: CHANNEL_SHORT.get(r["channel"], r["channel"])),
    ("保障费用", lambda r: r["totals"]["fee"]),
    ("审核标识", lambda r: MARK_SHORT.get(r.get("review_mark") or "", "")),
    ("提交时间", lambda r: local_time(r["received_at"])),
]
#: The selected batch in full, under the table: what the table leaves out or shortens, a line
#: per group (each fits the page at 150 %).
REVIEW_DETAIL: list[list[Column]] = [
    [("批次编号", lambda r: r["batch_no"]),
     ("参保方式", lambda r: KIND_LABELS.get(r.get("kind") or "", r.get("kind") or "")),
     ("提交时间", lambda r: local_time(r["received_at"]))],
    [("单位名称", lambda r: r["union"]["name"]), ("上级工会", lambda r: r["union"].get("parent") or "无")],
    [("保障类型", lambda r: PLAN_LABELS.get(r["plan_type"], r["plan_type"])),
     ("参保通道", lambda r: CHANNEL_LABELS.get(r["channel"], r["channel"])),
     ("审核标识", lambda r: REVIEW_MARK_LABELS.get(r.get("review_mark") or "", "") or "无")],
]


def review_detail(row: dict[str, Any]) -> str:
    """One batch of a review table in full: "批次编号：…　参保方式：…　提交时间：…", a line per group."""
    return "\n".join("　".join(f"{head}：{value(row)}" for head, value in line) for line in REVIEW_DETAIL)


def local_time(stamp: str | None) -> str:
    """A server timestamp (UTC) as a Shanghai "YYYY-MM-DD HH:MM"; empty for none. Every superior
    page shows the server's times through this (the monitor's words, app/services/monitor.py, do it
    for the CLI and the export)."""
    from app.services.monitor import shanghai_time

    return shanghai_time(stamp)


#: 参保批次管理 (manual §4.8): the manual's columns first, then what the center also needs.
DISTRICT_COLUMNS: list[Column] = [
    ("批次编号", lambda r: r["batch_no"]),
    ("参保人数", lambda r: str(r["member_count"])),
    ("提交时间", lambda r: local_time(r["submitted_at"])),
    ("最后更新时间", lambda r: local_time(r.get("updated_at"))),
    ("状态", lambda r: r["status_label"]),
    ("凭证上传时间", lambda r: local_time(r.get("voucher_uploaded_at"))),
    ("区局(产业)工会", lambda r: r["union"]["name"]),
    ("参保资金总额", lambda r: r["amount"]),
    ("凭证", lambda r: "；".join(f"{v['status_label']}{'：' + v['reason'] if v.get('reason') else ''}"
                               for v in r["vouchers"]) or "未上传"),
]


class RowsModel(QAbstractTableModel):
    """Rows from the server (dicts) shown through `columns` (a cell's whole text as its tooltip, for a
    reason the column cuts); UserRole gives a row's batch number."""

    def __init__(self, columns: list[Column], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns = columns
        self.rows: list[dict[str, Any]] = []

    @property
    def COLUMNS(self) -> list[tuple[str, None, None]]:  # noqa: N802 - what list_table reads
        return [(head, None, None) for head, _ in self.columns]

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):  # the tip: a long reason cut
            return self.columns[index.column()][1](row)
        if role == Qt.ItemDataRole.UserRole:
            return row.get("batch_no")
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section][0]
        return None


def _table(page: QWidget, model: RowsModel, widths: dict[str, int]) -> QTableView:
    """A list page's table (app.views.list_page.list_table) on the server's rows; the server
    orders them (by submission time), so the header does not sort."""
    table = list_table(page, model, widths)
    table.horizontalHeader().setSortIndicatorShown(False)
    table.horizontalHeader().setSectionsClickable(False)
    return table


class OnlinePage(QWidget):
    """A page whose data lives on the server: a banner for offline and refusals, `fetch()` run on
    the I/O pool, `show_rows(result)` on the UI thread."""

    def __init__(self, api: ApiSource, title: str) -> None:
        super().__init__()
        self.api = api
        self.layout_ = QVBoxLayout(self)
        self.layout_.addWidget(QLabel(f"<b>{title}</b>"))
        self.banner = self.add_line()
        self.banner.setStyleSheet("color: #a33;")
        self.last_result: Any = None

    def add_line(self) -> QLabel:
        """A line of text under what the page has so far, wrapped to the page's width (a laptop at 150 %)."""
        label = QLabel("")
        label.setWordWrap(True)
        self.layout_.addWidget(label)
        return label

    def refresh(self) -> None:
        api = self.api()
        if api is None:
            self.banner.setText(OFFLINE)
            return
        ops.run_io(self, lambda: self.fetch(api), self._loaded, self._failed)

    def load_now(self) -> None:
        self.refresh()

    def fetch(self, api: Any) -> Any:  # on the I/O pool
        raise NotImplementedError

    def show_result(self, result: Any) -> None:
        raise NotImplementedError

    def _loaded(self, result: Any) -> None:
        self.banner.setText("")
        self.last_result = result
        self.show_result(result)

    def _failed(self, exc: BaseException) -> None:
        self.banner.setText(describe(exc))

    def act(self, fn: Callable[[Any], Any], done: Callable[[Any], None]) -> None:
        """Run a decision on the server, then refresh; a refusal is said in the banner and a box."""
        api = self.api()
        if api is None:
            QMessageBox.warning(self, self.tr("需要联网"), OFFLINE)
            return

        def ok(result: Any) -> None:
            done(result)
            self.refresh()

        def failed(exc: BaseException) -> None:
            self.banner.setText(describe(exc))
            QMessageBox.warning(self, self.tr("未完成"), describe(exc))

        ops.run_io(self, lambda: fn(api), ok, failed)


def describe(exc: BaseException) -> str:
    from app.rules.errors import ClerkFacingError

    if isinstance(exc, ClerkFacingError):
        return OFFLINE if exc.offline else str(exc)
    return f"出错了：{exc}"


class ReviewPage(OnlinePage):
    """待审批参保列表 (queue "pending") or the district's 待提交参保列表 (queue "ready")."""

    def __init__(self, api: ApiSource, queue: str, documents: Any = None, kind: str | None = None) -> None:
        # kind "instant": 即时参保审核 (the district's approval completes the batch); "central": the
        # district's 集中参保审核 without the instant batches.
        super().__init__(api, "即时参保审核" if kind == "instant" else
                         "待提交参保列表" if queue == "ready" else "待审批参保列表")
        self.queue, self.kind = queue, kind
        self.documents = documents
        self._filters()
        self.totals = QLabel("")
        self.totals.setWordWrap(True)
        self.layout_.addWidget(self.totals)
        self.model = RowsModel(REVIEW_COLUMNS, self)
        # A union's name: up to 16 characters. The table fits a 1366×768 screen at 150 % (911 px
        # wide); the batch number (30 characters as a PC makes it) and the parent union are in the
        # detail line.
        self.table = _table(self, self.model, {"单位名称": 17, "保障类型": 5, "参保人数": 5, "类型": 4,
                                               "保障费用": 6, "审核标识": 5, "提交时间": 9})
        self.table.verticalHeader().hide()  # row numbers say nothing here, and take a column's room
        header = self.table.horizontalHeader()  # the union's name takes what the others leave
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.layout_.addWidget(self.table, 1)
        self.detail = QLabel("")
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # a batch number to copy
        self.layout_.addWidget(self.detail)
        self.table.selectionModel().selectionChanged.connect(self._show_detail)
        self.model.modelReset.connect(self._show_detail)
        self._show_detail()
        self.count = QLabel("")
        buttons = QHBoxLayout()
        buttons.addWidget(self.count)
        buttons.addStretch(1)
        self.detail_button = QPushButton(self.tr("查看批次"))
        self.detail_button.clicked.connect(self.open_detail)
        buttons.addWidget(self.detail_button)
        if queue == "ready":
            self.remove_button = QPushButton(self.tr("移除"))
            self.remove_button.clicked.connect(self.remove_selected)
            self.submit_button = QPushButton(self.tr("提交列表中的参保信息"))
            self.submit_button.clicked.connect(self.submit_list)
            buttons.addWidget(self.remove_button)
            buttons.addWidget(self.submit_button)
        else:
            self.approve_button = QPushButton(self.tr("审核通过") if kind == "instant" else self.tr("添加至待提交"))
            self.approve_button.clicked.connect(self.approve_selected)
            self.return_button = QPushButton(self.tr("退回"))
            self.return_button.clicked.connect(self.return_selected)
            buttons.addWidget(self.approve_button)
            buttons.addWidget(self.return_button)
        self.layout_.addLayout(buttons)

    def _filters(self) -> None:
        row1, row2 = QHBoxLayout(), QHBoxLayout()
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("单位名称"))
        self.org_code = QLineEdit()
        self.org_code.setPlaceholderText(self.tr("组织机构代码"))
        self.parent_code = QLineEdit()
        self.parent_code.setPlaceholderText(self.tr("上级工会组织机构代码"))
        self.plan_type = QComboBox()
        self.plan_type.addItem(self.tr("保障类型：全部"), "")
        for code, label in PLAN_LABELS.items():
            self.plan_type.addItem(label, code)
        self.channel = QComboBox()
        self.channel.addItem(self.tr("参保通道：全部"), "")
        for code, label in CHANNEL_LABELS.items():
            self.channel.addItem(label, code)
        self.date_from, self.date_to = QDateEdit(), QDateEdit()
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setSpecialValueText(" ")
            edit.setDate(edit.minimumDate())
        search = QPushButton(self.tr("搜索"))
        search.clicked.connect(self.refresh)
        for widget in (self.name, self.org_code, self.parent_code, search):
            row1.addWidget(widget)
        for widget in (QLabel(self.tr("提交时间")), self.date_from, QLabel(self.tr("至")), self.date_to,
                       self.plan_type, self.channel):
            row2.addWidget(widget)
        row2.addStretch(1)
        self.layout_.addLayout(row1)
        self.layout_.addLayout(row2)

    def filters(self) -> dict[str, Any]:
        def day(edit: QDateEdit) -> str | None:
            return None if edit.date() == edit.minimumDate() else edit.date().toString("yyyy-MM-dd")

        return {"name": self.name.text().strip(), "org_code": self.org_code.text().strip(),
                "parent": self.parent_code.text().strip(), "plan_type": self.plan_type.currentData(),
                "channel": self.channel.currentData(), "received_from": day(self.date_from),
                "received_to": day(self.date_to), "kind": self.kind}

    def fetch(self, api: Any) -> Any:
        page = api.review_list(self.queue, limit=1000, **self.filters())
        totals = api.district_totals() if self.queue == "ready" else None
        return page, totals

    def show_result(self, result: Any) -> None:
        page, totals = result
        self.model.set_rows(page["batches"])
        shown = len(page["batches"])
        self.count.setText(self.tr("共 {0} 个批次{1}").format(
            page["total"], "" if shown == page["total"] else self.tr("（显示前 {0} 个，请用筛选缩小范围）").format(shown)))
        if totals is not None:
            from app.services.district import window_text

            self.totals.setText(wrap_at(f"{totals['line']}\n{window_text(totals['window'])}"))
            self.submit_button.setEnabled(bool(totals["window"]["open"]) and totals["count"] > 0)

    def selected(self) -> list[str]:
        return [self.model.data(i, Qt.ItemDataRole.UserRole) for i in self.table.selectionModel().selectedRows()]

    def _show_detail(self, *_args: Any) -> None:
        rows = self.table.selectionModel().selectedRows()
        if len(rows) == 1:
            self.detail.setText(review_detail(self.model.rows[rows[0].row()]))
        elif rows:
            self.detail.setText(self.tr("已选 {0} 个批次").format(len(rows)))
        else:
            self.detail.setText(self.tr("选中一个批次，这里显示它的批次编号、上级工会等全部信息。") if self.model.rows else "")

    def _need_selection(self) -> list[str] | None:
        chosen = self.selected()
        if not chosen:
            QMessageBox.information(self, self.tr("请选择"), self.tr("请先在列表中选择批次。"))
            return None
        return chosen

    def approve_selected(self) -> None:
        chosen = self._need_selection()
        if chosen:
            self.act(lambda api: api.approve(chosen), self._approved)

    def _approved(self, answer: dict[str, Any]) -> None:
        refused = [r for r in answer["results"] if r["status"] != "ok"]
        if refused:
            QMessageBox.warning(self, self.tr("部分批次未通过"), "\n".join(
                f"{r['batch_no']}：{r['message']}" for r in refused[:20]))

    def return_selected(self) -> None:
        chosen = self._need_selection()
        if not chosen:
            return
        if len(chosen) != 1:
            QMessageBox.information(self, self.tr("退回"), self.tr("请一次退回一个批次，并写明原因。"))
            return
        reason, ok = QInputDialog.getMultiLineText(self, self.tr("退回"), self.tr(
            "退回原因（基层工会经办人同步后会看到，请写明哪一行、哪一项、怎么改）："))
        if ok and reason.strip():
            self.act(lambda api: api.return_batch(chosen[0], reason.strip()), lambda _r: None)
        elif ok:
            QMessageBox.warning(self, self.tr("退回"), self.tr("退回必须填写原因。"))

    def remove_selected(self) -> None:
        chosen = self._need_selection()
        if chosen:
            self.act(lambda api: [api.remove(b) for b in chosen], lambda _r: None)

    def open_detail(self) -> None:
        chosen = self._need_selection()
        if chosen:
            from app.views.superior_dialogs import BatchDetailDialog

            open_modeless(BatchDetailDialog(self.api, chosen[0], self.documents, self))

    def submit_list(self) -> QWidget:
        from app.views.superior_dialogs import DistrictSubmitDialog

        return open_modeless(DistrictSubmitDialog(self.api, self.last_result[1] if self.last_result else None,
                                           self.documents, self, done=self.refresh))


class BatchesPage(OnlinePage):
    """参保批次管理 (the district: its batches to the center, 上传缴费凭证) or the center's
    缴费凭证审核 (every district batch; 确认 / 驳回)."""

    def __init__(self, api: ApiSource, center: bool, documents: Any = None) -> None:
        super().__init__(api, "缴费凭证审核" if center else "参保批次管理")
        self.center, self.documents = center, documents
        self.model = RowsModel(DISTRICT_COLUMNS, self)
        self.table = _table(self, self.model, {"批次编号": 14, "区局(产业)工会": 14, "参保资金总额": 8,
                                               "提交时间": 9, "最后更新时间": 9, "凭证上传时间": 9, "状态": 10})
        self.saved = QLabel("")
        self.saved.setWordWrap(True)
        self.layout_.addWidget(self.saved)
        self.layout_.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        refresh = QPushButton(self.tr("刷新"))
        refresh.clicked.connect(self.refresh)
        buttons.addWidget(refresh)
        if center:
            for text, slot in ((self.tr("确认凭证（已完成）"), self.accept), (self.tr("驳回凭证"), self.reject)):
                button = QPushButton(text)
                button.clicked.connect(slot)
                buttons.addWidget(button)
        else:
            from app.views.batch_downloads import add_download_buttons

            add_download_buttons(self, buttons)
            upload = QPushButton(self.tr("上传缴费凭证…"))
            upload.clicked.connect(self.upload)
            buttons.addWidget(upload)
        self.layout_.addLayout(buttons)

    def fetch(self, api: Any) -> Any:
        return api.center_batches() if self.center else api.district_batches()

    def show_result(self, result: Any) -> None:
        self.model.set_rows(result)

    def _one(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if len(rows) != 1:
            QMessageBox.information(self, self.tr("请选择"), self.tr("请在列表中选择一个批次。"))
            return None
        return str(self.model.data(rows[0], Qt.ItemDataRole.UserRole))

    def upload(self) -> None:
        batch = self._one()
        if batch is None:
            return
        path, _ = QFileDialog.getOpenFileName(self, self.tr("选择缴费凭证照片"), "", self.tr("照片 (*.jpg *.jpeg *.png)"))
        if path:
            from pathlib import Path

            self.act(lambda api: api.voucher_upload(batch, Path(path)), lambda _r: None)

    def accept(self) -> None:
        batch = self._one()
        if batch and QMessageBox.question(self, self.tr("确认凭证"), self.tr(
                "确认批次 {0} 的缴费凭证？确认后该批次及其中各基层批次为“已完成”。").format(batch)) == \
                QMessageBox.StandardButton.Yes:
            self.act(lambda api: api.center_accept(batch), lambda _r: None)

    def reject(self) -> None:
        batch = self._one()
        if batch is None:
            return
        reason, ok = QInputDialog.getText(self, self.tr("驳回凭证"), self.tr("驳回原因（区局会看到）："))
        if ok and reason.strip():
            self.act(lambda api: api.center_reject(batch, reason.strip()), lambda _r: None)


class SuperiorWorkbench(OnlinePage):
    """业务工作台 of a secondary, district or the center: the subtree's figures from the server."""

    def __init__(self, api: ApiSource) -> None:
        super().__init__(api, "业务工作台")
        self.figures = QLabel("")
        self.figures.setStyleSheet("font-size: 16pt;")
        self.figures.setWordWrap(True)  # a long union name and four figures: one line did not fit at 150 %
        self.layout_.addWidget(self.figures)
        self.layout_.addWidget(QLabel(self.tr("近一年入会人数（按月）")))
        self.model = RowsModel([("月份", lambda r: r["month"]), ("新增入会人数", lambda r: str(r["count"]))], self)
        self.table = _table(self, self.model, {"月份": 8, "新增入会人数": 8})
        self.layout_.addWidget(self.table, 1)

    def fetch(self, api: Any) -> Any:
        return api.figures()

    def show_result(self, result: Any) -> None:
        self.figures.setText(wrap_at(self.tr("{0}　　会员数 {1}　　基层工会组织数 {2}　　覆盖企业数 {3}").format(
            result["union"]["name"], result["members"], result["grassroots_unions"], result["enterprises"])))
        self.model.set_rows(result["joins_by_month"])

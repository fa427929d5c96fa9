"""社保卡参保 (manual §3.2): 社保卡参保信息管理 (the SS channel's batches) and the SS lists page of
集中参保办理 — tabs 待校验 / 待提交, the 社保卡状态 filter, 获取社保卡和就业状态 with "校验中，请一个
工作日后进行查看", 参保待确认名单, the FAQ 4 advice with 加入待办, and FAQ 3's "why is someone not
listed".

The header, the counts, the plan type, the retirement page and the roster are the card channel's
own (`app.views.enrollment_wizard.EnrollmentWizard` with channel "ss"); this module adds the one page
the SS channel has in between. Every read and write goes through `app.views.ops`.
"""
from __future__ import annotations

from datetime import date, datetime, time

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from app.rules.codes import SS_CARD_LABELS
from app.rules.eligibility import CHANNEL_SS
from app.services import enrollment_batches, ss_channel
from app.views import ops
from app.views.enrollment_pages import CardEnrollmentPage, PendingDialog
from app.views.errors import show_error
from app.views.list_page import hbox
from app.views.table_model import ListTableModel
from app.views.windows import open_modeless

FAQ3_HINT = "社保卡参保列表仅显示没有工会会员服务卡且证件类型是身份证的职工。"


class SsRowsModel(ListTableModel):
    """The 待校验 or 待提交 tab (manual §3.2.5): rows computed on the database worker."""

    COLUMNS = (("姓名", None, "name"), ("证件类型", None, "id_type"), ("证件号码", None, "masked_id"),
               ("社保卡状态", None, "ss_status"), ("就业状态", None, "employment"), ("会员标签", None, "label"),
               ("说明", None, "note"))

    def display(self, row: ss_channel.SsRow, attribute: str) -> str:
        if attribute == "id_type":
            return "身份证"
        if attribute == "note":
            return ss_channel.CHECKING_TEXT if row.checking else ("请办理会员卡" if row.advice else "")
        return str(getattr(row, attribute) or "-")

    def tooltip(self, row: ss_channel.SsRow, attribute: str) -> str | None:
        return row.advice or None


class ReadyModel(SsRowsModel):
    """待提交: with the roster's coverage columns (a central batch is always 全年)."""

    COLUMNS = SsRowsModel.COLUMNS[:-1] + (("起保日期", None, "start"), ("终保日期", None, "end"),
                                          ("全年/半年", None, "period"))

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.plan_year = 0

    def display(self, row: ss_channel.SsRow, attribute: str) -> str:
        if attribute == "start":
            return f"{self.plan_year}-01-01"
        if attribute == "end":
            return f"{self.plan_year}-12-31"
        if attribute == "period":
            return "全年"
        return super().display(row, attribute)


def _table(model: ListTableModel, *, many: bool) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection if many
                          else QAbstractItemView.SelectionMode.SingleSelection)
    view.horizontalHeader().setStretchLastSection(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 6)
    return view


class SsListsPage(QWizardPage):
    """The SS channel's lists: check, confirm, pick who to submit from 待提交."""

    def __init__(self, wizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle(self.tr("社保卡参保名单"))
        self.setSubTitle(self.tr(FAQ3_HINT))
        self.check_button = QPushButton(self.tr("获取社保卡和就业状态"))
        self.pending_button = QPushButton(self.tr("参保待确认名单"))
        self.queue_button = QPushButton(self.tr("加入待办（办理会员卡）"))
        self.checking = QLabel()
        self.checking.setWordWrap(True)
        self.checking.setStyleSheet("color: #1d6f42; font-weight: bold;")
        self.ss_filter = QComboBox()
        self.ss_filter.addItem(self.tr("社保卡状态：全部"), None)
        self.ss_filter.addItem(self.tr("未校验"), "none")
        for code, label in SS_CARD_LABELS.items():
            self.ss_filter.addItem(label, str(code))
        buttons = QHBoxLayout()
        for w in (self.check_button, self.pending_button, self.queue_button):
            buttons.addWidget(w)
        buttons.addStretch(1)
        buttons.addWidget(QLabel(self.tr("请选择社保卡状态")))
        buttons.addWidget(self.ss_filter)

        self.awaiting_model, self.ready_model = SsRowsModel(self), ReadyModel(self)
        self.awaiting_view = _table(self.awaiting_model, many=True)
        self.ready_view = _table(self.ready_model, many=True)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.awaiting_view, self.tr("待校验"))
        self.tabs.addTab(self.ready_view, self.tr("待提交"))
        self.select_all = QPushButton(self.tr("全选待提交"))
        self.selection = QLabel()
        self.advice = QLabel()
        self.advice.setWordWrap(True)
        self.advice.setStyleSheet("color: #b35c00;")
        below = QHBoxLayout()
        below.addWidget(self.selection, 1)
        below.addWidget(self.select_all)

        self.lookup = QLineEdit()
        self.lookup.setPlaceholderText(self.tr("某职工不在列表中？输入会员编号 / 姓名 / 证件号码查询原因"))
        lookup_button = QPushButton(self.tr("查询原因"))
        self.lookup_answer = QLabel()
        self.lookup_answer.setWordWrap(True)
        faq = QHBoxLayout()
        faq.addWidget(self.lookup, 1)
        faq.addWidget(lookup_button)

        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.checking)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(below)
        layout.addWidget(self.advice)
        layout.addLayout(faq)
        layout.addWidget(self.lookup_answer)

        self.check_button.clicked.connect(self.request_check)
        self.pending_button.clicked.connect(self.open_pending)
        self.queue_button.clicked.connect(self.add_to_queue)
        self.ss_filter.currentIndexChanged.connect(self.reload)
        self.select_all.clicked.connect(self._select_all)
        self.lookup.returnPressed.connect(self.look_up)
        lookup_button.clicked.connect(self.look_up)
        self.ready_view.selectionModel().selectionChanged.connect(self._selection_changed)
        self._advised: list[int] = []

    # ---- reading ---------------------------------------------------------------------------
    def initializePage(self) -> None:
        self.reload()

    def reload(self, *_args) -> None:
        union_id, year, status = self.w.union_id, self.w.plan_year, self.ss_filter.currentData()

        def work():
            both = ss_channel.tabs(union_id, year, ss_status=status)
            return both[ss_channel.TAB_AWAITING], both[ss_channel.TAB_READY], ss_channel.last_request(union_id)

        ops.run_db(self, work, self.show_lists, lambda exc: show_error(self, exc))

    def show_lists(self, data) -> None:
        awaiting, ready, asked = data
        self.ready_model.plan_year = self.w.plan_year
        self.awaiting_model.set_rows(awaiting)
        self.ready_model.set_rows(ready)
        for view in (self.awaiting_view, self.ready_view):
            view.resizeColumnsToContents()
        self.tabs.setTabText(0, self.tr("待校验（{0}）").format(len(awaiting)))
        self.tabs.setTabText(1, self.tr("待提交（{0}）").format(len(ready)))
        busy = sum(1 for r in awaiting if r.checking)
        self.checking.setText(self.tr("{0}（{1} 申请，{2} 人校验中）").format(
            self.tr(ss_channel.CHECKING_TEXT), asked.asked_text, busy) if asked and busy else "")
        self._advised = [r.id for r in awaiting if r.advice]
        self.advice.setText(self.tr("{0} 人获取状态后社保卡仍然异常：{1}").format(
            len(self._advised), self.tr(ss_channel.CARD_ADVICE)) if self._advised else "")
        self.queue_button.setEnabled(bool(self._advised))
        self.check_button.setEnabled(bool(awaiting) and not busy)
        self._selection_changed()

    # ---- selection -------------------------------------------------------------------------
    def selected_ids(self) -> list[int]:
        rows = sorted(i.row() for i in self.ready_view.selectionModel().selectedRows())
        return [self.ready_model.row_at(r).id for r in rows]

    def _select_all(self) -> None:
        self.tabs.setCurrentIndex(1)
        self.ready_view.selectAll()

    def _selection_changed(self, *_args) -> None:
        n = len(self.selected_ids())
        self.selection.setText(self.tr("已勾选 {0} 人").format(n) if n else self.tr("请在【待提交】中勾选要参保的人员！"))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return bool(self.selected_ids())

    def validatePage(self) -> bool:
        self.w.member_ids = self.selected_ids()
        return bool(self.w.member_ids)

    # ---- actions ---------------------------------------------------------------------------
    def request_check(self) -> None:
        union_id, year, actor = self.w.union_id, self.w.plan_year, self.w.actor

        def done(asked: ss_channel.CheckRequest) -> None:
            QMessageBox.information(self, self.tr("获取社保卡和就业状态"), self.tr(
                "已申请获取 {0} 人的社保卡和就业状态（{1}）。\n{2}\n\n数据校验成功后，职工会自动归到【待提交】列表；"
                "离线时申请已保存，联网同步后发送。").format(asked.count, asked.asked_text, ss_channel.CHECKING_TEXT))
            self.reload()

        ops.run_db(self, lambda: ss_channel.request_check(union_id, year, actor=actor), done,
                   lambda exc: show_error(self, exc))

    def open_pending(self) -> PendingDialog:
        dialog = PendingDialog(self.w.union_id, self.w.plan_year, self.w.actor, self)
        dialog.finished.connect(self.reload)
        return open_modeless(dialog)

    def add_to_queue(self) -> None:
        ids, union_id, actor = list(self._advised), self.w.union_id, self.w.actor

        ops.run_db(self, lambda: ss_channel.add_to_card_queue(union_id, ids, actor=actor),
                   lambda text: QMessageBox.information(self, self.tr("加入待办"), text),
                   lambda exc: show_error(self, exc))

    def look_up(self) -> None:
        union_id, year, text = self.w.union_id, self.w.plan_year, self.lookup.text()

        def shown(found: list[ss_channel.WhyNotListed]) -> None:
            lines = [f"{w.name}（{w.member_no}，{w.masked_id}）：{w.text}" for w in found]
            self.lookup_answer.setText("\n".join(lines) or self.tr("本工会没有找到“{0}”。").format(text.strip()))

        ops.run_db(self, lambda: ss_channel.why_not_listed(union_id, year, text), shown)


# ---- 社保卡参保信息管理 --------------------------------------------------------------------------

def _holding(layout: QLayout, widget: QWidget) -> QLayout | None:
    """The layout (at any depth of `layout`) that holds `widget`."""
    for i in range(layout.count()):
        item = layout.itemAt(i)
        if item.widget() is widget:
            return layout
        inner = item.layout()
        found = _holding(inner, widget) if inner is not None else None
        if found is not None:
            return found
    return None


class SsEnrollmentPage(CardEnrollmentPage):
    """社保卡参保信息管理 (manual §3.2.1, §3.2.8): the SS channel's batches — 社保卡参保人数 counts this
    channel's members of the batch only (FAQ 5) — filtered by number, submit time, status and kind."""

    page_name = "ss_enrollment"
    channel = CHANNEL_SS
    COLUMNS = ("批次编号", "社保卡参保人数", "提交时间", "最后更新时间", "状态", "审核标识", "参保类型", "保障类型", "说明")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.findChild(QLabel, "pageTitle").setText(self.tr("社保卡参保信息管理"))
        self.pending_button.setText(self.tr("参保待确认名单"))
        for button in (self.carded_button, self.new_card_button):  # the SS channel enrolls centrally (§3.2)
            button.hide()
        self.use_dates = QCheckBox(self.tr("提交时间"))
        self.date_from, self.date_to = QDateEdit(), QDateEdit()
        today = QDate.currentDate()
        for edit, day in ((self.date_from, today.addMonths(-3)), (self.date_to, today)):
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setCalendarPopup(True)
            edit.setDate(day)
            edit.setEnabled(False)
        self.use_dates.toggled.connect(self.date_from.setEnabled)
        self.use_dates.toggled.connect(self.date_to.setEnabled)
        # The submit-time filter on a row of its own under the others: on one row at 150 % it
        # squeezed the batch-number field to "批…".
        page, filters = self.layout(), _holding(self.layout(), self.kind)
        at = next(i for i in range(page.count()) if page.itemAt(i).layout() is filters)
        page.insertLayout(at + 1, hbox(*((w, 0) for w in (self.use_dates, self.date_from, QLabel(self.tr("至")),
                                                             self.date_to)), (None, 1)))

    def refresh(self) -> None:
        # Every filter is read here, on the UI thread; the worker gets plain values.
        union_id, status, kind = self.union_id, self.status.currentData(), self.kind.currentData()
        text = self.batch_no.text().strip()
        dates = (datetime.combine(self.date_from.date().toPython(), time.min),
                 datetime.combine(self.date_to.date().toPython(), time.max)) if self.use_dates.isChecked() else None

        def work() -> list[enrollment_batches.BatchInfo]:
            rows = enrollment_batches.batches(union_id, channel=CHANNEL_SS, status=status, kind=kind)
            return [b for b in rows if text in b.batch_no and (dates is None or dates[0] <= b.submitted_at <= dates[1])]

        ops.run_db(self, work, self.show_batches)

    def date_range(self, first: date, last: date) -> None:
        """Filter by submit time (tests, and the page's own date edits)."""
        self.use_dates.setChecked(True)
        self.date_from.setDate(QDate(first.year, first.month, first.day))
        self.date_to.setDate(QDate(last.year, last.month, last.day))

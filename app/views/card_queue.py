"""会员服务卡管理 → 待办会员列表 (manual §3.1.1 ②): the card queue, its verification and 提交办卡.

The manual's screen: search by 证件号码 and 信息校验状态, the summary line "待办会员共：N人；校验通过：
a人；未通过：b人。（请移除校验未通过及未校验的会员，才能进行提交办卡。）", and the columns 证件类型,
证件号码, 加入待办时间, 证件到期日, 信息校验结果 and 操作 (查看详情 删除 修改证件到期日) — here with the
member's name and the reason of the result beside them. 提交办卡 is enabled only when every queued
member has passed; otherwise its label says how many failed or are unverified and the line under
it names them. Everything touching the database runs on the database worker.

`queue_members` is what 加入待办 on the member list and on 卡片信息管理 call.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.models.queries import QueueFilter
from app.services import cards
from app.services.errors import ClerkError
from app.views import ops
from app.views.list_page import ListPage, hbox, list_table
from app.views.card_table import (
    QUEUE_ACTIONS,
    ActionsDelegate,
    CardQueueModel,
    Snapshot,
)
from app.views.windows import open_modeless
from app.views.wrapping import BREAK, quotes_whole, wrap_at

NOTICE_OK = "color: #1e7b34;"
NOTICE_WARN = "color: #9a6700;"
NOTICE_ERROR = "color: #c0392b;"


def _message(parent: QWidget, title: str, text: str) -> QMessageBox:
    """A non-blocking information box (open(), not exec(): the event loop keeps running)."""
    box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def queue_members(parent: QWidget, union_id: int, member_ids: Sequence[int], actor: str,
                  on_done: Callable[[cards.AddResult], None] | None = None) -> None:
    """加入待办: queue the members on the database worker, then say what happened."""
    ids = list(member_ids)
    if not ids:
        return

    def done(result: cards.AddResult) -> None:
        parent.last_queue_message = result.message()  # type: ignore[attr-defined]
        _message(parent, parent.tr("加入待办"), result.message() + parent.tr("请到“待办会员列表”核对证件到期日并查看校验结果。"))
        if on_done is not None:
            on_done(result)

    ops.run_db(parent, lambda: cards.add_to_queue(union_id, ids, actor=actor, today=date.today()), done)


@dataclass(frozen=True)
class QueueView:
    """What one load of the page shows, made on the worker."""

    snapshot: Snapshot
    state: cards.SubmitState


class CardQueuePage(ListPage, QWidget):
    """待办会员列表: 20,000 queued members open at once; checks run on the worker."""

    page_name = "card_queue"
    queueChanged = Signal()

    def __init__(self, union_id: int, plan_year: int, actor: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.union_id = union_id
        self.plan_year = plan_year
        self.actor = actor
        self.model = CardQueueModel(union_id, parent=self)
        self.state: cards.SubmitState | None = None
        self._latest = ops.Latest(self)
        self._loaded = False
        self.last_queue_message = ""

        title = QLabel(self.tr("待办会员列表"))
        title.setObjectName("pageTitle")
        guide = QLabel(quotes_whole(self.tr("请一一核对职工的证件到期日是否准确（确保系统上和用户证件上的证件到期日一致），"
                                            "如需修改，请点击「修改证件到期日」。")))
        guide.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(guide)
        layout.addLayout(self._filters())
        layout.addLayout(self._actions())
        for notice in self._notices():
            layout.addWidget(notice)
        layout.addWidget(self._table(), 1)
        layout.addLayout(self._bottom())
        self._connect()

    def _filters(self) -> QHBoxLayout:
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("证件号码（或姓名）"))
        self.search.setClearButtonEnabled(True)
        self.result_filter = QComboBox()
        self.result_filter.addItem(self.tr("信息校验状态：全部"), None)
        for code, label in cards.RESULT_LABELS.items():
            self.result_filter.addItem(label, code)
        self.search_button = QPushButton(self.tr("搜索"))
        return hbox((QLabel(self.tr("证件号码")), 0), (self.search, 2), (QLabel(self.tr("信息校验状态")), 0),
                    (self.result_filter, 1), (self.search_button, 0), (None, 1))

    def _actions(self) -> QHBoxLayout:
        self.remove_unpassed_button = QPushButton(self.tr("移除未通过及未校验会员"))
        self.reverify_button = QPushButton(self.tr("重新校验"))
        self.submit_button = QPushButton(self.tr("提交办卡"))
        self.submit_button.setEnabled(False)
        return hbox((self.remove_unpassed_button, 0), (self.reverify_button, 0), (None, 1), (self.submit_button, 0))

    def _notices(self) -> tuple[QLabel, QLabel, QLabel]:
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.blocking = QLabel()
        self.blocking.setWordWrap(True)
        self.blocking.setStyleSheet(NOTICE_ERROR)
        self.blocking.hide()
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.hide()
        return self.summary, self.blocking, self.notice

    def _table(self) -> QTableView:
        self.table = list_table(
            self, self.model, {"姓名": 5, "证件类型": 12, "证件号码": 11, "加入待办时间": 9, "证件到期日": 6,
                               "信息校验结果": 7, "校验说明": 22, "操作": 16},
            sort_column=self.model.column_of("加入待办时间"), sort_order=Qt.SortOrder.DescendingOrder,
            default_width=6, stretch_last=False)
        self.table.setMouseTracking(True)
        self.actions_delegate = ActionsDelegate(QUEUE_ACTIONS, self.table)
        self.table.setItemDelegateForColumn(self.model.column_of("操作"), self.actions_delegate)
        return self.table

    def _bottom(self) -> QHBoxLayout:
        self.count_label = QLabel()
        self.detail_button = QPushButton(self.tr("查看详情"))
        self.remove_button = QPushButton(self.tr("删除"))
        self.expiry_button = QPushButton(self.tr("修改证件到期日"))
        self.refresh_button = QPushButton(self.tr("刷新"))
        for b in (self.detail_button, self.remove_button, self.expiry_button):
            b.setEnabled(False)
        return hbox((self.count_label, 1), (self.refresh_button, 0), (self.detail_button, 0),
                    (self.expiry_button, 0), (self.remove_button, 0))

    def _connect(self) -> None:
        self.connect_list()
        self.search.returnPressed.connect(self.requery)
        self.search_button.clicked.connect(self.requery)
        self.result_filter.currentIndexChanged.connect(self.requery)
        self.table.doubleClicked.connect(lambda index: self.open_detail(index.row()))
        self.actions_delegate.triggered.connect(self._action)
        self.detail_button.clicked.connect(lambda: self.open_detail())
        self.remove_button.clicked.connect(lambda: self.remove_selected())
        self.expiry_button.clicked.connect(lambda: self.edit_expiry())
        self.refresh_button.clicked.connect(self.refresh)
        self.remove_unpassed_button.clicked.connect(self.remove_unpassed)
        self.reverify_button.clicked.connect(self.reverify_all)
        self.submit_button.clicked.connect(self.submit)
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self.search.setFocus)
        QShortcut(QKeySequence.StandardKey.Refresh, self, activated=self.refresh)
        QShortcut(QKeySequence(Qt.Key.Key_Delete), self.table, activated=self.remove_selected)

    # ---- loading ----------------------------------------------------------------------------------
    def current_filter(self) -> QueueFilter:
        return QueueFilter(text=self.search.text(), result=self.result_filter.currentData())

    def _view(self, f: QueueFilter, sort_key: str | None, descending: bool | None) -> QueueView:
        return QueueView(self.model.query(f, sort_key, descending), cards.submit_state(self.union_id))

    def requery(self, *_args, sort_key: str | None = None, descending: bool | None = None) -> None:
        """Count and fetch on the database worker; the newest request wins."""
        f = self.current_filter()
        if not self._loaded or sort_key is not None or f != self.model.filter:
            self.count_label.setText(self.tr("正在查询…"))  # not for a quiet refresh of what is shown
        self._latest.run(lambda: self._view(f, sort_key, descending), self._show)

    def refresh(self, *_args) -> None:
        """Show the list at once, then bring stale checks up to date and show again if they moved."""
        self.requery()
        union_id = self.union_id

        def checked(report: cards.VerifyReport) -> None:
            if report.changed:
                self.requery()

        ops.run_db(self, lambda: cards.refresh_verification(union_id, date.today()), checked)

    def load_now(self) -> None:
        """Load and wait, checks included, painting meanwhile (screenshots, tests): the work stays
        on the worker."""
        self.refresh()
        ops.drain()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._loaded:
            self.refresh()  # members may have been queued or changed elsewhere meanwhile

    def _show(self, view: QueueView) -> None:
        self._loaded = True
        self.model.apply(view.snapshot)
        self.state = view.state
        s = view.state.summary
        self.summary.setText(wrap_at(self.tr("待办会员共：{0}人；校验通过：{1}人；未通过：{2}人。"
                                             "（请移除校验未通过及未校验的会员，才能进行提交办卡。）")
                                     .format(s.total, s.passed, s.failed)))
        explanation = view.state.explanation() if s.total else ""
        # Whole clauses, a member's name and ID together ("孙鸣（4301 **** **** 8726）：" / its reason).
        self.blocking.setText(wrap_at(explanation.replace("）：", "）：" + BREAK)))
        self.blocking.setVisible(bool(explanation))
        self.submit_button.setEnabled(view.state.can_submit)
        self.submit_button.setText(view.state.button_text())
        self.submit_button.setToolTip(explanation or self.tr("把待办会员列表中的全部会员提交办卡。"))
        self.remove_unpassed_button.setEnabled(s.total > s.passed)
        self.reverify_button.setEnabled(s.total > 0)
        self._selection_changed()

    def _show_total(self, total: int) -> None:
        self.count_label.setText(self.tr("当前列表 {0} 人").format(total))

    def _selection_changed(self, *_args) -> None:
        rows = self.table.selectionModel().selectedRows()
        self.detail_button.setEnabled(len(rows) == 1)
        self.expiry_button.setEnabled(len(rows) == 1)
        self.remove_button.setEnabled(bool(rows))

    def _say(self, text: str, style: str = NOTICE_OK) -> None:
        self.notice.setText(text)
        self.notice.setStyleSheet(style)
        self.notice.setVisible(bool(text))

    # ---- the rows' actions --------------------------------------------------------------------------
    def _current_row(self, row: int | None) -> cards.QueueRow | None:
        if row is None:
            index = self.table.currentIndex()
            rows = self.table.selectionModel().selectedRows()
            row = index.row() if index.isValid() else rows[0].row() if rows else None
        return self.model.row_at(row) if row is not None else None

    def _action(self, row: int, key: str) -> None:
        if key == "detail":
            self.open_detail(row)
        elif key == "remove":
            self.remove_selected(row)
        elif key == "expiry":
            self.edit_expiry(row)

    def open_detail(self, row: int | None = None) -> None:
        """查看详情: the member dialog; a saved change re-runs the checks."""
        from app.views.member_dialog import open_member_dialog

        queued = self._current_row(row)
        if queued is not None:
            open_member_dialog(self, queued.member_id, plan_year=self.plan_year, actor=self.actor,
                               on_saved=self._member_saved)

    def _member_saved(self, _member_id: int) -> None:
        self.refresh()

    def edit_expiry(self, row: int | None = None):
        """修改证件到期日 for one queued member."""
        from app.views.card_expiry_dialog import CardExpiryDialog

        queued = self._current_row(row)
        if queued is None:
            return None
        dialog = CardExpiryDialog(queued, actor=self.actor, plan_year=self.plan_year, parent=self)
        dialog.saved.connect(self._expiry_saved)
        return open_modeless(dialog)

    def _expiry_saved(self, row: cards.QueueRow) -> None:
        text = self.tr("已将{0}的证件到期日改为{1}，重新校验结果：{2}。").format(row.name, row.id_expiry, row.result_label)
        if row.result != cards.PASSED and row.reason:
            text += row.reason
        self._say(text, NOTICE_OK if row.result != cards.FAILED else NOTICE_WARN)
        self.requery()
        self.queueChanged.emit()

    def remove_selected(self, row: int | None = None) -> None:
        """删除: the clicked row, or every selected row."""
        if row is not None:
            target = self.model.row_at(row)
            ids = [target.id] if target else []
        else:
            ids = self.selected_ids()
        ids = [i for i in ids if i is not None]
        if not ids:
            return
        actor = self.actor
        ops.run_db(self, lambda: cards.remove_from_queue(ids, actor=actor), self._removed)

    def _removed(self, count: int) -> None:
        self._say(self.tr("已从待办会员列表移除 {0} 人。").format(count))
        self.requery()
        self.queueChanged.emit()

    def confirm(self, text: str) -> bool:
        """Ask before an action the manual asks about (tests replace this)."""
        answer = QMessageBox.question(self, self.tr("请确认"), text)
        return answer == QMessageBox.StandardButton.Yes

    def remove_unpassed(self) -> None:
        """移除未通过及未校验会员, after confirmation."""
        if self.state is None:
            return
        s = self.state.summary
        count = s.total - s.passed
        if not count or not self.confirm(self.tr("确定从待办会员列表移除校验未通过及未校验的 {0} 名会员吗？"
                                                 "（会员信息不会被删除，以后可以重新加入待办。）").format(count)):
            return
        union_id, actor = self.union_id, self.actor
        ops.run_db(self, lambda: cards.remove_unpassed(union_id, actor=actor), self._removed)

    def reverify_all(self) -> None:
        """重新校验: every queued member, locally now and by the server at the next sync."""
        union_id, actor = self.union_id, self.actor
        self._say(self.tr("正在重新校验…"), NOTICE_WARN)

        def done(report: cards.VerifyReport) -> None:
            self._say(self.tr("已重新校验 {0} 人；本机校验通过的会员将在联网同步时由服务器校验。").format(report.checked))
            self.requery()

        ops.run_db(self, lambda: cards.verify_all(union_id, date.today(), actor=actor), done)

    # ---- 提交办卡 ------------------------------------------------------------------------------------
    def submit(self) -> None:
        """提交办卡: after confirmation, the whole queue becomes a card batch (queued offline)."""
        if self.state is None or not self.state.can_submit:
            if self.state is not None:
                self._say(self.state.explanation(), NOTICE_ERROR)
            return
        total = self.state.summary.total
        if not self.confirm(self.tr("确定为待办会员列表中的 {0} 名会员提交办卡吗？提交后这些会员将移出待办，"
                                    "办卡进度可在“办卡批次管理”中查看。").format(total)):
            return
        union_id, actor = self.union_id, self.actor
        self.submit_button.setEnabled(False)
        ops.run_db(self, lambda: cards.submit_batch(union_id, actor=actor, today=date.today()),
                   self._submitted, self._submit_failed)

    def _sync(self):
        return getattr(self.window(), "sync", None)

    def _submitted(self, batch: cards.SubmittedBatch) -> None:
        sync = self._sync()
        if sync is not None and getattr(sync, "signed_in", None) is not None and sync.online is not False:
            self._say(self.tr("已生成办卡批次 {0}（{1}人），正在同步到服务器；办卡进度请到“办卡批次管理”查看。")
                      .format(batch.batch_no, batch.count))
            sync.sync_now()
        else:
            self._say(self.tr("已生成办卡批次 {0}（{1}人）。当前离线，批次已保存在本机，"
                              "将在下次联网同步时自动提交；办卡进度请到“办卡批次管理”查看。")
                      .format(batch.batch_no, batch.count), NOTICE_WARN)
        self.requery()
        self.queueChanged.emit()

    def _submit_failed(self, exc: BaseException) -> None:
        if isinstance(exc, ClerkError):
            self._say(exc.message, NOTICE_ERROR)
            self.requery()
            return
        from app.views.errors import show_error

        show_error(self, exc)
        self.requery()

"""会员卡参保信息管理: the card channel's batches, 集中参保待确认名单, and the notice again.

The buttons follow the manual's screen (§3.1.2): 集中参保办理, 集中参保待确认名单,
重新下载集中参保告知书, 有卡无保人员即时参保办理, 新办卡人员即时参保办理.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.rules.codes import PLAN_TYPE_LABELS
from app.rules.eligibility import CHANNEL_CARD
from app.services import confirmations, enrollment, enrollment_batches
from app.views import ops
from app.views.enrollment_tables import BatchMemberModel
from app.views.list_page import hbox, plain_table
from app.views.table_model import LINK, ListTableModel
from app.views.sizing import em, resize_in_screen
from app.views.windows import open_modeless

CONFIRM_WORDS = ("已确认的会员会自动加入集中参保名单且无法移除；请仔细核对会员状态后再点击“确认”按钮；"
                 "若之前已提交过集中参保名单，确认后需再次提交。")


def _item(text: object) -> QTableWidgetItem:
    item = QTableWidgetItem("" if text is None else str(text))
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    return item


class PendingModel(ListTableModel):
    """集中参保待确认名单: members awaiting confirmation, and those already confirmed."""

    COLUMNS = (("会员编号", None, "member_no"), ("姓名", None, "name"), ("证件号码", None, "masked_id"),
               ("操作", None, "state"))

    def display(self, row: confirmations.PendingRow, attribute: str) -> str:
        if attribute == "state":
            return "已确认" if row.confirmed else "确认"
        return getattr(row, attribute)

    def foreground(self, row: confirmations.PendingRow, attribute: str) -> QColor | None:
        return LINK if attribute == "state" and not row.confirmed else None


class PendingDialog(QDialog):
    """集中参保待确认名单: 确认 one (a click on its 确认), or 全部确认 — each final, after saying so.
    The list is a table model filled from the database worker."""

    confirmed = Signal(int)
    #: The list has been (re)read.
    loaded = Signal()

    def __init__(self, union_id: int, plan_year: int, actor: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.union_id, self.plan_year, self.actor = union_id, plan_year, actor
        self.setWindowTitle(self.tr("集中参保待确认名单"))
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("会员编号 / 姓名 / 证件号码"))
        search_button = QPushButton(self.tr("搜索"))
        self.all_button = QPushButton(self.tr("全部确认"))
        self.all_button.setEnabled(False)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(search_button)
        top.addWidget(self.all_button)
        note = QLabel(self.tr(CONFIRM_WORDS))
        note.setWordWrap(True)
        note.setStyleSheet("color: #b35c00;")
        self.supplementary = QLabel()
        self.supplementary.setWordWrap(True)
        self.supplementary.setStyleSheet("color: #c0392b;")
        self.model = PendingModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.clicked.connect(self._clicked)
        self.count = QLabel(self.tr("正在读取…"))
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(note)
        layout.addWidget(self.supplementary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("关闭"))
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        search_button.clicked.connect(self.reload)
        self.search.returnPressed.connect(self.reload)
        self.all_button.clicked.connect(lambda: self.confirm(None))
        em = self.fontMetrics().horizontalAdvance("中")
        resize_in_screen(self, em * 48, em * 34)
        self._latest = ops.Latest(self)
        self.reload()

    def reload(self) -> None:
        union_id, plan_year, text = self.union_id, self.plan_year, self.search.text()
        self._latest.run(lambda: (confirmations.pending(union_id, text, plan_year=plan_year),
                                  confirmations.needs_supplementary(union_id, plan_year)), self._show)

    def _show(self, data: tuple[list[confirmations.PendingRow], bool]) -> None:
        rows, supplementary = data
        self.model.set_rows(rows)
        waiting = sum(1 for row in rows if not row.confirmed)
        self.all_button.setEnabled(waiting > 0)
        self.count.setText(self.tr("共 {0} 条记录，待确认 {1} 人。").format(len(rows), waiting))
        if supplementary:
            self.supplementary.setText(self.tr("本工会本年度已提交过集中参保名单：确认后的会员需要再次提交（补充提交）才能参保。"))
        else:
            self.supplementary.clear()
        self.loaded.emit()

    def _clicked(self, index) -> None:
        row = self.model.row_at(index.row())
        if index.column() == 3 and row is not None and not row.confirmed:
            self.confirm([row.id])

    def confirm(self, member_ids: list[int] | None) -> None:
        what = self.tr("全部待确认会员") if member_ids is None else self.tr("该会员")
        answer = QMessageBox.question(self, self.tr("确认"), self.tr("确认{0}？\n\n{1}").format(what, self.tr(CONFIRM_WORDS)),
                                      QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Ok:
            return
        self.do_confirm(member_ids)

    def do_confirm(self, member_ids: list[int] | None) -> None:
        def done(n: int) -> None:
            self.reload()
            self.confirmed.emit(n)

        ops.run_db(self, lambda: confirmations.confirm(self.union_id, member_ids, actor=self.actor), done)


class BatchDetailDialog(QDialog):
    """批次详情: the batch's figures at once, its members from the database worker (any number)."""

    def __init__(self, batch: enrollment_batches.BatchInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("批次详情 — {0}").format(batch.batch_no))
        # Two lines of whole fields: one line wrapped at the dialog's edge cut 状态：待发送 in two.
        self.info = info = QLabel(self.tr("批次编号：{0}　类型：{1}　保障类型：{2}").format(
            batch.batch_no, batch.kind_label, PLAN_TYPE_LABELS.get(batch.plan_type, batch.plan_type))
            + "\n" + self.tr("人数：{0}　状态：{1}").format(batch.member_count, batch.status_label)
            + (self.tr("　审核标识：{0}").format(batch.review_mark_label) if batch.review_mark_label else ""))
        info.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(info)
        for text in (batch.return_reason and self.tr("退回原因：{0}").format(batch.return_reason),
                     batch.problem and self.tr("服务器未接收：{0}").format(batch.problem)):
            if text:
                label = QLabel(text)
                label.setWordWrap(True)
                label.setStyleSheet("color: #c0392b;")
                layout.addWidget(label)
        self.model = BatchMemberModel(self)
        self.table = plain_table(self, self.model, {"姓名": 6, "证件号码": 11, "会员卡号": 9, "起保日期": 7,
                                                    "终保日期": 7})
        layout.addWidget(self.table, 1)
        em = self.fontMetrics().horizontalAdvance("中")
        resize_in_screen(self, em * 60, em * 34)
        self.model.requery(batch.id)


class CardEnrollmentPage(QWidget):
    """会员卡参保信息管理."""

    page_name = "card_enrollment"
    channel = CHANNEL_CARD
    COLUMNS = ("批次编号", "会员卡参保人数", "提交时间", "最后更新时间", "状态", "审核标识", "参保类型", "保障类型", "说明")

    def __init__(self, union_id: int, plan_year: int, actor: str, *, documents: Path,
                 fingerprint: callable, sync=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sync = sync  # the SyncController: a submission is sent at once when signed in
        self.union_id, self.plan_year, self.actor = union_id, plan_year, actor
        self.documents = documents
        self.fingerprint = fingerprint  # () -> str: the device key's fingerprint (after login)
        title = QLabel(self.tr("会员卡参保信息管理"))
        title.setObjectName("pageTitle")
        self.batch_no = QLineEdit()
        self.batch_no.setPlaceholderText(self.tr("批次编号"))
        self.batch_no.setMinimumWidth(em(self) * 8)  # the placeholder whole, and a number's start
        self.status = QComboBox()
        self.status.addItem(self.tr("状态：全部"), None)
        for code, label in enrollment_batches.STATUS_LABELS.items():
            self.status.addItem(label, code)
        self.kind = QComboBox()
        self.kind.addItem(self.tr("参保类型：全部"), None)
        for code, label in enrollment_batches.KIND_LABELS.items():
            self.kind.addItem(label, code)
        search = QPushButton(self.tr("查询"))
        filters = QHBoxLayout()
        for w in (self.batch_no, self.status, self.kind, search):
            filters.addWidget(w)
        filters.addStretch(1)

        self.enroll_button = QPushButton(self.tr("集中参保办理"))
        self.enroll_button.setDefault(True)
        self.pending_button = QPushButton(self.tr("集中参保待确认名单"))
        self.notice_button = QPushButton(self.tr("重新下载集中参保告知书"))
        self.carded_button = QPushButton(self.tr("有卡无保人员即时参保办理"))
        self.new_card_button = QPushButton(self.tr("新办卡人员即时参保办理"))
        # Two rows, 集中参保 above 即时参保: the five in one row did not fit the page at 150 %.
        actions = QVBoxLayout()
        for row in ((self.enroll_button, self.pending_button, self.notice_button),
                    (self.carded_button, self.new_card_button)):
            actions.addLayout(hbox(*((w, 0) for w in row), (None, 1)))

        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in self.COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # A union's batches are a handful: each column as wide as what it holds, 说明 the rest.
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.detail_button = QPushButton(self.tr("批次详情"))
        self.resubmit_button = QPushButton(self.tr("修改后重新提交"))
        self.open_notice_button = QPushButton(self.tr("打开告知书"))
        bottom = QHBoxLayout()
        self.summary = QLabel()
        bottom.addWidget(self.summary, 1)
        for w in (self.open_notice_button, self.resubmit_button, self.detail_button):
            bottom.addWidget(w)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(actions)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

        self._batches: list[enrollment_batches.BatchInfo] = []
        search.clicked.connect(self.refresh)
        self.batch_no.returnPressed.connect(self.refresh)
        self.enroll_button.clicked.connect(lambda: self.open_wizard(enrollment.KIND_CENTRAL))
        self.carded_button.clicked.connect(lambda: self.open_wizard(enrollment.KIND_INSTANT_CARDED))
        self.new_card_button.clicked.connect(lambda: self.open_wizard(enrollment.KIND_INSTANT_NEW_CARD))
        self.pending_button.clicked.connect(self.open_pending)
        self.notice_button.clicked.connect(self.download_notice)
        self.detail_button.clicked.connect(self.open_detail)
        self.resubmit_button.clicked.connect(self.resubmit)
        self.open_notice_button.clicked.connect(self.open_selected_notice)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(self.open_detail)
        self._selection_changed()

    # ---- data ------------------------------------------------------------------------------
    def _query(self) -> list[enrollment_batches.BatchInfo]:
        rows = enrollment_batches.batches(self.union_id, channel=self.channel, status=self.status.currentData(),
                                  kind=self.kind.currentData())
        text = self.batch_no.text().strip()
        return [b for b in rows if text in b.batch_no] if text else rows

    def refresh(self) -> None:
        ops.run_db(self, self._query, self.show_batches)

    def show_status(self, status: str) -> None:
        """Show only the batches of one status (the workbench's 退回, 未被受理 and 待发送 figures)."""
        self.status.setCurrentIndex(max(0, self.status.findData(status)))
        self.refresh()

    def load_now(self) -> None:
        """Load and wait, painting meanwhile (screenshots, tests): the work stays on the worker."""
        self.refresh()
        ops.drain()

    def show_batches(self, rows: list[enrollment_batches.BatchInfo]) -> None:
        self._batches = rows
        self.table.setRowCount(len(rows))
        for r, b in enumerate(rows):
            note = (b.return_reason and self.tr("退回原因：{0}").format(b.return_reason)) or b.problem or b.note \
                or (self.tr("替代 {0}").format(b.replaces) if b.replaces else "")
            values = (b.batch_no, b.member_count, b.submitted_at.strftime("%Y-%m-%d %H:%M"),
                      b.updated_at.strftime("%Y-%m-%d %H:%M"), b.status_label, b.review_mark_label, b.kind_label,
                      PLAN_TYPE_LABELS.get(b.plan_type, b.plan_type), note)
            for c, value in enumerate(values):
                item = _item(value)
                if c == 4 and b.status in ("returned", "refused", "not_accepted"):
                    item.setForeground(Qt.GlobalColor.red)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        queued = sum(1 for b in rows if b.status == "queued")
        self.summary.setText(self.tr("共 {0} 个批次").format(len(rows))
                             + (self.tr("；{0} 个待发送（联网同步后提交）").format(queued) if queued else ""))
        self._selection_changed()

    def selected(self) -> enrollment_batches.BatchInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self._batches[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        b = self.selected()
        self.detail_button.setEnabled(b is not None)
        self.open_notice_button.setEnabled(bool(b and b.notice_path))
        self.resubmit_button.setEnabled(bool(b and b.status in ("returned", "refused")))

    # ---- actions ---------------------------------------------------------------------------
    def open_wizard(self, kind: str, replaces: str | None = None) -> None:
        from app.views.enrollment_wizard import EnrollmentWizard

        wizard = EnrollmentWizard(self.union_id, self.plan_year, self.actor, kind=kind, channel=self.channel,
                                  documents=self.documents, fingerprint=self.fingerprint, replaces=replaces,
                                  sync=self.sync, parent=self)
        wizard.submitted.connect(self._submitted)
        return open_modeless(wizard)

    def _submitted(self, _batch_no) -> None:
        self.refresh()

    def open_pending(self) -> PendingDialog:
        dialog = PendingDialog(self.union_id, self.plan_year, self.actor, self)
        return open_modeless(dialog)

    def open_detail(self, *_args) -> None:
        b = self.selected()
        if b is not None:
            open_modeless(BatchDetailDialog(b, self))

    def resubmit(self) -> None:
        b = self.selected()
        if b is not None:
            self.open_wizard(b.kind, replaces=b.batch_no if b.status == "returned" else None)

    def open_selected_notice(self) -> None:
        b = self.selected()
        if b and b.notice_path:
            from app.views.submit_result import open_file

            open_file(Path(b.notice_path))

    def download_notice(self) -> None:
        """重新下载集中参保告知书: made again from what is submitted now, saved into the notice folder
        (Downloads unless the clerk chose another) and opened."""
        from app.views.submit_result import copy_notice, open_file

        fingerprint = self.fingerprint  # read on the database worker

        def saved(path: Path) -> None:
            box = QMessageBox(QMessageBox.Icon.Information, self.tr("告知书"),
                              self.tr("已按目前提交的名单重新生成告知书：\n{0}").format(path), parent=self)
            box.addButton(self.tr("关闭"), QMessageBox.ButtonRole.RejectRole)
            open_modeless(box)
            open_file(path)

        def made(path: Path) -> None:
            copy_notice(self, path, saved)

        def work() -> Path:
            from app.services.enrollment_notice import regenerate_latest_notice

            return regenerate_latest_notice(self.union_id, self.plan_year, fingerprint=fingerprint(),
                                            documents=self.documents)

        ops.run_db(self, work, made)

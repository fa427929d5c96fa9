"""会员服务卡管理 → 卡片信息管理 (manual §3.1.1 ①): members' cards.

"此列表仅显示企业内的职工，灵活就业类和企业外入会人员不显示。" — in-service members of linked
enterprises only, with the card number (masked as the manual shows it, 6231 **** 0624) and its
status, searchable and filterable like the member list. Members without a card can be put in the
card queue from here (加入待办).
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.models.queries import CardMemberFilter
from app.rules.codes import CARD_STATUS_LABELS
from app.views import ops
from app.views.list_page import ListPage, fill_enterprises, list_table
from app.views.card_queue import queue_members
from app.views.card_table import CardInfoModel



class CardInfoPage(ListPage, QWidget):
    """卡片信息管理: paged from SQL, so 100,000 members open at once."""

    page_name = "card_info"

    def __init__(self, union_id: int, plan_year: int, actor: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.union_id = union_id
        self.plan_year = plan_year
        self.actor = actor
        self.model = CardInfoModel(union_id, parent=self)
        self._loaded = False
        self.last_queue_message = ""

        title = QLabel(self.tr("卡片信息管理"))
        title.setObjectName("pageTitle")
        hint = QLabel(self.tr("此列表仅显示企业内的职工，灵活就业类和企业外入会人员不显示。"))
        hint.setWordWrap(True)

        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("搜索：姓名 / 证件号码片段 / 手机号码 / 会员编号"))
        self.search.setClearButtonEnabled(True)
        self.card_status = QComboBox()
        self.card_status.addItem(self.tr("卡状态：全部"), None)
        for code, label in CARD_STATUS_LABELS.items():
            self.card_status.addItem(label, str(code))
        self.enterprise = QComboBox()
        self.enterprise.addItem(self.tr("全部关联企业"), None)
        fill_enterprises(self, self.enterprise, union_id)
        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(self.card_status, 1)
        filters.addWidget(self.enterprise, 1)

        self.table = list_table(self, self.model, {"证件号码": 11, "关联企业": 13, "手机号码": 8, "会员卡号": 9,
                                                    "证件类型": 12, "提示": 10})

        self.count_label = QLabel()
        self.queue_button = QPushButton(self.tr("加入待办"))
        self.queue_button.setToolTip(self.tr("把选中的未办卡会员加入待办会员列表，准备办理会员服务卡"))
        self.detail_button = QPushButton(self.tr("查看详情"))
        self.refresh_button = QPushButton(self.tr("刷新"))
        self.queue_button.setEnabled(False)
        self.detail_button.setEnabled(False)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(self.refresh_button)
        bottom.addWidget(self.detail_button)
        bottom.addWidget(self.queue_button)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(hint)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

        self.connect_list()
        for combo in (self.card_status, self.enterprise):
            combo.currentIndexChanged.connect(self.requery)
        self.table.doubleClicked.connect(self.open_detail)
        self.detail_button.clicked.connect(self.open_detail)
        self.queue_button.clicked.connect(self.add_to_queue)
        self.refresh_button.clicked.connect(self.requery)
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self.search.setFocus)
        QShortcut(QKeySequence.StandardKey.Refresh, self, activated=self.requery)

    def current_filter(self) -> CardMemberFilter:
        return CardMemberFilter(text=self.search.text(), card_status=self.card_status.currentData(),
                                enterprise_id=self.enterprise.currentData())

    def requery(self, *_args, sort_key: str | None = None, descending: bool | None = None) -> None:
        """Count and fetch on the database worker; the newest request wins."""
        f = self.current_filter()
        if not self._loaded or sort_key is not None or f != self.model.filter:
            self.count_label.setText(self.tr("正在查询…"))  # not for a quiet refresh of what is shown

        def done(_snapshot) -> None:
            self._loaded = True

        self.model.requery(f, sort_key, descending, done)

    def refresh(self) -> None:
        self.requery()

    def load_now(self) -> None:
        """Load and wait, painting meanwhile (screenshots, tests): the work stays on the worker."""
        self.requery()
        ops.drain()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._loaded:
            self.requery()  # cards may have come down, or members been queued, meanwhile

    def _show_total(self, total: int) -> None:
        self.count_label.setText(self.tr("共 {0} 人").format(total))

    def _selection_changed(self, *_args) -> None:
        rows = self.table.selectionModel().selectedRows()
        self.detail_button.setEnabled(len(rows) == 1)
        self.queue_button.setEnabled(bool(rows))

    def add_to_queue(self, *_args) -> None:
        """加入待办 for the selected members."""
        queue_members(self, self.union_id, self.selected_ids(), self.actor, lambda _result: self.requery())

    def _member_saved(self, _member_id: int) -> None:
        self.requery()

    def open_detail(self, *_args) -> None:
        from app.views.member_dialog import open_member_dialog

        index = self.table.currentIndex()
        if index.isValid():
            open_member_dialog(self, self.model.data(index, Qt.ItemDataRole.UserRole), plan_year=self.plan_year,
                               actor=self.actor, on_saved=self._member_saved)

"""会员管理 → 会员信息: the member list with search, filters and the detail dialog."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.models.queries import MemberFilter
from app.rules.codes import CATEGORY_LABELS, LIFE_STATUS_LABELS, INSURANCE_STATUS_LABELS
from app.views import ops
from app.views.list_page import ListPage, fill_enterprises, hbox, list_table
from app.views.member_dialog import open_member_dialog
from app.views.member_table import MemberTableModel
from app.views.windows import open_modeless



class MemberListPage(ListPage, QWidget):
    """The list of the union's members; 100,000 rows open and scroll at once."""

    page_name = "members"
    memberChanged = Signal(int)

    def __init__(self, union_id: int, plan_year: int, actor: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.union_id = union_id
        self.plan_year = plan_year
        self.actor = actor
        self.model = MemberTableModel(union_id, plan_year, parent=self)

        title = QLabel(self.tr("会员信息"))
        title.setObjectName("pageTitle")

        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("搜索：姓名 / 证件号码片段 / 手机号码 / 会员编号"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(self.search.fontMetrics().horizontalAdvance("中") * 7)
        self.category = self._combo(self.tr("全部会员类型"), CATEGORY_LABELS)
        self.life = self._combo(self.tr("全部状态"), LIFE_STATUS_LABELS)
        self.card = QComboBox()
        self.card.addItem(self.tr("有无会员卡：全部"), None)
        self.card.addItem(self.tr("已办会员卡"), True)
        self.card.addItem(self.tr("未办会员卡"), False)
        self.insurance = self._combo(self.tr("全部人保状态"), INSURANCE_STATUS_LABELS)
        self.enterprise = QComboBox()
        self.enterprise.addItem(self.tr("全部关联企业"), None)
        # Enterprise names run to a dozen characters or more: the combo may be narrower than the
        # longest (its list still shows them whole), so the filters fit the page at 150 %.
        self.enterprise.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.enterprise.setMinimumContentsLength(6)
        fill_enterprises(self, self.enterprise, union_id)

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        for combo in (self.category, self.life, self.card, self.insurance, self.enterprise):
            filters.addWidget(combo, 1)

        self.table = list_table(self, self.model, {"证件类型": 12, "证件号码": 11, "关联企业": 13, "手机号码": 8,
                                                    "会员类型": 7, "会员卡": 11, "状态": 10, "提示": 10})

        self.count_label = QLabel()
        bottom = self._bottom_row()

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

        self.connect_list()
        for combo in (self.category, self.life, self.card, self.insurance, self.enterprise):
            combo.currentIndexChanged.connect(self.requery)
        self.table.doubleClicked.connect(self.open_detail)
        self.detail_button.clicked.connect(self.open_detail)
        self.refresh_button.clicked.connect(self.requery)
        self.import_button.clicked.connect(self.import_members)
        self.template_action.triggered.connect(self.download_template)
        self.export_button.clicked.connect(self.export_members)
        self.queue_button.clicked.connect(self.add_to_card_queue)
        self.transfer_action.triggered.connect(self.transfer_members)
        self.status_action.triggered.connect(self.mark_life_status)
        self.remove_action.triggered.connect(self.remove_selected)
        self.removed_action.triggered.connect(self.show_removed)
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self.search.setFocus)
        QShortcut(QKeySequence.StandardKey.Refresh, self, activated=self.requery)
        QShortcut(QKeySequence(Qt.Key.Key_Return), self.table, activated=self.open_detail)

    def _bottom_row(self) -> QHBoxLayout:
        """The count and the actions on the list and its selection; the rarer ones under 更多 (ten
        buttons in a row did not fit the page at 150 % scaling)."""
        self.detail_button = QPushButton(self.tr("查看详情"))
        self.detail_button.setEnabled(False)
        self.refresh_button = QPushButton(self.tr("刷新"))
        self.import_button = QPushButton(self.tr("批量导入"))
        self.export_button = QPushButton(self.tr("导出"))
        self.queue_button = QPushButton(self.tr("加入待办"))
        self.queue_button.setToolTip(self.tr("把选中的会员加入待办会员列表，准备办理会员服务卡"))
        self.queue_button.setEnabled(False)
        more = QMenu(self)
        more.setToolTipsVisible(True)
        self.template_action = more.addAction(self.tr("下载模板"))
        more.addSeparator()
        self.transfer_action = more.addAction(self.tr("批量转移…"))
        self.transfer_action.setToolTip(self.tr("把选中的会员转到其他基层工会（需联网）"))
        # 会员管理 (manual: "若要删除可在“会员管理”删除"): acting on the selected members.
        self.status_action = more.addAction(self.tr("标记退休/死亡…"))
        self.remove_action = more.addAction(self.tr("删除…"))
        for action in (self.transfer_action, self.status_action, self.remove_action):
            action.setEnabled(False)
        more.addSeparator()
        self.removed_action = more.addAction(self.tr("已删除会员"))
        self.more_button = QPushButton(self.tr("更多"))
        self.more_button.setMenu(more)
        return hbox((self.count_label, 1), *((b, 0) for b in (
            self.import_button, self.export_button, self.refresh_button, self.detail_button, self.queue_button,
            self.more_button)))

    def _combo(self, all_label: str, labels: dict[str, str]) -> QComboBox:
        combo = QComboBox()
        combo.addItem(all_label, None)
        for code, label in labels.items():
            combo.addItem(label, str(code))
        return combo

    def current_filter(self) -> MemberFilter:
        return MemberFilter(
            text=self.search.text(),
            category=self.category.currentData(),
            life_status=self.life.currentData(),
            has_card=self.card.currentData(),
            enterprise_id=self.enterprise.currentData(),
            insurance_status=self.insurance.currentData(),
        )

    def requery(self, *_args, sort_key: str | None = None, descending: bool | None = None) -> None:
        """The ids on the database worker; the newest request wins."""
        self.count_label.setText(self.tr("正在查询…"))
        self.model.requery(self.current_filter(), sort_key, descending)

    def refresh(self) -> None:
        self.requery()

    def load_now(self) -> None:
        """Load and wait, painting meanwhile (screenshots, tests): the work stays on the worker."""
        self.requery()
        ops.drain()

    def _show_total(self, total: int) -> None:
        self.count_label.setText(self.tr("共 {0} 人").format(total))

    def _selection_changed(self, *_args) -> None:
        chosen = bool(self.table.selectionModel().selectedRows())
        for button in (self.detail_button, self.queue_button, self.transfer_action, self.status_action,
                       self.remove_action):
            button.setEnabled(chosen)

    def open_detail(self, *_args) -> None:
        index = self.table.currentIndex()
        if not index.isValid():
            return
        member_id = self.model.data(index, Qt.ItemDataRole.UserRole)
        open_member_dialog(self, member_id, plan_year=self.plan_year, actor=self.actor, on_saved=self._member_saved)

    def _member_saved(self, member_id: int) -> None:
        self.memberChanged.emit(member_id)
        self.requery()

    def add_to_card_queue(self, *_args) -> None:
        """加入待办: the selected members into the card queue (app.views.card_queue)."""
        from app.views.card_queue import queue_members

        queue_members(self, self.union_id, self.selected_ids(), self.actor)

    def transfer_members(self, *_args):
        """批量转移 (app.views.transfer_dialog): the list reloads once the members have moved."""
        from app.views.transfer_dialog import open_transfer_dialog

        dialog = open_transfer_dialog(self, self.selected_ids())
        dialog.transferred.connect(lambda _answer: self._member_saved(0))
        return dialog

    # --- 会员管理: 删除, 标记退休/死亡, 已删除会员 (app.views.member_status_dialogs) ---------------------

    def _selected_names(self) -> list[str]:
        rows = (self.model.row_at(i.row()) for i in self.table.selectionModel().selectedRows())
        return [row.name for row in rows if row is not None]

    def remove_selected(self, *_args):
        from app.views.member_status_dialogs import remove_members

        return remove_members(self, self.union_id, self.selected_ids(), self._selected_names(), self.actor,
                              lambda _n: self._member_saved(0))

    def mark_life_status(self, *_args):
        from app.views.member_status_dialogs import mark_life_status

        return mark_life_status(self, self.union_id, self.selected_ids(), self._selected_names(), self.actor,
                                lambda _n: self._member_saved(0))

    def show_removed(self, *_args):
        from app.views.member_status_dialogs import RemovedMembersDialog

        return open_modeless(RemovedMembersDialog(self.union_id, self))

    # --- 批量导入 / 下载模板 / 导出 (app.views.import_wizard, app.views.export_dialog) ---------------

    def import_members(self, *_args):
        """批量导入 → 导入会员: the import wizard; the list reloads after an import."""
        from app.views.import_wizard import ImportWizard

        backup_dir = getattr(getattr(self.window(), "profile", None), "backups", None)
        wizard = ImportWizard(self.union_id, self.actor, backup_dir, parent=self)
        # The list and every page showing member figures (the workbench) reload after an import.
        wizard.imported.connect(self._imported)
        return open_modeless(wizard)

    def _imported(self, _result) -> None:
        self._member_saved(0)

    def download_template(self, *_args) -> None:
        from app.views.import_wizard import save_template

        save_template(self)

    def export_members(self, *_args):
        """导出 the list as filtered and sorted now."""
        from app.views.export_dialog import ExportDialog

        dialog = ExportDialog(self.union_id, self.current_filter(), total=self.model.total,
                              sort_key=self.model.sort_key, descending=self.model.descending,
                              plan_year=self.plan_year, parent=self)
        return open_modeless(dialog)

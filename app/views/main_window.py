"""The main window: the old system's menu on the left, one page at a time on the right.

Only pages that work are listed; later capabilities add theirs to `MENU`.
"""
from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6 import QtCore
from PySide6.QtCore import QByteArray, QSettings, QTimer, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QScrollArea,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.paths import Profile

if TYPE_CHECKING:
    from app.views.sync_controller import SyncController
from app.views import ops, roles
from app.views.workbench import WorkbenchPage
from app.views.sizing import CurrentPageStack, resize_in_screen
from app.views.windows import open_modeless

log = logging.getLogger(__name__)

#: How long a shown window's first loads wait for its first paint before they start anyway (a
#: minimised or covered window may not paint at once).
FIRST_PAINT_WAIT_MS = 500
#: Qt.ItemDataRole.UserRole as its number. Naming anything of the Qt namespace (QtCore.Qt) makes
#: PySide6 build all of its ~90 enums, ~26 ms of CPU that the first frame otherwise never needs:
#: the modules the first frame imports name QtCore.Qt where they use it, after that frame.
USER_ROLE = 256

#: (group label or None for a top-level page, [(page name, label)])
MENU: list[tuple[str | None, list[tuple[str, str]]]] = [
    (None, [("workbench", "业务工作台")]),
    ("会员管理", [("members", "会员信息")]),
    ("会员服务卡管理", [("card_info", "卡片信息管理"), ("card_queue", "待办会员列表"), ("card_batches", "办卡批次管理"),
                 ("card_enrollment", "会员卡参保信息管理"), ("ss_enrollment", "社保卡参保信息管理"),
                 ("query_enrollment", "参保信息查询")]),
]


class MainWindow(QMainWindow):
    def __init__(self, *, profile: Profile, union_id: int, union_name: str, plan_year: int,
                 actor: str, demo: bool = False, remember_geometry: bool = True,
                 sync: "SyncController | None" = None, level: str = "grassroots", superior_api=None) -> None:
        super().__init__()
        self.profile = profile
        self.union_id = union_id
        self.plan_year = plan_year
        self.actor = actor
        title = self.tr("工会会员专享保障参保 — {0}").format(union_name)
        if demo:
            title += self.tr("（演示）")
        self.setWindowTitle(title)

        self._loaded_sync = False
        #: Work waiting for the first paint (after_first_paint), None once it has run.
        self._before_paint: list[Callable[[], object]] | None = []
        self.nav = QTreeWidget()
        self.nav.setHeaderHidden(True)
        self.nav.setRootIsDecorated(True)
        self.stack = CurrentPageStack()
        #: Pages are built the first time they are shown, so start-up builds only the first.
        self.pages: dict[str, QWidget] = {}
        self._factories = {
            "workbench": self._make_workbench,
            "members": self._make_member_list,
            "card_info": lambda: self._make_card_page("card_info"),
            "card_queue": lambda: self._make_card_page("card_queue"),
            "card_batches": lambda: self._make_card_page("card_batches"),
            "card_enrollment": self._make_card_enrollment,
            "ss_enrollment": lambda: self._make_card_enrollment("ss"),
        }
        # The union's level picks the menu (app/views/roles.py); superior pages need the server.
        self.level, self.api_source = level, superior_api or self._superior_api  # (申请撤销 uses it too)
        self._factories.update(roles.superior_factories(self.api_source, profile.documents,
                                                        level))
        self._fill_nav()

        em = self._build_centre()

        self.status_union = QLabel(union_name)
        self.status_year = QLabel(self.tr("保障年度：{0}年").format(plan_year))
        self.statusBar().addWidget(self.status_union)
        self.statusBar().addPermanentWidget(self.status_year)
        self.sync = sync
        if sync is not None:
            from app.views.sync_status import SyncStatusWidget

            self.sync_status = SyncStatusWidget(sync)
            self.statusBar().addPermanentWidget(self.sync_status)
            sync.synced.connect(self._after_sync)
            sync.conflictsFound.connect(self.show_conflicts)
            self.after_first_paint(sync.refresh_pending)

        self._build_menus()
        self._remember_geometry = remember_geometry
        if remember_geometry:
            self._restore_geometry(em)
        else:
            resize_in_screen(self, em * 90, em * 52)

    def _build_centre(self) -> int:
        """The navigation beside the pages (under the returned-batch banner); the width of 中."""
        from app.views.returned_banner import ReturnedBanner

        # A returned batch's notice stays over the pages until the clerk opens it.
        self.returned_banner = ReturnedBanner(self.union_id)
        self.returned_banner.opened.connect(self.open_todo)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.returned_banner)
        right_layout.addWidget(self.stack, 1)
        self.after_first_paint(self.returned_banner.refresh)
        # On a small screen (1366×768 at 150 % is 911×512) a page scrolls rather than push the
        # window past the screen's edge; at 100 % nothing scrolls.
        scroll = QScrollArea()
        scroll.setWidget(right)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        splitter = QSplitter()
        splitter.addWidget(self.nav)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(1, 1)
        em = self.fontMetrics().horizontalAdvance("中")
        splitter.setSizes([em * 15, em * 70])
        self.setCentralWidget(splitter)
        return em

    def after_first_paint(self, work: Callable[[], object]) -> None:
        """Run `work` (a page's first load, the status bar's count, the sync) once the window has
        painted its first frame: the first frame never waits for data, and the interpreter is not
        shared with the database worker's imports and queries while it paints. A window not shown
        (tests, or one built before show()) runs it on the next turn of the event loop if it is
        still hidden then; a shown window that has not painted within FIRST_PAINT_WAIT_MS runs it
        anyway. After the first paint, `work` runs on the next turn of the event loop."""
        if self._before_paint is None:
            QTimer.singleShot(0, work)
            return
        if not self._before_paint:
            QTimer.singleShot(0, self._run_if_hidden)
            QTimer.singleShot(FIRST_PAINT_WAIT_MS, self._run_before_paint)
        self._before_paint.append(work)

    def _run_if_hidden(self) -> None:
        if not self.isVisible():
            self._run_before_paint()

    def _run_before_paint(self) -> None:
        waiting, self._before_paint = self._before_paint or [], None
        for work in waiting:
            work()

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self._before_paint is not None:  # the first frame: its other widgets paint, then the loads start
            QTimer.singleShot(0, self._run_before_paint)

    def _fill_nav(self) -> None:
        """The page tree at the left: the manual's menus and their pages."""
        self._nav_items: dict[str, QTreeWidgetItem] = {}
        groups: list[QTreeWidgetItem] = []
        for group, items in roles.menu_for(self.level, MENU):
            parent = self.nav.invisibleRootItem()
            if group:
                parent = QTreeWidgetItem(self.nav, [self.tr(group)])
                groups.append(parent)
                parent.setExpanded(True)
            for name, label in items:
                item = QTreeWidgetItem(parent, [self.tr(label)])
                item.setData(0, USER_ROLE, name)
                self._nav_items[name] = item
        self.nav.expandAll()
        self.nav.currentItemChanged.connect(self._nav_changed)

        def headings_not_selectable() -> None:  # a group's heading opens nothing (after the first frame: QtCore.Qt)
            for item in groups:
                item.setFlags(QtCore.Qt.ItemFlag.ItemIsEnabled)

        self.after_first_paint(headings_not_selectable)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("文件(&F)"))
        backup = QAction(self.tr("备份数据库…"), self)
        backup.triggered.connect(self.backup_database)
        file_menu.addAction(backup)
        file_menu.addSeparator()
        quit_action = QAction(self.tr("退出"), self)
        quit_action.setShortcuts(QKeySequence.StandardKey.Quit)  # (setShortcut would build QtCore.Qt: USER_ROLE)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        go_menu = self.menuBar().addMenu(self.tr("页面(&P)"))
        for n, (name, item) in enumerate(self._nav_items.items(), start=1):
            action = QAction(item.text(0), self)
            action.setShortcuts([QKeySequence(f"Ctrl+{n}")])
            action.triggered.connect(lambda _=False, page=name: self.show_page(page))
            go_menu.addAction(action)

        if self.sync is not None:
            sync_menu = self.menuBar().addMenu(self.tr("同步(&S)"))
            sync_now = QAction(self.tr("立即同步"), self)
            sync_now.setShortcuts([QKeySequence("F9")])
            sync_now.triggered.connect(self.sync.sync_now)
            sync_menu.addAction(sync_now)
            conflicts = QAction(self.tr("处理同步冲突…"), self)
            conflicts.triggered.connect(self.show_conflicts)
            sync_menu.addAction(conflicts)
            sync_menu.addSeparator()
            login = QAction(self.tr("登录…"), self)
            login.triggered.connect(self.login)
            sync_menu.addAction(login)
            logout = QAction(self.tr("退出登录"), self)
            logout.triggered.connect(self.logout)
            sync_menu.addAction(logout)
            devices = QAction(self.tr("设备管理…"), self)
            devices.triggered.connect(self.show_devices)
            sync_menu.addAction(devices)

        help_menu = self.menuBar().addMenu(self.tr("帮助(&H)"))
        for text, slot, key in ((self.tr("操作说明"), self.show_manual, "F1"),
                                (self.tr("技术支持"), self.show_support, None),
                                (self.tr("查看通知"), self.show_notices, None)):
            action = QAction(text, self)
            action.triggered.connect(slot)
            if key:
                action.setShortcuts([QKeySequence(key)])
            help_menu.addAction(action)
        help_menu.addSeparator()
        logs = QAction(self.tr("打开日志文件夹"), self)
        logs.triggered.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.profile.logs))))
        help_menu.addAction(logs)
        about = QAction(self.tr("关于"), self)
        about.triggered.connect(self.about)
        help_menu.addAction(about)

    def _restore_geometry(self, em: int) -> None:
        settings = QSettings()
        geometry = settings.value("main/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            resize_in_screen(self, em * 90, em * 52)

    def closeEvent(self, event) -> None:
        if self._remember_geometry:
            QSettings().setValue("main/geometry", self.saveGeometry())
        ops.wait_all(10_000)
        super().closeEvent(event)

    # ---- pages -----------------------------------------------------------------------
    def _make_workbench(self) -> QWidget:
        page = WorkbenchPage(self.union_id, self.plan_year)
        page.openRequested.connect(self.open_todo)
        return page

    def open_todo(self, target: str):
        """A figure of the workbench's to-do list: its list, page or dialog."""
        kind, _, what = target.partition(":")
        if kind == "list":
            from app.views.todo_lists import open_list

            return open_list(self, self.union_id, self.plan_year, what, self.actor)
        if kind == "dialog" and what == "pending":
            from app.views.enrollment_pages import PendingDialog

            dialog = PendingDialog(self.union_id, self.plan_year, self.actor, self)
            dialog.confirmed.connect(lambda _n: self.page("workbench").refresh())
            return open_modeless(dialog)
        name, _, status = what.partition(":")
        self.show_page(name)
        page = self.page(name)
        if status and hasattr(page, "show_status"):
            page.show_status(status)
        elif name == "card_queue" and hasattr(page, "result_filter"):
            page.result_filter.setCurrentIndex(max(0, page.result_filter.findData("failed")))
        return page

    def _make_member_list(self) -> QWidget:
        from app.views.member_list import MemberListPage

        page = MemberListPage(self.union_id, self.plan_year, self.actor)
        page.memberChanged.connect(self._member_changed)
        return page

    def _make_card_page(self, name: str) -> QWidget:
        """卡片信息管理, 待办会员列表 or 办卡批次管理 (app.views.card_*)."""
        if name == "card_info":
            from app.views.card_info import CardInfoPage as PageClass
        elif name == "card_queue":
            from app.views.card_queue import CardQueuePage as PageClass
        else:
            from app.views.card_batches import CardBatchesPage

            return CardBatchesPage(self.union_id, self.plan_year, self.actor, api=self.api_source)  # 申请撤销
        return PageClass(self.union_id, self.plan_year, self.actor)

    def _make_card_enrollment(self, channel: str = "card") -> QWidget:
        from app.services.unions import setting_values
        from app.views.enrollment_pages import CardEnrollmentPage
        from app.views.ss_enrollment import SsEnrollmentPage

        def fingerprint() -> str:  # read where it is used: on the database worker
            return setting_values("device_fingerprint").get("device_fingerprint") \
                or "本机尚未登录，签名将在联网同步时生成"

        page_class = SsEnrollmentPage if channel == "ss" else CardEnrollmentPage
        return page_class(self.union_id, self.plan_year, self.actor, documents=self.profile.documents,
                          fingerprint=fingerprint, sync=self.sync)

    def _superior_api(self):  # the signed-in account's SuperiorApi, None when not signed in
        if self.sync is None or self.sync.signed_in is None:
            return None
        from app.sync.superior import SuperiorApi

        return SuperiorApi(self.sync.signed_in.engine.client)

    def _member_changed(self, _member_id: int) -> None:
        if "workbench" in self.pages:
            self.pages["workbench"].refresh()

    def page(self, name: str) -> QWidget:
        """The page called `name`, built on first use."""
        if name not in self.pages:
            widget = self._factories[name]()
            self.pages[name] = widget
            self.stack.addWidget(widget)
            if self._loaded_sync:
                widget.load_now()
            else:
                self.after_first_paint(widget.refresh)
        return self.pages[name]

    def _nav_changed(self, current: QTreeWidgetItem | None, _previous) -> None:
        if current is None:
            return
        name = current.data(0, USER_ROLE)
        if name in self._factories:
            self.stack.setCurrentWidget(self.page(name))

    def show_page(self, name: str) -> None:
        if name not in self._factories:
            raise KeyError(name)
        self.nav.setCurrentItem(self._nav_items[name])

    def load_now(self) -> None:
        """Fill pages synchronously from now on (screenshots and tests)."""
        self._loaded_sync = True
        self.returned_banner.refresh()
        for page in self.pages.values():
            page.load_now()

    # ---- actions ---------------------------------------------------------------------
    def backup_database(self) -> None:
        default = str(Path.home() / f"union-clerk-backup-{date.today():%Y%m%d}.sqlite3")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("备份数据库"), default, self.tr("数据库备份 (*.sqlite3)"))
        if not path:
            return
        from app.services import maintenance

        ops.run_db(self, lambda: maintenance.backup(Path(path)),
                   lambda out: QMessageBox.information(self, self.tr("备份完成"), self.tr("已备份到：{0}").format(out)))

    # ---- sync ------------------------------------------------------------------------------
    def _after_sync(self, report) -> None:
        for page in self.pages.values():
            page.refresh()
        self.returned_banner.refresh()
        self.statusBar().showMessage(self.tr("同步完成：{0}").format(report.summary()), 10_000)

    def show_conflicts(self, *_args):
        """处理同步冲突: the dialog opens empty and fills from the database worker; with nothing to
        settle it says so instead."""
        from app.views.conflict_dialog import ConflictDialog

        dialog = ConflictDialog(self.union_id, self.actor, self)
        if self.sync is not None:
            dialog.resolved.connect(self.sync.sync_now)
        dialog.loaded.connect(self._conflicts_loaded)
        return open_modeless(dialog)

    def _conflicts_loaded(self, found: int) -> None:
        if not found:
            self._no_conflicts(self.sender())

    def _no_conflicts(self, dialog: QWidget) -> None:
        dialog.close()
        QMessageBox.information(self, self.tr("同步冲突"), self.tr("没有需要处理的同步冲突。"))

    def login(self) -> None:
        """登录…: the saved server address and account are read on the database worker first."""
        from app.services.unions import setting_values

        ops.run_db(self, lambda: setting_values("server_url", "username"), self._open_login)

    def _open_login(self, saved: dict[str, str]) -> None:
        from app.views.login_dialog import LoginDialog, tell_if_not_saved

        dialog = LoginDialog(self.profile.root, server_url=saved.get("server_url", ""),
                             username=saved.get("username", ""), parent=self)
        if dialog.exec() and dialog.signed_in is not None:
            tell_if_not_saved(self, dialog.signed_in)
            self.sync.set_signed_in(dialog.signed_in)
            self.sync.sync_now()

    def logout(self) -> None:
        from app.sync.account import sign_out

        ops.run_io(self, lambda: sign_out(self.profile.root))
        self.sync.set_signed_in(None)

    def show_devices(self) -> QWidget | None:
        """设备管理…: the account's PCs (online; asks to log in first when signed out)."""
        if self.sync is None or self.sync.signed_in is None:
            QMessageBox.information(self, self.tr("设备管理"), self.tr("请先登录（同步 → 登录…），再查看本账号登录过的电脑。"))
            return None
        from app.views.devices_dialog import DevicesDialog

        return open_modeless(DevicesDialog(self.sync.signed_in, self))

    def show_manual(self, *_args):
        from app.views.help import open_manual

        return open_manual(self)

    def show_support(self, *_args):
        from app.views.help import open_support

        return open_support(self)

    def show_notices(self, *_args):
        from app.views.help import open_notices

        return open_notices(self)

    def about(self) -> None:
        """关于: the server is the signed-in one, else the one this profile used last (read on the worker)."""
        from app.services.unions import setting_values

        signed_in = self.sync.signed_in if self.sync is not None else None
        if signed_in is not None:
            self._open_about(signed_in.engine.client.base_url)
        else:
            ops.run_db(self, lambda: setting_values("server_url").get("server_url", ""), self._open_about)

    def _open_about(self, server_url: str) -> None:
        from app.views.about_dialog import AboutDialog

        update = self.sync.update if self.sync is not None else None
        open_modeless(AboutDialog(self.profile.root, server_url=server_url, update=update, parent=self))

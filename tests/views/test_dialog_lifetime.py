"""A dialog the clerk closes is deleted, not kept hidden under its page for the rest of the day:
each one opened without waiting (open(), not exec()) is deleted when closed (WA_DeleteOnClose)."""
from __future__ import annotations

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QApplication, QDialog

from app.paths import Profile
from app.views import ops, screens
from app.views.main_window import MainWindow


def test_closed_dialogs_are_deleted(qtbot, demo_profile: Profile, bundled_font) -> None:
    window = MainWindow(profile=demo_profile, union_id=1, union_name="测试工会", plan_year=2027, actor="clerk",
                        remember_geometry=False)
    qtbot.addWidget(window)
    window.load_now()
    for name in ("member_detail", "conflicts", "export", "import_file", "pending", "todo_list", "removed_members",
                 "member_remove", "member_life_status", "manual", "support", "notices"):
        dialog = screens.SCREENS[name](window)
        assert isinstance(dialog, QDialog) and dialog.isVisible(), name
        dialog.reject()  # 取消 / 关闭, as the clerk closes it
        ops.drain()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        assert not shiboken6.isValid(dialog), f"{name}: {type(dialog).__name__} is kept after it was closed"
    ops.wait_all(5000)


def test_help_leaves_the_main_window_usable(qtbot, demo_profile: Profile, bundled_font) -> None:
    """操作说明, 技术支持 and 查看通知 open beside the window (not modal): the clerk follows the manual
    while working; the to-do lists and 会员管理's dialogs stay window-modal (a list to act on, a question)."""
    window = MainWindow(profile=demo_profile, union_id=1, union_name="测试工会", plan_year=2027, actor="clerk",
                        remember_geometry=False)
    qtbot.addWidget(window)
    window.load_now()
    window.show()
    for name in ("manual", "support", "notices"):
        dialog = screens.SCREENS[name](window)
        assert dialog.isVisible() and not dialog.isModal(), name
        assert QApplication.activeModalWidget() is None, name
        dialog.close()
    for name in ("todo_list", "removed_members", "pending"):
        dialog = screens.SCREENS[name](window)
        assert dialog.isVisible() and dialog.windowModality() == Qt.WindowModality.WindowModal, name
        dialog.reject()
    ops.wait_all(5000)

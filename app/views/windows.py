"""Dialogs the app opens without waiting for them: window-modal ones (open_modeless: a question,
a form, a list to act on) and ones beside the window that leave it usable (show_beside: 帮助's
manual, support numbers and notices)."""
from __future__ import annotations

from typing import TypeVar

from PySide6 import QtCore  # QtCore.Qt named when used: see app.views.main_window.USER_ROLE
from PySide6.QtWidgets import QDialog

D = TypeVar("D", bound=QDialog)


def show_beside(dialog: D) -> D:
    """Show `dialog` beside the main window, which stays usable (a manual or the notices read
    while working), and delete it when it is closed."""
    dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setModal(False)
    dialog.show()
    return dialog


def open_modeless(dialog: D) -> D:
    """Show `dialog` window-modal without waiting (open(), not exec()) and delete it when it is
    closed: a parented dialog that is only hidden stays under its page for the rest of the day,
    one more each time the clerk opens 会员详情."""
    dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog

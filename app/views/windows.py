"""Dialogs the app opens without waiting for them."""
from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

D = TypeVar("D", bound=QDialog)


def open_modeless(dialog: D) -> D:
    """Show `dialog` window-modal without waiting (open(), not exec()) and delete it when it is
    closed: a parented dialog that is only hidden stays under its page for the rest of the day,
    one more each time the clerk opens 会员详情."""
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog

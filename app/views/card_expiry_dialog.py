"""修改证件到期日: correct a queued member's ID expiry, then verify the member again.

Any date form the rules accept (2033-01-01, 2033/1/1, 20330101, 2033.01.01, 2033年1月1日, a whole
validity period as printed on the card) or 长期; what will be saved, or why it cannot be, shows as
the clerk types (pure rules, no database). Saving runs on the database worker: the member service
validates again, writes the audit trail (old → new, who, when) and marks the field for the next
sync; the queue row is verified again at once.
"""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.rules.dates import ACCEPTED_FORMS, LONG_TERM
from app.services import cards
from app.services.errors import ClerkError
from app.views import ops

ERROR_STYLE = "color: #c0392b;"
OK_STYLE = "color: #1e7b34;"
WARN_STYLE = "color: #9a6700;"


class CardExpiryDialog(QDialog):
    """The dialog for one queued member; `saved(QueueRow)` after a successful save."""

    saved = Signal(object)

    def __init__(self, row: cards.QueueRow, *, actor: str, plan_year: int, today: date | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.row = row
        self.actor = actor
        self.plan_year = plan_year
        self.today = today or date.today()
        self.setWindowTitle(self.tr("修改证件到期日"))

        info = QFormLayout()
        info.addRow(self.tr("姓名"), QLabel(row.name))
        info.addRow(self.tr("证件类型"), QLabel(row.id_type))
        info.addRow(self.tr("证件号码"), QLabel(row.masked_id))
        info.addRow(self.tr("当前证件到期日"), QLabel(row.id_expiry or self.tr("（未填写）")))
        self.expiry = QLineEdit()
        self.expiry.setPlaceholderText(self.tr("如 2033-01-01、2033/1/1、20330101"))
        self.long_term = QCheckBox(self.tr("长期"))
        info.addRow(self.tr("新的证件到期日"), self.expiry)
        info.addRow("", self.long_term)

        hint = QLabel(self.tr("请与会员证件背面的有效期核对，确保系统上和证件上的证件到期日一致。可填写：{0}。")
                      .format(ACCEPTED_FORMS))
        hint.setWordWrap(True)
        self.preview = QLabel()
        self.preview.setWordWrap(True)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.hide()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("保存"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(info)
        layout.addWidget(hint)
        layout.addWidget(self.preview)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 34)

        self.expiry.textChanged.connect(self._update_preview)
        self.long_term.toggled.connect(self._long_term_toggled)
        if row.id_expiry == LONG_TERM:
            self.long_term.setChecked(True)
        else:
            self.expiry.setText(row.id_expiry)
        self._update_preview()

    def value(self) -> str:
        """What the clerk entered: 长期 or the typed text."""
        return LONG_TERM if self.long_term.isChecked() else self.expiry.text().strip()

    def _long_term_toggled(self, on: bool) -> None:
        self.expiry.setEnabled(not on)
        self._update_preview()

    def _update_preview(self, *_args) -> None:
        stored, message, is_error = cards.preview_expiry(self.value(), self.row.birth_date, self.today)
        self.preview.setText(message)
        past = stored is not None and not is_error and "过期" in message
        self.preview.setStyleSheet(ERROR_STYLE if is_error else WARN_STYLE if past or "到期" in message else OK_STYLE)
        self.save_button.setEnabled(not is_error)
        self.error.hide()

    def save(self) -> None:
        """Save on the database worker; a refusal is shown in the dialog with its reason."""
        raw = self.value()
        self.save_button.setEnabled(False)
        queue_id, actor, plan_year, today = self.row.id, self.actor, self.plan_year, self.today
        ops.run_db(self, lambda: cards.correct_expiry(queue_id, raw, actor=actor, plan_year=plan_year, today=today),
                   self._saved, self._failed)

    def _saved(self, row: cards.QueueRow) -> None:
        self.saved.emit(row)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(exc, ClerkError):
            self.error.setText(exc.message)
            self.error.show()
            return
        from app.views.errors import show_error

        show_error(self, exc)

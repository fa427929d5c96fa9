"""After 提交至上级审核: the batch is sent at once when online and this dialog says what became of it
— 区局确认中, or the server's refusal in its own words — or, offline, that it will be sent when the
PC is online. The notice is copied into the clerk's notice folder (Downloads unless they chose
another, remembered) with the batch number in its name, and opened.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QStandardPaths, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.views import ops

if TYPE_CHECKING:
    from app.services.enrollment import Submitted
    from app.views.sync_controller import SyncController

NOTICE_FOLDER_KEY = "notice/folder"
#: Tests and screenshots turn this off: opening a PDF would start the PC's viewer.
OPEN_FILES = True


def notice_folder() -> Path:
    """Where notices are saved for the clerk: the folder they chose last, else Downloads."""
    chosen = QSettings().value(NOTICE_FOLDER_KEY, "")
    if chosen and Path(str(chosen)).is_dir():
        return Path(str(chosen))
    downloads = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation)
    return Path(downloads) if downloads else Path.home()


def choose_notice_folder(parent: QWidget) -> Path | None:
    """更改…: pick the folder notices are saved into from now on (remembered)."""
    folder = QFileDialog.getExistingDirectory(parent, parent.tr("告知书保存到"), str(notice_folder()))
    if not folder:
        return None
    QSettings().setValue(NOTICE_FOLDER_KEY, folder)
    return Path(folder)


def open_file(path: Path) -> None:
    if OPEN_FILES:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def copy_notice(parent: QWidget, source: Path, done) -> None:  # type: ignore[no-untyped-def]
    """Copy the notice (named for its batch) into the notice folder, whole or not at all (I/O
    pool); `done(path)` with the copy, or with the profile's own copy when the folder cannot be
    written (the clerk is told where that one is)."""
    folder = notice_folder()

    def work() -> Path:
        import shutil

        from app.files import atomic_write

        target = folder / Path(source).name
        with atomic_write(target) as temp:
            shutil.copyfile(source, temp)
        return target

    ops.run_io(parent, work, done, lambda _exc: done(Path(source)))


class SubmitResultDialog(QDialog):
    """What became of a submitted batch, told in the wizard's own window."""

    #: The batch's status as the clerk reads it, once known (tests wait on it).
    settled = Signal(str)

    def __init__(self, result: Submitted, sync: SyncController | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result = result
        self.sync = sync
        self.notice: Path = result.notice_path
        self._waiting_for = 0
        self.setWindowTitle(self.tr("提交至上级审核"))
        self.batch = QLabel(self.tr("批次 {0}（{1} 人）已生成并保存在本机。").format(result.batch_no, result.count))
        self.batch.setWordWrap(True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setStyleSheet("font-weight: bold;")
        self.notice_label = QLabel(self.tr("正在保存告知书…"))
        self.notice_label.setWordWrap(True)
        self.open_button = QPushButton(self.tr("打开告知书"))
        self.folder_button = QPushButton(self.tr("打开所在文件夹"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("关闭"))
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.folder_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.open_button.clicked.connect(lambda: open_file(self.notice))
        self.folder_button.clicked.connect(lambda: open_file(self.notice.parent))
        layout = QVBoxLayout(self)
        for w in (self.batch, self.status, self.notice_label):
            layout.addWidget(w)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 36)
        copy_notice(self, result.notice_path, self._notice_saved)
        self._send()

    # ---- the notice --------------------------------------------------------------------------
    def _notice_saved(self, path: Path) -> None:
        self.notice = path
        self.notice_label.setText(self.tr("告知书已保存：{0}").format(path))
        open_file(path)

    # ---- sending -----------------------------------------------------------------------------
    def _offline_text(self) -> str:
        deadline = self.result.payment_deadline.strftime("%Y年%m月%d日")
        return self.tr("当前离线：批次已保存在本机（待发送），联网后会自动发送至上级工会审核。"
                       "请在 {0} 之前联网：以服务器收到的时间为准，逾期到达的提交不被受理。").format(deadline)

    def _send(self) -> None:
        sync = self.sync
        if sync is None or sync.signed_in is None:
            self._settle(self._offline_text())
            return
        self.status.setText(self.tr("正在发送至服务器…"))
        sync.synced.connect(self._synced)
        sync.syncFailed.connect(self._failed)
        self._waiting_for = 1 if not sync.running else 2  # a running sync may have pushed before the batch
        sync.sync_now()

    def _synced(self, _report) -> None:
        from app.services import batch_watch

        self._waiting_for -= 1
        if self._waiting_for > 0:
            return
        batch_no = self.result.batch_no
        ops.run_db(self, lambda: batch_watch.batch_status(batch_no), self._status)

    def _status(self, status: tuple[str, str | None]) -> None:
        code, problem = status
        from app.services.enrollment_batches import STATUS_LABELS

        label = STATUS_LABELS.get(code, code)
        if code == "refused":
            self._settle(self.tr("服务器未受理这个批次：{0}").format(problem or label), tone="refused")
        elif code == "queued":
            self._settle(self.tr("批次还在待发送：{0}").format(self.sync.last_error if self.sync else "")
                         + self.tr("程序会在下次同步时再发送。"))
        else:
            self._settle(self.tr("已送达上级工会，状态：{0}。").format(label), tone="sent")

    def _failed(self, message: str) -> None:
        self._settle(self.tr("未能发送：{0} ").format(message) + self._offline_text())

    def _settle(self, text: str, *, tone: str = "waiting") -> None:
        """Show the outcome: `tone` "sent" (green), "waiting" (amber: saved, to be sent) or "refused" (red)."""
        if self.sync is not None:
            for signal, slot in ((self.sync.synced, self._synced), (self.sync.syncFailed, self._failed)):
                try:
                    signal.disconnect(slot)
                except (RuntimeError, TypeError):
                    pass
        self.status.setText(text)
        colour = {"sent": "#1d6f42", "refused": "#c0392b"}.get(tone, "#b35c00")
        self.status.setStyleSheet(f"font-weight: bold; color: {colour};")
        self.settled.emit(text)

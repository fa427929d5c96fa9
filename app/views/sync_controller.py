"""The sync controller: owns the signed-in engine, runs a sync every few minutes or on demand, and
tells the window what happened (online/offline, what waits to be sent, conflicts).

Network work runs on the I/O pool (never the database writer), so a stalled server never blocks
a save.
"""
from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from app.views import ops
from app.views.errors import describe_sync_error

if TYPE_CHECKING:
    from app.sync import account

log = logging.getLogger(__name__)

AUTO_SYNC_MS = 5 * 60 * 1000
PENDING_REFRESH_MS = 3000


def pending_changes() -> int:
    """What waits in the outbox (on the database worker, which imports the outbox and the wire
    format it brings: not the UI thread before the window's first paint)."""
    from app.models.outbox import pending_changes as count

    return count()


def _last_sync() -> datetime | None:
    """When this profile last finished a sync (kept by the engine), for the status bar."""
    from app.services.unions import setting_values

    value = setting_values("last_sync").get("last_sync")
    return datetime.fromisoformat(value) if value else None


class SyncController(QObject):
    """Owns the signed-in engine; runs a sync on the I/O pool and reports its outcome."""

    statusChanged = Signal()
    synced = Signal(object)  # SyncReport
    #: A sync did not finish; the clerk's words for why (offline, refused, …).
    syncFailed = Signal(str)
    conflictsFound = Signal(int)
    #: (stage, done, total) from the sync's worker: "上传" per push request, "下载" per page.
    progressed = Signal(str, int, int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.signed_in: account.SignedIn | None = None
        self.online: bool | None = None
        self.running = False
        self.pending = 0
        self.last_sync: datetime | None = None
        self.last_error = ""
        self.keyring_note = ""
        #: What the server last said about client versions (app.sync.updates.UpdateInfo), or None.
        self.update = None
        #: (profile folder, CA bundle) while a saved login waits for the server to be reachable.
        self.resume_pending: tuple[Path, str | None] | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(AUTO_SYNC_MS)
        self.timer.timeout.connect(self.sync_now)
        # 待发送 N 条 stays live: what waits is counted again every few seconds (a count of the
        # outbox on the database worker), whatever page queued it.
        self.pending_timer = QTimer(self)
        self.pending_timer.setInterval(PENDING_REFRESH_MS)
        self.pending_timer.timeout.connect(self.refresh_pending)
        self._again = False
        #: While a sync runs: {"上传": (done, total), "下载": (done, total)} for the status bar.
        self.progress: dict[str, tuple[int, int]] = {}
        self.cancelling = False
        self.progressed.connect(self._progressed)

    def set_signed_in(self, signed_in: account.SignedIn | None) -> None:
        self.signed_in = signed_in
        self.keyring_note = "" if signed_in is None or signed_in.keyring_ok else (
            "系统凭据管理不可用：登录信息不会保存，下次启动需重新登录。")
        if signed_in is not None:
            from app.services.enrollment_send import reprice_for_send

            # A batch prepared offline is priced by the server's date just before it is first sent.
            signed_in.engine.prepare_submission = reprice_for_send
            self.timer.start()
            self.pending_timer.start()
            ops.run_db(self, _last_sync, self._show_last_sync)
        else:
            self.timer.stop()
            self.pending_timer.stop()
            self.online = None
        self.statusChanged.emit()

    def _show_last_sync(self, when: datetime | None) -> None:
        if when is not None and self.last_sync is None:
            self.last_sync = when
            self.statusChanged.emit()

    def refresh_pending(self) -> None:
        ops.run_db(self, pending_changes, self._pending,
                   lambda exc: log.info("pending count not read: %s", type(exc).__name__))

    def _pending(self, n: int) -> None:
        if n != self.pending:
            self.pending = n
            self.statusChanged.emit()

    def resume(self, profile_root: Path, ca_bundle: str | None = None) -> None:
        """Pick up the saved login (keyring) on a worker. With no server the app works offline and
        tries again on 同步 and every few minutes; nothing is lost meanwhile."""
        self.resume_pending = (profile_root, ca_bundle)
        self.timer.start()
        ops.run_db(self, _last_sync, self._show_last_sync)
        self._try_resume()

    def _try_resume(self) -> None:
        if self.resume_pending is None or self.running:
            return
        from app.sync import account

        root, ca_bundle = self.resume_pending
        self.running = True
        self.statusChanged.emit()
        ops.run_io(self, lambda: account.resume(root, ca_bundle=ca_bundle), self._resumed, self._resume_failed)

    def _resumed(self, signed_in: account.SignedIn | None) -> None:
        self.running, self.resume_pending = False, None
        if signed_in is None:  # no saved login: 登录… is the way in
            self.timer.stop()
            self.statusChanged.emit()
            return
        self.set_signed_in(signed_in)
        self.sync_now()

    def _resume_failed(self, exc: BaseException) -> None:
        from app.sync.client import Offline

        if not isinstance(exc, Offline):  # the server refused the saved login: log in again
            self.resume_pending = None
            self.timer.stop()
        self._failed(exc)

    def sync_now(self) -> None:
        """Sync now; asked while one runs (F9 right after a submit), another follows it."""
        if self.signed_in is None and self.resume_pending is not None:
            self._try_resume()
            return
        if self.signed_in is None:
            return
        if self.running:
            self._again = True
            return
        self.running, self.cancelling, self.progress = True, False, {}
        self.statusChanged.emit()
        engine = self.signed_in.engine
        # The network on the I/O pool; every read and write of the profile (each pulled page with
        # its cursor, in one transaction) on the database worker, between the user's own work.
        engine.run_db = ops.call_db
        ops.run_io(self, lambda: (engine.sync(self.progressed.emit), ops.call_db(pending_changes)), self._done,
                   self._failed)

    def _progressed(self, stage: str, done: int, total: int) -> None:
        if self.running:
            self.progress[stage] = (done, total)
            self.statusChanged.emit()

    def cancel(self) -> None:
        """取消: the running sync stops at its next step; what it sent or received is kept."""
        if self.running and self.signed_in is not None and not self.cancelling:
            self.cancelling = True
            self._again = False
            self.signed_in.engine.cancel()
            self.statusChanged.emit()

    def _done(self, result) -> None:
        report, pending = result
        self.running, self.online, self.pending = False, True, pending
        self.update = report.update
        self.last_sync = report.finished_at
        self.last_error = "；".join(dict.fromkeys(report.errors))[:500]
        self.statusChanged.emit()
        self.synced.emit(report)
        if report.conflicts:
            self.conflictsFound.emit(report.conflicts)
        self._follow_up()

    def _follow_up(self) -> None:
        if self._again:
            self._again = False
            self.sync_now()

    def _failed(self, exc: BaseException) -> None:
        from app.sync.client import Offline, SyncError
        from app.sync.engine import SyncCancelled
        from app.sync.updates import ClientTooOld

        if isinstance(exc, ClientTooOld):
            self.update = exc.info
        self.running = False
        if isinstance(exc, SyncCancelled):
            self.cancelling, self._again = False, False
            self.last_error = "已取消同步：已完成的部分都已保存，下次同步从中断处继续。"
            self.statusChanged.emit()
            self.refresh_pending()
            return
        self.online = False if isinstance(exc, Offline) else self.online
        if not isinstance(exc, SyncError):
            log.error("sync failed unexpectedly", exc_info=exc)
        self.last_error = describe_sync_error(exc)
        self.statusChanged.emit()
        self.syncFailed.emit(self.last_error)
        self.refresh_pending()
        if self.online is not False:  # offline: the next try is the timer's
            self._follow_up()
        self._again = False

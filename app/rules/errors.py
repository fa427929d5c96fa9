"""The one shape of an error a clerk can act on: what happened and what to do, in Chinese.

Every family of clerk-facing errors extends `ClerkFacingError` — the services' `ClerkError`, the
database's `DatabaseEnvironmentError`, sync's `SyncError` (`Offline`, `ServerProblem`,
`ClockSkew`) and the keyring's `KeyringUnavailable` — so the dialog and the CLI translate all of
them the same way (`app.services.errors.describe`). It lives in `app.rules` because every layer,
and the server, may import this package. Anything that is not one of these is a bug: logged with
its traceback, shown as "unexpected error, log saved at …".
"""
from __future__ import annotations

import errno


class ClerkFacingError(Exception):
    """`message` says what happened, `action` what to do about it (may be empty).

    Subclasses may set both as class attributes and call `super().__init__()` with neither.
    `offline` marks the errors that mean "no server answered" (the CLI's exit code 3).
    """

    message: str = "操作没有完成。"
    action: str = ""
    offline: bool = False

    def __init__(self, message: str | None = None, action: str | None = None) -> None:
        if message is not None:
            self.message = message
        if action is not None:
            self.action = action
        super().__init__(self.message)

    def __str__(self) -> str:
        return f"{self.message}{self.action}" if self.action else self.message

    def as_dict(self) -> dict[str, str]:
        """The CLI's `--json` refusal: {"error": …, "action": …}."""
        return {"error": self.message, "action": self.action}


class DiskFull(ClerkFacingError):
    """No space left where we were writing (a database page, a backup, a spreadsheet, a PDF)."""

    message = "磁盘空间已满，刚才的内容没有保存。"
    action = "请清理磁盘空间（或换一个有空间的文件夹）后重试。"


def from_os_error(exc: BaseException) -> ClerkFacingError | None:
    """The clerk-facing form of an operating-system error, judged by errno alone; else None."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFull()
    return None

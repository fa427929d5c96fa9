"""Errors a clerk can cause or meet, each with a Chinese message and what to do about it.

`ClerkError` is the services' family of `app.rules.errors.ClerkFacingError`; `clerk_facing` is the
one translator the dialog (`app.views.errors`) and the CLI (`app.cli`) use for every family.
Anything else that escapes a service is a bug: logged with its traceback and shown as
"unexpected error, log saved at …" by the views.
"""
from __future__ import annotations

from app.models.db import classify_sqlite_error
from app.rules.errors import ClerkFacingError, from_os_error
from app.rules.problems import Problem


class ClerkError(ClerkFacingError):
    """An error the clerk can act on, raised by a service."""

    def __init__(self, message: str, action: str = "") -> None:
        super().__init__(message, action)


class ValidationFailed(ClerkError):
    """One or more fields broke a rule; `problems` maps field name to its Problem."""

    def __init__(self, problems: dict[str, Problem]) -> None:
        self.problems = problems
        text = "；".join(p.message for p in problems.values())
        super().__init__(text, "请改正后再保存。")


class NotFound(ClerkError):
    pass


def clerk_facing(exc: BaseException) -> ClerkFacingError | None:
    """What to tell the clerk about `exc`: our own errors as they are; SQLite errors by their
    result code and disk-full by errno, whatever their English text says; None for a bug."""
    if isinstance(exc, ClerkFacingError):
        return exc
    return classify_sqlite_error(exc) or from_os_error(exc)

"""Errors a clerk can cause or meet, each with a Chinese message and what to do about it.

Anything else that escapes a service is a bug: logged with its traceback and shown as
"unexpected error, log saved at …" by the views.
"""
from __future__ import annotations

from app.rules.problems import Problem


class ClerkError(Exception):
    """An error the clerk can act on."""

    def __init__(self, message: str, action: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.action = action

    def __str__(self) -> str:
        return f"{self.message}{self.action}" if self.action else self.message


class ValidationFailed(ClerkError):
    """One or more fields broke a rule; `problems` maps field name to its Problem."""

    def __init__(self, problems: dict[str, Problem]) -> None:
        self.problems = problems
        text = "；".join(p.message for p in problems.values())
        super().__init__(text, "请改正后再保存。")


class NotFound(ClerkError):
    pass

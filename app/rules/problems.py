"""What a rule reports when a value breaks it: a `Problem`, or a `RuleError` carrying one.

`code` is a stable English identifier that callers (import reports, tests, the server) can match;
`message` is the Chinese sentence a clerk reads — it says what is wrong and what to do.
"""
from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    severity: str = ERROR
    field: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


class RuleError(ValueError):
    """A value broke a rule; `problem` says which and how to fix it."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem

    def __str__(self) -> str:
        return self.problem.message

    @property
    def code(self) -> str:
        return self.problem.code


def fail(code: str, message: str, field: str | None = None) -> RuleError:
    """Build (not raise) a RuleError for an error-severity problem: `raise fail(...)`."""
    return RuleError(Problem(code=code, message=message, severity=ERROR, field=field))

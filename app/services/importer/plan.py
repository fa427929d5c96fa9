"""What an import takes and gives: the clerk's options, the plan of what it would do, the result.

Plain data: `prepare_import` (planning) makes an `ImportPlan` and writes nothing;
`apply_import` (writing) turns it into an `ImportResult`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from app.rules.problems import ERROR
from app.services.members import SYNC_NAMES
from app.services.spreadsheets import CellMark


@dataclass(frozen=True)
class ImportOptions:
    """The clerk's choices: which union, which category (关联企业类 needs an enterprise)."""

    union_id: int
    category: str
    enterprise_id: int | None = None
    actor: str = "clerk"
    today: date = field(default_factory=date.today)


@dataclass(frozen=True)
class RowIssue:
    """One problem with one cell: row as Excel shows it, column as the file names it."""

    row: int
    column: str
    message: str
    code: str
    col_index: int | None = None
    severity: str = ERROR

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class MemberUpdate:
    member_id: int
    row: int
    changes: dict[str, tuple[Any, Any]]  # column → (old, new), db-ready values
    sync_state: str | None = None  # the member's sync bookkeeping when checked
    dirty_fields: str | None = None

    def sync_columns(self) -> dict[str, str]:
        """The changed fields marked for the next sync, as `members.mark_dirty` marks an edit."""
        dirty = set(json.loads(self.dirty_fields or "[]"))
        dirty |= {SYNC_NAMES.get(name, name) for name in self.changes}
        columns = {"dirty_fields": json.dumps(sorted(dirty))}
        if self.sync_state != "conflict":
            columns["sync_state"] = "to_send"
        return columns


#: Columns of a new member's row, in the order of `ImportPlan.new_rows`' tuples.
NEW_MEMBER_COLUMNS = (
    "union_id", "member_no", "name", "id_type", "id_number", "id_expiry", "gender", "birth_date",
    "phone", "work_address", "label", "category", "enterprise_id", "join_date", "post_type",
    "created_at", "updated_at",
)


@dataclass
class ImportPlan:
    """What an import would do; nothing of it is written yet."""

    source: Path
    sheet_name: str
    header_row: int
    options: ImportOptions
    rows_read: int  # non-blank data rows
    new_rows: list[tuple]
    updates: list[MemberUpdate]
    unchanged: int
    errors: list[RowIssue]
    warnings: list[RowIssue]
    fingerprint: tuple
    ignored_headers: list[str] = field(default_factory=list)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase, for the benchmark

    @property
    def failed(self) -> int:
        """Rows with at least one error (not imported)."""
        return len({e.row for e in self.errors})

    @property
    def file_name(self) -> str:
        return self.source.name

    def marks(self) -> list[CellMark]:
        """Errors as cells to highlight in the error report."""
        return [CellMark(e.row, e.col_index, e.column, e.message) for e in self.errors]


@dataclass(frozen=True)
class ImportResult:
    imported: int
    updated: int
    unchanged: int
    failed: int
    errors: list[RowIssue]
    warnings: list[RowIssue]
    dry_run: bool = False
    backup: str | None = None
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase, for the benchmark

    def as_dict(self) -> dict[str, Any]:
        return {
            "imported": self.imported, "updated": self.updated, "unchanged": self.unchanged,
            "failed": self.failed, "errors": [e.as_dict() for e in self.errors],
            "warnings": [w.as_dict() for w in self.warnings], "dry_run": self.dry_run,
        }


def plan_result(plan: ImportPlan, *, dry_run: bool = True) -> ImportResult:
    """The counts a plan would produce (a dry run)."""
    return ImportResult(len(plan.new_rows), len(plan.updates), plan.unchanged, plan.failed, plan.errors,
                        plan.warnings, dry_run=dry_run, seconds=plan.seconds)

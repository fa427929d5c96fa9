"""会员管理 → 会员信息 → 批量导入: validating a clerk's spreadsheet and upserting its members.

Two steps, so that the wizard can show a preview between them and nothing is written before
the clerk confirms:

1. `prepare_import(path, options)` reads the file (`spreadsheets.read_member_sheet`), checks
   every row against every rule of RULES.md / SPEC.md §4, finds duplicates inside the file and
   against the union's members, and sorts the valid rows into new / updated / unchanged. It
   returns an `ImportPlan` and writes nothing.
2. `apply_import(plan, backup_dir=…)` takes a rotating backup, then writes the whole plan in one
   IMMEDIATE transaction: all of it or (killed, cancelled, failed) none of it.

Re-importing is an upsert by ID number within the union. Blank optional cells never erase what a
member already has; unchanged members are counted and not rewritten; each changed field of an
existing member is one audit entry.

The package's rooms, in the order an import runs through them: `plan` (what goes in and comes
out), `cleaning` (one cell → its stored value), `columnwise` (the commonest cells of a column
checked in a few passes of C code), `checking` (the rows, duplicates, phones in use),
`planning` (`prepare_import`), `writing` (`apply_import`, `import_file`, `write_report`) and
`progress` (pacing and timings).
"""
from __future__ import annotations

from app.services.importer.plan import (
    NEW_MEMBER_COLUMNS,
    ImportOptions,
    ImportPlan,
    ImportResult,
    MemberUpdate,
    RowIssue,
    plan_result,
)
from app.services.importer.planning import default_backup_dir, enterprise_by_name, prepare_import
from app.services.importer.progress import PROGRESS_TOTAL, READ_SHARE
from app.services.importer.writing import apply_import, import_file, write_report
from app.services.spreadsheets import FileRefused

__all__ = [
    "NEW_MEMBER_COLUMNS", "PROGRESS_TOTAL", "READ_SHARE", "FileRefused", "ImportOptions", "ImportPlan",
    "ImportResult", "MemberUpdate", "RowIssue", "apply_import", "default_backup_dir", "enterprise_by_name",
    "import_file", "plan_result", "prepare_import", "write_report",
]

"""Writing a plan: a rotating backup, then one IMMEDIATE transaction — all of it or none of it,
with the members' fingerprint checked again inside it. Also the one-call path for the CLI and the
benchmark, and the error report of a plan.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime
from pathlib import Path

from app.models import db, rotating_backup
from app.models.queries import (
    bulk_insert,
    bulk_update_members,
    clear_member_phones,
    indexes_rebuilt,
    members_fingerprint,
    should_rebuild_indexes,
)
from app.models.tables import AuditEntry, Member
from app.rules.codes import CATEGORY_LABELS
from app.services import spreadsheets
from app.services.errors import ClerkError
from app.services.importer.plan import NEW_MEMBER_COLUMNS, ImportOptions, ImportPlan, ImportResult, plan_result
from app.services.importer.planning import prepare_import
from app.services.importer.progress import Laps, Monotonic, ProgressFn, bulk_allocation, heartbeat

log = logging.getLogger(__name__)


def apply_import(plan: ImportPlan, *, backup_dir: Path, progress: ProgressFn | None = None) -> ImportResult:
    """Write `plan` in one transaction after a rotating backup: all of it or none of it.

    `progress(done, total)` may raise (cancel): the transaction then rolls back and nothing changes.
    """
    paced = Monotonic(progress, 0) if progress else None
    with bulk_allocation(), heartbeat(paced):
        return _apply(plan, Path(backup_dir), paced)


def _apply(plan: ImportPlan, backup_dir: Path, progress: ProgressFn | None) -> ImportResult:
    laps = Laps()
    lap, timings, started = laps.lap, laps.timings, laps.started

    options = plan.options
    total = len(plan.new_rows) + len(plan.updates)
    if total == 0:
        return ImportResult(0, 0, plan.unchanged, plan.failed, plan.errors, plan.warnings,
                            seconds=time.perf_counter() - started)
    # A big load (a union's first import) rebuilds the member indexes once at the end, which then
    # take the last `rebuild` units of progress.
    rebuild = len(plan.new_rows) // 2 if should_rebuild_indexes(Member, len(plan.new_rows)) else 0
    total += rebuild
    if progress:
        progress(0, total)
    # A big database takes a while to copy: the bar stays at 0 but keeps reporting (and may cancel).
    backup = rotating_backup(db, backup_dir, "import", progress=(lambda *_: progress(0, total)) if progress else None)
    lap("backup")
    now = datetime.now().replace(microsecond=0)
    stamp = now.isoformat(" ")
    with db.atomic("IMMEDIATE"):
        if members_fingerprint(options.union_id) != plan.fingerprint:
            raise ClerkError("校验之后会员数据发生了变化（可能在别的窗口修改了会员）。",
                             "请重新校验文件后再导入。本次没有导入任何数据。")
        done = 0

        def report(n: int, base: int = 0) -> None:
            if progress:
                progress(base + n, total)

        report(0)

        if plan.updates:
            moving = [u.member_id for u in plan.updates if "phone" in u.changes]
            if moving:
                clear_member_phones(moving)
            bulk_update_members(
                ((u.member_id, {**{k: new for k, (_, new) in u.changes.items()}, "updated_at": stamp,
                                **u.sync_columns()})
                 for u in plan.updates),
                batch=1000, on_batch=report)
            note = f"批量导入 {plan.file_name}"
            audit_rows = [
                (stamp, options.actor, "member.import", u.member_id, name,
                 None if old is None else str(old), None if new is None else str(new), f"{note} 第 {u.row} 行")
                for u in plan.updates for name, (old, new) in u.changes.items()
            ]
            bulk_insert(AuditEntry, ("at", "actor", "action", "member_id", "field", "old_value", "new_value",
                                     "note"), audit_rows)
            done = len(plan.updates)
            lap("update")
        if plan.new_rows:
            inserted = done + len(plan.new_rows)
            with indexes_rebuilt(Member, bool(rebuild), on_index=lambda k, n: report(rebuild * k // n, inserted)):
                bulk_insert(Member, NEW_MEMBER_COLUMNS, plan.new_rows, batch=2000,
                            on_batch=lambda n: report(n, done))
                lap("insert")
            if rebuild:
                lap("indexes")
        summary = (f"批量导入 {plan.file_name}（工作表“{plan.sheet_name}”，{CATEGORY_LABELS[options.category]}）："
                   f"新增 {len(plan.new_rows)} 人，更新 {len(plan.updates)} 人，无变化 {plan.unchanged} 人，"
                   f"有错误未导入 {plan.failed} 行；导入前备份 {backup.name}")
        AuditEntry.create(at=now, actor=options.actor, action="member.import", note=summary)
    lap("commit")
    if progress:
        progress(total, total)
    log.info("import written: %s new, %s updated (backup %s)", len(plan.new_rows), len(plan.updates), backup.name)
    return ImportResult(len(plan.new_rows), len(plan.updates), plan.unchanged, plan.failed, plan.errors,
                        plan.warnings, backup=str(backup), seconds=time.perf_counter() - started, timings=timings)


def import_file(path: Path, options: ImportOptions, *, backup_dir: Path, dry_run: bool = False,
                progress: ProgressFn | None = None) -> tuple[ImportPlan, ImportResult]:
    """Check and (unless `dry_run`) write `path` in one go: the CLI's and the benchmark's path."""
    plan = prepare_import(path, options, progress)
    if dry_run:
        return plan, plan_result(plan)
    result = apply_import(plan, backup_dir=backup_dir, progress=progress)
    return plan, ImportResult(result.imported, result.updated, result.unchanged, result.failed, result.errors,
                              result.warnings, backup=result.backup, seconds=plan.seconds + result.seconds,
                              timings={**plan.timings, **result.timings})


def write_report(plan: ImportPlan, out: Path, progress: ProgressFn | None = None) -> Path:
    """The error report of `plan`: a copy of the clerk's file with each bad cell marked."""
    return spreadsheets.write_error_report(plan.source, plan.sheet_name, plan.header_row, plan.marks(), out,
                                           progress, rows=plan.rows_read)

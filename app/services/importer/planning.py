"""Planning an import: read the file, check its rows, sort the valid ones into new / updated /
unchanged against the union's members. Writes nothing; the result is an `ImportPlan`.
"""
from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from itertools import compress
from datetime import date, datetime
from pathlib import Path
from typing import Any

from app.models import Enterprise, db
from app.models.queries import member_import_snapshot, members_fingerprint
from app.rules.codes import CATEGORY_LABELS, Category, PostType
from app.rules.normalize import compact
from app.services import spreadsheets
from app.services.errors import ClerkError
from app.services.importer.checking import (
    SLICE,
    SNAP,
    UPDATABLE,
    Checked,
    check_rows,
    duplicates_in_file,
    phone_conflicts,
)
from app.services.importer.plan import ImportOptions, ImportPlan, MemberUpdate
from app.services.importer.progress import (
    PROGRESS_TOTAL,
    READ_SHARE,
    Laps,
    Monotonic,
    ProgressFn,
    bulk_allocation,
    heartbeat,
)
from app.services.spreadsheets import FileRefused

log = logging.getLogger(__name__)


def default_backup_dir() -> Path:
    """The open profile's backup folder (Profile.backups: beside the database file)."""
    return Path(db.database).parent / "backups"


def enterprise_by_name(union_id: int, name: str) -> int:
    """The id of the union's linked enterprise called `name` (spaces ignored), or ClerkError."""
    wanted = compact(name)
    choices = list(Enterprise.select(Enterprise.id, Enterprise.name).where(Enterprise.union == union_id))
    for ent in choices:
        if compact(ent.name) == wanted:
            return ent.id
    listed = "、".join(e.name for e in choices) or "（本工会还没有关联企业）"
    raise ClerkError(f"本工会没有名为“{name}”的关联企业。", f"可选的关联企业：{listed}")


def check_options(options: ImportOptions) -> None:
    if options.category not in CATEGORY_LABELS:
        raise ClerkError("请选择要导入的会员数据类型。", "关联企业类、灵活就业类或企业外入会类。")
    if options.category == Category.LINKED_ENTERPRISE:
        if options.enterprise_id is None:
            raise ClerkError("导入关联企业类会员时必须选择关联企业。", "请选择会员所在的单位。")
        ok = Enterprise.select().where((Enterprise.id == options.enterprise_id)
                                       & (Enterprise.union == options.union_id)).exists()
        if not ok:
            raise ClerkError("所选关联企业不属于本工会。", "请重新选择关联企业。")


def stored(value: Any) -> Any:
    """A stored value in comparable form: '' and None are the same, dates are ISO text."""
    if value is None or value == "":
        return None
    if isinstance(value, (date, datetime)):
        return value.isoformat()[:10]
    return str(value)


def prepare_import(path: Path, options: ImportOptions, progress: ProgressFn | None = None) -> ImportPlan:
    """Read and check `path`; the plan of what importing it would do. Writes nothing.

    Raises FileRefused for a file that cannot be imported at all, ClerkError for bad options.
    `progress(done, PROGRESS_TOTAL)` is called at least every 0.25 s and may raise to cancel.
    """
    check_options(options)
    paced = Monotonic(progress) if progress else None
    with bulk_allocation(), heartbeat(paced):
        return _prepare(Path(path), options, paced)


def _prepare(path: Path, options: ImportOptions, progress: Monotonic | None) -> ImportPlan:
    laps = Laps()
    lap, timings, started = laps.lap, laps.timings, laps.started

    # calamine parses in native code without the GIL: load the union's members meanwhile (with a
    # heartbeat, since a big union can take longer to load than the file to read).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-read") as pool:
        reading = pool.submit(spreadsheets.read_member_sheet, path, progress, span=(0, READ_SHARE, PROGRESS_TOTAL))
        try:
            snapshot = member_import_snapshot(options.union_id, on_chunk=progress.again if progress else None)
            existing = {m[SNAP["id_number"]]: m for m in snapshot}
            del snapshot
            fingerprint = members_fingerprint(options.union_id)
            lap("load_members")
        finally:
            sheet = reading.result()  # re-raises the reader's error (a refused file, a cancel)
    lap("read")
    check_end = PROGRESS_TOTAL - 100
    checked = check_rows(sheet, options, progress, (READ_SHARE, check_end))
    sheet.rows = []  # the raw cells are no longer needed: free them before the database-wide checks
    seen = len(checked.row_numbers)
    if seen == 0:
        raise FileRefused(f"工作表“{sheet.sheet_name}”的表头下面没有会员数据（只有示例行或空行）。",
                          "请在表头下方逐行填写会员信息后再导入。")
    lap("rules")
    duplicates_in_file(checked, sheet)
    lap("duplicates")
    if progress:
        progress(check_end + 30, PROGRESS_TOTAL)
    phone_conflicts(checked, existing, sheet, progress, check_end + 30)
    if progress:
        progress(check_end + 50, PROGRESS_TOTAL)
    new_rows, updates, unchanged = _classify(checked, existing, options, progress, (check_end + 50, PROGRESS_TOTAL))
    lap("classify")
    errors = sorted(checked.errors, key=lambda e: (e.row, e.col_index if e.col_index is not None else -1))
    warnings = sorted(checked.warnings, key=lambda e: (e.row, e.col_index if e.col_index is not None else -1))
    if progress:
        progress(PROGRESS_TOTAL, PROGRESS_TOTAL)
    plan = ImportPlan(
        source=path, sheet_name=sheet.sheet_name, header_row=sheet.header_row, options=options, rows_read=seen,
        new_rows=new_rows, updates=updates, unchanged=unchanged, errors=errors, warnings=warnings,
        fingerprint=fingerprint, ignored_headers=sheet.ignored_headers,
        seconds=time.perf_counter() - started, timings=timings,
    )
    log.info("import checked: %s rows, %s new, %s updated, %s unchanged, %s failed",
             seen, len(new_rows), len(updates), unchanged, plan.failed)
    return plan


def _classify(checked: Checked, existing: dict[str, tuple], options: ImportOptions,
              progress: ProgressFn | None = None, span: tuple[int, int] = (0, 0)
              ) -> tuple[list[tuple], list[MemberUpdate], int]:
    """Valid rows sorted into new members (rows to insert), updates (changed fields) and unchanged."""
    f = checked.fields
    enterprise_id = options.enterprise_id if options.category == Category.LINKED_ENTERPRISE else None
    now = datetime.now().replace(microsecond=0).isoformat(" ")
    ids = f["id_number"]
    bad = checked.bad
    union_id, category, unknown = options.union_id, str(options.category), str(PostType.UNKNOWN)
    # Column-wise through zip (one tuple per row, no index lookups), bad rows left out.
    rows = zip(f["member_no"], f["name"], f["id_type"], ids, f["id_expiry"], f["gender"], f["birth_date"],
               f["phone"], f["work_address"], f["label"], f["join_date"], f["post_type"])
    if bad:
        keep = [True] * len(ids)
        for i in bad:
            keep[i] = False
        rows = compress(rows, keep)
    # A union's first import has no member yet: every valid row is new, without a lookup each.
    new_rows = [
        (union_id, member_no or "", name, str(id_type), number, expiry, gender, birth, phone, address or "",
         label or "", category, enterprise_id, join, post or unknown, now, now)
        for member_no, name, id_type, number, expiry, gender, birth, phone, address, label, join, post in rows
        if not existing or number not in existing
    ]
    updates: list[MemberUpdate] = []
    unchanged = 0
    if not existing:  # a union's first import: every valid row is new
        return new_rows, updates, unchanged
    valid = [i for i in range(len(ids)) if i not in bad]
    columns = [(name, SNAP[name], f[name]) for name in UPDATABLE]
    c_category, c_enterprise, c_id = SNAP["category"], SNAP["enterprise_id"], SNAP["id"]
    c_sync_state, c_dirty = SNAP["sync_state"], SNAP["dirty_fields"]
    lo, hi = span
    for k, i in enumerate(valid):
        if progress and k % SLICE == 0:
            progress(lo + (hi - lo) * k // len(valid), PROGRESS_TOTAL)
        member = existing.get(ids[i])
        if member is None:
            continue
        changes: dict[str, tuple[Any, Any]] = {}
        for name, index, values in columns:
            new_value = values[i]
            if new_value is None:
                continue  # not given: a blank cell never erases what the member has
            old = member[index]
            if old != new_value and stored(old) != stored(new_value):
                changes[name] = (old, str(new_value))
        if member[c_category] != category:
            changes["category"] = (member[c_category], category)
        if member[c_enterprise] != enterprise_id:
            changes["enterprise_id"] = (member[c_enterprise], enterprise_id)
        if changes:
            updates.append(MemberUpdate(member[c_id], checked.row_numbers[i], changes,
                                        member[c_sync_state], member[c_dirty]))
        else:
            unchanged += 1
    return new_rows, updates, unchanged

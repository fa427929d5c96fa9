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
"""
from __future__ import annotations

import gc
import json
import logging
import operator
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from app.models import Enterprise, db, rotating_backup
from app.models.queries import (
    IMPORT_SNAPSHOT_COLUMNS,
    bulk_insert,
    bulk_update_members,
    clear_member_phones,
    indexes_rebuilt,
    member_import_snapshot,
    members_fingerprint,
    should_rebuild_indexes,
)
from app.models.tables import AuditEntry, Member
from app.rules import address, dates, expiry, idcard, phone
from app.rules.codes import (
    CATEGORY_LABELS,
    GENDER_LABELS,
    ID_TYPE_LABELS,
    POST_TYPE_LABELS,
    Category,
    Gender,
    IdType,
    PostType,
    code_for_label,
)
from app.rules.normalize import compact, normalize_text
from app.rules.problems import ERROR, WARNING, Problem, RuleError
from app.services import spreadsheets
from app.services.errors import ClerkError
from app.services.members import SYNC_NAMES
from app.services.spreadsheets import (
    EXAMPLE_ID,
    EXAMPLE_NAME,
    CellMark,
    FileRefused,
    SheetData,
)

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]

#: Progress units of `prepare_import`: reading the file, then checking rows.
PROGRESS_TOTAL = 1000
_READ_SHARE = 450
#: Rows checked between progress reports (~20 ms of work).
_ROWS_PER_REPORT = 2000

MAX_NAME_LENGTH = 50
MAX_LABEL_LENGTH = 50
MAX_MEMBER_NO_LENGTH = 30

__all__ = [
    "FileRefused", "ImportOptions", "ImportPlan", "ImportResult", "RowIssue", "apply_import",
    "default_backup_dir", "enterprise_by_name", "import_file", "prepare_import", "write_report",
]


# --- what goes in and comes out --------------------------------------------------------------------


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


# --- helpers for the views and the CLI ----------------------------------------------------------------


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


def _check_options(options: ImportOptions) -> None:
    if options.category not in CATEGORY_LABELS:
        raise ClerkError("请选择要导入的会员数据类型。", "关联企业类、灵活就业类或企业外入会类。")
    if options.category == Category.LINKED_ENTERPRISE:
        if options.enterprise_id is None:
            raise ClerkError("导入关联企业类会员时必须选择关联企业。", "请选择会员所在的单位。")
        ok = Enterprise.select().where((Enterprise.id == options.enterprise_id)
                                       & (Enterprise.union == options.union_id)).exists()
        if not ok:
            raise ClerkError("所选关联企业不属于本工会。", "请重新选择关联企业。")


# --- cell cleaners: raw cell → stored value, or RuleError --------------------------------------


def _problem(code: str, message: str) -> RuleError:
    return RuleError(Problem(code, message))


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_DIGIT = re.compile(r"\d")


def clean_name(raw: Any) -> str:
    if _is_number(raw):
        raise _problem("name_invalid", f"姓名“{raw}”是数字。请检查这一列是否填成了其他信息。")
    name = normalize_text(raw)
    if not name:
        raise _problem("name_required", "姓名为空。请填写与证件一致的姓名。")
    if _DIGIT.search(name):
        raise _problem("name_invalid", f"姓名“{name}”中含有数字。请填写与证件一致的姓名。")
    if len(name) > MAX_NAME_LENGTH:
        raise _problem("name_too_long", f"姓名超过了{MAX_NAME_LENGTH}个字。请只填写姓名。")
    return name


_ID_TYPE_ALIASES = {
    "居民身份证": IdType.MAINLAND, "二代身份证": IdType.MAINLAND, "中华人民共和国居民身份证": IdType.MAINLAND,
    "身份证号": IdType.MAINLAND, "身份证号码": IdType.MAINLAND, "大陆身份证": IdType.MAINLAND,
    "港澳通行证": IdType.HK_MACAO, "回乡证": IdType.HK_MACAO, "港澳居民来往内地通行证(回乡证)": IdType.HK_MACAO,
    "台胞证": IdType.TAIWAN, "台湾通行证": IdType.TAIWAN,
    "外国护照": IdType.PASSPORT, "中国护照": IdType.PASSPORT,
    "外国人永久居留证": IdType.FOREIGN_PR, "永居证": IdType.FOREIGN_PR, "外国人永久居留身份证(永居证)": IdType.FOREIGN_PR,
}


def clean_id_type(raw: Any) -> str:
    if _is_blank(raw):
        return IdType.MAINLAND
    text = compact(raw)
    code = code_for_label(ID_TYPE_LABELS, text) or _ID_TYPE_ALIASES.get(text)
    if code is None:
        raise _problem("id_type_unknown",
                       f"证件类型“{normalize_text(raw)}”无法识别。请从下拉列表选择：{'、'.join(ID_TYPE_LABELS.values())}。")
    return str(code)


_SCIENTIFIC = re.compile(r"^[0-9](?:\.[0-9]+)?[eE]\+?[0-9]+$")
_NUMBER_LOST = (
    "证件号码被 Excel 存成了数字（如 3.10101E+17），最后几位已经变成 0，无法还原。"
    "请把“证件号码”列设置为“文本”格式，再对照证件重新输入号码（或在号码前加英文单引号 '）。")


def id_number_text(raw: Any, id_type: str) -> str:
    """The ID number's text; RuleError if Excel turned it into a number and lost digits."""
    if _is_number(raw):
        if isinstance(raw, float) and not raw.is_integer():
            raise _problem("id_number_numeric", _NUMBER_LOST)
        digits = str(int(raw))
        # Excel keeps 15 significant digits: an 18-digit mainland number is always damaged.
        if id_type == IdType.MAINLAND or len(digits) > 15:
            raise _problem("id_number_numeric", _NUMBER_LOST)
        return digits
    text = normalize_text(raw)
    if _SCIENTIFIC.match(text.replace(" ", "")):
        raise _problem("id_number_numeric", _NUMBER_LOST)
    if not text:
        raise _problem("id_required", "证件号码为空。请对照证件填写。")
    return text


_GENDER_ALIASES = {"男": Gender.MALE, "女": Gender.FEMALE, "男性": Gender.MALE, "女性": Gender.FEMALE,
                   "m": Gender.MALE, "f": Gender.FEMALE, "male": Gender.MALE, "female": Gender.FEMALE}


def clean_gender(raw: Any) -> str:
    code = _GENDER_ALIASES.get(compact(raw).lower())
    if code is None:
        raise _problem("gender_invalid", f"性别“{normalize_text(raw)}”无法识别。请填写“男”或“女”。")
    return str(code)


_POST_TYPE_ALIASES = {
    "工人": PostType.WORKER, "工人岗": PostType.WORKER, "工人岗位": PostType.WORKER,
    "管理": PostType.MANAGERIAL, "管理岗": PostType.MANAGERIAL, "管理岗位": PostType.MANAGERIAL,
    "管理人员": PostType.MANAGERIAL, "干部": PostType.MANAGERIAL,
    "不明": PostType.UNKNOWN, "未知": PostType.UNKNOWN, "不清楚": PostType.UNKNOWN,
}


def clean_post_type(raw: Any) -> str:
    text = compact(raw)
    code = _POST_TYPE_ALIASES.get(text) or code_for_label(POST_TYPE_LABELS, text)
    if code is None:
        raise _problem("post_type_invalid",
                       f"岗位类型“{normalize_text(raw)}”无法识别。请从下拉列表选择：{'、'.join(POST_TYPE_LABELS.values())}。")
    return str(code)


def clean_past_date(raw: Any, what: str, today: date) -> str:
    """A date not after today, as ISO text."""
    day = dates.parse_date(raw)
    if day > today:
        raise _problem(f"{what}_future", f"{_DATE_LABELS[what]}{day.isoformat()}晚于今天。请核对后修改。")
    if day.year < 1900:
        raise _problem(f"{what}_too_early", f"{_DATE_LABELS[what]}{day.isoformat()}早于1900年。请核对后修改。")
    return day.isoformat()


_DATE_LABELS = {"birth_date": "出生日期", "join_date": "入会日期"}


def clean_label(raw: Any) -> str:
    text = normalize_text(raw)
    if len(text) > MAX_LABEL_LENGTH:
        raise _problem("label_too_long", f"会员标签不能超过{MAX_LABEL_LENGTH}个字。")
    return text


def clean_member_no(raw: Any) -> str:
    if _is_number(raw) and float(raw).is_integer():
        text = str(int(raw))
    else:
        text = compact(raw)
    if len(text) > MAX_MEMBER_NO_LENGTH:
        raise _problem("member_no_too_long", f"会员编号不能超过{MAX_MEMBER_NO_LENGTH}个字符。")
    return text


_MISSING = object()


class _Bad:
    """A cell that broke a rule, kept in a column's results (raising per cell would be slower)."""

    __slots__ = ("problem",)

    def __init__(self, problem: Problem) -> None:
        self.problem = problem


def _blank(raw: Any) -> bool:
    return raw is None or raw == "" or (type(raw) is str and not raw.strip())


class _Tally:
    """How many _Bad results the cleaners of one file have made: a column whose building did not
    move the count holds no error and is not scanned for one."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


def _safe(fn: Callable[[Any], Any], tally: _Tally) -> Callable[[Any], Any]:
    """`fn` returning _Bad (counted in `tally`) instead of raising RuleError."""
    def call(raw: Any) -> Any:
        try:
            return fn(raw)
        except RuleError as exc:
            tally.count += 1
            return _Bad(exc.problem)
    return call


def _optional(fn: Callable[[Any], Any], tally: _Tally) -> Callable[[Any], Any]:
    """`_safe(fn)` for an optional cell: a blank cell is None (not given)."""
    def call(raw: Any) -> Any:
        if raw is None or raw == "" or (type(raw) is str and not raw.strip()):
            return None
        try:
            return fn(raw)
        except RuleError as exc:
            tally.count += 1
            return _Bad(exc.problem)
    return call


class _Memo:
    """`fn` computed once per distinct value of a column: real files repeat their addresses,
    labels, document types and dates. Values that compare equal across types (1 == 1.0 == True)
    are keyed with their type. `bad` tells whether any value so far was refused."""

    __slots__ = ("fn", "cache", "bad")

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn
        self.cache: dict[Any, Any] = {}
        self.bad = False

    def map(self, values: list[Any]) -> list[Any]:
        """[fn(v) for v in values]."""
        cache, fn = self.cache, self.fn
        if set(map(type, values)) <= _SELF_KEYED:
            # Text, dates and blanks never equal a value of another type: they key themselves,
            # and the lookups run in C.
            for raw in set(values).difference(cache):
                hit = cache[raw] = fn(raw)
                if type(hit) is _Bad:
                    self.bad = True
            return list(map(cache.__getitem__, values))
        get = cache.get
        out = []
        append = out.append
        for raw in values:
            kind = type(raw)
            key = raw if kind in _SELF_KEYED else (kind, raw)
            hit = get(key, _MISSING)
            if hit is _MISSING:
                hit = cache[key] = fn(raw)
                if type(hit) is _Bad:
                    self.bad = True
            append(hit)
        return out


#: Cell types whose values are their own memo keys (no value of one equals a value of another).
_SELF_KEYED = frozenset((str, date, type(None)))


# --- fast paths, each equal to its rule on the inputs it accepts (tests/services/test_import_rules.py
# checks that with generated inputs); anything else goes to the rule itself ---------------------------

_CHECK_CHARS = "10X98765432"
# Plain str, not the enum members: sqlite3 binds an exact str directly but runs its adapter
# lookup for every value of a str subclass (a third of the insert's time for three such columns).
_MALE, _FEMALE = str(Gender.MALE), str(Gender.FEMALE)
_WEIGHT_OFFSET = 48 * sum(idcard.WEIGHTS)  # ord("0") times each weight
_MOBILE_SECOND = frozenset("3456789")


def _birth_of(digits: str) -> date | None:
    """The date written as YYYYMMDD in an ID, None if there is no such day or it is before 1900."""
    try:
        birth = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None
    return birth if birth.year >= idcard.MIN_BIRTH_YEAR else None


def fast_mainland_id(raw: Any, today: date, births: dict[str, date | None] | None = None
                     ) -> tuple[str, str, date] | None:
    """(number, gender, birth date) of a clean, valid 18-character mainland ID, else None.

    A clean number (ASCII digits and upper-case X, no spaces) is what `idcard.parse_mainland_id`
    would leave unchanged, so for it this gives the rule's answer in a fraction of the time.
    `births` caches the birth dates already seen (a file has a few thousand distinct ones).
    """
    if type(raw) is not str or len(raw) != 18 or not raw.isascii():
        return None
    head = raw[:17]
    last = raw[17]
    if not head.isdigit() or last not in "0123456789X" or raw[:2] not in idcard.PROVINCE_CODES:
        return None
    digits = raw[6:14]
    if births is None:
        birth = _birth_of(digits)
    else:
        birth = births.get(digits, _MISSING)
        if birth is _MISSING:
            birth = births[digits] = _birth_of(digits)
    if birth is None or birth > today:
        return None
    total = sum(map(operator.mul, head.encode(), idcard.WEIGHTS)) - _WEIGHT_OFFSET
    if _CHECK_CHARS[total % 11] != last:
        return None
    return raw, (_MALE if raw[16] in "13579" else _FEMALE), birth


_PLAIN_NAME = re.compile(rf"[\u4e00-\u9fff]{{1,{MAX_NAME_LENGTH}}}")


def fast_name(raw: Any) -> str | None:
    """A name cell of Chinese characters only (what `clean_name` returns unchanged), else None."""
    if type(raw) is str and _PLAIN_NAME.fullmatch(raw):
        return raw
    return None


def expiry_fine(today: date) -> Callable[[Any, date | None], bool]:
    """A test that a mainland card's cleaned expiry (a date or 长期) and its holder's birth date
    certainly give no problem (`expiry.check_id_expiry` returns []): a date more than the warning
    period ahead and within the longest validity for the holder's age, or 长期 from 46. Anything
    else is for the rule to judge (and word)."""
    soon = today + timedelta(days=expiry.EXPIRY_WARNING_DAYS)
    # age < n  <=>  born after today n years ago
    born16, born26, born46 = (expiry.add_years(today, -n) for n in (16, 26, expiry.LONG_TERM_MIN_AGE))
    limit5, limit10, limit20 = (expiry.add_years(today, n) for n in (5, 10, expiry.MAX_VALIDITY_YEARS))

    def fine(value: Any, birth: date | None) -> bool:
        if birth is None:
            return False
        if type(value) is date:
            if value <= soon:
                return False
            if birth > born16:
                return value <= limit5
            if birth > born26:
                return value <= limit10
            return value <= limit20
        return value == dates.LONG_TERM and birth <= born46
    return fine


def fast_phone(raw: Any) -> str | None:
    """A phone cell that is already a clean 11-digit mobile number (what `normalize_phone` returns
    unchanged), else None."""
    if (type(raw) is str and len(raw) == 11 and raw.isascii() and raw.isdigit() and raw[0] == "1"
            and raw[1] in _MOBILE_SECOND):
        return raw
    return None


# --- checking the rows -------------------------------------------------------------------------------

#: Rows checked per slice; progress is reported between slices (~50 ms each).
_SLICE = 10_000
_OPTIONAL_KEYS = ("member_no", "id_expiry", "gender", "birth_date", "work_address", "label", "join_date",
                  "post_type")


@dataclass
class _Checked:
    """The file's data rows after each cell was checked, one list per field (column-wise: a
    Python loop per column is several times cheaper than building a record per row).

    `fields[key][i]` is the stored form of row i's value, None when not given; `bad` holds the
    positions of rows with an error.
    """

    row_numbers: list[int]
    fields: dict[str, list[Any]]
    bad: set[int]
    errors: list[RowIssue]
    warnings: list[RowIssue]

    def issue(self, sheet: SheetData, i: int, key: str, problem: Problem, severity: str = ERROR) -> None:
        target = self.errors if severity == ERROR else self.warnings
        target.append(RowIssue(self.row_numbers[i], sheet.column_name(key), problem.message, problem.code,
                               sheet.columns.get(key), severity))
        if severity == ERROR:
            self.bad.add(i)


def _age(birth: date | None, today: date) -> int | None:
    if birth is None:
        return None
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _date_cleaner(what: str, today: date, tally: _Tally) -> Callable[[Any], Any]:
    """Birth or join date: date cells checked directly, anything else through the rule."""
    floor = date(1900, 1, 1)
    slow = _optional(lambda raw: clean_past_date(raw, what, today), tally)

    def call(raw: Any) -> Any:
        if type(raw) is datetime:
            raw = raw.date()
        if type(raw) is date and floor <= raw <= today:
            return raw.isoformat()
        return slow(raw)
    return call


def _expiry_cleaner(tally: _Tally) -> Callable[[Any], Any]:
    slow = _optional(dates.parse_expiry, tally)

    def call(raw: Any) -> Any:
        if type(raw) is date:
            return raw
        if type(raw) is datetime:
            return raw.date()
        return slow(raw)
    return call


def _mismatch(key: str, given: str, derived: str) -> Problem:
    if key == "gender":
        return Problem("gender_mismatch",
                       f"性别填的是“{GENDER_LABELS.get(given, given)}”，但身份证号码显示为"
                       f"“{GENDER_LABELS.get(derived, derived)}”（第17位单数为男、双数为女）。"
                       "请核对证件号码和性别；身份证会员的性别可以不填。")
    return Problem("birth_date_mismatch",
                   f"出生日期填的是{given}，但身份证号码中的出生日期是{derived}（第7–14位）。"
                   "请核对证件号码和出生日期；身份证会员的出生日期可以不填。")


def _check_rows(sheet: SheetData, options: ImportOptions, progress: ProgressFn | None,
                span: tuple[int, int]) -> _Checked:
    """Every rule that concerns one row at a time, column by column, a slice of rows at a time."""
    today = options.today
    cols = sheet.columns
    c_name, c_idn, c_phone = cols["name"], cols["id_number"], cols["phone"]
    c_type = cols.get("id_type")
    width = len(sheet.rows[sheet.header_index])

    # Rows with something to import, except the template's example. A row whose import columns
    # are all blank is skipped even if other columns are filled (templates numbered 序号 1…500).
    data: list[list[Any]] = []
    row_numbers: list[int] = []
    import_columns = sorted(cols.values())
    for number, cells in enumerate(sheet.rows[sheet.header_index + 1:], start=sheet.header_index + 2):
        if len(cells) < width:  # calamine's rows are rectangular; other readers' may not be
            cells = list(cells) + [None] * (width - len(cells))
        if _blank(cells[c_name]) and _blank(cells[c_idn]) and _blank(cells[c_phone]) \
                and all(_blank(cells[c]) for c in import_columns):
            continue
        if cells[c_idn] == EXAMPLE_ID and cells[c_name] == EXAMPLE_NAME:
            continue
        data.append(cells)
        row_numbers.append(number)

    checked = _Checked(row_numbers, {k: [] for k in ("name", "id_type", "id_number", "gender", "birth_date",
                                                      "phone", *_OPTIONAL_KEYS)}, set(), [], [])
    f = checked.fields
    optional = [(k, cols[k]) for k in _OPTIONAL_KEYS if k in cols]
    tally = _Tally()  # _Bad results made outside the memos (ID numbers, phones, member numbers)
    slow_name = _safe(clean_name, tally)
    names_memo = _Memo(lambda raw: fast_name(raw) or slow_name(raw))
    types_memo = _Memo(_safe(clean_id_type, tally))
    phone_of = _safe(phone.normalize_phone, tally)
    cleaners: dict[str, Callable[[Any], Any]] = {
        "member_no": _optional(clean_member_no, tally),
        "id_expiry": _expiry_cleaner(tally),
        "gender": _optional(clean_gender, tally),
        "birth_date": _date_cleaner("birth_date", today, tally),
        "work_address": _optional(lambda raw: address.validate_work_address(raw, required=False), tally),
        "label": _optional(clean_label, tally),
        "join_date": _date_cleaner("join_date", today, tally),
        "post_type": _optional(clean_post_type, tally),
    }
    # Member numbers are mostly distinct: mapped directly; every other column through a memo.
    memos = {k: _Memo(fn) for k, fn in cleaners.items() if k != "member_no"}
    expiry_cache: dict[tuple, list[Problem]] = {}
    fine = expiry_fine(today)
    births_seen: dict[str, date | None] = {}
    mainland = IdType.MAINLAND
    total = len(data)
    lo, hi = span
    for start in range(0, total, _SLICE):
        if progress:
            progress(lo + (hi - lo) * start // max(total, 1), PROGRESS_TOTAL)
        part = data[start:start + _SLICE]
        n = len(part)
        names = names_memo.map([r[c_name] for r in part])
        if c_type is None:
            types: list[Any] = [mainland] * n
        else:
            types = types_memo.map([r[c_type] for r in part])
        made = tally.count
        numbers: list[Any] = []
        genders: list[Any] = []
        births: list[Any] = []  # dates of birth from a mainland ID, else None
        for r, id_type in zip(part, types):
            raw = r[c_idn]
            fast = fast_mainland_id(raw, today, births_seen) if id_type is mainland or id_type == mainland else None
            if fast is not None:
                numbers.append(fast[0])
                genders.append(fast[1])
                births.append(fast[2])
                continue
            genders.append(None)
            births.append(None)
            if type(id_type) is _Bad:
                numbers.append(None)
                continue
            try:
                number, parsed = idcard.validate_document(id_type, id_number_text(raw, id_type), today)
            except RuleError as exc:
                tally.count += 1
                numbers.append(_Bad(exc.problem))
                continue
            numbers.append(number)
            if parsed is not None:
                genders[-1] = str(parsed.gender)
                births[-1] = parsed.birth_date
        maybe_bad = {"name": names_memo.bad, "id_type": types_memo.bad, "id_number": tally.count != made}
        made = tally.count
        phones = [fast_phone(v) or phone_of(v) for v in (r[c_phone] for r in part)]
        maybe_bad["phone"] = tally.count != made
        given: dict[str, list[Any]] = {}
        for key, index in optional:
            column = [r[index] for r in part]
            memo = memos.get(key)
            if memo is None:
                made = tally.count
                given[key] = list(map(cleaners[key], column))
                maybe_bad[key] = tally.count != made
            else:
                given[key] = memo.map(column)
                maybe_bad[key] = memo.bad

        # Errors of single cells, in column order (only columns that may hold one are scanned).
        for key, values in (("name", names), ("id_type", types), ("id_number", numbers), ("phone", phones),
                            *given.items()):
            if not maybe_bad[key]:
                continue
            for i, value in enumerate(values):
                if type(value) is _Bad:
                    checked.issue(sheet, start + i, key, value.problem)
                    values[i] = None

        # Gender and birth date: derived from a mainland ID (a different value given is an error),
        # typed by hand for other documents.
        birth_texts = [b.isoformat() if b is not None else None for b in births]
        for key, derived in (("gender", genders), ("birth_date", birth_texts)):
            column = given.pop(key, None)
            if column is None:
                f[key] += derived
                continue
            for i, (d, g) in enumerate(zip(derived, column)):
                if d is None:
                    derived[i] = g
                elif g is not None and g != d:
                    checked.issue(sheet, start + i, key, _mismatch(key, g, d))
            f[key] += derived

        # ID expiry: the mainland card's validity rules (by age); other documents only warn when past.
        expiries = given.get("id_expiry")
        if expiries is not None:
            for i, (value, id_type) in enumerate(zip(expiries, types)):
                if value is None:
                    continue
                if id_type == mainland:
                    birth = births[i]
                    if fine(value, birth):
                        if type(value) is not str:
                            expiries[i] = value.isoformat()
                        continue
                    key = (value, _age(birth, today))
                    problems = expiry_cache.get(key)
                    if problems is None:
                        problems = expiry_cache[key] = expiry.check_id_expiry(value, today, birth)
                    for p in problems:
                        checked.issue(sheet, start + i, "id_expiry", p, p.severity)
                elif type(value) is date and value < today:
                    checked.issue(sheet, start + i, "id_expiry", Problem(
                        "expiry_past", f"证件已于{value.isoformat()}过期。请提醒会员换领新证件，并更新有效期。",
                        WARNING), WARNING)
                if type(value) is not str:
                    expiries[i] = value.isoformat()
        f["name"] += names
        f["id_type"] += types
        f["id_number"] += numbers
        f["phone"] += phones
        for key in _OPTIONAL_KEYS:
            if key in ("gender", "birth_date"):
                continue
            f[key] += given[key] if key in given else [None] * n
    if progress:
        progress(hi, PROGRESS_TOTAL)
    return checked


def _duplicates_in_file(checked: _Checked, sheet: SheetData) -> None:
    """Rows sharing an ID number, or (as different members) a phone: every one of them is an
    error, since the import cannot know which of them is right."""
    bad = checked.bad
    rows = checked.row_numbers
    for key, code, text in (
        ("id_number", "id_duplicate_in_file", "证件号码与第 {others} 行重复。同一证件号码只能出现一次，请删除或改正重复的行。"),
        ("phone", "phone_duplicate_in_file",
         "手机号码与第 {others} 行的会员相同。同一工会会员的手机号码不能重复，请核对后修改。"),
    ):
        values = checked.fields[key]
        first: dict[Any, int] = {}
        groups: dict[Any, list[int]] = {}
        for i, value in enumerate(values):
            if i in bad:
                continue
            j = first.setdefault(value, i)
            if j != i:
                groups.setdefault(value, [j]).append(i)
        for group in groups.values():
            for i in group:
                others = "、".join(str(rows[o]) for o in group if o != i)
                checked.errors.append(RowIssue(rows[i], sheet.column_name(key), text.format(others=others), code,
                                               sheet.columns.get(key)))
            bad.update(group)


_SNAP = {name: i for i, name in enumerate(IMPORT_SNAPSHOT_COLUMNS)}
#: Fields a row may change on an existing member (stored column names).
_UPDATABLE = ("member_no", "name", "id_type", "id_expiry", "gender", "birth_date", "phone", "work_address",
              "label", "join_date", "post_type")


def _phone_conflicts(checked: _Checked, existing: dict[str, tuple], sheet: SheetData,
                     progress: ProgressFn | None = None, at: int = 0) -> None:
    """Rows whose phone would, after the import, belong to another member of the union.

    A phone may move between members in one import (A takes B's old phone while B gets a new one),
    so the check is on the final state, repeated until no more rows drop out.
    """
    ids, phones = checked.fields["id_number"], checked.fields["phone"]
    owner_of_phone = {m[_SNAP["phone"]]: m for m in existing.values() if m[_SNAP["phone"]]}
    while True:
        valid = [i for i in range(len(ids)) if i not in checked.bad]
        new_phone_of = {existing[ids[i]][_SNAP["id"]]: phones[i] for i in valid if ids[i] in existing}
        dropped = False
        if progress:
            progress(at, PROGRESS_TOTAL)
        for k, i in enumerate(valid):
            if progress and k % _SLICE == 0:
                progress(at, PROGRESS_TOTAL)
            owner = owner_of_phone.get(phones[i])
            if owner is None or owner[_SNAP["id_number"]] == ids[i]:
                continue
            moved_to = new_phone_of.get(owner[_SNAP["id"]])
            if moved_to is not None and moved_to != phones[i]:
                continue  # its current owner gets another phone in this same import
            number = owner[_SNAP["member_no"]] or "无"
            checked.issue(sheet, i, "phone", Problem(
                "phone_in_use",
                f"手机号码已被本工会会员 {owner[_SNAP['name']]}（会员编号 {number}）使用。"
                "同一工会会员的手机号码不能重复，请核对后修改。"))
            dropped = True
        if not dropped:
            return


def _stored(value: Any) -> Any:
    """A stored value in comparable form: '' and None are the same, dates are ISO text."""
    if value is None or value == "":
        return None
    if isinstance(value, (date, datetime)):
        return value.isoformat()[:10]
    return str(value)


class _InThread(threading.Thread):
    """Runs `fn` on a helper thread; `result()` joins and returns its value or re-raises."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__(daemon=True, name="import-read")
        self._fn = fn
        self._value: Any = None
        self._error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            self._value = self._fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised on the caller's thread
            self._error = exc

    def result(self) -> Any:
        self.join()
        if self._error is not None:
            raise self._error
        return self._value


@contextmanager
def _bulk_allocation() -> Iterator[None]:
    """Cyclic garbage collection paused: a 100,000-row file allocates millions of small acyclic
    objects, and each collection would rescan all of them (a third of the run time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Monotonic:
    """`progress` safe to call from the reading thread and the caller's at once, never going
    backwards; `again()` repeats the last report (a heartbeat while a step has no count)."""

    def __init__(self, progress: ProgressFn) -> None:
        self._progress = progress
        self._lock = threading.Lock()
        self._last = (0, PROGRESS_TOTAL)

    def __call__(self, done: int, total: int) -> None:
        with self._lock:
            if total == self._last[1]:
                done = max(done, self._last[0])
            self._last = (done, total)
            self._progress(done, total)

    def again(self) -> None:
        self(*self._last)


class _Laps:
    """Seconds per phase (for the benchmark): `lap(name)` ends the phase begun at the last lap."""

    def __init__(self) -> None:
        self.started = self._last = time.perf_counter()
        self.timings: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = now - self._last
        self._last = now


def prepare_import(path: Path, options: ImportOptions, progress: ProgressFn | None = None) -> ImportPlan:
    """Read and check `path`; the plan of what importing it would do. Writes nothing.

    Raises FileRefused for a file that cannot be imported at all, ClerkError for bad options.
    `progress(done, PROGRESS_TOTAL)` is called at least every 0.25 s and may raise to cancel.
    """
    with _bulk_allocation():
        return _prepare(Path(path), options, progress)


def _prepare(path: Path, options: ImportOptions, progress: ProgressFn | None) -> ImportPlan:
    laps = _Laps()
    lap, timings, started = laps.lap, laps.timings, laps.started

    _check_options(options)
    if progress:
        progress = _Monotonic(progress)
    # calamine parses in native code without the GIL: load the union's members meanwhile (with a
    # heartbeat, since a big union can take longer to load than the file to read).
    reader = _InThread(lambda: spreadsheets.read_member_sheet(path, progress, span=(0, _READ_SHARE, PROGRESS_TOTAL)))
    try:
        snapshot = member_import_snapshot(options.union_id, on_chunk=progress.again if progress else None)
        existing = {m[_SNAP["id_number"]]: m for m in snapshot}
        del snapshot
        fingerprint = members_fingerprint(options.union_id)
        lap("load_members")
    finally:
        sheet = reader.result()
    lap("read")
    check_end = PROGRESS_TOTAL - 100
    checked = _check_rows(sheet, options, progress, (_READ_SHARE, check_end))
    sheet.rows = []  # the raw cells are no longer needed: free them before the database-wide checks
    seen = len(checked.row_numbers)
    if seen == 0:
        raise FileRefused(f"工作表“{sheet.sheet_name}”的表头下面没有会员数据（只有示例行或空行）。",
                          "请在表头下方逐行填写会员信息后再导入。")
    lap("rules")
    _duplicates_in_file(checked, sheet)
    lap("duplicates")
    if progress:
        progress(check_end + 30, PROGRESS_TOTAL)
    _phone_conflicts(checked, existing, sheet, progress, check_end + 30)
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


def _classify(checked: _Checked, existing: dict[str, tuple], options: ImportOptions,
              progress: ProgressFn | None = None, span: tuple[int, int] = (0, 0)
              ) -> tuple[list[tuple], list[MemberUpdate], int]:
    """Valid rows sorted into new members (rows to insert), updates (changed fields) and unchanged."""
    f = checked.fields
    enterprise_id = options.enterprise_id if options.category == Category.LINKED_ENTERPRISE else None
    now = datetime.now().replace(microsecond=0).isoformat(" ")
    ids = f["id_number"]
    bad = checked.bad
    valid = [i for i in range(len(ids)) if i not in bad]
    new = [i for i in valid if ids[i] not in existing]
    member_no, names, types, expiries = f["member_no"], f["name"], f["id_type"], f["id_expiry"]
    genders, births, phones, addresses = f["gender"], f["birth_date"], f["phone"], f["work_address"]
    labels, joins, posts = f["label"], f["join_date"], f["post_type"]
    union_id, category, unknown = options.union_id, str(options.category), str(PostType.UNKNOWN)
    new_rows = [
        (union_id, member_no[i] or "", names[i], str(types[i]), ids[i], expiries[i], genders[i], births[i],
         phones[i], addresses[i] or "", labels[i] or "", category, enterprise_id, joins[i], posts[i] or unknown,
         now, now)
        for i in new
    ]
    updates: list[MemberUpdate] = []
    unchanged = 0
    columns = [(name, _SNAP[name], f[name]) for name in _UPDATABLE]
    c_category, c_enterprise, c_id = _SNAP["category"], _SNAP["enterprise_id"], _SNAP["id"]
    c_sync_state, c_dirty = _SNAP["sync_state"], _SNAP["dirty_fields"]
    lo, hi = span
    for k, i in enumerate(valid):
        if progress and k % _SLICE == 0:
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
            if old != new_value and _stored(old) != _stored(new_value):
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


# --- writing ------------------------------------------------------------------------------------------


def apply_import(plan: ImportPlan, *, backup_dir: Path, progress: ProgressFn | None = None) -> ImportResult:
    """Write `plan` in one transaction after a rotating backup: all of it or none of it.

    `progress(done, total)` may raise (cancel): the transaction then rolls back and nothing changes.
    """
    with _bulk_allocation():
        return _apply(plan, Path(backup_dir), progress)


def _apply(plan: ImportPlan, backup_dir: Path, progress: ProgressFn | None) -> ImportResult:
    laps = _Laps()
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


__all__ += ["NEW_MEMBER_COLUMNS", "PROGRESS_TOTAL", "MemberUpdate", "plan_result"]

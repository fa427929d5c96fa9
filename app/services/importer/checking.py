"""Checking the rows of a read sheet: every rule of RULES.md / SPEC.md §4 that concerns one row,
then duplicates inside the file and phone numbers already used by the union's other members.

Column-wise, a slice of rows at a time, through the cleaners of `cleaning`; writes nothing.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import compress, repeat, zip_longest
from operator import eq, is_, ne, not_
from typing import Any

from app.models.queries import IMPORT_SNAPSHOT_COLUMNS
from app.rules import address, dates, expiry, idcard, phone
from app.rules.codes import GENDER_LABELS, ID_TYPE_LABELS, IdType
from app.rules.problems import ERROR, WARNING, Problem, RuleError
from app.services.importer import columnwise
from app.services.importer.cleaning import (
    Bad,
    Memo,
    Tally,
    blank,
    clean_gender,
    clean_id_type,
    clean_label,
    clean_member_no,
    clean_name,
    clean_past_date,
    clean_post_type,
    expiry_fine,
    fast_mainland_id,
    fast_name,
    fast_names,
    fast_phone,
    fast_typed_date,
    id_number_text,
    optional,
    safe,
)
from app.services.importer.plan import ImportOptions, RowIssue
from app.services.importer.progress import PROGRESS_TOTAL, ProgressFn
from app.services.spreadsheets import EXAMPLE_ID, EXAMPLE_NAME, SheetData


#: Rows checked per slice; progress is reported between slices (~50 ms each).
SLICE = 10_000
_OPTIONAL_KEYS = ("member_no", "id_expiry", "gender", "birth_date", "work_address", "label", "join_date",
                  "post_type")


@dataclass
class Checked:
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


def _date_cleaner(what: str, today: date, tally: Tally) -> Callable[[Any], Any]:
    """Birth or join date: date cells (and dates typed as clean text) checked directly, anything
    else through the rule."""
    floor = date(1900, 1, 1)
    slow = optional(lambda raw: clean_past_date(raw, what, today), tally)

    def call(raw: Any) -> Any:
        if type(raw) is datetime:
            raw = raw.date()
        # A date typed as clean text counts as the day it names (anything else: the rule decides).
        day = fast_typed_date(raw) if type(raw) is str else raw
        if type(day) is date and floor <= day <= today:
            return day.isoformat()
        return slow(raw)
    return call


def _expiry_cleaner(tally: Tally) -> Callable[[Any], Any]:
    slow = optional(dates.parse_expiry, tally)

    def call(raw: Any) -> Any:
        if type(raw) is date:
            return raw
        if type(raw) is datetime:
            return raw.date()
        return fast_typed_date(raw) or slow(raw)
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


def _data_columns(part: list[list[Any]], first: int, cols: dict[str, int], width: int
                  ) -> tuple[list[tuple[Any, ...]], list[int]]:
    """A slice of the rows below the header (the first numbered `first` as Excel shows it) as
    columns (one pass over the rows: several passes cost more than the checks), keeping the rows
    with something to import and their numbers, except the template's example. A row whose import
    columns are all blank is skipped even if other columns are filled (templates numbered 序号
    1…500); a row shorter than the header reads None in its missing cells."""
    cells = _columns_of(part, width)
    c_name, c_idn = cols["name"], cols["id_number"]
    ids = cells[c_idn]
    used = sorted(cols.values())
    skipped = {i for i in _doubtful_rows(cells[c_name], ids)
               if all(blank(cells[c][i]) for c in used) or (ids[i] == EXAMPLE_ID and cells[c_name][i] == EXAMPLE_NAME)}
    numbers = list(range(first, first + len(part)))
    if not skipped:
        return cells, numbers
    kept = [i not in skipped for i in range(len(part))]
    part, numbers = list(compress(part, kept)), list(compress(numbers, kept))
    return (_columns_of(part, width) if part else []), numbers


def _doubtful_rows(names: Sequence[Any], ids: Sequence[Any]) -> list[int]:
    """Positions of the rows that may be blank or the example: a row whose name cell holds text is
    kept, unless it is the example."""
    doubtful = columnwise.where(map(not_, map(str.strip, columnwise.texts_of(names))))
    if EXAMPLE_ID in ids:
        doubtful = sorted({*doubtful, *columnwise.where(map(eq, ids, repeat(EXAMPLE_ID)))})
    return doubtful


def _columns_of(part: list[list[Any]], width: int) -> list[tuple[Any, ...]]:
    """The columns of `part`, at least `width` of them, None where a row has no cell."""
    cells = list(zip_longest(*part))
    if len(cells) < width:
        cells += [(None,) * len(part)] * (width - len(cells))
    return cells


class _Columns:
    """One file's cleaners, their memos and caches, and the tally of refused cells they made."""

    def __init__(self, sheet: SheetData, today: date) -> None:
        self.today = today
        cols = sheet.columns
        self.c_name, self.c_idn, self.c_phone = cols["name"], cols["id_number"], cols["phone"]
        self.c_type = cols.get("id_type")
        self.optional = [(k, cols[k]) for k in _OPTIONAL_KEYS if k in cols]
        tally = self.tally = Tally()  # Bad results made outside the memos (ID numbers, phones, member numbers)
        slow_name = safe(clean_name, tally)
        self.names = Memo(lambda raw: fast_name(raw) or slow_name(raw))
        self.types = Memo(safe(clean_id_type, tally))
        self.phone_of = safe(phone.normalize_phone, tally)
        self.cleaners: dict[str, Callable[[Any], Any]] = {
            "member_no": optional(clean_member_no, tally),
            "id_expiry": _expiry_cleaner(tally),
            "gender": optional(clean_gender, tally),
            "birth_date": _date_cleaner("birth_date", today, tally),
            "work_address": optional(lambda raw: address.validate_work_address(raw, required=False), tally),
            "label": optional(clean_label, tally),
            "join_date": _date_cleaner("join_date", today, tally),
            "post_type": optional(clean_post_type, tally),
        }
        # Member numbers are mostly distinct: mapped directly; every other column through a memo.
        self.memos = {k: Memo(fn) for k, fn in self.cleaners.items() if k != "member_no"}
        self.expiry_cache: dict[tuple[Any, int | None], list[Problem]] = {}
        self.fine = expiry_fine(today)
        self.births_seen: dict[str, date | None] = {}
        # A file has a few thousand distinct birth dates (the ID cleaner shares them): each written once.
        self.birth_texts: dict[Any, Any] = {None: None}
        self.mainland = columnwise.MainlandIds(today)
        self.expiries = columnwise.Expiries(today)

    def id_numbers(self, raws: Sequence[Any], types: list[Any], others: list[int]
                   ) -> tuple[list[Any], list[Any], list[Any]]:
        """(numbers, genders, dates of birth) of a slice's ID cells: gender and birth come from a
        mainland ID, else None. `others` are the positions whose document is not a mainland ID."""
        numbers, genders, births, declined = self.mainland(raws)
        if others:
            declined = sorted({*declined, *others})
        for i in declined:
            numbers[i], genders[i], births[i] = self.id_number(raws[i], types[i])
        return numbers, genders, births

    def id_number(self, raw: Any, id_type: Any) -> tuple[Any, Any, Any]:
        """(number, gender, date of birth) of one cell, as `id_numbers`."""
        mainland = IdType.MAINLAND
        fast = fast_mainland_id(raw, self.today, self.births_seen) if id_type == mainland else None
        if fast is not None:
            return fast
        if type(id_type) is Bad:
            return None, None, None
        try:
            number, parsed = idcard.validate_document(id_type, id_number_text(raw, id_type), self.today)
        except RuleError as exc:
            self.tally.count += 1
            return Bad(exc.problem), None, None
        if parsed is not None:
            return number, str(parsed.gender), parsed.birth_date
        # the 2023 permanent-residence number carries a birth date too
        return number, None, idcard.carried_birth_date(id_type, number)

    def phones(self, raws: Sequence[Any]) -> list[Any]:
        phones = list(raws)
        phone_of = self.phone_of
        for i in columnwise.declined_phones(raws):
            phones[i] = fast_phone(raws[i]) or phone_of(raws[i])
        return phones


def check_rows(sheet: SheetData, options: ImportOptions, progress: ProgressFn | None,
               span: tuple[int, int]) -> Checked:
    """Every rule that concerns one row at a time, column by column, a slice of rows at a time."""
    checked = Checked([], {k: [] for k in ("name", "id_type", "id_number", "gender", "birth_date",
                                           "phone", *_OPTIONAL_KEYS)}, set(), [], [])
    columns = _Columns(sheet, options.today)
    body = sheet.rows[sheet.header_index + 1:]
    width = len(sheet.rows[sheet.header_index])
    total = len(body)
    lo, hi = span
    for at in range(0, total, SLICE):
        if progress:
            progress(lo + (hi - lo) * at // max(total, 1), PROGRESS_TOTAL)
        cells, numbers = _data_columns(body[at:at + SLICE], sheet.header_index + 2 + at, sheet.columns, width)
        if numbers:
            start = len(checked.row_numbers)
            checked.row_numbers += numbers
            _check_slice(sheet, checked, columns, cells, start)
    if progress:
        progress(hi, PROGRESS_TOTAL)
    return checked


def _check_slice(sheet: SheetData, checked: Checked, columns: _Columns, cells: list[tuple[Any, ...]],
                 start: int) -> None:
    """Check the rows start … start + n given as their `cells`, column by column, and append their
    fields to `checked`."""
    tally = columns.tally
    raw_names = list(cells[columns.c_name])
    n = len(raw_names)
    names = fast_names(raw_names) or columns.names.map(raw_names)
    if columns.c_type is None:
        types: list[Any] = [IdType.MAINLAND] * n
    else:
        types = columns.types.map(cells[columns.c_type])
    others = columnwise.where(map(ne, types, repeat(IdType.MAINLAND)))  # Bad ones too
    made = tally.count
    numbers, genders, births = columns.id_numbers(cells[columns.c_idn], types, others)
    maybe_bad = {"name": columns.names.bad, "id_type": columns.types.bad, "id_number": tally.count != made}
    made = tally.count
    phones = columns.phones(cells[columns.c_phone])
    maybe_bad["phone"] = tally.count != made
    texts = columns.birth_texts
    for b in set(births).difference(texts):
        texts[b] = b.isoformat()
    birth_texts = list(map(texts.__getitem__, births))
    given: dict[str, list[Any]] = {}
    for key, index in columns.optional:
        column = cells[index]
        memo = columns.memos.get(key)
        if memo is None:
            made = tally.count
            given[key] = list(map(columns.cleaners[key], column))
            maybe_bad[key] = tally.count != made
        elif key == "birth_date":
            given[key] = _given_births(memo, column, births, birth_texts)
            maybe_bad[key] = memo.bad
        else:
            given[key] = memo.map(column)
            maybe_bad[key] = memo.bad

    # Errors of single cells, in column order (only columns that may hold one are scanned).
    for key, values in (("name", names), ("id_type", types), ("id_number", numbers), ("phone", phones),
                        *given.items()):
        if not maybe_bad[key]:
            continue
        for i in columnwise.where(map(is_, map(type, values), repeat(Bad))):
            checked.issue(sheet, start + i, key, values[i].problem)
            values[i] = None

    f = checked.fields
    _gender_and_birth(sheet, checked, start, given, genders, birth_texts)
    _require_hand_typed(sheet, checked, start, types, others)
    _check_expiries(sheet, checked, columns, start, given.get("id_expiry"), types, births, others)
    f["name"] += names
    f["id_type"] += types
    f["id_number"] += numbers
    f["phone"] += phones
    for key in _OPTIONAL_KEYS:
        if key in ("gender", "birth_date"):
            continue
        f[key] += given[key] if key in given else [None] * n


def _given_births(memo: Memo, column: Sequence[Any], births: list[Any], birth_texts: list[Any]) -> list[Any]:
    """The birth date column cleaned: a cell holding the very date its row's ID number carries is
    that date's text without the cleaner (a date an ID number carries is never before 1900 nor
    after today, so the cleaner would give the same text); the others through `memo`."""
    cleaned = list(birth_texts)
    differ = columnwise.where(map(not_, map(eq, column, births)))
    for i, value in zip(differ, memo.map([column[i] for i in differ])):
        cleaned[i] = value
    return cleaned


def _gender_and_birth(sheet: SheetData, checked: Checked, start: int, given: dict[str, list[Any]],
                      genders: list[Any], birth_texts: list[Any]) -> None:
    """Gender and birth date: derived from a mainland ID (a different value given is an error),
    typed by hand for other documents. Takes both columns out of `given` into `checked`."""
    f = checked.fields
    for key, derived in (("gender", genders), ("birth_date", birth_texts)):
        column = given.pop(key, None)
        if column is None:
            f[key] += derived
            continue
        for i in columnwise.where(map(ne, derived, column)):
            d, g = derived[i], column[i]
            if d is None:
                derived[i] = g
            elif g is not None:
                checked.issue(sheet, start + i, key, _mismatch(key, g, d))
        f[key] += derived


def _require_hand_typed(sheet: SheetData, checked: Checked, start: int, types: list[Any], others: list[int]) -> None:
    """Gender and birth date of a document that does not carry them (护照, 回乡证, 台胞证, the
    permanent-residence permits; the 2023 one carries only the birth date): required, or the row
    is refused naming the column — else the member could never be flagged for retirement.
    `others` are the positions of the documents other than a mainland ID."""
    f = checked.fields
    for i in others:
        id_type = types[i]
        at = start + i
        if id_type is None or id_type == IdType.MAINLAND or type(id_type) is Bad or at in checked.bad:
            continue
        for key in ("gender", "birth_date"):
            if f[key][at] is None:
                column = sheet.column_name(key)
                checked.issue(sheet, at, key, Problem(
                    f"{key}_required", f"{ID_TYPE_LABELS.get(id_type, id_type)}号码中没有{column}，“{column}”必须填写。"
                                       f"请按证件在“{column}”列填写后重新导入。"))


def _check_expiries(sheet: SheetData, checked: Checked, columns: _Columns, start: int,
                    expiries: list[Any] | None, types: list[Any], births: list[Any], others: list[int]) -> None:
    """ID expiry: the mainland card's validity rules (by age); other documents only warn when
    past. Leaves each expiry as stored text. `others` are the positions of the documents other
    than a mainland ID: with the expiries the age bands cannot clear, they are checked one by one."""
    if expiries is None:
        return
    bands = columns.expiries.bands_of(births)
    for i in others:
        bands[i] = columnwise.NO_BAND
    texts, doubtful = columns.expiries(expiries, bands)
    for i in doubtful:
        texts[i] = _check_expiry(sheet, checked, columns, start + i, expiries[i], types[i], births[i])
    expiries[:] = texts


def _check_expiry(sheet: SheetData, checked: Checked, columns: _Columns, at: int, value: Any, id_type: Any,
                  birth: date | None) -> Any:
    """One expiry (date, 长期 or None) of row `at`: its problems reported, its stored text returned."""
    if value is None:
        return None
    today = columns.today
    if id_type == IdType.MAINLAND:
        if columns.fine(value, birth):
            return value if type(value) is str else value.isoformat()
        key = (value, _age(birth, today))
        problems = columns.expiry_cache.get(key)
        if problems is None:
            problems = columns.expiry_cache[key] = expiry.check_id_expiry(value, today, birth)
        for p in problems:
            checked.issue(sheet, at, "id_expiry", p, p.severity)
    elif type(value) is date and value < today:
        checked.issue(sheet, at, "id_expiry", Problem(
            "expiry_past", f"证件已于{value.isoformat()}过期。请提醒会员换领新证件，并更新有效期。",
            WARNING), WARNING)
    return value if type(value) is str else value.isoformat()


def duplicates_in_file(checked: Checked, sheet: SheetData) -> None:
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
        keep = [True] * len(values)
        for i in bad:
            keep[i] = False
        valid = list(compress(values, keep))
        if len(set(valid)) == len(valid):
            continue  # no value repeats (most files): nothing to group
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


SNAP = {name: i for i, name in enumerate(IMPORT_SNAPSHOT_COLUMNS)}
#: Fields a row may change on an existing member (stored column names).
UPDATABLE = ("member_no", "name", "id_type", "id_expiry", "gender", "birth_date", "phone", "work_address",
              "label", "join_date", "post_type")


def phone_conflicts(checked: Checked, existing: dict[str, tuple], sheet: SheetData,
                     progress: ProgressFn | None = None, at: int = 0) -> None:
    """Rows whose phone would, after the import, belong to another member of the union.

    A phone may move between members in one import (A takes B's old phone while B gets a new one),
    so the check is on the final state, repeated until no more rows drop out.
    """
    ids, phones = checked.fields["id_number"], checked.fields["phone"]
    owner_of_phone = {m[SNAP["phone"]]: m for m in existing.values() if m[SNAP["phone"]]}
    if not owner_of_phone:  # no member has a phone yet (a union's first import): no row can take one
        if progress:
            progress(at, PROGRESS_TOTAL)
        return
    while True:
        valid = [i for i in range(len(ids)) if i not in checked.bad]
        new_phone_of = {existing[ids[i]][SNAP["id"]]: phones[i] for i in valid if ids[i] in existing}
        dropped = False
        if progress:
            progress(at, PROGRESS_TOTAL)
        for k, i in enumerate(valid):
            if progress and k % SLICE == 0:
                progress(at, PROGRESS_TOTAL)
            owner = owner_of_phone.get(phones[i])
            if owner is None or owner[SNAP["id_number"]] == ids[i]:
                continue
            moved_to = new_phone_of.get(owner[SNAP["id"]])
            if moved_to is not None and moved_to != phones[i]:
                continue  # its current owner gets another phone in this same import
            number = owner[SNAP["member_no"]] or "无"
            checked.issue(sheet, i, "phone", Problem(
                "phone_in_use",
                f"手机号码已被本工会会员 {owner[SNAP['name']]}（会员编号 {number}）使用。"
                "同一工会会员的手机号码不能重复，请核对后修改。"))
            dropped = True
        if not dropped:
            return

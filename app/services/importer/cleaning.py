"""Cell cleaners: a raw cell of the clerk's file → the value stored, or a RuleError saying why not.

Each `clean_*` is the rule for one column. Checking a 100,000-row file calls them millions of
times, so they are wrapped to return `Bad` instead of raising (`safe`, `optional`) and memoised
per distinct value (`Memo`); and the commonest clean inputs take a fast path proven equal to the
rule on every input it accepts (tests/services/test_import_rules.py, with hypothesis).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from itertools import compress, repeat
from operator import is_
from typing import Any

from app.rules import dates, expiry, idcard
from app.rules.codes import (
    ID_TYPE_LABELS,
    POST_TYPE_LABELS,
    Gender,
    IdType,
    PostType,
    code_for_label,
)
from app.rules.normalize import compact, normalize_text
from app.rules.problems import Problem, RuleError

MAX_NAME_LENGTH = 50
MAX_LABEL_LENGTH = 50
MAX_MEMBER_NO_LENGTH = 30


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
    """A date not after today, as ISO text (dates.parse_past_date: the server applies it too)."""
    return dates.parse_past_date(raw, what, today).isoformat()


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


class Bad:
    """A cell that broke a rule, kept in a column's results (raising per cell would be slower)."""

    __slots__ = ("problem",)

    def __init__(self, problem: Problem) -> None:
        self.problem = problem


def blank(raw: Any) -> bool:
    return raw is None or raw == "" or (type(raw) is str and not raw.strip())


class Tally:
    """How many Bad results the cleaners of one file have made: a column whose building did not
    move the count holds no error and is not scanned for one."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


def safe(fn: Callable[[Any], Any], tally: Tally) -> Callable[[Any], Any]:
    """`fn` returning Bad (counted in `tally`) instead of raising RuleError."""
    def call(raw: Any) -> Any:
        try:
            return fn(raw)
        except RuleError as exc:
            tally.count += 1
            return Bad(exc.problem)
    return call


def optional(fn: Callable[[Any], Any], tally: Tally) -> Callable[[Any], Any]:
    """`safe(fn)` for an optional cell: a blank cell is None (not given)."""
    checked = safe(fn, tally)

    def call(raw: Any) -> Any:
        if raw is None or raw == "" or (type(raw) is str and not raw.strip()):
            return None
        return checked(raw)
    return call


class Memo:
    """`fn` computed once per distinct value of a column: real files repeat their addresses,
    labels, document types and dates. Values that compare equal across types (1 == 1.0 == True)
    are keyed with their type. `bad` tells whether any value so far was refused."""

    __slots__ = ("fn", "cache", "bad", "whole")

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn
        self.cache: dict[Any, Any] = {}
        self.bad = False
        self.whole = True  # every key is a self-keyed value (no (type, value) key yet)

    def map(self, values: Sequence[Any]) -> list[Any]:
        """[fn(v) for v in values]."""
        cache, fn = self.cache, self.fn
        if self.whole:
            # Every value seen so far was self-keyed, so a raw lookup finds only a key of the
            # value's own type: when all hit (most slices of a column after its first), one C pass;
            # when some miss and every value keys itself, only the misses are looked at again.
            try:
                out = list(map(cache.get, values, repeat(_MISSING)))
            except TypeError:  # an unhashable cell
                out = None
            if out is not None:
                missing = list(compress(range(len(out)), map(is_, out, repeat(_MISSING))))
                if not missing:
                    return out
                if set(map(type, values)) <= _SELF_KEYED:
                    self._fill(values, out, missing)
                    return out
        if set(map(type, values)) <= _SELF_KEYED:
            # Text, dates and blanks never equal a value of another type: they key themselves,
            # and the lookups run in C.
            for raw in set(values).difference(cache):
                hit = cache[raw] = fn(raw)
                if type(hit) is Bad:
                    self.bad = True
            return list(map(cache.__getitem__, values))
        self.whole = False
        get = cache.get
        out = []
        append = out.append
        for raw in values:
            kind = type(raw)
            key = raw if kind in _SELF_KEYED else (kind, raw)
            hit = get(key, _MISSING)
            if hit is _MISSING:
                hit = cache[key] = fn(raw)
                if type(hit) is Bad:
                    self.bad = True
            append(hit)
        return out


    def _fill(self, values: Sequence[Any], out: list[Any], missing: list[int]) -> None:
        """out[i] = fn(values[i]) for each i in `missing`, values that key themselves."""
        cache, fn = self.cache, self.fn
        for i in missing:
            raw = values[i]
            hit = cache.get(raw, _MISSING)
            if hit is _MISSING:
                hit = cache[raw] = fn(raw)
                if type(hit) is Bad:
                    self.bad = True
            out[i] = hit


#: Cell types whose values are their own memo keys (no value of one equals a value of another).
_SELF_KEYED = frozenset((str, date, type(None)))


# --- fast paths, each equal to its rule on the inputs it accepts (tests/services/test_import_rules.py
# checks that with generated inputs); anything else goes to the rule itself ---------------------------

_CHECK_CHARS = "10X98765432"
# Plain str, not the enum members: sqlite3 binds an exact str directly but runs its adapter
# lookup for every value of a str subclass (a third of the insert's time for three such columns).
_MALE, _FEMALE = str(Gender.MALE), str(Gender.FEMALE)
# The ID's weights are 2**(17 - i) mod 11, and 13 = 2 (mod 11): the 17 digits read as a base-13
# number, doubled, give the weighted sum mod 11 in one C call (a third of this function's time before).
assert all(w == 2 ** (17 - i) % 11 for i, w in enumerate(idcard.WEIGHTS))
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
    if _CHECK_CHARS[2 * int(head, 13) % 11] != last:
        return None
    return raw, (_MALE if raw[16] in "13579" else _FEMALE), birth


_PLAIN_NAME = re.compile(rf"[\u4e00-\u9fff]{{1,{MAX_NAME_LENGTH}}}")


def fast_name(raw: Any) -> str | None:
    """A name cell of Chinese characters only (what `clean_name` returns unchanged), else None."""
    if type(raw) is str and _PLAIN_NAME.fullmatch(raw):
        return raw
    return None


_NAME_LINES = re.compile(rf"(?:{_PLAIN_NAME.pattern}\n)*{_PLAIN_NAME.pattern}")


def fast_names(raws: list[Any]) -> list[Any] | None:
    """`raws` itself when every cell passes `fast_name` (tested in one regex match over the
    column joined by newlines, which no plain name contains), else None: a file's names are
    mostly distinct, so checking them one call each (or memoised) costs ten times more."""
    if not raws or set(map(type, raws)) != {str}:
        return None
    joined = "\n".join(raws)
    if joined.count("\n") != len(raws) - 1 or not _NAME_LINES.fullmatch(joined):
        return None
    return raws


_TYPED_DATE = re.compile(r"([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})")


def fast_typed_date(raw: Any) -> date | None:
    """A date typed as clean text (2033-01-01, 2033/1/1, 2033.01.01: nothing for
    `dates.parse_date` to normalise) that is a real day, else None (the rule decides)."""
    if type(raw) is str:
        match = _TYPED_DATE.fullmatch(raw)
        if match:
            try:
                return date(int(match[1]), int(match[3]), int(match[4]))
            except ValueError:
                return None
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

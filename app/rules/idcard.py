"""Identity documents: the mainland resident ID number (GB 11643-1999) and the other documents a
member may hold (see RULES.md "Mainland resident ID number" and "Other document types").

The mainland number carries the birth date and gender, so it is parsed into a `MainlandId`;
other documents only get a format check and their holder's gender and birth date are entered by hand.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from operator import mul
from datetime import date

from app.rules.codes import ID_TYPE_LABELS, Gender, IdType, code_for_label
from app.rules.normalize import compact
from app.rules.problems import RuleError, fail

FIELD = "id_number"

# First two digits of the address code. 71 is Taiwan; 81/82 are Hong Kong/Macao and 83 Taiwan as
# used by residence permits for HK/Macao/Taiwan residents (address codes 810000/820000/830000).
PROVINCE_CODES: frozenset[str] = frozenset(
    [str(n) for n in range(11, 16)]
    + [str(n) for n in range(21, 24)]
    + [str(n) for n in range(31, 38)]
    + [str(n) for n in range(41, 47)]
    + [str(n) for n in range(50, 55)]
    + [str(n) for n in range(61, 66)]
    + ["71", "81", "82", "83"]
)

# ISO 7064 MOD 11-2: weight of position i is 2**(17 - i) mod 11.
WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
#: What the weights add to a total of the digits' byte values (ord('0') == 48 each).
_DIGIT_OFFSET = ord("0") * sum(WEIGHTS)

MIN_BIRTH_YEAR = 1900

_DIGITS17 = re.compile(r"^[0-9]{17}$")


def check_character(first17: str) -> str:
    """The check character ('0'-'9' or 'X') of an 18-character number from its first 17 digits."""
    if not _DIGITS17.match(first17):
        raise ValueError(f"check_character needs exactly 17 ASCII digits, got {first17!r}")
    # The digits' bytes are their values plus 48 ('0'): one pass in C, the offset taken off once.
    total = sum(map(mul, first17.encode("ascii"), WEIGHTS)) - _DIGIT_OFFSET
    return _CHECK_CHARS[total % 11]


@dataclass(frozen=True)
class MainlandId:
    number: str
    region_code: str
    birth_date: date
    gender: Gender


def upgrade_legacy_id(raw15: str) -> str:
    """The 18-digit form of a 15-digit legacy number: '19' after the address code, plus check char."""
    digits = compact(raw15)
    if not re.fullmatch(r"[0-9]{15}", digits):
        raise fail("id_legacy_format", f"“{digits}”不是15位数字的旧身份证号码，无法升级为18位。请核对证件。", FIELD)
    first17 = digits[:6] + "19" + digits[6:]
    return first17 + check_character(first17)


def parse_mainland_id(raw: str, today: date | None = None) -> MainlandId:
    """Check a mainland resident ID number and read its birth date and gender.

    Full-width characters and spaces are removed and a lower-case x is upper-cased first.
    Raises RuleError (field "id_number") naming the problem; a wrong check character is reported
    as a typing mistake without revealing the correct character.
    """
    today = today or date.today()
    number = compact(raw).upper()
    if not number:
        raise fail("id_required", "身份证号码为空。请填写18位身份证号码。", FIELD)
    if len(number) == 15 and number.isdigit() and number.isascii():
        _raise_legacy(number, today)
    if len(number) != 18:
        raise fail(
            "id_length",
            f"身份证号码应为18位，现在是{len(number)}位（{number}）。请对照证件检查是否多输或漏输。",
            FIELD,
        )
    if not (_DIGITS17.match(number[:17]) and number[17] in "0123456789X"):
        raise fail(
            "id_chars",
            f"身份证号码“{number}”含有不允许的字符：前17位只能是数字，最后一位是数字或X。请对照证件修改。",
            FIELD,
        )
    if number[:2] not in PROVINCE_CODES:
        raise fail(
            "id_province",
            f"身份证号码“{number}”的前两位“{number[:2]}”不是有效的省级行政区划代码。请对照证件检查前两位。",
            FIELD,
        )
    birth = _birth_in_number(
        number, today, "身份证号码", ("id_birth_date_invalid", "id_birth_date_future", "id_birth_date_too_early")
    )
    if check_character(number[:17]) != number[17]:
        raise fail(
            "id_check_char",
            f"身份证号码“{number}”校验不通过，可能有数字输错或顺序颠倒。请对照证件逐位核对。",
            FIELD,
        )
    gender = Gender.MALE if int(number[16]) % 2 == 1 else Gender.FEMALE
    return MainlandId(number=number, region_code=number[:6], birth_date=birth, gender=gender)


def _raise_legacy(number15: str, today: date) -> None:
    upgraded = upgrade_legacy_id(number15)
    try:
        parse_mainland_id(upgraded, today)
    except RuleError:  # an invalid upgraded number must not be suggested
        raise fail(
            "id_legacy_15",
            f"“{number15}”是15位旧身份证号码，且其中的地区或出生日期无效。请改填证件上的18位身份证号码。",
            FIELD,
        ) from None
    raise fail(
        "id_legacy_15",
        f"“{number15}”是15位旧身份证号码，系统只接受18位号码。对应的18位号码应为{upgraded}，"
        "请与证件核对后改填18位号码。",
        FIELD,
    )


# --- other documents -------------------------------------------------------------------------

_HK_MACAO = re.compile(r"^[HM](\d{8}|\d{10})$", re.ASCII)
_TAIWAN = re.compile(r"^\d{8}$", re.ASCII)
_PASSPORT_CN = re.compile(r"^(E\d{8}|E[A-Z]\d{7}|(DE|SE|PE)\d{7})$", re.ASCII)
_PASSPORT_FOREIGN = re.compile(r"^[A-Z0-9]{5,17}$", re.ASCII)
_FOREIGN_PR_OLD = re.compile(r"^[A-Z]{3}\d{12}$", re.ASCII)
_FOREIGN_PR_NEW = re.compile(r"^9\d{16}[\dX]$", re.ASCII)


def _id_type_code(id_type: str) -> str:
    code = code_for_label(ID_TYPE_LABELS, str(id_type or ""))
    if code is None:
        labels = "、".join(ID_TYPE_LABELS.values())
        raise fail("id_type_unknown", f"证件类型“{id_type}”无法识别。请选择：{labels}。", "id_type")
    return code


def validate_document(id_type: str, raw: str, today: date | None = None) -> tuple[str, MainlandId | None]:
    """Check a document number of the given type (an `IdType` code or its Chinese label).

    Returns the normalised number and, for a mainland ID, its parsed contents (else None).
    Raises RuleError when the number does not fit the document's format.
    """
    code = _id_type_code(id_type)
    if code == IdType.MAINLAND:
        parsed = parse_mainland_id(raw, today)
        return parsed.number, parsed
    number = compact(raw).upper()
    label = ID_TYPE_LABELS[code]
    if not number:
        raise fail("id_required", f"{label}号码为空。请填写证件号码。", FIELD)
    if code == IdType.HK_MACAO:
        if not _HK_MACAO.match(number):
            raise fail(
                "hk_macao_format",
                f"港澳居民来往内地通行证号码“{number}”格式不对：应为H或M开头，后跟8位数字（新证）或10位数字（旧证）。"
                "请对照证件修改。",
                FIELD,
            )
    elif code == IdType.TAIWAN:
        if not _TAIWAN.match(number):
            raise fail(
                "taiwan_format",
                f"台湾居民来往大陆通行证号码“{number}”格式不对：应为8位数字。请对照证件修改。",
                FIELD,
            )
    elif code == IdType.PASSPORT:
        # Chinese passports (E…, DE/SE/PE…) are a subset of the foreign pattern; a foreign
        # passport's format varies by country, so the loose pattern is the real gate.
        if not (_PASSPORT_CN.match(number) or _PASSPORT_FOREIGN.match(number)):
            raise fail(
                "passport_format",
                f"护照号码“{number}”格式不对：应为5–17位字母或数字（中国护照如E12345678、EA1234567）。"
                "请对照证件修改。",
                FIELD,
            )
    elif code == IdType.FOREIGN_PR:
        _check_foreign_pr(number, today or date.today())
    return number, None


def _check_foreign_pr(number: str, today: date) -> None:
    if _FOREIGN_PR_OLD.match(number):
        return
    if _FOREIGN_PR_NEW.match(number):
        _check_foreign_pr_birth(number, today)
        if check_character(number[:17]) != number[17]:
            raise fail(
                "foreign_pr_check_char",
                f"外国人永久居留身份证号码“{number}”校验不通过，可能有数字输错。请对照证件逐位核对。",
                FIELD,
            )
        return
    raise fail(
        "foreign_pr_format",
        f"外国人永久居留身份证号码“{number}”格式不对：应为18位（以9开头）的新证号码，"
        "或15位（3个字母加12位数字）的旧证号码。请对照证件修改。",
        FIELD,
    )


def _check_foreign_pr_birth(number: str, today: date) -> None:
    """The 2023 permanent-residence number carries the birth date in characters 7–14: a real date,
    not in the future, not before 1900 — as a mainland ID's."""
    _birth_in_number(number, today, "外国人永久居留身份证号码", ("foreign_pr_birth_date_invalid",) * 3)


def _birth_in_number(number: str, today: date, document: str, codes: tuple[str, str, str]) -> date:
    """The birth date in characters 7–14 of an 18-character number: a real date (else codes[0]),
    not after `today` (codes[1]), not before 1900 (codes[2]); the message names the document."""
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise fail(
            codes[0],
            f"{document}“{number}”中的出生日期“{number[6:14]}”不是真实存在的日期（第7–14位应为出生年月日）。"
            "请对照证件检查。",
            FIELD,
        ) from None
    if birth > today or birth.year < MIN_BIRTH_YEAR:
        code, when = (codes[1], "晚于今天") if birth > today else (codes[2], "早于1900年")
        raise fail(code, f"{document}“{number}”中的出生日期{birth.isoformat()}{when}。请对照证件检查第7–14位。", FIELD)
    return birth


def carried_birth_date(id_type: str, number: str) -> date | None:
    """The birth date a (valid) document number carries: a mainland ID's and the 2023
    permanent-residence number's characters 7–14; None for documents that carry none
    (护照, 回乡证, 台胞证, the old permanent-residence permit)."""
    code = _id_type_code(id_type)
    text = compact(number).upper()
    if code == IdType.MAINLAND or (code == IdType.FOREIGN_PR and _FOREIGN_PR_NEW.match(text)):
        try:
            return date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
        except ValueError:
            return None
    return None


def mask_id(number: str) -> str:
    """A document number for display with its middle hidden, e.g. "4128 **** **** 0026".

    Long numbers (15+ characters) show the first and last 4; shorter ones the first and last 2
    (or 1 for very short ones), so that at most 8 characters are ever shown.
    """
    text = compact(number).upper()
    n = len(text)
    if n == 0:
        return ""
    if n >= 15:
        return f"{text[:4]} **** **** {text[-4:]}"
    if n >= 7:
        return f"{text[:2]} **** {text[-2:]}"
    if n >= 5:
        return f"{text[:1]} **** {text[-1:]}"
    return "****"


__all__ = [
    "PROVINCE_CODES",
    "WEIGHTS",
    "MainlandId",
    "carried_birth_date",
    "check_character",
    "mask_id",
    "parse_mainland_id",
    "upgrade_legacy_id",
    "validate_document",
]

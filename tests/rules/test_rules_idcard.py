"""Mainland ID numbers and the other identity documents (RULES.md)."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rules.codes import Gender, IdType
from app.rules.idcard import (
    PROVINCE_CODES,
    WEIGHTS,
    check_character,
    mask_id,
    parse_mainland_id,
    upgrade_legacy_id,
    carried_birth_date,
    validate_document,
)
from app.rules.problems import RuleError

TODAY = date(2025, 6, 1)
VALID_IDS = ["610104196209276908", "810000199408230021", "830000199201300022"]


def with_check(first17: str) -> str:
    return first17 + check_character(first17)


def test_province_codes_are_exactly_the_listed_ones() -> None:
    expected = (
        set(range(11, 16)) | set(range(21, 24)) | set(range(31, 38)) | set(range(41, 47))
        | set(range(50, 55)) | set(range(61, 66)) | {71, 81, 82, 83}
    )
    assert PROVINCE_CODES == frozenset(str(n) for n in expected)


def test_weights_are_iso_7064_mod_11_2() -> None:
    assert WEIGHTS == (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    assert WEIGHTS == tuple(2 ** (17 - i) % 11 for i in range(17))


@pytest.mark.parametrize(
    ("number", "region", "birth", "gender"),
    [
        ("610104196209276908", "610104", date(1962, 9, 27), Gender.FEMALE),
        ("810000199408230021", "810000", date(1994, 8, 23), Gender.FEMALE),
        ("830000199201300022", "830000", date(1992, 1, 30), Gender.FEMALE),
    ],
)
def test_valid_examples(number: str, region: str, birth: date, gender: Gender) -> None:
    parsed = parse_mainland_id(number, TODAY)
    assert parsed.number == number
    assert parsed.region_code == region
    assert parsed.birth_date == birth
    assert parsed.gender == gender
    assert check_character(number[:17]) == number[17]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" 6101 0419 6209 2769 08 ", "610104196209276908"),
        ("６１０１０４１９６２０９２７６９０８", "610104196209276908"),
        ("610104196209276908\u3000", "610104196209276908"),
    ],
)
def test_normalisation_before_checking(raw: str, expected: str) -> None:
    assert parse_mainland_id(raw, TODAY).number == expected


def test_lower_case_x_is_upper_cased_and_odd_17th_digit_is_male() -> None:
    number = with_check("11010519491231002")
    assert number.endswith("X")
    parsed = parse_mainland_id(number.lower(), TODAY)
    assert parsed.number == number
    assert parsed.gender == Gender.FEMALE
    male = parse_mainland_id(with_check("11010519491231001"), TODAY)
    assert male.gender == Gender.MALE


def test_legacy_upgrade_example() -> None:
    assert upgrade_legacy_id("610104620927690") == "610104196209276908"


def test_legacy_15_digit_is_rejected_with_the_18_digit_form() -> None:
    with pytest.raises(RuleError) as caught:
        parse_mainland_id("610104620927690", TODAY)
    assert caught.value.problem.code == "id_legacy_15"
    assert "610104196209276908" in str(caught.value)
    assert caught.value.problem.field == "id_number"


def test_legacy_15_digit_with_bad_date_suggests_nothing() -> None:
    with pytest.raises(RuleError) as caught:
        parse_mainland_id("610104621327690", TODAY)
    assert caught.value.problem.code == "id_legacy_15"
    assert "19621327" not in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("610104196209276907", "id_check_char"),  # check character changed
        ("61010419620927690X", "id_check_char"),
        ("610104196209276918", "id_check_char"),  # sequence digit changed
        ("810000199408230020", "id_check_char"),
        ("830000199201300023", "id_check_char"),
        (with_check("61010419621327690"), "id_birth_date_invalid"),  # month 13
        (with_check("61010419620230690"), "id_birth_date_invalid"),  # Feb 30
        (with_check("61010419000229690"), "id_birth_date_invalid"),  # 1900 not a leap year
        (with_check("61010419620000690"), "id_birth_date_invalid"),  # month 0
        (with_check("99010419620927690"), "id_province"),  # province 99
        (with_check("00010419620927690"), "id_province"),
        (with_check("72010419620927690"), "id_province"),
        (with_check("61010420250602690"), "id_birth_date_future"),  # tomorrow
        (with_check("61010418991231690"), "id_birth_date_too_early"),
        ("61010419620927690", "id_length"),
        ("6101041962092769081", "id_length"),
        ("", "id_required"),
        (None, "id_required"),
        ("61010419620927690Y", "id_chars"),
        ("6101041962092769X8", "id_chars"),
        ("61010419620927６9A8", "id_chars"),
        ("61010419620927690٣", "id_chars"),  # a non-ASCII digit
    ],
)
def test_invalid_ids(raw: str, code: str) -> None:
    with pytest.raises(RuleError) as caught:
        parse_mainland_id(raw, TODAY)
    assert caught.value.problem.code == code
    assert caught.value.problem.severity == "error"
    assert str(caught.value) == caught.value.problem.message


def test_wrong_check_char_message_does_not_reveal_the_right_one() -> None:
    with pytest.raises(RuleError) as caught:
        parse_mainland_id("610104196209276900", TODAY)
    message = str(caught.value)
    assert "610104196209276908" not in message
    assert "核对" in message


def test_birth_date_today_is_accepted() -> None:
    assert parse_mainland_id(with_check("31010120250601002"), TODAY).birth_date == TODAY
    assert parse_mainland_id(with_check("31010119000101002"), TODAY).birth_date == date(1900, 1, 1)


def test_check_character_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        check_character("1234")


# --- property tests --------------------------------------------------------------------------

valid_first17 = st.builds(
    lambda province, rest, birth, seq: f"{province}{rest}{birth:%Y%m%d}{seq}",
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.from_regex(r"\A[0-9]{4}\Z"),
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.from_regex(r"\A[0-9]{3}\Z"),
)


@given(valid_first17)
def test_check_character_makes_a_valid_number(first17: str) -> None:
    parsed = parse_mainland_id(with_check(first17), TODAY)
    assert parsed.number == with_check(first17)
    assert parsed.gender == (Gender.MALE if int(first17[16]) % 2 else Gender.FEMALE)


@given(valid_first17, st.integers(0, 16), st.integers(1, 9))
def test_any_single_digit_change_is_rejected(first17: str, position: int, shift: int) -> None:
    number = with_check(first17)
    changed_digit = str((int(number[position]) + shift) % 10)
    changed = number[:position] + changed_digit + number[position + 1 :]
    with pytest.raises(RuleError):
        parse_mainland_id(changed, TODAY)


@given(valid_first17, st.sampled_from("0123456789X"))
def test_any_other_check_char_is_rejected(first17: str, check: str) -> None:
    right = check_character(first17)
    if check == right:
        return
    with pytest.raises(RuleError) as caught:
        parse_mainland_id(first17 + check, TODAY)
    assert caught.value.problem.code == "id_check_char"


@given(valid_first17, st.integers(0, 16))
def test_adjacent_transposition_is_rejected(first17: str, position: int) -> None:
    number = with_check(first17)
    if number[position] == number[position + 1]:
        return
    swapped = number[:position] + number[position + 1] + number[position] + number[position + 2 :]
    with pytest.raises(RuleError):
        parse_mainland_id(swapped, TODAY)


# --- other documents -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("id_type", "raw", "expected"),
    [
        (IdType.HK_MACAO, "H12345678", "H12345678"),
        (IdType.HK_MACAO, "m1234567890", "M1234567890"),
        (IdType.HK_MACAO, "Ｈ１２３４５６７８", "H12345678"),
        (IdType.TAIWAN, "12345678", "12345678"),
        (IdType.TAIWAN, " 1234 5678 ", "12345678"),
        (IdType.PASSPORT, "E12345678", "E12345678"),
        (IdType.PASSPORT, "ea1234567", "EA1234567"),
        (IdType.PASSPORT, "DE1234567", "DE1234567"),
        (IdType.PASSPORT, "SE1234567", "SE1234567"),
        (IdType.PASSPORT, "PE1234567", "PE1234567"),
        (IdType.PASSPORT, "AB123", "AB123"),  # foreign, 5 characters
        (IdType.PASSPORT, "X" * 17, "X" * 17),
        (IdType.FOREIGN_PR, "USA310112345678", "USA310112345678"),
        (IdType.FOREIGN_PR, with_check("93184019900101001"), with_check("93184019900101001")),
        ("港澳居民来往内地通行证", "H12345678", "H12345678"),
        ("护照", "E12345678", "E12345678"),
    ],
)
def test_valid_other_documents(id_type: str, raw: str, expected: str) -> None:
    assert validate_document(id_type, raw, TODAY) == (expected, None)


@pytest.mark.parametrize(
    ("id_type", "raw", "code"),
    [
        (IdType.HK_MACAO, "H1234567", "hk_macao_format"),
        (IdType.HK_MACAO, "H123456789", "hk_macao_format"),  # 9 digits
        (IdType.HK_MACAO, "K12345678", "hk_macao_format"),
        (IdType.HK_MACAO, "12345678", "hk_macao_format"),
        (IdType.TAIWAN, "1234567", "taiwan_format"),
        (IdType.TAIWAN, "123456789", "taiwan_format"),
        (IdType.TAIWAN, "A1234567", "taiwan_format"),
        (IdType.PASSPORT, "E123", "passport_format"),
        (IdType.PASSPORT, "X" * 18, "passport_format"),
        (IdType.PASSPORT, "E1234-5678", "passport_format"),
        (IdType.PASSPORT, "", "id_required"),
        (IdType.FOREIGN_PR, "US3101123456789", "foreign_pr_format"),
        (IdType.FOREIGN_PR, "USA31011234567", "foreign_pr_format"),
        (IdType.FOREIGN_PR, "831840199001010011", "foreign_pr_format"),  # must start with 9
        (IdType.FOREIGN_PR, "93184019900101001" + "Y", "foreign_pr_format"),
        ("驾驶证", "123456", "id_type_unknown"),
    ],
)
def test_invalid_other_documents(id_type: str, raw: str, code: str) -> None:
    with pytest.raises(RuleError) as caught:
        validate_document(id_type, raw, TODAY)
    assert caught.value.problem.code == code


def test_foreign_pr_new_form_uses_the_check_character() -> None:
    good = with_check("93184019900101001")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(RuleError) as caught:
        validate_document(IdType.FOREIGN_PR, bad, TODAY)
    assert caught.value.problem.code == "foreign_pr_check_char"


@pytest.mark.parametrize("birth", ["19901301", "19900230", "20991231", "18991231"])
def test_foreign_pr_2023_number_carries_a_real_birth_date(birth: str) -> None:
    """Defect 9: characters 7–14 of the 2023 permanent-residence number were never checked."""
    bad = with_check(f"931840{birth}001")
    with pytest.raises(RuleError) as caught:
        validate_document(IdType.FOREIGN_PR, bad, TODAY)
    assert caught.value.problem.code == "foreign_pr_birth_date_invalid"
    assert "第7–14位" in caught.value.problem.message


def test_carried_birth_date() -> None:
    assert carried_birth_date(IdType.FOREIGN_PR, with_check("93184019900101001")) == date(1990, 1, 1)
    assert carried_birth_date("身份证", "610104196209276908") == date(1962, 9, 27)
    for id_type, number in ((IdType.FOREIGN_PR, "USA310112345678"), (IdType.PASSPORT, "E12345678"),
                            (IdType.HK_MACAO, "H12345678"), (IdType.TAIWAN, "12345678")):
        assert carried_birth_date(id_type, number) is None


def test_validate_document_mainland_returns_the_parsed_id() -> None:
    number, parsed = validate_document(IdType.MAINLAND, "610104196209276908", TODAY)
    assert number == "610104196209276908"
    assert parsed is not None and parsed.birth_date == date(1962, 9, 27)
    assert validate_document("身份证", "610104196209276908", TODAY)[1] == parsed
    with pytest.raises(RuleError):
        validate_document(IdType.MAINLAND, "610104620927690", TODAY)


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("412823199001010026", "4128 **** **** 0026"),
        ("610104196209276908", "6101 **** **** 6908"),
        ("11010519491231002x", "1101 **** **** 002X"),
        ("USA310112345678", "USA3 **** **** 5678"),
        ("H12345678", "H1 **** 78"),
        ("M1234567890", "M1 **** 90"),
        ("12345678", "12 **** 78"),
        ("AB12345", "AB **** 45"),
        ("AB123", "A **** 3"),
        ("AB12", "****"),
        ("", ""),
    ],
)
def test_mask_id(number: str, masked: str) -> None:
    assert mask_id(number) == masked


@given(st.text(alphabet="0123456789ABCDEFGHX", max_size=20))
def test_mask_never_reveals_more_than_eight_characters(number: str) -> None:
    masked = mask_id(number)
    assert sum(ch not in " *" for ch in masked) <= min(8, len(number))

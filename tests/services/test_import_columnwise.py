"""The importer's column-wise fast paths give exactly the per-cell path's answers on the cells they
accept and decline the others; a whole sheet checked with them gives the same fields, verdicts and
Chinese messages as checked cell by cell."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.rules import idcard
from app.rules.codes import Category
from app.rules.dates import LONG_TERM
from app.rules.expiry import add_years
from app.services.importer import checking, columnwise
from app.services.importer.cleaning import Memo, expiry_fine, fast_mainland_id, fast_phone
from app.services.importer.plan import ImportOptions
from app.services.spreadsheets import EXAMPLE_ID, EXAMPLE_NAME, SheetData

TODAY = date(2026, 11, 28)


def _number(region: str, birth: date, seq: int) -> str:
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + idcard.check_character(first17)


_BIRTHS = st.dates(min_value=date(1890, 1, 1), max_value=date(2030, 12, 31))
_VALID_IDS = st.builds(_number, st.sampled_from(["110101", "310104", "810000", "830000", "440305", "710000"]),
                       _BIRTHS, st.integers(0, 999))


def _mutated(number: str, pos: int, char: str) -> str:
    return number[:pos] + char + number[pos + 1:]


_ID_CELLS = st.one_of(
    _VALID_IDS,
    _VALID_IDS.map(str.lower),  # a lower-case x
    _VALID_IDS.map(lambda n: " " + n),
    _VALID_IDS.map(lambda n: n[:6] + n[8:17]),  # a 15-digit old number
    _VALID_IDS.map(lambda n: n.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789X"})),  # full width
    st.builds(_mutated, _VALID_IDS, st.integers(0, 17), st.sampled_from(list("0123456789Xx ８a"))),
    st.builds(_number, st.sampled_from(["000000", "990101", "100000", "910101"]), _BIRTHS, st.integers(0, 999)),
    st.text(alphabet="0123456789X\n ", max_size=19),
    st.sampled_from(["", None, 310101199001010011, 3.10101e17, "3.10101E+17", EXAMPLE_ID, "11010119900230001X"]),
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ID_CELLS, min_size=1, max_size=40), st.lists(_ID_CELLS, min_size=1, max_size=10))
@example(["610104196209276908", "11010519491231002X", "11010519491231002x", "310101202701010011"], [""])
def test_mainland_ids_are_fast_mainland_id_cell_by_cell(first: list[Any], second: list[Any]) -> None:
    ids = columnwise.MainlandIds(TODAY)
    for raws in (first, second, first):  # the birth dates kept between slices change nothing
        numbers, genders, births, declined = ids(raws)
        assert declined == sorted(set(declined))
        for i, raw in enumerate(raws):
            fast = fast_mainland_id(raw, TODAY)
            if i in declined:
                assert fast is None, raw
            else:
                assert fast == (numbers[i], genders[i], births[i]), raw
                assert type(genders[i]) is str and type(numbers[i]) is str


def test_mainland_ids_take_the_common_cells_and_decline_the_rest() -> None:
    good = _number("310104", date(1990, 5, 17), 123)
    x_last = next(n for n in (_number("110105", date(1949, 12, 31), s) for s in range(1000)) if n.endswith("X"))
    future = _number("310104", date(2027, 1, 1), 1)
    numbers, genders, births, declined = columnwise.MainlandIds(TODAY)([good, x_last, x_last.lower(), future, None, 7])
    assert declined == [2, 3, 4, 5]
    assert numbers[:2] == [good, x_last] and births[:2] == [date(1990, 5, 17), date(1949, 12, 31)]
    assert genders[0] == ("male" if int(good[16]) % 2 else "female")


_PHONE_CELLS = st.one_of(st.from_regex(r"1[0-9]{10}", fullmatch=True), st.text(alphabet="0123456789+- \n１", max_size=14),
                         st.sampled_from([None, 13812345678, 13812345678.0, "", " 13812345678", "+8613812345678"]))


@settings(max_examples=500)
@given(st.lists(_PHONE_CELLS, min_size=1, max_size=30))
def test_declined_phones_are_the_cells_fast_phone_declines(raws: list[Any]) -> None:
    declined = columnwise.declined_phones(raws)
    assert declined == [i for i, raw in enumerate(raws) if fast_phone(raw) is None]


_DAYS = st.dates(min_value=date(1900, 1, 1), max_value=date(2060, 12, 31))
_EDGES = [date(2028, 2, 29), date(2026, 2, 28), date(2026, 3, 1), date(2024, 2, 29), TODAY]


@settings(max_examples=4000)
@given(st.sampled_from(_EDGES) | _DAYS, st.one_of(st.just(LONG_TERM), st.just("长期有效"), _DAYS),
       st.none() | _DAYS, st.integers(-3, 3))
def test_expiry_bands_are_expiry_fine(today: date, value: object, birth: date | None, nudge: int) -> None:
    # Pull the draws onto the boundaries: ages 16 / 26 / 46 today, limits 5 / 10 / 20 years ahead.
    if birth is not None and nudge:
        birth = add_years(today, -(16, 26, 46)[abs(nudge) % 3]) + timedelta(days=nudge // 2)
    if isinstance(value, date) and nudge:
        value = add_years(today, (5, 10, 20)[abs(nudge) % 3]) + timedelta(days=nudge // 2)
    band, need = columnwise.expiry_bands(today)
    assert (band(birth) >= need(value)) == expiry_fine(today)(value, birth)


# --- whole sheets: column-wise against cell by cell ---------------------------------------------------

HEAD = ["序号", "姓名", "性别", "证件类型", "证件号码", "证件有效期", "出生日期", "手机号码", "工作单位详细地址", "会员标签",
        "入会日期", "岗位类型", "会员编号"]
KEYS = {"name": 1, "gender": 2, "id_type": 3, "id_number": 4, "id_expiry": 5, "birth_date": 6, "phone": 7,
        "work_address": 8, "label": 9, "join_date": 10, "post_type": 11, "member_no": 12}


def _date_cell(day: date, form: int) -> object:
    return [day, f"{day:%Y-%m-%d}", f"{day.year}/{day.month}/{day.day}", f"{day:%Y%m%d}", f"{day:%Y.%m.%d}",
            (day - date(1899, 12, 30)).days, float((day - date(1899, 12, 30)).days),
            datetime(day.year, day.month, day.day), f"{day.year}年{day.month}月{day.day}日"][form]


@st.composite
def _rows(draw: st.DrawFn) -> list[object]:
    number = draw(_ID_CELLS)
    clean = fast_mainland_id(number, TODAY)
    birth = clean[2] if clean else draw(_BIRTHS)
    expiry = draw(st.one_of(
        st.builds(lambda d, f: _date_cell(TODAY + timedelta(days=d), f), st.integers(-400, 365 * 22), st.integers(0, 8)),
        st.sampled_from([LONG_TERM, "长期有效", "", None, "2013.01.01-2033.01.01", "2033-02-30", "xx", 60, 45000.5])))
    born = draw(st.one_of(st.builds(_date_cell, st.just(birth), st.integers(0, 8)),
                          st.builds(_date_cell, _BIRTHS, st.integers(0, 8)), st.sampled_from(["", None, "x"])))
    row = [
        1, draw(st.sampled_from(["张三", "欧阳娜娜", " 李四", "王 五", "", None, "张3", 123, "阿依古丽·买买提", "张" * 51, "ＡＢ"])),
        draw(st.sampled_from(["", "男", "女", "男性", "m", "X", None, "女 "])),
        draw(st.sampled_from(["身份证", "身份证", "", "居民身份证", "护照", "港澳通行证", "台胞证", "外国人永久居留证", "火星证"])),
        number, expiry, born, draw(_PHONE_CELLS),
        draw(st.sampled_from(["上海市黄浦区中山东一路1号", "", "上海", None])), draw(st.sampled_from(["", "劳模", "x" * 51])),
        draw(st.builds(_date_cell, st.dates(date(1990, 1, 1), date(2027, 1, 1)), st.integers(0, 8))),
        draw(st.sampled_from(["", "工人", "管理岗位", "飞行员"])), draw(st.sampled_from(["", None, 12345, 12345.0, "A-001"])),
    ]
    shape = draw(st.integers(0, 30))
    if shape == 0:
        row = [1] + [""] * 12
    elif shape == 1:
        row = [1, EXAMPLE_NAME, "", "", EXAMPLE_ID] + [""] * 8
    elif shape == 2:
        row = row[:draw(st.integers(2, 12))]
    return row


def _cell_by_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every column-wise fast path declines every cell: the per-cell path decides all of them."""
    monkeypatch.setattr(checking, "_doubtful_rows", lambda names, ids: list(range(len(names))))
    monkeypatch.setattr(columnwise, "declined_phones", lambda raws: list(range(len(raws))))
    monkeypatch.setattr(columnwise.MainlandIds, "__call__",
                        lambda self, raws: (list(raws), [None] * len(raws), [None] * len(raws), list(range(len(raws)))))
    monkeypatch.setattr(columnwise.Expiries, "__call__", lambda self, values, bands: ([None] * len(values),
                                                                                       list(range(len(values)))))
    monkeypatch.setattr(checking, "_given_births", lambda memo, column, births, texts: memo.map(column))


def _outcome(rows: list[list[object]], with_type: bool) -> tuple[object, ...]:
    columns = dict(KEYS) if with_type else {k: v for k, v in KEYS.items() if k != "id_type"}
    sheet = SheetData(path=Path("x.xlsx"), sheet_name="会员", rows=[["标题"], HEAD, *rows], header_index=1,
                      columns=columns, headers={v: HEAD[v] for v in columns.values()})
    options = ImportOptions(union_id=1, category=Category.FLEXIBLE, today=TODAY)
    checked = checking.check_rows(sheet, options, None, (0, 1))
    checking.duplicates_in_file(checked, sheet)

    def order(issues: list[Any]) -> list[Any]:
        return sorted(issues, key=lambda e: (e.row, e.col_index if e.col_index is not None else -1))
    return checked.row_numbers, checked.fields, sorted(checked.bad), order(checked.errors), order(checked.warnings)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(_rows(), min_size=1, max_size=25), st.booleans(), st.integers(1, 9))
def test_a_sheet_checked_column_wise_is_the_sheet_checked_cell_by_cell(rows: list[list[object]], with_type: bool,
                                                                      slice_rows: int) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(checking, "SLICE", slice_rows)  # several slices: what each keeps for the next changes nothing
        fast = _outcome(rows, with_type)
        _cell_by_cell(patch)
        slow = _outcome(rows, with_type)
    assert fast == slow


_MEMO_CELLS = st.one_of(st.sampled_from(["", "1", "长期", None, 1, 1.0, True, 0, False]),
                        st.dates(date(2033, 1, 1), date(2033, 1, 4)),
                        st.builds(datetime, st.just(2033), st.just(1), st.integers(1, 4)))


@settings(max_examples=500)
@given(st.lists(st.lists(_MEMO_CELLS, min_size=1, max_size=12), min_size=1, max_size=5))
def test_memo_gives_each_cell_its_own_result_over_slices(slices: list[list[object]]) -> None:
    calls: list[object] = []

    def fn(raw: object) -> str:
        calls.append((type(raw), raw))
        return f"{type(raw).__name__}:{raw}"

    memo = Memo(fn)
    for values in slices:
        assert memo.map(values) == [f"{type(v).__name__}:{v}" for v in values]
    assert len(calls) == len(set(calls))  # each value (of its own type) computed once

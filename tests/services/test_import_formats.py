"""Import of the formats clerks really have (issue #13 item 9): .xls (Excel 97–2003, WPS's
default), .xlsb and .ods read through python-calamine with the same checks as .xlsx, a file saved
by LibreOffice from the template, and a sheet whose declared size is huge but whose data is not.

The fixture files (tests/fixtures/import/) are the template filled with four members — the fourth
with a wrong ID check digit — saved by LibreOffice 7.4 (`soffice --headless --convert-to`) as
.xlsx, .xls and .ods, and written as .xlsb by pyxlsbwriter (LibreOffice cannot write .xlsb)."""
from __future__ import annotations

import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import PatternFill

from app.models import Member, Union
from app.paths import Profile
from app.rules.codes import Category
from app.rules.idcard import check_character
from app.services import importer
from app.services.importer import ImportOptions
from app.services.spreadsheets import FileRefused, REPORT_COLUMN

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"
TODAY = date(2026, 11, 28)
FILES = ["members-libreoffice.xlsx", "members-libreoffice.xls", "members-libreoffice.ods", "members.xlsb"]


@pytest.fixture
def union(profile: Profile) -> int:
    return Union.create(name="测试工会").id


def opts(union_id: int) -> ImportOptions:
    return ImportOptions(union_id=union_id, category=Category.FLEXIBLE, today=TODAY, actor="tester")


@pytest.mark.parametrize("name", FILES)
def test_each_format_imports_with_the_same_checks(name: str, profile: Profile, union: int, tmp_path: Path) -> None:
    plan = importer.prepare_import(FIXTURES / name, opts(union))
    result = importer.apply_import(plan, backup_dir=profile.backups)
    assert (result.imported, result.failed) == (3, 1)
    assert {m.name for m in Member.select()} == {"王伟", "李娜", "张强"}
    assert Member.get(Member.name == "李娜").id_expiry == "2035-06-30"
    bad = result.errors[0]
    assert bad.row == 5 and "证件号码" in bad.column and "校验" in bad.message
    # The error report is an .xlsx whatever the clerk's file was, with the bad cell marked.
    report = importer.write_report(plan, tmp_path / "report.xlsx")
    sheet = load_workbook(report)["会员信息"]
    headers = [c.value for c in sheet[1]]
    assert REPORT_COLUMN in headers and "校验" in sheet.cell(row=5, column=headers.index(REPORT_COLUMN) + 1).value


def test_the_format_is_read_from_the_bytes_not_the_name(profile: Profile, union: int, tmp_path: Path) -> None:
    renamed = shutil.copy(FIXTURES / "members-libreoffice.xls", tmp_path / "members.xlsx")
    plan = importer.prepare_import(Path(renamed), opts(union))
    assert (len(plan.new_rows), plan.failed) == (3, 1)


def test_a_damaged_xls_says_so(profile: Profile, union: int, tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4088))
    with pytest.raises(FileRefused) as info:
        importer.prepare_import(path, opts(union))
    assert ".xls" in info.value.message and "损坏" in info.value.message and "WPS" in info.value.action


def _eight_members_and_a_formatted_cell_at_the_bottom(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "证件号码", "手机号码"])
    for n, name in enumerate(("王伟", "李娜", "张强", "刘洋", "陈静", "杨帆", "赵磊", "黄敏")):
        first17 = f"3101011985060{n + 1}00{n % 10}"
        ws.append([name, first17 + check_character(first17), f"1390000000{n}"])
    ws.cell(row=1_048_576, column=1).fill = PatternFill("solid", fgColor="FFFF00")
    wb.save(path)
    with zipfile.ZipFile(path) as archive:
        assert b'<dimension ref="A1:C1048576"' in archive.read("xl/worksheets/sheet1.xml")
    return path


def test_a_sheet_declaring_a_million_rows_imports_the_rows_that_hold_data(
        profile: Profile, union: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The issue's file: 8 members, and one formatted (empty) cell at row 1,048,576."""
    path = _eight_members_and_a_formatted_cell_at_the_bottom(tmp_path / "declared.xlsx")
    plan = importer.prepare_import(path, opts(union))
    assert plan.rows_read == 8 and not plan.errors
    result = importer.apply_import(plan, backup_dir=profile.backups)
    assert result.imported == 8 and Member.select().count() == 8


def test_a_value_far_below_the_data_is_refused_by_its_row(profile: Profile, union: int, tmp_path: Path) -> None:
    path = tmp_path / "far.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "证件号码", "手机号码"])
    ws.append(["张三", "610104196209276908", "13812345678"])
    ws["A900000"] = "x"
    wb.save(path)
    with pytest.raises(FileRefused) as info:
        importer.prepare_import(path, opts(union))
    assert "第 900,000 行还有内容" in info.value.message and "Ctrl+End" in info.value.action


def _id(n: int) -> str:
    first17 = f"3101011985{n % 9 + 1:02d}15{n:02d}1"
    return first17 + check_character(first17)


@pytest.mark.parametrize("corner", ["B3", "A4", "D1", "C7"])
def test_a_sheet_not_starting_at_a1_is_read_with_its_rows_and_columns_where_excel_shows_them(
        corner: str, profile: Profile, union: int, tmp_path: Path) -> None:
    """The sheet is read row by row (progress between rows); calamine's row iterator leaves out
    the empty columns before the data: members still land with the right values, and a bad cell
    is reported at its row and column as Excel numbers them."""
    from python_calamine import CalamineWorkbook

    from app.services.spreadsheets.reading import sheet_rows

    path = tmp_path / f"at-{corner}.xlsx"
    wb = Workbook()
    ws = wb.active
    top, left = ws[corner].row, ws[corner].column
    people = [("张三", _id(1), "13812345671"), ("李四", _id(2), "1381234567"), ("王五", _id(3), "13812345673")]
    for r, values in enumerate([("姓名", "证件号码", "手机号码"), *people]):
        for c, value in enumerate(values):
            ws.cell(top + r, left + c, value)
    wb.save(path)
    with CalamineWorkbook.from_path(str(path)) as book:
        sheet = book.get_sheet_by_index(0)
        rows = sheet_rows(sheet)
        assert rows == sheet.to_python(skip_empty_area=False)
    assert rows[top - 1][left - 1] == "姓名" and len(rows) == top + 3
    plan = importer.prepare_import(path, opts(union))
    result = importer.apply_import(plan, backup_dir=profile.backups)
    assert (result.imported, result.failed) == (2, 1)
    assert {(m.name, m.id_number, m.phone) for m in Member.select()} == {people[0], people[2]}
    bad = result.errors[0]
    assert bad.row == top + 2 and "手机" in bad.column


@pytest.mark.parametrize("name", FILES)
def test_each_format_reads_row_by_row_as_a_whole_sheet_would(name: str) -> None:
    from python_calamine import CalamineWorkbook

    from app.services.spreadsheets.reading import sheet_rows

    with CalamineWorkbook.from_path(str(FIXTURES / name)) as book:
        sheet = book.get_sheet_by_index(0)
        assert sheet_rows(sheet) == sheet.to_python(skip_empty_area=False)

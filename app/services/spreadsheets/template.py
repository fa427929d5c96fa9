"""The member import template: required headers marked, hints, drop-downs, the ID column as text."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from app.services.spreadsheets.columns import HEADER_FILL, IMPORT_COLUMNS, REQUIRED_FONT, column_letter
from app.services.spreadsheets.saving import save_workbook


TEMPLATE_SHEET = "会员信息"
TEMPLATE_ROWS = 5000  # rows the drop-downs and text format are set on


def write_template(out: Path) -> Path:
    """The import template: required headers marked, hints, drop-downs, the ID column as text."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = TEMPLATE_SHEET
    last_row = TEMPLATE_ROWS + 1
    for col, column in enumerate(IMPORT_COLUMNS, start=1):
        letter = column_letter(col - 1)
        cell = sheet.cell(row=1, column=col, value=column.header + ("*" if column.required else ""))
        cell.font = Font(bold=True, color=REQUIRED_FONT if column.required else "000000")
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.comment = Comment(column.hint, "会员导入模板", width=260, height=110)
        dimension = sheet.column_dimensions[letter]
        dimension.width = column.width
        if column.text_format:
            dimension.number_format = "@"
        elif column.key in ("birth_date", "join_date"):
            dimension.number_format = "yyyy-mm-dd"
        if column.choices:
            validation = DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"',
                                        allow_blank=True, showDropDown=False)
            validation.error = f"请从下拉列表中选择：{'、'.join(column.choices)}"
            validation.errorTitle = f"{column.header}不正确"
            validation.showErrorMessage = True
        else:
            validation = DataValidation(allow_blank=True)
        validation.prompt = column.hint[:255]
        validation.promptTitle = (column.header + ("（必填）" if column.required else ""))[:32]
        validation.showInputMessage = True
        validation.add(f"{letter}1:{letter}{last_row}")
        sheet.add_data_validation(validation)
        example = column.example
        value_cell = sheet.cell(row=2, column=col, value=example if example != "" else None)
        value_cell.font = Font(italic=True, color="808080")
        if column.text_format:
            value_cell.number_format = "@"
        elif isinstance(example, date):
            value_cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    sheet.row_dimensions[1].height = 22

    notes = workbook.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 100
    lines = [
        "会员信息导入模板 · 填写说明",
        "1. 带 * 的列（姓名、证件号码、手机号码）必填；其他列可留空。列的顺序可以调整，不要修改列名。",
        "2. 第2行是示例（灰色斜体），导入时会自动跳过；也可以直接删除。",
        ("3. 证件号码列已设为文本格式。从其他表格粘贴时请用“选择性粘贴 → 数值”，"
         "不要把该列改成数字格式，否则18位号码的后几位会变成0且无法恢复。"),
        "4. 证件类型从下拉列表选择，不填视为身份证。身份证会员的性别、出生日期按号码自动识别。",
        "5. 工作单位详细地址请填写超过6个汉字且少于20个汉字（如果要办理工会会员卡，请必填）。",
        "6. 手机号码不要重复：同一工会内每位会员的手机号码必须不同。",
        "7. 日期可写成 2033-01-01、2033/1/1、20330101、2033.01.01 或 Excel 日期；证件长期有效的填“长期”。",
        "8. 同一证件号码再次导入时会更新该会员的信息（空白单元格不会清除已有信息）。",
        "9. 会员导入成功后直接进入当前工会；会员类型（关联企业类/灵活就业类/企业外入会类）在导入时选择。",
    ]
    for row, line in enumerate(lines, start=1):
        cell = notes.cell(row=row, column=1, value=line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if row == 1:
            cell.font = Font(bold=True, size=14)
    workbook.active = 0
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    save_workbook(workbook, out)
    return out

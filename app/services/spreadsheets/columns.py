"""The import columns: their headers and the variants clerks' files use, hints, drop-downs, and
Excel's column letters."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from openpyxl.utils import get_column_letter

from app.rules.codes import GENDER_LABELS, ID_TYPE_LABELS, POST_TYPE_LABELS
from app.rules.normalize import compact

#: Header styling shared by the template, the error report and exports.
HEADER_FILL = "DDEBF7"
REQUIRED_FONT = "C00000"


@dataclass(frozen=True)
class ImportColumn:
    key: str
    header: str  # the template's header
    variants: tuple[str, ...]  # other names clerks' files use (compared after `header_key`)
    required: bool
    hint: str  # input message shown in Excel (≤ 255 characters)
    width: int  # template column width in characters
    text_format: bool = False  # '@': Excel must keep what is typed as text
    choices: tuple[str, ...] = ()  # drop-down list
    example: object = ""


ID_TYPE_CHOICES = tuple(ID_TYPE_LABELS.values())
GENDER_CHOICES = tuple(GENDER_LABELS.values())
POST_TYPE_CHOICES = tuple(POST_TYPE_LABELS.values())

EXAMPLE_NAME = "张三（示例）"
EXAMPLE_ID = "610104196209276908"

IMPORT_COLUMNS: tuple[ImportColumn, ...] = (
    ImportColumn("member_no", "会员编号", ("会员号", "会员证号", "会员证编号"), False,
                 "选填。本工会内部的会员编号，可留空。", 12, text_format=True, example="0000001"),
    ImportColumn("name", "姓名", ("会员姓名", "职工姓名", "名字", "姓名全称"), True,
                 "必填。与证件上的姓名一致。", 12, example=EXAMPLE_NAME),
    ImportColumn("id_type", "证件类型", ("证件种类", "证件名称"), False,
                 "从下拉列表选择；不填视为身份证。", 14, choices=ID_TYPE_CHOICES, example="身份证"),
    ImportColumn("id_number", "证件号码", ("证件号", "身份证号", "身份证号码", "身份证", "证件编号",
                                          "公民身份号码", "身份证件号码"), True,
                 "必填。本列已设为文本格式，请直接输入18位身份证号码（末位X大写或小写均可）；"
                 "不要设成数字格式，否则后几位会变成0。同一证件号码再次导入会更新该会员。",
                 22, text_format=True, example=EXAMPLE_ID),
    ImportColumn("id_expiry", "证件到期日", ("证件有效期", "证件到期日期", "证件有效期至", "证件有效期截止日期",
                                            "证件截止日期", "身份证有效期", "身份证到期日", "身份证有效期至",
                                            "有效期", "有效期至", "到期日期", "有效期截止日期"), False,
                 "选填。证件背面的有效期截止日期，如2033-01-01、2033/1/1、20330101、2033.01.01；"
                 "长期有效的填“长期”。办理会员卡时必填。", 14, example="长期"),
    ImportColumn("gender", "性别", ("性別",), False,
                 "身份证会员可不填（按证件号码自动识别）；其他证件请选择。", 8,
                 choices=GENDER_CHOICES, example="男"),
    ImportColumn("birth_date", "出生日期", ("出生年月日", "生日", "出生年月"), False,
                 "身份证会员可不填（按证件号码自动识别）；其他证件请填写，如1990-01-31。", 12,
                 example=date(1962, 9, 27)),
    ImportColumn("phone", "手机号码", ("手机号", "联系电话", "手机", "联系方式", "电话号码", "移动电话",
                                      "手机号码(必填)", "联系手机"), True,
                 "必填。11位手机号码，不能填座机；同一工会内手机号码不能重复。", 14,
                 text_format=True, example="13812345678"),
    ImportColumn("work_address", "工作单位详细地址", ("工作单位地址", "单位地址", "单位详细地址", "工作地址",
                                                    "工作单位详细地址(办卡必填)"), False,
                 "请填写超过6个汉字且少于20个汉字的地址（数字、字母不计入）；如果要办理工会会员卡，请必填。"
                 "例如：上海市黄浦区中山东一路14号", 30, example="上海市黄浦区中山东一路14号"),
    ImportColumn("label", "会员标签", ("标签",), False, "选填，最多50个字，例如：劳模。", 12),
    ImportColumn("join_date", "入会日期", ("入会时间",), False,
                 "选填。日期格式如2024-10-01、2024/10/1、20241001。", 12, example=date(2024, 10, 1)),
    ImportColumn("post_type", "岗位类型", ("岗位性质", "岗位"), False,
                 "女职工请选择工人岗位或管理岗位（决定法定退休年龄）；不清楚的选“不明”。", 12,
                 choices=POST_TYPE_CHOICES, example=""),
)

COLUMNS_BY_KEY: dict[str, ImportColumn] = {c.key: c for c in IMPORT_COLUMNS}
REQUIRED_KEYS: tuple[str, ...] = tuple(c.key for c in IMPORT_COLUMNS if c.required)

# Marks that say "required" or "optional" around a header; compared after normalisation.
_HEADER_MARKS = "*※★☆#:："
_TRAILING_NOTE = re.compile(r"\((?:必填|选填|可选|必输|非必填|可不填|办卡必填)\)$")


def header_key(text: object) -> str:
    """A header cell reduced for matching: half-width, no spaces, no required-marks or notes."""
    key = compact(text)
    for _ in range(3):  # marks and notes may be stacked: "*姓名(必填)*"
        key = key.strip(_HEADER_MARKS)
        key = _TRAILING_NOTE.sub("", key)
    return key


_HEADER_LOOKUP: dict[str, str] = {}
for _column in IMPORT_COLUMNS:
    for _name in (_column.header, *_column.variants):
        _HEADER_LOOKUP[header_key(_name)] = _column.key


def column_for_header(text: object) -> str | None:
    """The import column a header cell names, or None."""
    if not isinstance(text, str):
        return None
    return _HEADER_LOOKUP.get(header_key(text))


def column_letter(index: int) -> str:
    """Excel's letter for a 0-based column index (0 → A, 26 → AA)."""
    return get_column_letter(index + 1)

"""The center's payout records (给付信息) through an adapter like the SS registry: the center loads
its claims-paid export with `union-server load-payouts FILE`.

The file is CSV (UTF-8, with or without BOM) or .xlsx (first sheet), a header row naming these
columns in any order (other columns are ignored), one paid claim a row::

    理赔编号, 证件号码, 姓名, 保障年度, 给付类型, 给付金额, 给付日期
    LP2025000123, 310101198501010013, 王伟, 2025, 住院医疗, 1234.50, 2025-03-18

- 理赔编号: the claim's number, unique; loading a claim again replaces it (a corrected export);
- 证件号码: the insured person's document number (an 18-character mainland ID is checked);
- 保障年度: the plan year the claim falls in; 给付金额: yuan, more than 0, at most 2 decimals;
- 给付日期: YYYY-MM-DD (an .xlsx date cell is read as its day).

Every row is checked first; one bad row loads nothing, and every problem is reported as
"第N行 列名：what is wrong" in Chinese, without the document number. A person must be enrolled
for that plan year on this server, or be a member of one of its unions: the union the claim
belongs to (for the queries' scope) is the enrollment's union, else the member's.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from peewee import chunked

from app.rules.idcard import check_character
from app.rules.normalize import compact
from server.db import IN_LIST, write_tx
from server.jobs import _rows_from_file
from server.models import CLAIMED, Enrollment, Member, PayoutRecord
from server.settings import ServerContext

COLUMNS: tuple[str, ...] = ("理赔编号", "证件号码", "姓名", "保障年度", "给付类型", "给付金额", "给付日期")
_DOCUMENT = re.compile(r"^[0-9A-Z()（）-]{6,32}$")
_MAX_ERRORS = 200


@dataclass
class PayoutLoad:
    """What a load did: rows stored (0 when any row was refused) and every problem found."""

    loaded: int = 0
    errors: list[str] = field(default_factory=list)


def _document(text: str) -> str | None:
    number = compact(text).upper()
    if not _DOCUMENT.match(number):
        return "应为6到32位的字母或数字"
    if len(number) == 18 and number[:17].isdigit() and check_character(number[:17]) != number[17]:
        return "身份证号码校验不通过，请逐位核对"
    return None


def _amount(text: str) -> Decimal | str:
    try:
        value = Decimal(text.replace(",", "").replace("元", "").strip())
    except InvalidOperation:
        return "不是金额"
    if not value.is_finite() or value <= 0:
        return "应大于0"
    if value != value.quantize(Decimal("0.01")):
        return "最多两位小数"
    if value >= Decimal("1e11"):
        return "金额过大"
    return value.quantize(Decimal("0.01"))


def _day(text: str) -> date | str:
    text = text.strip()
    if re.match(r"^\d{4}-\d{2}-\d{2} 00:00:00$", text):  # an .xlsx date cell
        text = text[:10]
    try:
        return date.fromisoformat(text) if re.match(r"^\d{4}-\d{2}-\d{2}$", text) else "应为YYYY-MM-DD格式的日期"
    except ValueError:
        return "不是有效的日期"


def check_row(row: dict[str, str], seen: set[str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """A file row as a record (without its union) and its problems as (column, message)."""
    cells = {name: (row.get(name) or "").strip() for name in COLUMNS}
    problems: list[tuple[str, str]] = [(name, "不能为空") for name in COLUMNS if not cells[name]]
    record: dict[str, Any] = {"claim_no": cells["理赔编号"], "id_number": compact(cells["证件号码"]).upper(),
                              "name": cells["姓名"], "kind": cells["给付类型"]}
    if cells["理赔编号"]:
        if len(cells["理赔编号"]) > 64:
            problems.append(("理赔编号", "不能超过64个字符"))
        elif cells["理赔编号"] in seen:
            problems.append(("理赔编号", "与文件中前面的行重复"))
        seen.add(cells["理赔编号"])
    if cells["证件号码"] and (bad := _document(cells["证件号码"])):
        problems.append(("证件号码", bad))
    if cells["保障年度"]:
        year = cells["保障年度"].removesuffix(".0")
        if not (year.isdigit() and 2000 <= int(year) <= 2100):
            problems.append(("保障年度", "应为2000到2100之间的年份"))
        else:
            record["plan_year"] = int(year)
    for name, parse, key in (("给付金额", _amount, "amount"), ("给付日期", _day, "paid_on")):
        if cells[name]:
            value = parse(cells[name])
            if isinstance(value, str):
                problems.append((name, value))
            else:
                record[key] = value
    if len(cells["给付类型"]) > 30 or len(cells["姓名"]) > 50:
        problems.append(("给付类型" if len(cells["给付类型"]) > 30 else "姓名", "过长"))
    return record, problems


def _unions(records: list[dict[str, Any]]) -> dict[tuple[int, str], int]:
    """(plan year, number) → the union the claim belongs to: the enrollment's, else the member's."""
    numbers = sorted({r["id_number"] for r in records})
    found: dict[tuple[int, str], int] = {}
    members: dict[str, int] = {}
    for chunk in chunked(numbers, IN_LIST):
        for e in Enrollment.select(Enrollment.plan_year, Enrollment.id_number, Enrollment.union).where(
                Enrollment.id_number.in_(chunk)):
            found[(e.plan_year, e.id_number)] = e.union_id
        for c in Member.select(Member.id_number, Member.union).where(Member.id_number.in_(chunk) & CLAIMED):
            members[c.id_number] = c.union_id
    return {(r["plan_year"], r["id_number"]): found.get((r["plan_year"], r["id_number"]), members.get(r["id_number"], 0))
            for r in records}


def load_payout_rows(ctx: ServerContext, rows: list[dict[str, str]], first_line: int = 2) -> PayoutLoad:
    """Check every row, then store them all in one transaction (or none, when any is refused)."""
    result = PayoutLoad()
    records: list[tuple[int, dict[str, Any]]] = []
    seen: set[str] = set()
    for line, row in enumerate(rows, start=first_line):
        record, problems = check_row(row, seen)
        result.errors.extend(f"第{line}行 {name}：{message}" for name, message in problems)
        if not problems:
            records.append((line, record))
    unions = _unions([r for _, r in records])
    for line, record in records:
        record["union"] = unions[(record["plan_year"], record["id_number"])]
        if not record["union"]:
            result.errors.append(f"第{line}行 证件号码：该人员在{record['plan_year']}保障年度未参保，也不是本系统工会的会员")
    if result.errors or not records:
        if not records and not result.errors:
            result.errors.append("文件中没有给付记录")
        result.errors = result.errors[:_MAX_ERRORS]
        return result
    now = ctx.now_naive()
    stored = [{**r, "loaded": now} for _, r in records]
    with write_tx():
        for chunk in chunked(stored, IN_LIST):
            PayoutRecord.delete().where(PayoutRecord.claim_no.in_([r["claim_no"] for r in chunk])).execute()
            PayoutRecord.insert_many(chunk).execute()
    result.loaded = len(stored)
    return result


def load_payouts(ctx: ServerContext, path: str | os.PathLike[str]) -> PayoutLoad:
    """Load the payout export at `path` (CSV or .xlsx); a missing column refuses the whole file."""
    rows = list(_rows_from_file(Path(path)))
    header = set(rows[0]) if rows else set()
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        return PayoutLoad(errors=[f"文件缺少列：{'、'.join(missing)}（第1行应为列名：{'、'.join(COLUMNS)}）"])
    return load_payout_rows(ctx, rows)


def sample_rows(people: list[tuple[str, str]], plan_year: int, today: date) -> list[dict[str, str]]:
    """Paid claims for the demo: one for each of `people` (number, name), on days before `today`."""
    kinds = ("住院医疗", "重大疾病", "意外伤害医疗", "住院津贴")
    amounts = ("1280.00", "20000.00", "356.50", "600.00")
    out = []
    for i, (number, name) in enumerate(people):
        day = date(plan_year, 1 + (i * 2) % 12, 1 + (i * 5) % 27)
        day = min(day, today)
        out.append({"理赔编号": f"LP{plan_year}{i + 1:06d}", "证件号码": number, "姓名": name, "保障年度": str(plan_year),
                    "给付类型": kinds[i % len(kinds)], "给付金额": amounts[i % len(amounts)],
                    "给付日期": day.isoformat()})
    return out


__all__ = ["COLUMNS", "PayoutLoad", "check_row", "load_payout_rows", "load_payouts", "sample_rows"]

"""What a notice (告知书) says: its input as dataclasses and its wording as plain text, from the
manual's words (§3.1.9 grassroots, §4.5 district; SPEC.md §5.6, §5.8). `notices` draws it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from app.rules.codes import PLAN_TYPE_LABELS
from app.rules.fees import FeeTotals, format_yuan

# The district notice lists every plan type, in this order, 0 where none.
PLAN_ORDER: tuple[str, ...] = ("A", "B", "A_PLUS", "B_PLUS")


# --- Input -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterRow:
    """One member on a notice's roster. `id_number` is the full number; the PDF masks it."""

    name: str
    id_number: str
    card_no: str | None
    coverage_start: date
    coverage_end: date
    period: str    # "full" → 全年, "half" → 半年
    channel: str   # "card" | "ss"


@dataclass(frozen=True)
class GrassrootsNotice:
    """The grassroots union's notice (manual §3.1.9; SPEC §5.6, §5.8).

    kind "central" (集中参保): counts are everyone in the union's central batches so far, both
    channels (截至今日), with the payment deadline and Jan 1 – Dec 31 coverage. An instant kind
    ("instant_carded" 有卡无保, "instant_new_card" 新办卡) has its own wording: this batch's count
    and coverage, no central deadline. `totals` are this batch's ("本次") unless `cumulative`
    (a notice made again from everything submitted: "截至今日累计").
    """

    union_name: str
    plan_year: int
    plan_type: str
    card_count: int
    ss_count: int
    payment_deadline: date
    coverage_start: date
    coverage_end: date
    issued_on: date
    batch_no: str
    signature_fingerprint: str
    totals: FeeTotals | None
    roster: list[RosterRow] = field(default_factory=list)
    supplementary: bool = False
    replaces: str | None = None
    kind: str = "central"
    cumulative: bool = False


@dataclass(frozen=True)
class DistrictNotice:
    """The district (industry) union's notice to the center (manual §4.5)."""

    union_name: str
    plan_year: int
    counts: dict[str, int]
    amount: Decimal
    coverage_start: date
    coverage_end: date
    bank_account_name: str
    bank_account_number: str
    bank_name: str
    issued_on: date
    batch_no: str
    signature_fingerprint: str


# --- Wording helpers -------------------------------------------------------------------------


#: A union name ending with one of these is already the union's name: no 工会 is added.
_UNION_SUFFIXES = ("工会", "工会委员会", "联合工会")
INSTANT_KIND_LABELS: dict[str, str] = {"instant_carded": "有卡无保人员", "instant_new_card": "新办卡人员"}


def addressee(union_name: str) -> str:
    """"{union}工会：" — 工会 is added unless the name already ends with 工会 / 工会委员会 / 联合工会."""
    name = union_name.strip()
    return f"{name}：" if name.endswith(_UNION_SUFFIXES) else f"{name}工会："


def plan_code(plan_type: str) -> str:
    """The plan type's code ("A", "B", "A_PLUS", "B_PLUS"); "A+"/"B+" are accepted too."""
    code = plan_type.strip().upper().replace("+", "_PLUS")
    if code not in PLAN_TYPE_LABELS:
        raise ValueError(f"unknown plan type {plan_type!r}")
    return code


def class_label(plan_type: str) -> str:
    """The manual's "A 类会员", "B 类会员", "A+类会员", "B+类会员"."""
    label = PLAN_TYPE_LABELS[plan_code(plan_type)]
    short = label[: label.index("类")]
    return f"{short}类会员" if short.endswith("+") else f"{short} 类会员"


def spaced_date(day: date) -> str:
    """The grassroots notice's dates: "2024 年 12 月 25 日"."""
    return f"{day.year} 年 {day.month} 月 {day.day} 日"


def _district_span_date(day: date) -> str:
    """The district notice's coverage dates, as the manual prints them: "2025年 1 月 1 日"."""
    return f"{day.year}年 {day.month} 月 {day.day} 日"


def district_issue_date(day: date) -> str:
    """The district notice's signature date: "2024年11月11日"."""
    return f"{day.year}年{day.month}月{day.day}日"


def _check_count(value: int, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{what} must be a non-negative int, got {value!r}")


def grassroots_body(notice: GrassrootsNotice) -> list[str]:
    """The notice's paragraphs below the addressee, as plain text (manual §3.1.9, SPEC §5.6, §5.8)."""
    _check_count(notice.card_count, "card_count")
    _check_count(notice.ss_count, "ss_count")
    total = notice.card_count + notice.ss_count
    end = spaced_date(notice.coverage_end)
    counts = f"{class_label(notice.plan_type)}共计 {total} 人(会员卡参保 {notice.card_count} 人,社保卡参保 {notice.ss_count} 人)"
    if notice.kind in INSTANT_KIND_LABELS:
        paragraphs = [
            f"你会即时参保 {notice.plan_year} 年度上海工会会员专享基本保障计划（{INSTANT_KIND_LABELS[notice.kind]}），"
            f"本次参加 {counts}，保障日期为 {spaced_date(notice.coverage_start)}起至 {end}止。"
            "请根据你会所在区、局（产业）工会的安排将你会需要承担的参保资金划入所属区、局（产业）工会帐户。"
            "即时参保的保障日期自办理参保日（上级工会收到本批次之日）的次日起。"
        ]
    else:
        paragraphs = [
            f"你会集中参保 {notice.plan_year} 年度上海工会会员专享基本保障计划，截至今日参加 {counts}，"
            f"请于 {spaced_date(notice.payment_deadline)}之前"
            "根据你会所在区、局（产业）工会的安排将你会需要承担的参保资金划入所属区、局（产业）工会帐户，"
            f"保障日期为 {spaced_date(notice.coverage_start)}起至 {end}。"
            "逾期未划款则所有参保均无效，需按照即时参保流程另行办理参保手续，"
            f"即时参保的保障日期自办理参保日的次日至 {end}止。"
        ]
    if notice.totals is not None:
        t = notice.totals
        which = "截至今日累计参保" if notice.cumulative else "本次参保"
        paragraphs.append(
            f"{which} {t.count} 人，保障费用：{format_yuan(t.fee)}元；市总统一划拨：{format_yuan(t.city)}元；"
            f"区局/各级工会缴费：{format_yuan(t.district)}元；基层单位缴费：{format_yuan(t.grassroots)}元。"
        )
    if notice.replaces:
        paragraphs.append(f"本告知书替代批次 {notice.replaces} 的告知书。")
    return paragraphs


def district_body(notice: DistrictNotice) -> list[str]:
    """The district notice's paragraphs below the addressee, as plain text (manual §4.5)."""
    counts: dict[str, int] = {code: 0 for code in PLAN_ORDER}
    for key, value in notice.counts.items():
        _check_count(value, f"counts[{key!r}]")
        counts[plan_code(key)] += value
    classes = "，".join(f"参加 {class_label(code)}共计 {counts[code]} 人" for code in PLAN_ORDER)
    end = _district_span_date(notice.coverage_end)
    text = (
        f"你会集中参保 {notice.plan_year}年度会员专享基本保障计划，{classes}，"
        f"参保资金总额为 {format_yuan(notice.amount)} 元。"
        f"保障日期为 {_district_span_date(notice.coverage_start)}起至 {end}止。"
        "逾期未划款，则按照即时参保流程另行办理参保手续，"
        f"保障日期自办理参保日的次日起至 {end}止。"
    )
    return [text]

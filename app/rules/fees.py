"""Protection fees and their split between city, district and grassroots unions (RULES.md "Fees").

Money is Decimal with two decimals, never float. The manual prints whole-yuan amounts as integers.
A batch's totals are the sum over its roster rows of each row's price (全年 full, 半年 at the
campaign's factor): `roster_totals` is that one function, used by the wizard, the notice, a
regenerated notice and the server alike.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from itertools import repeat
from decimal import Decimal, InvalidOperation

from app.rules.normalize import compact
from app.rules.problems import fail

CENT = Decimal("0.01")

PERIOD_FULL = "full"  # 全年
PERIOD_HALF = "half"  # 半年
PERIODS = (PERIOD_FULL, PERIOD_HALF)
_AMOUNTS = ("fee", "city", "district", "grassroots")

_SHARE_LABELS = {"fee": "每人费用", "city": "市总份额", "district": "区局份额", "grassroots": "基层份额"}


def parse_yuan(value: object, what: str = "金额") -> Decimal:
    """An amount in yuan with at most two decimals, as Decimal quantized to 0.01.

    Accepts Decimal, int and text ("26", "13.00", "１３"); a float is read through its shortest
    repr so 13.1 means 13.10, never 13.0999….
    """
    if isinstance(value, bool):
        raise fail("amount_format", f"{what}“{value}”不是金额。请填写数字，最多两位小数，如13.00。")
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int | float):
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    else:
        text = compact(value).replace(",", "").removesuffix("元")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise fail(
                "amount_format", f"{what}“{compact(value)}”不是金额。请填写数字，最多两位小数，如13.00。"
            ) from None
    if not amount.is_finite():
        raise fail("amount_format", f"{what}“{value}”不是金额。请填写数字，最多两位小数，如13.00。")
    if amount != amount.quantize(CENT):
        raise fail("amount_precision", f"{what}“{amount}”超过两位小数（分）。请改为最多两位小数的金额。")
    return amount.quantize(CENT)


@dataclass(frozen=True)
class FeeSplit:
    """Fee per person for one plan type and the three unions' shares of it."""

    fee: Decimal
    city: Decimal
    district: Decimal
    grassroots: Decimal

    @classmethod
    def from_strings(cls, fee: object, city: object, district: object, grassroots: object) -> FeeSplit:
        """A validated split from config or form values (text, int or Decimal)."""
        split = cls(
            fee=parse_yuan(fee, _SHARE_LABELS["fee"]),
            city=parse_yuan(city, _SHARE_LABELS["city"]),
            district=parse_yuan(district, _SHARE_LABELS["district"]),
            grassroots=parse_yuan(grassroots, _SHARE_LABELS["grassroots"]),
        )
        split.validate()
        return split

    def validate(self) -> None:
        """RuleError unless every amount is a non-negative Decimal in cents and the shares add up."""
        for f in fields(self):
            amount = getattr(self, f.name)
            label = _SHARE_LABELS[f.name]
            if not isinstance(amount, Decimal) or not amount.is_finite():
                raise fail("amount_format", f"{label}“{amount}”不是金额。请填写数字，最多两位小数。")
            if amount < 0:
                raise fail("fee_negative", f"{label}为{amount}元，不能为负数。请改正。")
            if amount != amount.quantize(CENT):
                raise fail("amount_precision", f"{label}“{amount}”超过两位小数（分）。请改为最多两位小数。")
        shares = self.city + self.district + self.grassroots
        if shares != self.fee:
            raise fail(
                "fee_split_mismatch",
                f"市总（{format_yuan(self.city)}）、区局（{format_yuan(self.district)}）、"
                f"基层（{format_yuan(self.grassroots)}）三部分之和为{format_yuan(shares)}元，"
                f"与每人费用{format_yuan(self.fee)}元不一致。请调整各部分金额使之相加等于每人费用。",
            )

    @property
    def district_due(self) -> Decimal:
        """Per person amount a district notice collects: district + grassroots share."""
        return self.district + self.grassroots


@dataclass(frozen=True)
class FeeTotals:
    count: int
    fee: Decimal
    city: Decimal
    district: Decimal
    grassroots: Decimal


def _check_count(count: int) -> None:
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise fail("count_invalid", f"人数“{count}”无效，应为0或正整数。请检查名单。")


def batch_totals(count: int, split: FeeSplit) -> FeeTotals:
    """Count × each amount of the split: the totals of `count` 全年 rows (see `roster_totals`)."""
    _check_count(count)
    return roster_totals(repeat(PERIOD_FULL, count), split)


def row_price(split: FeeSplit, period: str, half_factor: Decimal | None) -> FeeSplit:
    """What one roster row costs: the split itself for 全年; for 半年 each share times the
    campaign's factor, in cents (the fee is the sum of the rounded shares, so they still add up)."""
    if period == PERIOD_FULL:
        return split
    if period != PERIOD_HALF:
        raise fail("period_unknown", f"保障期限“{period}”无效，应为全年或半年。")
    if half_factor is None:
        raise fail("half_year_disabled", "本年度参保活动没有半年保障，名单中不能有“半年”。请同步获取最新的活动配置后重新生成名单。")
    city, district, grassroots = ((x * half_factor).quantize(CENT) for x in (split.city, split.district,
                                                                              split.grassroots))
    return FeeSplit(fee=city + district + grassroots, city=city, district=district, grassroots=grassroots)


def roster_totals(periods: Iterable[str], split: FeeSplit, half_factor: Decimal | None = None) -> FeeTotals:
    """A batch's totals: the sum over its roster rows (given by their periods) of each row's price."""
    split.validate()
    count = 0
    sums = dict.fromkeys(_AMOUNTS, Decimal(0))
    for period, rows in Counter(periods).items():
        price = row_price(split, period, half_factor)
        count += rows
        for key in _AMOUNTS:
            sums[key] += getattr(price, key) * rows
    return FeeTotals(count=count, **{key: value.quantize(CENT) for key, value in sums.items()})


def district_notice_amount(counts_by_plan: Mapping[str, int], splits: Mapping[str, FeeSplit]) -> Decimal:
    """Amount of a district notice: Σ over plan types of count × (district + grassroots share)."""
    total = Decimal("0")
    for plan, count in counts_by_plan.items():
        _check_count(count)
        if count == 0:
            continue
        split = splits.get(plan)
        if split is None:
            raise fail(
                "fee_plan_missing",
                f"保障类型“{plan}”没有配置费用标准，无法计算通知单金额。请先在活动配置中填写该类型的费用。",
            )
        split.validate()
        total += split.district_due * count
    return total.quantize(CENT)


def format_yuan(amount: Decimal) -> str:
    """Yuan as the manual prints it: "1378" for whole yuan, "12.50" otherwise."""
    cents = Decimal(amount).quantize(CENT)
    if cents == cents.to_integral_value():
        return str(int(cents))
    return f"{cents:.2f}"

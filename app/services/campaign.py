"""The plan year's campaign as the server serves it and this PC caches it (SPEC.md §6).

Plan types with fees and their split, deadlines, coverage, the half-year rule, the categories the
union enrolls and the bank account come from the server and are kept in the profile (`Setting`
"campaign:{year}"), so enrollment works offline. The server's clock and its copy decide; this copy
is what the clerk sees until the next sync.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from app.models import Setting
from app.rules import eligibility
from app.rules.codes import PLAN_TYPE_LABELS
from app.rules.coverage import KIND_CENTRAL, SHANGHAI, HalfYearRule
from app.rules.fees import FeeSplit, parse_yuan
from app.services.errors import ClerkError


@dataclass(frozen=True)
class CampaignInfo:
    plan_year: int
    payment_deadline: date
    coverage_start: date
    coverage_end: date
    enrollment_start: date
    splits: dict[str, FeeSplit]
    bank_account: dict[str, str]
    half_year: HalfYearRule = field(default_factory=HalfYearRule)
    union_categories: tuple[str, ...] = eligibility.DEFAULT_UNION_CATEGORIES
    closes_at: datetime | None = None  # the central window's end, an aware moment (server's calendar)

    def split(self, plan_type: str) -> FeeSplit:
        if plan_type not in self.splits:
            raise ClerkError(f"本年度参保活动没有“{PLAN_TYPE_LABELS.get(plan_type, plan_type)}”的费用标准。",
                             "请同步获取最新的活动配置，或选择其他保障类型。")
        return self.splits[plan_type]

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> CampaignInfo:
        splits = {p["plan_type"]: FeeSplit(fee=parse_yuan(p["fee"]), city=parse_yuan(p["city"]),
                                           district=parse_yuan(p["district"]),
                                           grassroots=parse_yuan(p["grassroots"]))
                  for p in config.get("plan_types", [])}
        windows = config.get("windows", {})
        closes = config.get("enrollment_closes_at") or ""
        return cls(
            plan_year=int(config["plan_year"]),
            payment_deadline=date.fromisoformat(config["payment_deadline"]),
            coverage_start=date.fromisoformat(windows["coverage"]["start"]),
            coverage_end=date.fromisoformat(windows["coverage"]["end"]),
            enrollment_start=date.fromisoformat(windows.get("enrollment", {}).get("start", config["payment_deadline"])),
            splits=splits, bank_account=config.get("bank_account", {}),
            half_year=HalfYearRule.from_config(config.get("half_year")),
            union_categories=eligibility.union_categories(config),
            closes_at=datetime.fromisoformat(closes.replace("Z", "+00:00")) if closes else None,
        )


def cache_campaign(config: dict[str, Any]) -> None:
    """Keep a campaign config (as the server serves it) for offline use."""
    Setting.replace(key=f"campaign:{config['plan_year']}", value=json.dumps(config, ensure_ascii=False)).execute()
    Setting.replace(key="campaign:current", value=str(config["plan_year"])).execute()


def cached_config(plan_year: int | None = None) -> dict[str, Any] | None:
    """The campaign config of `plan_year` (default: the current one) as the server served it and
    the last sync kept it, or None before any sync."""
    if plan_year is None:
        current = Setting.get_or_none(Setting.key == "campaign:current")
        if current is None:
            return None
        plan_year = int(current.value)
    row = Setting.get_or_none(Setting.key == f"campaign:{plan_year}")
    return json.loads(row.value) if row else None


def campaign(plan_year: int | None = None) -> CampaignInfo | None:
    """The cached campaign of `plan_year` (default: the current one), or None before any sync."""
    config = cached_config(plan_year)
    return CampaignInfo.from_config(config) if config else None


def require_campaign(plan_year: int | None = None) -> CampaignInfo:
    info = campaign(plan_year)
    if info is None:
        raise ClerkError("本机还没有本年度参保活动的配置（保障类型、费用标准、截止日期）。",
                         "请联网后点“同步”获取；获取一次后即可离线办理。")
    return info


def union_categories(plan_year: int | None = None) -> tuple[str, ...]:
    """The categories the union enrolls this plan year (the default before any sync)."""
    info = campaign(plan_year)
    return info.union_categories if info else eligibility.DEFAULT_UNION_CATEGORIES


def deadline_text(info: CampaignInfo) -> str:
    """The manual's sentence on paying and coverage, with this campaign's dates."""
    d, s, e = info.payment_deadline, info.coverage_start, info.coverage_end
    return (f"请于{d.year}年{d.month}月{d.day}日之前，将对应的参保费用划入所属区局（产业）工会账户，"
            f"保障日期为{s.year}年{s.month}月{s.day}日起至{e.year}年{e.month}月{e.day}日止。逾期未划款，"
            f"则所有参保均失败，需按照即时参保流程另行办理参保手续，保障日期自办理参保日的次日起至"
            f"{e.year}年{e.month}月{e.day}日止。")


def instant_text(info: CampaignInfo) -> str:
    """What 即时参保 covers, in the manual's words, with this campaign's end date."""
    e = info.coverage_end
    return (f"即时参保的保障日期自办理参保日（以上级工会服务器收到本批次之日为准）的次日起至{e.year}年{e.month}月{e.day}日止；"
            "离线准备的批次，联网发送时按当天重新计算保障日期和费用。")


#: Seconds this PC's clock may be off from the server's before the clerk is warned (as the sync).
ALLOWED_SKEW = 300


def clock_skew() -> float:
    """Seconds this PC's clock was ahead of the server's at the last sync (0 before any)."""
    row = Setting.get_or_none(Setting.key == "clock:skew_seconds")
    return float(row.value) if row else 0.0


def business_now() -> datetime:
    """Now, as an aware moment: this PC's clock corrected by the offset measured from the server's at
    the last sync (Setting "clock:skew_seconds"), so offline dates follow the server's calendar."""
    return datetime.now(timezone.utc) - timedelta(seconds=clock_skew())


def clock_warning() -> str:
    """A warning when this PC's clock was off by more than the allowed skew at the last sync."""
    skew = clock_skew()
    if abs(skew) <= ALLOWED_SKEW:
        return ""
    return (f"本机时钟比服务器{'快' if skew > 0 else '慢'}约{abs(skew) / 60:.0f}分钟：日期已按服务器时间计算，"
            "请把电脑的日期和时间调准（可开启“自动设置时间”）。")


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=SHANGHAI)


@dataclass(frozen=True)
class Window:
    """When a kind of batch may be sent, by the server's calendar (the cached campaign): 集中参保
    from the enrollment start to the central deadline (plus the campaign's grace); 即时参保 until the
    end of the day before the coverage ends (a batch received on Dec 31 could cover nothing)."""

    kind: str
    opens_at: datetime
    closes_at: datetime
    now: datetime
    warning: str = ""  # this PC's clock is off (clock_warning)

    @property
    def is_open(self) -> bool:
        return self.opens_at <= self.now < self.closes_at

    @property
    def text(self) -> str:
        what = "集中参保" if self.kind == KIND_CENTRAL else "即时参保"
        last = (self.closes_at.astimezone(SHANGHAI) - timedelta(seconds=1)).date()
        last_text = f"{last.year}年{last.month}月{last.day}日"
        if self.now < self.opens_at:
            first = self.opens_at.astimezone(SHANGHAI).date()
            return f"{what}办理尚未开始，将于{first.year}年{first.month}月{first.day}日开始（以服务器时间为准）。{self.warning}"
        if not self.is_open:
            after = "未参保的会员请按即时参保流程办理。" if self.kind == KIND_CENTRAL else "请办理下一保障年度的参保。"
            return f"{what}办理已于{last_text}截止（以服务器时间为准），现在提交将不被受理。{after}{self.warning}"
        left = self.closes_at - self.now
        days, hours = left.days, left.seconds // 3600
        remaining = f"{days}天{hours}小时" if days else f"{hours}小时{left.seconds % 3600 // 60}分钟"
        return f"{what}办理截止：{last_text}（北京时间当日24时，以服务器时间为准），还剩{remaining}。{self.warning}"


def window(info: CampaignInfo, kind: str, now: datetime | None = None) -> Window:
    """The window a batch of `kind` is sent in, and where `now` (default: business_now) is in it."""
    now = now or business_now()
    opens = _day_start(info.enrollment_start)
    if kind == KIND_CENTRAL:
        closes = info.closes_at or _day_start(info.payment_deadline + timedelta(days=1))
    else:
        closes = _day_start(info.coverage_end)
    return Window(kind, opens, closes, now, clock_warning())

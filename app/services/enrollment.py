"""集中参保 and 即时参保: who is eligible, the counts, retirement flags, the plan type, and the
submission itself (a batch, its notice PDF and an outbox row) — plain Python, no Qt.

The campaign (plan types, fees and their split, deadlines, coverage, bank account) comes from the
server and is cached in the profile (`Setting` "campaign:{year}"), so all of this works offline;
submitting queues the batch in the outbox and the sync engine sends it, signed, when online.
"""
from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from peewee import fn

from app.models import Batch, BatchMember, Member, Setting, Union, db
from app.models.outbox import enqueue
from app.models.queries import ENROLLMENT_COLUMNS, enrollment_rows
from app.protocol import Channel, Period, Submission, SubmissionKind, SubmissionMember
from app.rules import eligibility, retirement
from app.rules.codes import PLAN_TYPE_LABELS, LifeStatus
from app.rules.eligibility import CHANNEL_CARD, CHANNEL_SS, REASONS, Coverage
from app.rules.fees import CENT, FeeSplit, FeeTotals, batch_totals, format_yuan, parse_yuan
from app.rules.problems import Problem
from app.services import audit
from app.services.errors import ClerkError

KIND_CENTRAL = SubmissionKind.CENTRAL
KIND_INSTANT_CARDED = SubmissionKind.INSTANT_CARDED
KIND_INSTANT_NEW_CARD = SubmissionKind.INSTANT_NEW_CARD
KIND_LABELS = {KIND_CENTRAL: "集中参保", KIND_INSTANT_CARDED: "有卡无保", KIND_INSTANT_NEW_CARD: "新办卡"}

#: Batch statuses → what the clerk reads (manual §3.2.8, §4.8).
STATUS_LABELS = {
    "queued": "待发送",
    "under_review": "区局确认中",
    "returned": "退回",
    "approved": "已通过",
    "completed": "已完成",
    "refused": "未被受理",
}
#: Statuses whose members count as submitted (a returned or refused batch frees its members).
LIVE_STATUSES = ("queued", "under_review", "approved", "completed")

WOMEN_WORKER_BASE_AGE = 50  # nobody younger than this can have reached statutory retirement


# ---- campaign --------------------------------------------------------------------------------

@dataclass(frozen=True)
class CampaignInfo:
    plan_year: int
    payment_deadline: date
    coverage_start: date
    coverage_end: date
    enrollment_start: date
    splits: dict[str, FeeSplit]
    bank_account: dict[str, str]
    half_year: dict[str, Any]
    closes_at: str = ""

    def split(self, plan_type: str) -> FeeSplit:
        if plan_type not in self.splits:
            raise ClerkError(f"本年度参保活动没有“{PLAN_TYPE_LABELS.get(plan_type, plan_type)}”的费用标准。",
                             "请同步获取最新的活动配置，或选择其他保障类型。")
        return self.splits[plan_type]

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "CampaignInfo":
        splits = {p["plan_type"]: FeeSplit(fee=parse_yuan(p["fee"]), city=parse_yuan(p["city"]),
                                           district=parse_yuan(p["district"]),
                                           grassroots=parse_yuan(p["grassroots"]))
                  for p in config.get("plan_types", [])}
        windows = config.get("windows", {})
        return cls(
            plan_year=int(config["plan_year"]),
            payment_deadline=date.fromisoformat(config["payment_deadline"]),
            coverage_start=date.fromisoformat(windows["coverage"]["start"]),
            coverage_end=date.fromisoformat(windows["coverage"]["end"]),
            enrollment_start=date.fromisoformat(windows.get("enrollment", {}).get("start", config["payment_deadline"])),
            splits=splits, bank_account=config.get("bank_account", {}), half_year=config.get("half_year") or {},
            closes_at=config.get("enrollment_closes_at", ""),
        )


def cache_campaign(config: dict[str, Any]) -> None:
    """Keep a campaign config (as the server serves it) for offline use."""
    Setting.replace(key=f"campaign:{config['plan_year']}", value=json.dumps(config, ensure_ascii=False)).execute()
    Setting.replace(key="campaign:current", value=str(config["plan_year"])).execute()


def campaign(plan_year: int | None = None) -> CampaignInfo | None:
    """The cached campaign of `plan_year` (default: the current one), or None before any sync."""
    if plan_year is None:
        current = Setting.get_or_none(Setting.key == "campaign:current")
        if current is None:
            return None
        plan_year = int(current.value)
    row = Setting.get_or_none(Setting.key == f"campaign:{plan_year}")
    return CampaignInfo.from_config(json.loads(row.value)) if row else None


def require_campaign(plan_year: int | None = None) -> CampaignInfo:
    info = campaign(plan_year)
    if info is None:
        raise ClerkError("本机还没有本年度参保活动的配置（保障类型、费用标准、截止日期）。",
                         "请联网后点“同步”获取；获取一次后即可离线办理。")
    return info


# ---- who is eligible -------------------------------------------------------------------------

def submitted_ids(union_id: int, plan_year: int, channel: str | None = None) -> set[int]:
    """Members already in a live batch of this plan year (either channel unless given)."""
    query = (BatchMember.select(BatchMember.member).join(Batch)
             .where((Batch.union == union_id) & (Batch.plan_year == plan_year) & Batch.status.in_(LIVE_STATUSES)))
    if channel:
        query = query.where(Batch.channel == channel)
    return {r[0] for r in query.tuples() if r[0] is not None}


def _probably_retired(row: dict[str, Any], plan_year: int) -> bool:
    if not row.get("birth_date") or not row.get("gender"):
        return False
    return retirement.probably_retired(row["birth_date"], row["gender"], row.get("post_type"), plan_year)


@dataclass
class Candidate:
    """A member as the enrollment screens see them."""

    id: int
    member_no: str
    name: str
    id_type: str
    id_number: str
    card_no: str | None
    reason: str | None  # why not eligible (eligibility.REASONS), None when eligible
    retirement: str | None  # retirement_unsettled / retired_confirmed / None
    retirement_dates: tuple[date, ...] = ()
    ss_card_status: str | None = None
    employment_status: str | None = None

    @property
    def eligible(self) -> bool:
        return self.reason is None and self.retirement != "retired_confirmed"

    @property
    def reason_text(self) -> str:
        code = self.reason or self.retirement
        return REASONS.get(code, "") if code else ""


def candidates(union_id: int, plan_year: int, channel: str, *, ordered: bool = True) -> list[Candidate]:
    """Every member of the union with their standing in `channel` for `plan_year`."""
    enrolled = submitted_ids(union_id, plan_year)
    # ISO dates compare as text: only members born on or before this can be flagged.
    oldest_possible = date(plan_year - WOMEN_WORKER_BASE_AGE, 12, 31).isoformat()
    out: list[Candidate] = []
    for values in enrollment_rows(union_id, ordered=ordered):
        row = dict(zip(ENROLLMENT_COLUMNS, values))
        reason = eligibility.ineligible_reason(row, channel=channel, plan_year=plan_year, enrolled=row["id"] in enrolled)
        flagged = False
        dates: tuple[date, ...] = ()
        birth = row["birth_date"]
        if birth and birth[:10] <= oldest_possible and row["life_status"] == LifeStatus.IN_SERVICE and row["gender"]:
            row["birth_date"] = date.fromisoformat(birth[:10])
            flagged = _probably_retired(row, plan_year)
            dates = retirement.retirement_dates(row["birth_date"], row["gender"], row["post_type"])
        out.append(Candidate(row["id"], row["member_no"], row["name"], row["id_type"], row["id_number"],
                             row["card_no"], reason, eligibility.retirement_reason(row, flagged), dates,
                             row["ss_card_status"], row["employment_status"]))
    return out


@dataclass(frozen=True)
class EnrollmentCounts:
    """The counts of the confirmation screen (manual §3.1.6, §3.2.2)."""

    total: int  # 会员总人数
    carded: int  # 有卡总人数
    submitted: int  # 集中参保已提交人数 (this channel)
    no_card: int  # 未办卡人数
    retired: int  # 退休人数
    deceased: int  # 死亡人数
    pending: int  # 待确认人数
    awaiting_check: int  # 待校验人数 (SS channel)
    eligible: int  # 可参保人数
    flagged: int  # 可能已退休、待经办人确认的人数


def count(union_id: int, plan_year: int, channel: str = CHANNEL_CARD) -> EnrollmentCounts:
    """The counts, from one pass over the union's members (a 100,000-member union: under a second).

    Each excluded member is counted once, under the first reason that excludes them (deceased,
    retired, pending confirmation, no card …), as the lists behind the counts show them."""
    people = candidates(union_id, plan_year, channel, ordered=False)
    reasons: dict[str | None, int] = {}
    for c in people:
        reasons[c.reason] = reasons.get(c.reason, 0) + 1
    eligible = [c for c in people if c.eligible]
    return EnrollmentCounts(
        total=len(people), carded=sum(1 for c in people if c.card_no),
        submitted=len(submitted_ids(union_id, plan_year, channel)), no_card=reasons.get("no_card", 0),
        retired=reasons.get("retired", 0), deceased=reasons.get("deceased", 0),
        pending=reasons.get("pending_confirmation", 0),
        awaiting_check=reasons.get("ss_unchecked", 0) + reasons.get("ss_abnormal", 0),
        eligible=len(eligible), flagged=sum(1 for c in eligible if c.retirement == "retirement_unsettled"))


def members_for_count(union_id: int, plan_year: int, channel: str, which: str) -> list[Candidate]:
    """The members behind one count of the confirmation screen (each count opens its list)."""
    people = candidates(union_id, plan_year, channel)
    if which == "submitted":
        ids = submitted_ids(union_id, plan_year, channel)
        return [c for c in people if c.id in ids]
    selectors: dict[str, Callable[[Candidate], bool]] = {
        "total": lambda c: True,
        "carded": lambda c: bool(c.card_no),
        "no_card": lambda c: c.reason == "no_card",
        "retired": lambda c: c.reason == "retired",
        "deceased": lambda c: c.reason == "deceased",
        "pending": lambda c: c.reason == "pending_confirmation",
        "awaiting_check": lambda c: c.reason in ("ss_unchecked", "ss_abnormal"),
        "eligible": lambda c: c.eligible,
        "flagged": lambda c: c.eligible and c.retirement == "retirement_unsettled",
    }
    return [c for c in people if selectors[which](c)]


# ---- retirement flags ------------------------------------------------------------------------

def settle_retirement(member_id: int, answer: str, *, actor: str, retired_on: date | None = None) -> None:
    """The clerk's answer to a retirement flag: "working" (仍在职) or "retired" (已退休, on a date)."""
    if answer not in ("working", "retired"):
        raise ValueError(answer)
    with db.atomic("IMMEDIATE"):
        m = Member.get_by_id(member_id)
        old = m.retirement_confirmation
        m.retirement_confirmation = answer
        if answer == "retired":
            if retired_on is None:
                raise ClerkError("请填写退休日期。", "按退休证或人社部门的记录填写。")
            audit.record(actor, "retirement.confirm_retired", member_id=m.id, field="life_status",
                         old=m.life_status, new=f"retired {retired_on.isoformat()}")
            m.life_status, m.life_status_date = LifeStatus.RETIRED, retired_on
        audit.record(actor, "retirement.settle", member_id=m.id, field="retirement_confirmation", old=old, new=answer)
        m.updated_at = datetime.now().replace(microsecond=0)
        m.save()


def settle_retirements(answers: list[tuple[int, str, date | None]], *, actor: str) -> None:
    """The answers (member id, answer, retired on) of one wizard run, all or nothing."""
    with db.atomic("IMMEDIATE"):
        for member_id, answer, retired_on in answers:
            settle_retirement(member_id, answer, actor=actor, retired_on=retired_on)


# ---- plan type -------------------------------------------------------------------------------

def fixed_plan_type(union_id: int, plan_year: int) -> str | None:
    """The plan type the union's first live submission fixed for the year (either channel)."""
    first = (Batch.select(Batch.plan_type)
             .where((Batch.union == union_id) & (Batch.plan_year == plan_year) & Batch.status.in_(LIVE_STATUSES))
             .order_by(Batch.id).first())
    return first.plan_type if first else None


# ---- the roster and its totals ---------------------------------------------------------------

@dataclass(frozen=True)
class RosterRow:
    member_id: int
    name: str
    id_number: str
    card_no: str | None
    coverage: Coverage


@dataclass
class Draft:
    """What 提交至上级审核 would send: the roster, its totals, and anything still blocking it."""

    union_id: int
    plan_year: int
    channel: str
    kind: str
    plan_type: str
    rows: list[RosterRow]
    totals: FeeTotals
    split: FeeSplit
    blocking: list[Problem] = field(default_factory=list)

    @property
    def header(self) -> str:
        """保障年度：2025年。可参保人数：53人。——保障费用：1378元；市总统一划拨：689元；…"""
        t = self.totals
        return (f"保障年度：{self.plan_year}年。可参保人数：{t.count}人。——保障费用：{format_yuan(t.fee)}元；"
                f"市总统一划拨：{format_yuan(t.city)}元；区局/各级工会缴费：{format_yuan(t.district)}元；"
                f"基层单位缴费：{format_yuan(t.grassroots)}元。")


def deadline_text(info: CampaignInfo) -> str:
    """The manual's sentence on paying and coverage, with this campaign's dates."""
    d, s, e = info.payment_deadline, info.coverage_start, info.coverage_end
    return (f"请于{d.year}年{d.month}月{d.day}日之前，将对应的参保费用划入所属区局（产业）工会账户，"
            f"保障日期为{s.year}年{s.month}月{s.day}日起至{e.year}年{e.month}月{e.day}日止。逾期未划款，"
            f"则所有参保均失败，需按照即时参保流程另行办理参保手续，保障日期自办理参保日的次日起至"
            f"{e.year}年{e.month}月{e.day}日止。")


def _half_split(split: FeeSplit, factor: Decimal) -> FeeSplit:
    city, district, grassroots = ((x * factor).quantize(CENT) for x in (split.city, split.district, split.grassroots))
    return FeeSplit(fee=city + district + grassroots, city=city, district=district, grassroots=grassroots)


def roster_totals(rows: list[RosterRow], split: FeeSplit, half_year: dict[str, Any]) -> FeeTotals:
    halves = sum(1 for r in rows if r.coverage.period == "half")
    full = batch_totals(len(rows) - halves, split)
    if not halves:
        return full
    half = batch_totals(halves, _half_split(split, Decimal(str(half_year.get("price_factor", "0.5")))))
    return FeeTotals(count=full.count + half.count, fee=full.fee + half.fee, city=full.city + half.city,
                     district=full.district + half.district, grassroots=full.grassroots + half.grassroots)


def draft(union_id: int, plan_year: int, plan_type: str, *, channel: str = CHANNEL_CARD, kind: str = KIND_CENTRAL,
          member_ids: list[int] | None = None, today: date | None = None, info: CampaignInfo | None = None) -> Draft:
    """The roster for a submission: every eligible member (or the chosen ones), with totals."""
    info = info or require_campaign(plan_year)
    today = today or date.today()
    split = info.split(plan_type)
    people = [c for c in candidates(union_id, plan_year, channel) if c.eligible]
    if member_ids is not None:
        wanted = set(member_ids)
        people = [c for c in people if c.id in wanted]
    blocking: list[Problem] = []
    fixed = fixed_plan_type(union_id, plan_year)
    if fixed and fixed != plan_type:
        blocking.append(Problem("plan_type_fixed", f"本工会{plan_year}年度已按“{PLAN_TYPE_LABELS[fixed]}”提交过，"
                                                   f"同一保障年度只能选择一个保障类型。请改选“{PLAN_TYPE_LABELS[fixed]}”。"))
    unsettled = [c for c in people if c.retirement == "retirement_unsettled"]
    if unsettled:
        names = "、".join(c.name for c in unsettled[:5]) + ("等" if len(unsettled) > 5 else "")
        blocking.append(Problem("retirement_unsettled",
                                f"有 {len(unsettled)} 人可能在{plan_year}年1月1日前已到法定退休年龄（{names}），"
                                "请逐一确认“仍在职”或“已退休”后再提交。"))
    if not people:
        blocking.append(Problem("empty", "没有可以提交的会员。"))
    rows = []
    for c in people:
        cover = eligibility.central_coverage(plan_year) if kind == KIND_CENTRAL else \
            eligibility.instant_coverage(plan_year, today, info.half_year)
        rows.append(RosterRow(c.id, c.name, c.id_number, c.card_no, cover))
    return Draft(union_id, plan_year, channel, kind, plan_type, rows, roster_totals(rows, split, info.half_year),
                 split, blocking)


# ---- submitting ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Submitted:
    batch_no: str
    notice_path: Path
    count: int
    payment_deadline: date


def new_batch_no(kind: str, org_code: str, now: datetime | None = None) -> str:
    now = now or datetime.now()
    prefix = "JZ" if kind == KIND_CENTRAL else "JS"
    return f"{prefix}{now:%Y%m%d%H%M%S}{(org_code or '')[-4:]}{secrets.token_hex(2).upper()}"


def channel_counts(union_id: int, plan_year: int) -> dict[str, int]:
    """Members in live batches this plan year, per channel (the notice counts both)."""
    rows = (BatchMember.select(Batch.channel, fn.COUNT(BatchMember.id)).join(Batch)
            .where((Batch.union == union_id) & (Batch.plan_year == plan_year) & Batch.status.in_(LIVE_STATUSES))
            .group_by(Batch.channel).tuples())
    counts = {CHANNEL_CARD: 0, CHANNEL_SS: 0}
    counts.update({c: n for c, n in rows})
    return counts


def submit(d: Draft, *, actor: str, documents: Path, fingerprint: str, replaces: str | None = None,
           now: datetime | None = None) -> Submitted:
    """Queue the draft: batch + members + notice PDF + outbox row, in one transaction.

    The nonce and timestamp are stamped by the sync engine when the row is first sent, so a
    submission queued offline is still fresh when it reaches the server.
    """
    from app.services import notices  # reportlab loads only when a notice is made

    if d.blocking:
        raise ClerkError(d.blocking[0].message, "")
    now = now or datetime.now().replace(microsecond=0)
    union = Union.get_by_id(d.union_id)
    info = require_campaign(d.plan_year)
    batch_no = new_batch_no(d.kind, union.org_code, now)
    before = channel_counts(d.union_id, d.plan_year)
    before[d.channel] += len(d.rows)
    roster = [notices.RosterRow(name=r.name, id_number=r.id_number, card_no=r.card_no,
                                coverage_start=r.coverage.start, coverage_end=r.coverage.end,
                                period=r.coverage.period, channel=d.channel) for r in d.rows]
    pdf = notices.grassroots_notice_pdf(notices.GrassrootsNotice(
        union_name=union.name, plan_year=d.plan_year, plan_type=d.plan_type, card_count=before[CHANNEL_CARD],
        ss_count=before[CHANNEL_SS], payment_deadline=info.payment_deadline, coverage_start=info.coverage_start,
        coverage_end=info.coverage_end, issued_on=now.date(), batch_no=batch_no, signature_fingerprint=fingerprint,
        totals=d.totals, roster=roster, supplementary=bool(fixed_plan_type(d.union_id, d.plan_year)),
        replaces=replaces))
    path = notices.save_notice(pdf, documents, batch_no)
    payload = Submission(
        union=union.org_code, batch_no=batch_no, kind=SubmissionKind(d.kind), plan_year=d.plan_year,
        channel=Channel(d.channel), plan_type=d.plan_type,
        members=[SubmissionMember(r.id_number, r.name, r.card_no, r.coverage.start, r.coverage.end,
                                  Period(r.coverage.period)) for r in d.rows],
        totals=d.totals, fee_split=d.split, notice_pdf_sha256=hashlib.sha256(pdf).hexdigest(), replaces=replaces)
    with db.atomic("IMMEDIATE"):
        row = enqueue(payload, attachment=str(path))
        batch = Batch.create(union=d.union_id, batch_no=batch_no, kind=d.kind, channel=d.channel,
                             plan_year=d.plan_year, plan_type=d.plan_type, member_count=len(d.rows),
                             totals=json.dumps(payload.to_wire()["totals"]), status="queued", replaces=replaces,
                             notice_path=str(path), notice_sha256=payload.notice_pdf_sha256, outbox=row,
                             submitted_at=now, updated_at=now, actor=actor)
        from app.models.bulk import insert_rows

        insert_rows(BatchMember, [{"batch": batch.id, "member": r.member_id, "id_number": r.id_number,
                                   "name": r.name, "card_no": r.card_no, "coverage_start": r.coverage.start,
                                   "coverage_end": r.coverage.end, "period": r.coverage.period} for r in d.rows])
        audit.record(actor, "enrollment.submit", note=f"{batch_no} {KIND_LABELS[d.kind]} {d.channel} "
                                                     f"{d.plan_type} {len(d.rows)}人 {format_yuan(d.totals.fee)}元")
    return Submitted(batch_no, path, len(d.rows), info.payment_deadline)


# ---- batches ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class BatchInfo:
    id: int
    batch_no: str
    kind: str
    channel: str
    plan_year: int
    plan_type: str
    member_count: int
    status: str
    return_reason: str | None
    problem: str | None
    submitted_at: datetime
    updated_at: datetime
    notice_path: str | None
    replaces: str | None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


def batches(union_id: int, *, channel: str | None = None, status: str | None = None,
            kind: str | None = None, plan_year: int | None = None) -> list[BatchInfo]:
    query = Batch.select().where(Batch.union == union_id)
    if channel:
        query = query.where(Batch.channel == channel)
    if status:
        query = query.where(Batch.status == status)
    if kind:
        query = query.where(Batch.kind == kind)
    if plan_year:
        query = query.where(Batch.plan_year == plan_year)
    return [BatchInfo(b.id, b.batch_no, b.kind, b.channel, b.plan_year, b.plan_type, b.member_count, b.status,
                      b.return_reason, b.problem, b.submitted_at, b.updated_at, b.notice_path, b.replaces)
            for b in query.order_by(Batch.submitted_at.desc(), Batch.id.desc())]


def batch_members(batch_id: int) -> list[dict[str, Any]]:
    return [{"name": r.name, "id_number": r.id_number, "card_no": r.card_no, "coverage_start": r.coverage_start,
             "coverage_end": r.coverage_end, "period": r.period, "member_id": r.member_id}
            for r in BatchMember.select().where(BatchMember.batch == batch_id).order_by(BatchMember.id)]


def latest_notice(union_id: int, plan_year: int | None = None) -> Path | None:
    """重新下载集中参保告知书: the newest central batch's notice."""
    query = Batch.select().where((Batch.union == union_id) & (Batch.kind == KIND_CENTRAL)
                                 & Batch.status.in_(LIVE_STATUSES))
    if plan_year:
        query = query.where(Batch.plan_year == plan_year)
    b = query.order_by(Batch.id.desc()).first()
    return Path(b.notice_path) if b and b.notice_path else None


def regenerate_latest_notice(union_id: int, plan_year: int, *, fingerprint: str, documents: Path,
                             today: date | None = None) -> Path:
    """Make the notice again from what is submitted now (both channels), under the newest batch."""
    from app.services import notices

    b = (Batch.select().where((Batch.union == union_id) & (Batch.plan_year == plan_year)
                              & (Batch.kind == KIND_CENTRAL) & Batch.status.in_(LIVE_STATUSES))
         .order_by(Batch.id.desc()).first())
    if b is None:
        raise ClerkError(f"本工会{plan_year}年度还没有提交过集中参保。", "请先办理集中参保并提交至上级审核。")
    info = require_campaign(plan_year)
    counts = channel_counts(union_id, plan_year)
    union = Union.get_by_id(union_id)
    rows = (BatchMember.select(BatchMember, Batch.channel).join(Batch)
            .where((Batch.union == union_id) & (Batch.plan_year == plan_year) & Batch.status.in_(LIVE_STATUSES))
            .order_by(BatchMember.id))
    roster = [notices.RosterRow(name=r.name, id_number=r.id_number, card_no=r.card_no,
                                coverage_start=r.coverage_start, coverage_end=r.coverage_end, period=r.period,
                                channel=r.batch.channel) for r in rows]
    split = info.split(b.plan_type)
    total = counts[CHANNEL_CARD] + counts[CHANNEL_SS]
    pdf = notices.grassroots_notice_pdf(notices.GrassrootsNotice(
        union_name=union.name, plan_year=plan_year, plan_type=b.plan_type, card_count=counts[CHANNEL_CARD],
        ss_count=counts[CHANNEL_SS], payment_deadline=info.payment_deadline, coverage_start=info.coverage_start,
        coverage_end=info.coverage_end, issued_on=today or date.today(), batch_no=b.batch_no,
        signature_fingerprint=fingerprint, totals=batch_totals(total, split), roster=roster))
    return notices.save_notice(pdf, documents, b.batch_no)

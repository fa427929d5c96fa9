"""集中参保 and 即时参保: who is eligible, the counts, retirement flags, the plan type, the roster
with its prices, and the submission itself (a batch, its notice PDF and an outbox row) — no Qt.

The campaign (`app.services.campaign`) is cached in the profile, so all of this works offline;
submitting queues the batch in the outbox and the sync engine sends it, signed, when online. The
coverage dates and prices computed here are the display copy of what the server decides on receipt
(RULES.md "Fees"): the same rules (`app.rules.coverage`, `app.rules.fees`) on the same campaign.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from app.models import Batch, BatchMember, Member, RetirementAnswer, Union, db
from app.models.answers import retirement_answers
from app.models.bulk import insert_rows
from app.models.outbox import enqueue
from app.models.queries import ENROLLMENT_COLUMNS, enrollment_rows
from app.models.queries.enrollment import eligibility_groups
from app.models.tables import CardBatch, CardBatchMember
from app.protocol import Channel, Period, Submission, SubmissionKind, SubmissionMember
from app.rules import eligibility, retirement
from app.rules.codes import PLAN_TYPE_LABELS, LifeStatus
from app.rules.coverage import SHANGHAI, Coverage, coverage_for, shanghai_date
from app.rules.eligibility import CHANNEL_CARD, CHANNELS, COUNT_OF_REASON, REASONS
from app.rules.fees import FeeSplit, FeeTotals, format_yuan, roster_totals
from app.rules.problems import Problem, RuleError
from app.services import audit
from app.services.batch_numbers import PREFIX_CENTRAL, PREFIX_INSTANT, next_batch_no
from app.services.campaign import (  # noqa: F401 (the texts: the views read them here)
    CampaignInfo,
    business_now,
    deadline_text,
    instant_text,
    require_campaign,
    window,
)
from app.services.enrollment_batches import (  # noqa: F401 (the kinds: the views read them here)
    KIND_CENTRAL,
    KIND_INSTANT_CARDED,
    KIND_INSTANT_NEW_CARD,
    KIND_LABELS,
    LIVE_STATUSES,
    first_central_submission,
    fixed_plan_type,
    submitted_ids,
)
from app.services.errors import ClerkError

WOMEN_WORKER_BASE_AGE = 50  # nobody younger than this can have reached statutory retirement
ANSWERS = ("working", "retired")


# ---- who is eligible -------------------------------------------------------------------------

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
    retirement: str | None  # "retirement_unsettled" while a flag waits for the clerk's answer
    retirement_dates: tuple[date, ...] = ()
    ss_card_status: str | None = None
    employment_status: str | None = None

    @property
    def eligible(self) -> bool:
        return self.reason is None

    @property
    def count(self) -> str:
        """The count of the wizard this member lands in (eligibility.COUNT_OF_REASON)."""
        return COUNT_OF_REASON[self.reason]

    @property
    def reason_text(self) -> str:
        code = self.reason or self.retirement
        return REASONS.get(code, "") if code else ""


def _retirement(row: dict[str, Any], plan_year: int, answer: tuple[str, date | None] | None,
                oldest_possible: str) -> tuple[str | None, tuple[date, ...]]:
    """(standing, statutory dates) of an otherwise eligible member: eligibility.retirement_standing."""
    dates: tuple[date, ...] = ()
    flagged = False
    birth = row["birth_date"]
    # ISO dates compare as text: only members born on or before `oldest_possible` can be flagged.
    if birth and birth[:10] <= oldest_possible and row["life_status"] == LifeStatus.IN_SERVICE and row["gender"]:
        born = date.fromisoformat(birth[:10])
        dates = retirement.retirement_dates(born, row["gender"], row["post_type"])
        flagged = any(d < date(plan_year, 1, 1) for d in dates)
    given, retired_on = answer if answer else (None, None)
    return eligibility.retirement_standing(given, retired_on, plan_year, flagged), dates


def candidates(union_id: int, plan_year: int, channel: str, *, ordered: bool = True,
               categories: tuple[str, ...] | None = None, birth_months: tuple[str, ...] | None = None
               ) -> list[Candidate]:
    """Every member of the union with their standing in `channel` for `plan_year` (only those born
    in `birth_months`, "YYYY-MM", when given)."""
    if categories is None:
        from app.services.campaign import union_categories

        categories = union_categories(plan_year)
    enrolled = submitted_ids(union_id, plan_year)
    answers = retirement_answers(union_id, plan_year)
    oldest_possible = date(plan_year - WOMEN_WORKER_BASE_AGE, 12, 31).isoformat()
    out: list[Candidate] = []
    for values in enrollment_rows(union_id, ordered=ordered, birth_months=birth_months):
        row = dict(zip(ENROLLMENT_COLUMNS, values))
        reason = eligibility.ineligible_reason(row, channel=channel, plan_year=plan_year,
                                               enrolled=row["id"] in enrolled, categories=categories)
        standing, dates = (None, ()) if reason else _retirement(row, plan_year, answers.get(row["id"]),
                                                                oldest_possible)
        if standing == "retired":
            reason, standing = "retired", None
        out.append(Candidate(row["id"], row["member_no"], row["name"], row["id_type"], row["id_number"],
                             row["card_no"], reason, standing, dates, row["ss_card_status"],
                             row["employment_status"]))
    return out


@dataclass(frozen=True)
class EnrollmentCounts:
    """The counts of the confirmation screen (manual §3.1.6, §3.2.2). The counts named in
    eligibility.PARTITION[channel] hold every member exactly once and add up to `total`."""

    total: int  # 会员总人数
    carded: int  # 有卡总人数 (all card holders, whatever their standing)
    submitted: int  # 集中参保已提交人数: enrolled this plan year (in this channel's population)
    no_card: int  # 未办卡人数 (card channel)
    retired: int  # 退休人数
    deceased: int  # 死亡人数
    pending: int  # 待确认人数
    awaiting_check: int  # 待校验人数 (SS channel)
    eligible: int  # 可参保人数
    flagged: int  # of the eligible: may have reached statutory retirement, awaiting the clerk's answer
    individual: int = 0  # 灵活就业/企业外入会: through 申工社, never billed to the union
    has_card: int = 0  # SS channel: holds a member card (enrolled through the card channel)
    not_mainland: int = 0  # SS channel: no 身份证

    def partition(self, channel: str) -> dict[str, int]:
        return {name: getattr(self, name) for name in eligibility.PARTITION[channel]}


def count(union_id: int, plan_year: int, channel: str = CHANNEL_CARD) -> EnrollmentCounts:
    """The counts: the same rules as `candidates`, applied once per group of alike members that
    SQLite counts (`counts_by_channel`)."""
    return counts_by_channel(union_id, plan_year, (channel,))[channel]


def _standings(union_id: int, plan_year: int, channels: tuple[str, ...], categories: tuple[str, ...] | None
               ) -> list[tuple[dict[str, Any], dict[str, tuple[str | None, str | None]]]]:
    """The members grouped by what the rules read (queries.eligibility_groups), each group with
    (reason, retirement standing) per channel: the rules of `candidates` applied to one member of
    the group."""
    if categories is None:
        from app.services.campaign import union_categories

        categories = union_categories(plan_year)
    oldest_possible = date(plan_year - WOMEN_WORKER_BASE_AGE, 12, 31).isoformat()
    out = []
    for group in eligibility_groups(union_id, plan_year, oldest_possible, LifeStatus.IN_SERVICE, LIVE_STATUSES):
        row = {**group, "card_no": "card" if group["has_card"] else None}
        retired_on = group["answer_retired_on"]
        answer = (group["answer"], date.fromisoformat(str(retired_on)[:10]) if retired_on else None) \
            if group["answer"] is not None else None
        standings: dict[str, tuple[str | None, str | None]] = {}
        for channel in channels:
            reason = eligibility.ineligible_reason(row, channel=channel, plan_year=plan_year,
                                                   enrolled=bool(group["enrolled"]), categories=categories)
            standing = None if reason else _retirement(row, plan_year, answer, oldest_possible)[0]
            standings[channel] = ("retired", None) if standing == "retired" else (reason, standing)
        out.append((group, standings))
    return out


def counts_by_channel(union_id: int, plan_year: int, channels: tuple[str, ...] = CHANNELS,
                      categories: tuple[str, ...] | None = None) -> dict[str, EnrollmentCounts]:
    """The counts of each channel, from one aggregate query: the rules applied once per group of
    alike members (`_standings`) — a few hundred groups instead of a Python pass over 100,000
    members, which would hold the GIL on the database worker for seconds and so stall the UI."""
    tallies = {channel: dict.fromkeys(set(COUNT_OF_REASON.values()), 0) for channel in channels}
    flagged = dict.fromkeys(channels, 0)
    total = carded = 0
    for group, standings in _standings(union_id, plan_year, channels, categories):
        n = group["members"]
        total += n
        carded += n if group["has_card"] else 0
        for channel, (reason, standing) in standings.items():
            tallies[channel][COUNT_OF_REASON[reason]] += n
            flagged[channel] += n if reason is None and standing == "retirement_unsettled" else 0
    return {channel: EnrollmentCounts(total=total, carded=carded, flagged=flagged[channel], **tallies[channel])
            for channel in channels}


def members_for_count(union_id: int, plan_year: int, channel: str, which: str) -> list[Candidate]:
    """The members behind one count of the confirmation screen (each count opens its list).

    The flagged list (a few members of a big union) reads only the members born in the months
    whose groups are flagged (`_standings`), not every member."""
    months = None
    if which == "flagged":
        months = tuple(sorted({group["birth_date"][:7] for group, standings in
                               _standings(union_id, plan_year, (channel,), None)
                               if standings[channel] == (None, "retirement_unsettled")}))
    people = candidates(union_id, plan_year, channel, birth_months=months)
    special: dict[str, Callable[[Candidate], bool]] = {
        "total": lambda c: True,
        "carded": lambda c: bool(c.card_no),
        "flagged": lambda c: c.eligible and c.retirement == "retirement_unsettled",
    }
    chosen = special.get(which, lambda c: c.count == which)
    return [c for c in people if chosen(c)]


def new_card_ids(union_id: int, plan_year: int, info: CampaignInfo) -> set[int]:
    """新办卡人员 (RULES.md "Who the union enrolls"): members whose member card a card batch issued
    after the union's first central submission of the plan year, or after the central window
    closed (the batch's date). Every other card holder is 有卡无保: the two lists never overlap."""
    first = first_central_submission(union_id, plan_year)
    query = (CardBatchMember.select(CardBatchMember.member, CardBatch.submitted_at).join(CardBatch)
             .where((CardBatch.union == union_id) & (CardBatchMember.outcome == "issued")
                    & CardBatchMember.member.is_null(False)))
    return {member for member, made in query.tuples()
            if (first is not None and made > first) or made.date() > info.payment_deadline}


# ---- retirement flags ------------------------------------------------------------------------

def settle_retirements(answers: list[tuple[int, str, date | None]], *, plan_year: int, actor: str) -> int:
    """The clerk's answers to retirement flags for `plan_year`, all in one transaction: (member id,
    "working" 仍在职 | "retired" 已退休, retirement date). An answer holds for that plan year only."""
    for _, answer, retired_on in answers:
        if answer not in ANSWERS:
            raise ValueError(answer)
        if answer == "retired" and retired_on is None:
            raise ClerkError("请填写退休日期。", "按退休证或人社部门的记录填写。")
    with db.atomic("IMMEDIATE"):
        for member_id, answer, retired_on in answers:
            _settle(member_id, answer, retired_on, plan_year, actor)
    return len(answers)


def settle_retirement(member_id: int, answer: str, *, plan_year: int, actor: str,
                      retired_on: date | None = None) -> None:
    """One member's answer (see `settle_retirements`)."""
    settle_retirements([(member_id, answer, retired_on)], plan_year=plan_year, actor=actor)


def _settle(member_id: int, answer: str, retired_on: date | None, plan_year: int, actor: str) -> None:
    m = Member.get_by_id(member_id)
    old = RetirementAnswer.get_or_none((RetirementAnswer.member == member_id) & (RetirementAnswer.plan_year == plan_year))
    RetirementAnswer.replace(member=member_id, plan_year=plan_year, answer=answer,
                             retired_on=retired_on if answer == "retired" else None, actor=actor,
                             answered_at=datetime.now().replace(microsecond=0)).execute()
    if answer == "retired":
        audit.record(actor, "retirement.confirm_retired", member_id=m.id, field="life_status",
                     old=m.life_status, new=f"retired {retired_on.isoformat()}")
        m.life_status, m.life_status_date = LifeStatus.RETIRED, retired_on
        m.updated_at = datetime.now().replace(microsecond=0)
        m.save()
    audit.record(actor, "retirement.settle", member_id=m.id, field="retirement_answer",
                 old=old.answer if old else None, new=answer, note=f"保障年度 {plan_year}")


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
    priced_on: date | None = None  # the 办理参保日 (Shanghai date) the coverage and prices assume

    @property
    def header(self) -> str:
        """保障年度：2025年。可参保人数：53人。——保障费用：1378元；市总统一划拨：689元；…"""
        t = self.totals
        return (f"保障年度：{self.plan_year}年。可参保人数：{t.count}人。——保障费用：{format_yuan(t.fee)}元；"
                f"市总统一划拨：{format_yuan(t.city)}元；区局/各级工会缴费：{format_yuan(t.district)}元；"
                f"基层单位缴费：{format_yuan(t.grassroots)}元。")


def _blocking(union_id: int, plan_year: int, plan_type: str, people: list[Candidate]) -> list[Problem]:
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
    return blocking


def draft(union_id: int, plan_year: int, plan_type: str, *, channel: str = CHANNEL_CARD, kind: str = KIND_CENTRAL,
          member_ids: list[int] | None = None, today: date | None = None, info: CampaignInfo | None = None,
          now: datetime | None = None) -> Draft:
    """The roster for a submission: every eligible member (or the chosen ones), priced as if the
    server received it on `today` (a Shanghai date; default: the server calendar's today, as far as
    this PC knows it). A window the cached campaign says is shut blocks it, before the clerk submits."""
    info = info or require_campaign(plan_year)
    if now is None:  # `today` alone: as if at noon that day in Shanghai
        now = datetime.combine(today, time(12), SHANGHAI) if today else business_now()
    today = today or shanghai_date(now)
    split = info.split(plan_type)
    people = [c for c in candidates(union_id, plan_year, channel, categories=info.union_categories) if c.eligible]
    if kind != KIND_CENTRAL:
        fresh = new_card_ids(union_id, plan_year, info)
        people = [c for c in people if (c.id in fresh) == (kind == KIND_INSTANT_NEW_CARD)]
    if member_ids is not None:
        wanted = set(member_ids)
        people = [c for c in people if c.id in wanted]
    blocking = _blocking(union_id, plan_year, plan_type, people)
    shut = window(info, kind, now)
    if not shut.is_open:
        blocking.insert(0, Problem("window_closed", shut.text))
    try:
        cover = coverage_for(kind, plan_year, today, info.half_year)
    except RuleError as exc:
        blocking.append(exc.problem)
        cover = coverage_for(KIND_CENTRAL, plan_year, today)
    rows = [RosterRow(c.id, c.name, c.id_number, c.card_no, cover) for c in people]
    totals = roster_totals((r.coverage.period for r in rows), split, info.half_year.price_factor)
    return Draft(union_id, plan_year, channel, kind, plan_type, rows, totals, split, blocking, today)


# ---- submitting ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Submitted:
    batch_no: str
    notice_path: Path
    count: int
    payment_deadline: date


def submit(d: Draft, *, actor: str, documents: Path, fingerprint: str, replaces: str | None = None,
           now: datetime | None = None) -> Submitted:
    """Queue the draft: batch + members + notice PDF + outbox row, in one transaction; the PDF is
    written last inside it and removed again if the transaction does not commit.

    The nonce and timestamp are stamped by the sync engine when the row is first sent, so a
    submission queued offline is still fresh when it reaches the server.
    """
    from app.services import enrollment_notice, notices  # reportlab loads only when a notice is made

    if d.blocking:
        raise ClerkError(d.blocking[0].message, "")
    moment = now or business_now()
    today = shanghai_date(moment)
    union = Union.get_by_id(d.union_id)
    info = require_campaign(d.plan_year)
    batch_no = next_batch_no(PREFIX_CENTRAL if d.kind == KIND_CENTRAL else PREFIX_INSTANT, today)
    pdf = notices.grassroots_notice_pdf(enrollment_notice.for_draft(
        d, union.name, info, batch_no=batch_no, fingerprint=fingerprint, issued_on=today, replaces=replaces))
    payload = Submission(
        union=union.org_code, batch_no=batch_no, kind=SubmissionKind(d.kind), plan_year=d.plan_year,
        channel=Channel(d.channel), plan_type=d.plan_type,
        members=[SubmissionMember(r.id_number, r.name, r.card_no, r.coverage.start, r.coverage.end,
                                  Period(r.coverage.period)) for r in d.rows],
        totals=d.totals, fee_split=d.split, notice_pdf_sha256=hashlib.sha256(pdf).hexdigest(), replaces=replaces)
    path = documents / notices.notice_filename(batch_no)
    stamp = moment.astimezone().replace(tzinfo=None, microsecond=0)  # local wall time, for display
    try:
        with db.atomic("IMMEDIATE"):
            _store(d, payload, path, actor=actor, stamp=stamp)
            notices.save_notice(pdf, documents, batch_no)
    except BaseException:
        path.unlink(missing_ok=True)  # the number is new: a file under it can only be this one
        raise
    return Submitted(batch_no, path, len(d.rows), info.payment_deadline)


def _store(d: Draft, payload: Submission, path: Path, *, actor: str, stamp: datetime) -> None:
    row = enqueue(payload, attachment=str(path))
    batch = Batch.create(union=d.union_id, batch_no=payload.batch_no, kind=d.kind, channel=d.channel,
                         plan_year=d.plan_year, plan_type=d.plan_type, member_count=len(d.rows),
                         totals=json.dumps(payload.to_wire()["totals"]), status="queued", replaces=payload.replaces,
                         notice_path=str(path), notice_sha256=payload.notice_pdf_sha256, outbox=row,
                         submitted_at=stamp, updated_at=stamp, actor=actor)
    insert_rows(BatchMember, [{"batch": batch.id, "member": r.member_id, "id_number": r.id_number,
                               "name": r.name, "card_no": r.card_no, "coverage_start": r.coverage.start,
                               "coverage_end": r.coverage.end, "period": r.coverage.period} for r in d.rows])
    audit.record(actor, "enrollment.submit", note=f"{payload.batch_no} {KIND_LABELS[d.kind]} {d.channel} "
                                                 f"{d.plan_type} {len(d.rows)}人 {format_yuan(d.totals.fee)}元")

"""集中参保实时监控画面 (SPEC §5.10, manual §4.8): the campaign's progress over the caller's scope —
a district or secondary union its subtree, the center the city.

Every figure is one SQL aggregate (GROUP BY), never a Python loop over members, so the city's
52,701 unions and 7.36 million members answer in one pass per figure (bench/monitor.py):
- the grassroots unions by progress (a union's most advanced central batch of the plan year);
- the members the unions enroll (in service, of the campaign's union categories) and how many
  could go by each channel (a member card: the card channel; none but a 身份证: the SS channel) —
  the one scan of the members, so it is kept ELIGIBLE_SECONDS per scope (the answer says when it
  was counted) while everything else is counted at every answer;
- members enrolled per channel and the fee, from the batches as stored and priced (in review,
  approved or completed; a returned or not-accepted batch counts for nothing);
- the same per Shanghai day the batches arrived;
- the days left to each of the campaign's deadlines by the server's calendar.
The expected fee is the eligible members at plan type A's fee (the plan most unions take).
"""
from __future__ import annotations

import threading
import time
import weakref
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from peewee import JOIN, SQL, Case, NodeList, fn

from app.protocol import SubmissionStatus, format_timestamp, money
from app.protocol.monitor import FIGURE_PROGRESS, PROGRESS_LABELS, PROGRESS_RANK, Figure, Progress
from app.rules.codes import CardStatus
from server.campaigns import current_campaign, enrolled_categories, fee_split, shanghai_today
from server.db import is_sqlite
from server.models import Campaign, Member, Submission, Union, User
from server.problems import ProblemError
from server.settings import ServerContext
from server.superior.figures import scope_union

LIVE: tuple[str, ...] = (SubmissionStatus.UNDER_REVIEW, SubmissionStatus.APPROVED, SubmissionStatus.COMPLETED)
RANK_PROGRESS: dict[int, str] = {rank: progress for progress, rank in PROGRESS_RANK.items()}
#: The eligible members per union are counted at most this often per scope (the one figure that
#: scans the members; the batches, the campaign's progress, are counted at every answer).
ELIGIBLE_SECONDS = 300

Eligible = dict[int, tuple[int, int, int]]  # union id -> (eligible, could go by card, by SS)
_counted: dict[tuple[int, int, tuple[str, ...]], tuple[Any, float, datetime, Eligible]] = {}
_counted_lock = threading.Lock()


def _grassroots(own: Union) -> Any:
    return Union.path.startswith(own.path) & (Union.level == "grassroots")


def _fee_cents() -> Any:
    """A batch's stored fee (totals["fee"], a money string) in cents, in SQL."""
    if is_sqlite():
        amount: Any = fn.json_extract(Submission.totals, "$.fee")
    else:
        amount = NodeList((SQL("CAST(CAST("), Submission.totals, SQL("AS json) ->> 'fee' AS numeric)")), glue=" ")
    return fn.ROUND(amount * 100)


def _shanghai_day() -> Any:
    """The Shanghai calendar day a batch arrived (received is naive UTC; Shanghai has no DST)."""
    if is_sqlite():
        return fn.date(Submission.received, SQL("'+8 hours'"))
    return NodeList((SQL("CAST("), Submission.received, SQL("+ INTERVAL '8 hours' AS date)")), glue=" ")


def _rank() -> Any:
    status = Submission.status
    return Case(None, [(status == SubmissionStatus.COMPLETED, PROGRESS_RANK[Progress.COMPLETED]),
                       (status.in_([SubmissionStatus.UNDER_REVIEW, SubmissionStatus.APPROVED]),
                        PROGRESS_RANK[Progress.REVIEWING]),
                       (status == SubmissionStatus.NOT_ACCEPTED, PROGRESS_RANK[Progress.NOT_ACCEPTED]),
                       (status == SubmissionStatus.RETURNED, PROGRESS_RANK[Progress.RETURNED])], 0)


def _union_ranks(own: Union, plan_year: int) -> Any:
    """Per grassroots union with a central batch of the year: (union id, its progress rank)."""
    return (Submission.select(Submission.union.alias("union_id"), fn.MAX(_rank()).alias("rank"))
            .join(Union, on=(Submission.union == Union.id))
            .where(_grassroots(own) & (Submission.plan_year == plan_year) & (Submission.kind == "central"))
            .group_by(Submission.union))


def _progress_counts(own: Union, plan_year: int, unions: int) -> dict[str, int]:
    ranks = _union_ranks(own, plan_year).alias("r")
    rows = (Submission.select(ranks.c.rank, fn.COUNT(SQL("*"))).from_(ranks)
            .group_by(ranks.c.rank).tuples())
    counts = {str(p): 0 for p in Progress}
    for rank, n in rows:
        counts[RANK_PROGRESS[int(rank)]] = int(n)
    counts[Progress.NOT_SUBMITTED] = unions - sum(counts.values())
    return counts


def _eligible_columns() -> list[Any]:
    carded = Member.card_status == CardStatus.ISSUED
    ss = (Member.card_status != CardStatus.ISSUED) & (Member.id_type == "mainland")
    return [fn.COUNT(Member.id), fn.SUM(Case(None, [(carded, 1)], 0)), fn.SUM(Case(None, [(ss, 1)], 0))]


def _eligible_where(own: Union, campaign: Campaign) -> Any:
    return (_grassroots(own) & (Member.life_status == "in_service")
            & Member.category.in_(list(enrolled_categories(campaign))))


def _eligible_rows(own: Union, campaign: Campaign) -> Any:
    """(union id, eligible, by card, by SS) per grassroots union of the subtree. Grouped by a
    computed union id, so that SQLite does not walk the whole (union, id_number) index for its
    order (reading the table in random order: 8× slower for a district, 20× for the city); a
    district's members are then looked up union by union, and the city's read in one pass."""
    union_id = (Member.union + SQL("0")).alias("union_id")
    if own.parent_id is not None:
        return (Member.select(union_id, *_eligible_columns()).join(Union, on=(Member.union == Union.id))
                .where(_eligible_where(own, campaign)).group_by(SQL("1")).tuples())
    grassroots = {uid for (uid,) in Union.select(Union.id).where(_grassroots(own)).tuples()}
    rows = (Member.select(union_id, *_eligible_columns())
            .where((Member.life_status == "in_service") & Member.category.in_(list(enrolled_categories(campaign))))
            .group_by(SQL("1")).tuples())
    return [row for row in rows if row[0] in grassroots]


def eligible_by_union(ctx: ServerContext, own: Union, campaign: Campaign) -> tuple[datetime, Eligible]:
    """When the members were counted, and per grassroots union of `own`'s subtree its eligible
    members (one GROUP BY over the members, kept ELIGIBLE_SECONDS for this scope)."""
    key = (id(ctx), own.id, enrolled_categories(campaign))
    now = time.monotonic()
    with _counted_lock:
        hit = _counted.get(key)
        if hit is not None and hit[0]() is ctx and hit[1] > now:
            return hit[2], hit[3]
    counts: Eligible = {int(uid): (int(n), int(card or 0), int(ss or 0)) for uid, n, card, ss in _eligible_rows(
        own, campaign)}
    counted = ctx.now()
    with _counted_lock:
        for old in [k for k, v in _counted.items() if v[1] <= now or v[0]() is None]:
            del _counted[old]
        _counted[key] = (weakref.ref(ctx), now + ELIGIBLE_SECONDS, counted, counts)
    return counted, counts


def _batch_columns() -> list[Any]:
    def channel(name: str) -> Any:
        return fn.SUM(Case(None, [(Submission.channel == name, Submission.member_count)], 0))

    completed = Case(None, [(Submission.status == SubmissionStatus.COMPLETED, _fee_cents())], 0)
    return [channel("card"), channel("ss"), fn.SUM(_fee_cents()), fn.SUM(completed)]


def _live(own: Union, plan_year: int) -> Any:
    return _grassroots(own) & (Submission.plan_year == plan_year) & Submission.status.in_(list(LIVE))


def _yuan(cents: Any) -> str:
    return money(Decimal(int(cents or 0)) / 100)


def _deadlines(ctx: ServerContext, campaign: Campaign) -> list[dict[str, Any]]:
    today = shanghai_today(ctx)
    days: list[tuple[str, str, date]] = [
        ("fee_window", "保障金额设置截止", campaign.fee_window_end),
        ("enrollment", "基层单位集中参保及缴费截止", campaign.payment_deadline),
        ("submission_opens", "区局(产业)提交开始", campaign.submission_window_start),
        ("submission", "区局(产业)提交至职保中心截止", campaign.submission_window_end),
        ("voucher", "缴费凭证确认截止", campaign.voucher_deadline or campaign.submission_window_end),
        ("coverage", "保障开始", campaign.coverage_start),
    ]
    return [{"key": key, "label": label, "date": day.isoformat(), "days_left": (day - today).days}
            for key, label, day in days]


def _plan_a_fee(campaign: Campaign, own: Union) -> Decimal:
    try:
        return Decimal(fee_split(campaign, "A", own).fee)
    except ProblemError:  # a campaign without plan A: nothing expected
        return Decimal(0)


def monitor(ctx: ServerContext, user: User, plan_year: int | None = None) -> dict[str, Any]:
    """The monitor's figures over the caller's scope, for the plan year (default: the current)."""
    own = scope_union(user)
    campaign = current_campaign(ctx, plan_year)
    year = campaign.plan_year
    unions = Union.select().where(_grassroots(own)).count()
    counted, per_union = eligible_by_union(ctx, own, campaign)
    eligible, eligible_card, eligible_ss = (sum(c[i] for c in per_union.values()) for i in range(3))
    card, ss, fee, fee_completed = (
        Submission.select(*_batch_columns()).join(Union, on=(Submission.union == Union.id))
        .where(_live(own, year)).scalar(as_tuple=True))
    per_fee = _plan_a_fee(campaign, own)
    return {
        "plan_year": year, "server_time": format_timestamp(ctx.now()), "today": shanghai_today(ctx).isoformat(),
        "union": {"org_code": own.org_code, "name": own.name, "level": own.level},
        "unions": {"total": unions, **_progress_counts(own, year, unions)},
        "members": {"eligible": eligible, "eligible_card": eligible_card, "eligible_ss": eligible_ss,
                    "enrolled_card": int(card or 0), "enrolled_ss": int(ss or 0),
                    "counted_at": format_timestamp(counted)},
        "fee": {"per_person": money(per_fee), "expected": money(per_fee * eligible),
                "submitted": _yuan(fee), "completed": _yuan(fee_completed)},
        "days": _per_day(own, year),
        "deadlines": _deadlines(ctx, campaign),
    }


def _per_day(own: Union, plan_year: int) -> list[dict[str, Any]]:
    day = _shanghai_day()
    rows = (Submission.select(day, fn.COUNT(fn.DISTINCT(Submission.union)), *_batch_columns())
            .join(Union, on=(Submission.union == Union.id)).where(_live(own, plan_year))
            .group_by(SQL("1")).order_by(SQL("1")).tuples())
    return [{"day": str(d)[:10], "unions": int(u), "enrolled_card": int(c or 0), "enrolled_ss": int(s or 0),
             "fee": _yuan(f)} for d, u, c, s, f, _done in rows]


# ---- the unions behind a figure ---------------------------------------------------------------

def _union_rows(own: Union) -> dict[int, dict[str, Any]]:
    parent = Union.alias("parent")
    rows = (Union.select(Union.id, Union.org_code, Union.name, parent.name)
            .join(parent, JOIN.LEFT_OUTER, on=(Union.parent == parent.id))
            .where(_grassroots(own)).order_by(Union.org_code).tuples())
    return {uid: {"org_code": code, "name": name, "parent": parent_name or "", "progress": Progress.NOT_SUBMITTED,
                  "eligible": 0, "eligible_card": 0, "eligible_ss": 0, "enrolled_card": 0, "enrolled_ss": 0,
                  "fee_cents": 0, "last_submitted_at": None}
            for uid, code, name, parent_name in rows}


def _fill(ctx: ServerContext, rows: dict[int, dict[str, Any]], own: Union, campaign: Campaign,
          day: date | None) -> None:
    year = campaign.plan_year
    for uid, rank in _union_ranks(own, year).tuples():
        rows[uid]["progress"] = RANK_PROGRESS[int(rank)]
    for uid, (n, card, ss) in eligible_by_union(ctx, own, campaign)[1].items():
        rows[uid].update(eligible=n, eligible_card=card, eligible_ss=ss)
    where = _live(own, year)
    if day is not None:
        where &= _shanghai_day() == (day.isoformat() if is_sqlite() else day)
    batches = (Submission.select(Submission.union, *_batch_columns(), fn.MAX(Submission.received))
               .join(Union, on=(Submission.union == Union.id)).where(where).group_by(Submission.union).tuples())
    for uid, card, ss, fee, _done, last in batches:
        rows[uid].update(enrolled_card=int(card or 0), enrolled_ss=int(ss or 0), fee_cents=int(fee or 0),
                         last_submitted_at=_utc(last), on_day=True)


def _utc(moment: datetime | str | None) -> str | None:
    """A naive UTC moment as the wire writes it (SQLite answers MAX() of a datetime as text)."""
    if not moment:
        return None
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return format_timestamp(value.replace(tzinfo=timezone.utc))


def _wanted(figure: Figure, row: dict[str, Any]) -> bool:
    if figure in FIGURE_PROGRESS:
        return row["progress"] in FIGURE_PROGRESS[figure]
    return {Figure.ALL: True, Figure.ELIGIBLE: row["eligible"] > 0, Figure.ENROLLED_CARD: row["enrolled_card"] > 0,
            Figure.ENROLLED_SS: row["enrolled_ss"] > 0, Figure.FEE: row["fee_cents"] > 0,
            Figure.DAY: bool(row.get("on_day"))}[figure]


def unions(ctx: ServerContext, user: User, figure: Figure, plan_year: int | None = None, day: date | None = None,
           offset: int = 0, limit: int = 1000) -> dict[str, Any]:
    """The grassroots unions behind one figure of the monitor, with each one's own figures."""
    own = scope_union(user)
    if (figure == Figure.DAY) != (day is not None):
        raise ProblemError("validation", "按日查看时须给出日期（day=YYYY-MM-DD），其他指标不带日期")
    campaign = current_campaign(ctx, plan_year)
    per_fee = _plan_a_fee(campaign, own)
    rows = _union_rows(own)
    _fill(ctx, rows, own, campaign, day)
    chosen = [row for row in rows.values() if _wanted(figure, row)]
    page = chosen[offset:offset + limit]
    for row in page:
        row.pop("on_day", None)
        row["progress_label"] = PROGRESS_LABELS[row["progress"]]
        row["fee_expected"] = money(per_fee * row["eligible"])
        row["fee"] = _yuan(row.pop("fee_cents"))
    return {"plan_year": campaign.plan_year, "figure": str(figure), "day": day.isoformat() if day else None,
            "total": len(chosen), "offset": offset, "unions": page}

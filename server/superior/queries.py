"""参保信息查询, 保障信息查询, 给付信息查询 (manual §1, part 4; SPEC §5.10): a person's enrollments
by document number (any year), the coverage of a person or of a batch, and the claims paid.

Each answer holds only what the caller's scope holds (server/superior/scope.py `query_scope`: a
superior's subtree, a grassroots clerk's own union); a person or batch outside it answers exactly
like one that does not exist. Lists carry masked document numbers only.
"""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from peewee import chunked, fn

from app.protocol.queries import CHANNEL_LABELS, COVERAGE_LABELS, KIND_LABELS, MAX_QUERY_ROWS, CoverageState
from app.protocol.superior import SUBMISSION_STATUS_LABELS
from app.rules.cards import mask_card_no
from app.rules.idcard import mask_id
from app.rules.normalize import compact
from server.campaigns import shanghai_today
from server.db import IN_LIST
from server.models import Enrollment, Member, PayoutRecord, Submission, Union, User
from server.problems import ProblemError
from server.settings import ServerContext
from server.superior.scope import query_scope


def _number(text: str | None) -> str:
    number = compact(text or "").upper()
    if not number or len(number) > 32:
        raise ProblemError("validation", "请填写证件号码")
    return number


def coverage_state(status: str, start: date | None, end: date | None, today: date) -> str:
    if status == "not_accepted":
        return CoverageState.NOT_ACCEPTED
    if status != "completed" or start is None or end is None:
        return CoverageState.REVIEW
    if today < start:
        return CoverageState.PENDING
    return CoverageState.ACTIVE if today <= end else CoverageState.EXPIRED


def _roster(sub: Submission) -> dict[str, dict[str, Any]]:
    """The batch's members as submitted (the server checked their coverage), by number."""
    return {m["id_number"]: m for m in json.loads(sub.payload).get("members", [])}


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _union(union: Union) -> dict[str, str]:
    return {"org_code": union.org_code, "name": union.name}


def _row(sub: Submission, member: dict[str, Any], known: tuple[str, str | None], today: date) -> dict[str, Any]:
    """One person's enrollment in `sub`; `known`: the server's (name, card number) of them."""
    name = member.get("name") or known[0]
    start, end = _day(member.get("coverage_start")), _day(member.get("coverage_end"))
    state = coverage_state(sub.status, start, end, today)
    return {"id_masked": mask_id(member["id_number"]), "name": name, "plan_year": sub.plan_year,
            "union": _union(sub.union), "batch_no": sub.batch_no, "kind": sub.kind,
            "kind_label": KIND_LABELS.get(sub.kind, sub.kind), "channel": sub.channel,
            "channel_label": CHANNEL_LABELS.get(sub.channel, sub.channel), "plan_type": sub.plan_type,
            "status": sub.status, "status_label": SUBMISSION_STATUS_LABELS.get(sub.status, sub.status),
            "received_at": sub.received.isoformat() + "Z", "card_masked": mask_card_no(member.get("card_no") or known[1]),
            "coverage_start": start.isoformat() if start else None, "coverage_end": end.isoformat() if end else None,
            "period": member.get("period") or "full", "state": state, "state_label": COVERAGE_LABELS[state]}


def _known(numbers: list[str], union_ids: set[int]) -> dict[tuple[int, str], tuple[str, str | None]]:
    """The server's name and card number of these people in these unions."""
    out = {}
    for chunk in chunked(numbers, IN_LIST) if union_ids else []:
        for m in Member.select(Member.union, Member.id_number, Member.name, Member.card_no).where(
                Member.id_number.in_(chunk) & Member.union.in_(sorted(union_ids))):
            out[(m.union_id, m.id_number)] = (m.name or "", m.card_no)
    return out


def person_enrollments(ctx: ServerContext, user: User, id_number: str, plan_year: int | None = None) -> dict[str, Any]:
    """参保信息查询: every enrollment of one person in the caller's scope, newest year first."""
    number = _number(id_number)
    query = (Enrollment.select(Enrollment, Submission, Union)
             .join(Submission, on=(Enrollment.submission == Submission.id))
             .join(Union, on=(Submission.union == Union.id))
             .where((Enrollment.id_number == number) & query_scope(user)))
    if plan_year:
        query = query.where(Enrollment.plan_year == plan_year)
    found = list(query.order_by(Enrollment.plan_year.desc(), Submission.received.desc()))
    known = _known([number], {e.submission.union_id for e in found})
    today = shanghai_today(ctx)
    rows = []
    for e in found:
        sub = e.submission
        member = _roster(sub).get(number, {"id_number": number})
        rows.append(_row(sub, member, known.get((sub.union_id, number), ("", None)), today))
    return {"id_masked": mask_id(number), "total": len(rows), "rows": rows}


def batch_coverage(ctx: ServerContext, user: User, batch_no: str) -> dict[str, Any]:
    """保障信息查询 of a batch: its members' coverage (a batch outside the scope is not_found)."""
    batch_no = (batch_no or "").strip()
    subs = list(Submission.select(Submission, Union).join(Union, on=(Submission.union == Union.id))
                .where((Submission.batch_no == batch_no) & query_scope(user)).order_by(Submission.id))
    if not subs:
        raise ProblemError("not_found", "没有找到这个批次（或不在本单位的查询范围内）")
    sub = subs[-1]
    roster = list(_roster(sub).values())
    known = _known([m["id_number"] for m in roster[:MAX_QUERY_ROWS]], {sub.union_id})
    today = shanghai_today(ctx)
    rows = [_row(sub, m, known.get((sub.union_id, m["id_number"]), ("", None)), today)
            for m in roster[:MAX_QUERY_ROWS]]
    return {"batch_no": sub.batch_no, "union": _union(sub.union), "plan_year": sub.plan_year,
            "plan_type": sub.plan_type, "kind_label": KIND_LABELS.get(sub.kind, sub.kind),
            "status_label": SUBMISSION_STATUS_LABELS.get(sub.status, sub.status),
            "total": len(roster), "rows": rows}


def payouts(user: User, id_number: str | None = None, plan_year: int | None = None,
            offset: int = 0, limit: int = 500) -> dict[str, Any]:
    """给付信息查询: claims paid to people of the caller's scope (one person, one year, or all)."""
    query = (PayoutRecord.select(PayoutRecord, Union).join(Union, on=(PayoutRecord.union == Union.id))
             .where(query_scope(user)))
    if id_number:
        query = query.where(PayoutRecord.id_number == _number(id_number))
    if plan_year:
        query = query.where(PayoutRecord.plan_year == plan_year)
    total = query.count()
    amount = query.select(fn.SUM(PayoutRecord.amount)).scalar() if total else None
    limit = max(1, min(limit, MAX_QUERY_ROWS))
    rows = [{"claim_no": p.claim_no, "id_masked": mask_id(p.id_number), "name": p.name, "plan_year": p.plan_year,
             "union": _union(p.union), "kind": p.kind, "amount": f"{Decimal(p.amount):.2f}",
             "paid_on": p.paid_on.isoformat()}
            for p in query.order_by(PayoutRecord.paid_on.desc(), PayoutRecord.id.desc()).offset(offset).limit(limit)]
    return {"total": total, "amount": f"{Decimal(amount or 0):.2f}", "rows": rows}


__all__ = ["batch_coverage", "coverage_state", "payouts", "person_enrollments"]

"""下载集中参保统计表 (manual §4.8): one row per grassroots union of the district (the center: of the
city) with its central enrollment of the plan year — members per channel, the fee and its split as
each batch was priced, the status and when it was submitted — and the totals of those rows.

A union's figures count its live batches (区局确认中, 已完成, 未被受理 — not 退回, which are fixed and
resubmitted as new batches); a union that has sent nothing reads 未提交. The rows are read in a
few set queries whatever the district's size; the client writes the .xlsx (app/services).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from peewee import JOIN

from app.protocol import SubmissionStatus, money
from app.protocol.superior import SUBMISSION_STATUS_LABELS
from app.rules.codes import PLAN_TYPE_LABELS
from server.campaigns import current_campaign
from server.models import Submission, Union, User
from server.settings import ServerContext
from server.superior.scope import district_or_center

AMOUNTS: tuple[str, ...] = ("fee", "city", "district", "grassroots")
LIVE = (SubmissionStatus.UNDER_REVIEW, SubmissionStatus.APPROVED, SubmissionStatus.COMPLETED,
        SubmissionStatus.NOT_ACCEPTED)
NOT_SENT = "未提交"
Parent = Union.alias()


def _blank(union: Union, parent: str) -> dict[str, Any]:
    return {"org_code": union.org_code, "name": union.name, "parent": parent, "plan_type": "", "plan_type_label": "",
            "card": 0, "ss": 0, "count": 0, "fee_split": None, **dict.fromkeys(AMOUNTS, Decimal(0)),
            "statuses": [], "batches": 0, "submitted_at": None}


def _add(row: dict[str, Any], sub: Submission) -> None:
    label = SUBMISSION_STATUS_LABELS.get(sub.status, sub.status)
    if label not in row["statuses"]:
        row["statuses"].append(label)
    if sub.status == SubmissionStatus.RETURNED:
        return
    row["batches"] += 1
    row[sub.channel] = row.get(sub.channel, 0) + sub.member_count
    row["count"] += sub.member_count
    row["plan_type"], row["plan_type_label"] = sub.plan_type, PLAN_TYPE_LABELS.get(sub.plan_type, sub.plan_type)
    row["fee_split"] = sub.fee_split or row["fee_split"]
    for key in AMOUNTS:
        row[key] += Decimal(str(sub.totals[key]))
    at = sub.received.isoformat() + "Z"
    row["submitted_at"] = max(row["submitted_at"] or at, at)


def statistics(ctx: ServerContext, user: User, plan_year: int | None = None) -> dict[str, Any]:
    """The statistics table's rows and totals for `user`'s district (the center: the city)."""
    own, _center = district_or_center(user)
    campaign = current_campaign(ctx, plan_year)
    inside = Union.path.startswith(own.path) & (Union.level == "grassroots")
    unions = (Union.select(Union, Parent).join(Parent, JOIN.LEFT_OUTER, on=(Union.parent == Parent.id), attr="up")
              .where(inside).order_by(Union.path))
    rows: dict[int, dict[str, Any]] = {}
    for union in unions:
        up = getattr(union, "up", None)
        rows[union.id] = _blank(union, up.name if up is not None and up.id is not None else "")
    superseded = Submission.select(Submission.replaces).where(Submission.replaces.is_null(False))
    subs = (Submission.select(Submission.union, Submission.status, Submission.channel, Submission.plan_type,
                              Submission.member_count, Submission.totals, Submission.fee_split, Submission.received)
            .join(Union, on=(Submission.union == Union.id))
            .where(inside & (Submission.plan_year == campaign.plan_year) & (Submission.kind == "central")
                   & Submission.id.not_in(superseded))
            .order_by(Submission.received))
    for sub in subs:
        _add(rows[sub.union_id], sub)
    totals = {"unions": len(rows), "submitted": sum(1 for r in rows.values() if r["batches"]),
              "card": 0, "ss": 0, "count": 0, **dict.fromkeys(AMOUNTS, Decimal(0))}
    out = []
    for row in rows.values():
        for key in ("card", "ss", "count", *AMOUNTS):
            totals[key] += row[key]
        out.append({**row, **{k: money(row[k]) for k in AMOUNTS},
                    "status": "、".join(row["statuses"]) or NOT_SENT})
    return {"plan_year": campaign.plan_year, "union": {"org_code": own.org_code, "name": own.name},
            "generated_at": ctx.now().isoformat().replace("+00:00", "Z"), "rows": out,
            "totals": {**totals, **{k: money(totals[k]) for k in AMOUNTS}}}

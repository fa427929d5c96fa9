"""A member removed from the union, or reported retired or deceased, by the union's clerk.

member_removal payload: {"union"?: org code, "id_number", "reason"} — refused with
`member_enrolled` while the member is enrolled for a plan year whose coverage has not ended (by the
server's Shanghai date); otherwise the member's record goes, the reason is audited (ID masked) and
the union's other PCs learn it as a `member_removal` change. Removing a member the server never
had is answered ok ({"removed": false}): the clerk's PC may remove one it had not sent yet.

life_status payload: {"union"?: org code, "id_number", "life_status", "on"} — life status is
server-owned, so the clerk's report is checked (a date not after today, not before the birth date)
and applied here, and comes back down as a `member` change like every server-owned field.
"""
from __future__ import annotations

from typing import Any

from app.protocol import Entity, LifeStatusReport, MemberRemoval
from app.rules.idcard import mask_id
from server.accounts import audit, union_for
from server.campaigns import shanghai_today
from server.changes import emit_change, member_record
from server.models import Enrollment, Member, User
from server.problems import ProblemError
from server.settings import ServerContext


def remove_member(ctx: ServerContext, user: User, payload: MemberRemoval) -> dict[str, Any]:
    union = union_for(user, payload.union, write=True)
    number = payload.id_number
    member = Member.get_or_none((Member.union == union) & (Member.id_number == number))
    if member is None:
        return {"id_number": number, "removed": False}
    today = shanghai_today(ctx)
    enrolled = (Enrollment.select(Enrollment.plan_year)
                .where((Enrollment.union == union) & (Enrollment.id_number == number)
                       & (Enrollment.plan_year >= today.year))
                .order_by(Enrollment.plan_year).first())
    if enrolled is not None:
        raise ProblemError("member_enrolled", {"id_number": mask_id(number), "plan_year": enrolled.plan_year,
                                               "message": f"该会员已参加{enrolled.plan_year}年度保障，保障期内不能删除"})
    member.delete_instance()
    removed_at = ctx.now_naive()
    emit_change(ctx, union.id, Entity.MEMBER_REMOVAL, number,
                {"id_number": number, "reason": payload.reason, "removed_at": removed_at.isoformat() + "Z"})
    audit(ctx, "member_removed", user=user, union=union, entity="member", entity_key=mask_id(number),
          detail={"reason": payload.reason})
    return {"id_number": number, "removed": True}


def report_life_status(ctx: ServerContext, user: User, payload: LifeStatusReport) -> dict[str, Any]:
    union = union_for(user, payload.union, write=True)
    number = payload.id_number
    member = Member.get_or_none((Member.union == union) & (Member.id_number == number))
    if member is None:
        raise ProblemError("not_found", {"missing": [number], "message": "该会员尚未同步到服务器，请先上传会员信息"})
    on = payload.on
    if on is not None:
        if on > shanghai_today(ctx):
            raise ProblemError("validation", {"field": "on", "message": f"日期 {on.isoformat()} 晚于今天，请填写实际发生的日期"})
        if member.birth_date and on.isoformat() < member.birth_date:
            raise ProblemError("validation", {"field": "on", "message": f"日期 {on.isoformat()} 早于出生日期，请核对"})
    old = (member.life_status, member.retired_on)
    new = (str(payload.life_status), on.isoformat() if on else None)
    if old != new:
        member.life_status, member.retired_on = new
        member.updated = ctx.now_naive()
        member.save()
        emit_change(ctx, union.id, Entity.MEMBER, number, member_record(member))
        audit(ctx, "member_life_status", user=user, union=union, entity="member", entity_key=mask_id(number),
              detail={"life_status": new[0], "on": new[1], "was": old[0]})
    return {"id_number": number, "life_status": new[0], "on": new[1], "changed": old != new}


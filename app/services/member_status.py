"""Members managed where the manual manages them (会员管理): remove a member with a reason, mark one
retired or deceased, and read a member's whole history. Plain Python, no Qt.

Removing is refused while the member is in a live enrollment batch of a plan year whose coverage
has not ended (the server checks the same with its own clock). The member's row goes at once —
lists, counts and enrollment never see them again — and a `RemovedMember` keeps a snapshot until
the server confirms: a removal the server refuses puts the member back (app.sync.engine).

Life status is server-owned: the clerk's mark is applied here at once (so the enrollment screens
exclude the member offline too) and reported up as a `life_status` record the server applies.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.models import Batch, BatchMember, Member, Union, db
from app.models.outbox import enqueue
from app.models.removed import snapshot
from app.models.tables import AuditEntry, RemovedMember
from app.protocol import LifeStatusReport, MemberRemoval
from app.protocol.records import MAX_REASON
from app.rules.codes import LIFE_STATUS_LABELS, LifeStatus
from app.rules.idcard import mask_id
from app.services import audit
from app.services.errors import ClerkError, NotFound

#: Enrollment batch statuses that keep a member enrolled (a returned or refused batch frees them).
ENROLLED_STATUSES = ("queued", "under_review", "approved", "completed")


def _members(union_id: int, member_ids: list[int]) -> list[Member]:
    found = list(Member.select().where((Member.union == union_id) & Member.id.in_(member_ids)).order_by(Member.id))
    if len(found) != len(set(member_ids)):
        raise NotFound("有会员已不在列表中，可能已被删除。", "请刷新列表后重新选择。")
    return found


def enrolled_batches(member_ids: list[int], today: date) -> dict[int, tuple[str, int]]:
    """member id → (batch number, plan year) of a live batch whose coverage has not ended."""
    query = (BatchMember.select(BatchMember.member, Batch.batch_no, Batch.plan_year).join(Batch)
             .where(BatchMember.member.in_(member_ids) & Batch.status.in_(ENROLLED_STATUSES)
                    & (Batch.plan_year >= today.year)))
    return {member: (batch_no, year) for member, batch_no, year in query.tuples()}


def remove_members(union_id: int, member_ids: list[int], reason: str, *, actor: str, today: date) -> int:
    """删除: remove members with the clerk's reason, all or nothing; returns how many."""
    reason = " ".join(reason.split())
    if not reason:
        raise ClerkError("请填写删除原因。", "例如：调离本单位、重复录入、已离职。")
    if len(reason) > MAX_REASON:
        raise ClerkError(f"删除原因不能超过{MAX_REASON}个字。", "请精简后再删除。")
    with db.atomic("IMMEDIATE"):
        members = _members(union_id, member_ids)
        enrolled = enrolled_batches([m.id for m in members], today)
        if enrolled:
            names = "、".join(f"{m.name}（{enrolled[m.id][1]}年度，批次 {enrolled[m.id][0]}）"
                             for m in members if m.id in enrolled)
            raise ClerkError(f"以下会员已参加保障，保障期内不能删除：{names}。",
                             "请取消选择这些会员后再删除；保障期结束后可以删除。")
        union = Union.get_by_id(union_id)
        for m in members:
            audit.record(actor, "member.delete", member_id=m.id, field="member", old=f"{m.name} {mask_id(m.id_number)}",
                         note=reason)
            row = enqueue(MemberRemoval(m.id_number, reason, union=union.org_code))
            RemovedMember.create(union=union_id, id_number=m.id_number, member_no=m.member_no, name=m.name,
                                 reason=reason, actor=actor, snapshot=snapshot(m), outbox=row.id)
        Member.delete().where(Member.id.in_([m.id for m in members])).execute()
    return len(members)


def set_life_status(union_id: int, member_ids: list[int], status: str, on: date | None, *, actor: str,
                    today: date) -> int:
    """标记退休 / 标记死亡 (or 恢复在职): applied here at once and reported to the server; returns
    how many members changed."""
    status = LifeStatus(status)
    if status == LifeStatus.IN_SERVICE:
        on = None
    elif on is None:
        raise ClerkError(f"请填写{LIFE_STATUS_LABELS[status]}日期。", "")
    elif on > today:
        raise ClerkError(f"{LIFE_STATUS_LABELS[status]}日期 {on.isoformat()} 晚于今天。", "请填写实际发生的日期。")
    changed = 0
    with db.atomic("IMMEDIATE"):
        members = _members(union_id, member_ids)
        union = Union.get_by_id(union_id)
        for m in members:
            born = m.birth_date if isinstance(m.birth_date, date) or m.birth_date is None else \
                date.fromisoformat(str(m.birth_date)[:10])
            if on is not None and born is not None and on < born:
                raise ClerkError(f"{m.name} 的{LIFE_STATUS_LABELS[status]}日期 {on.isoformat()} 早于出生日期。",
                                 "请核对日期。")
            old_date = m.life_status_date.isoformat() if m.life_status_date else None
            if m.life_status == status and old_date == (on.isoformat() if on else None):
                continue
            audit.record(actor, "member.life_status", member_id=m.id, field="life_status",
                         old=_life_text(m.life_status, old_date), new=_life_text(status, on.isoformat() if on else None))
            Member.update(life_status=status, life_status_date=on,
                          updated_at=datetime.now().replace(microsecond=0)).where(Member.id == m.id).execute()
            enqueue(LifeStatusReport(m.id_number, status, on, union=union.org_code), member_id=m.id)
            changed += 1
    return changed


def _life_text(status: str, on: str | None) -> str:
    label = LIFE_STATUS_LABELS.get(status, status)
    return f"{label}（{on}）" if on else label


# ---- history ----------------------------------------------------------------------------------

#: Audit actions → what the clerk reads in a member's history.
ACTION_LABELS = {
    "member.import": "导入",
    "member.update": "修改",
    "member.life_status": "状态变更",
    "member.delete": "删除",
    "confirmation.confirm": "确认（人保状态）",
    "retirement.settle": "退休确认",
    "retirement.confirm_retired": "退休确认",
    "card.queue.add": "加入待办",
    "card.queue.remove": "移出待办",
    "card.batch.submit": "提交办卡",
    "sync.conflict.take_server": "同步冲突：采用服务器内容",
    "sync.conflict.keep_mine": "同步冲突：保留本机修改",
    "member.delete.refused": "删除未被服务器接受，已恢复",
    "member.delete.remote": "已在其他电脑删除",
}


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: str
    action: str  # in words
    field: str
    old: str
    new: str
    note: str


def _field_labels() -> dict[str, str]:
    from app.services.members import FIELD_LABELS

    return {**FIELD_LABELS, "life_status": "状态", "insurance_status": "人保状态",
            "retirement_confirmation": "退休确认", "member": "会员", "card_no": "会员卡号"}


def history(member_id: int) -> list[HistoryEntry]:
    """Everything that happened to one member, newest first: the audit trail (import, edits,
    confirmations, card applications, status marks, conflicts) and the enrollment batches they
    were submitted in, with each batch's status."""
    field_labels = _field_labels()
    out = [HistoryEntry(e.at, e.actor, ACTION_LABELS.get(e.action, e.action), field_labels.get(e.field, e.field),
                        e.old_value or "", e.new_value or "", e.note or "")
           for e in AuditEntry.select().where(AuditEntry.member == member_id).order_by(AuditEntry.id.desc())]
    for batch in (Batch.select().join(BatchMember).where(BatchMember.member == member_id)):
        out.append(HistoryEntry(batch.submitted_at, batch.actor, "提交参保", "", "",
                                f"{batch.plan_year}年度 批次 {batch.batch_no}", _batch_note(batch)))
    out.sort(key=lambda e: e.at, reverse=True)  # stable: entries of one second stay newest first
    return out


def _batch_note(batch: Any) -> str:
    from app.services.enrollment_batches import STATUS_LABELS

    text = STATUS_LABELS.get(batch.status, batch.status)
    return f"{text}：{batch.return_reason}" if batch.return_reason else text


@dataclass(frozen=True)
class RemovedRow:
    removed_at: datetime
    name: str
    member_no: str
    masked_id: str
    reason: str
    actor: str
    state: str  # in words
    problem: str


REMOVAL_STATES = {"sending": "待发送", "removed": "已删除", "refused": "服务器未同意，已恢复"}


def removed(union_id: int) -> list[RemovedRow]:
    """Members removed from the union, newest first (IDs masked)."""
    query = RemovedMember.select().where(RemovedMember.union == union_id).order_by(RemovedMember.id.desc())
    return [RemovedRow(r.removed_at, r.name, r.member_no, mask_id(r.id_number), r.reason, r.actor,
                       REMOVAL_STATES.get(r.state, r.state), r.problem or "") for r in query]

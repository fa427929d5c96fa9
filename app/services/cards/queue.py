"""待办会员列表 (the card queue): verification, adding and removing, what the page shows,
修改证件到期日 and 提交办卡."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from peewee import chunked

from app import protocol as wire
from app.models import AuditEntry, Member, Union, db
from app.models.bulk import insert_rows
from app.models.outbox import enqueue
from app.models.queries import (
    QUEUE_CHECK_COLUMNS,
    QueueFilter,
    applying_among,
    count_queue,
    queue_blocking,
    queue_check_rows,
    queue_counts,
    queue_page,
    queued_among,
    update_queue_rows,
)
from app.models.tables import CardBatch, CardBatchMember, CardQueue
from app.rules import dates, expiry
from app.rules.cards import (
    FAILED,
    PASSED,
    RESULT_LABELS,
    SERVER_ERROR,
    SERVER_NONE,
    SERVER_TO_REQUEST,
    SUBMIT_HINT,
    UNVERIFIED,
    as_date,
    check_member,
    combine,
    data_sig,
    expiry_flag,
    expiry_warning,
)
from app.rules.codes import (
    CATEGORY_LABELS,
    ID_TYPE_LABELS,
    LIFE_STATUS_LABELS,
    CardStatus,
    Category,
    IdType,
    LifeStatus,
)
from app.rules.coverage import shanghai_today
from app.rules.idcard import mask_id
from app.rules.problems import ERROR, RuleError
from app.services import audit
from app.services import members as member_service
from app.services.batch_numbers import PREFIX_CARD, next_batch_no
from app.services.errors import ClerkError, NotFound


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


@dataclass(frozen=True)
class VerifyReport:
    checked: int  # rows whose local checks ran
    changed: int  # rows whose shown result or reason changed


def refresh_verification(union_id: int, today: date, *, queue_ids: list[int] | None = None, force: bool = False,
                         progress: Callable[[int, int], None] | None = None) -> VerifyReport:
    """Re-run the local checks where they are stale — the member's data changed since, they ran
    on an earlier day, or `force` (重新校验) — and ask the server again where the data changed.

    One transaction; `progress(done, total)` may raise to cancel it (nothing is then written).
    """
    with db.atomic("IMMEDIATE"):
        rows = queue_check_rows(union_id, queue_ids)
        total = len(rows)
        names = [column.split(".")[1] for column in QUEUE_CHECK_COLUMNS]
        now = _now()
        stamp = str(now)
        day = today.isoformat()
        updates: list[tuple[int, dict[str, Any]]] = []
        checked = changed = 0
        for i, raw in enumerate(rows):
            if progress is not None and i % 2000 == 0:
                progress(i, total)
            r = dict(zip(names, raw))
            sig = data_sig(r)
            stale = (force or sig != r["local_sig"] or r["local_result"] == UNVERIFIED
                     or not str(r["checked_at"] or "").startswith(day))
            if not stale:
                continue
            checked += 1
            local = check_member(r, today)
            change: dict[str, Any] = {"local_result": local.result, "local_reason": local.reason,
                                      "local_sig": sig, "checked_at": stamp}
            server, server_reason, request = r["server_result"], r["server_reason"], r["server_request"]
            if local.result == FAILED:
                server, server_reason, request = SERVER_NONE, "", None
            elif force or sig != r["local_sig"] or server in (SERVER_NONE, SERVER_ERROR):
                server, server_reason, request = SERVER_TO_REQUEST, "", None
            change.update(server_result=server, server_reason=server_reason, server_request=request)
            result, reason = combine(local.result, local.reason, server, server_reason,
                                     r["sync_state"] in ("conflict", "error"))
            change.update(result=result, reason=reason)
            if (result, reason) != (r["result"], r["reason"]):
                changed += 1
            updates.append((r["id"], change))
        update_queue_rows(updates)
        if progress is not None:
            progress(total, total)
    return VerifyReport(checked, changed)


def verify_all(union_id: int, today: date, *, actor: str,
               progress: Callable[[int, int], None] | None = None) -> VerifyReport:
    """重新校验: run every queued member's local checks again and ask the server again."""
    report = refresh_verification(union_id, today, force=True, progress=progress)
    audit.record(actor, "card.queue.reverify", note=f"{report.checked}人")
    return report


def reverify(queue_ids: list[int], today: date, *, actor: str) -> VerifyReport:
    """重新校验 of some queued members."""
    union_id = _queue_union(queue_ids)
    if union_id is None:
        return VerifyReport(0, 0)
    report = refresh_verification(union_id, today, queue_ids=list(queue_ids), force=True)
    audit.record(actor, "card.queue.reverify", note=f"{report.checked}人")
    return report


def _queue_union(queue_ids: Sequence[int]) -> int | None:
    row = CardQueue.select(CardQueue.union).where(CardQueue.id.in_(list(queue_ids)[:1])).first()
    return row.union_id if row else None


# ---- adding and removing --------------------------------------------------------------------------

@dataclass(frozen=True)
class AddResult:
    added: int
    already: int  # already in the queue
    refused: tuple[tuple[str, str], ...]  # (name, why) of members that cannot apply here

    def message(self) -> str:
        parts = [f"已加入待办会员列表 {self.added} 人。"]
        if self.already:
            parts.append(f"{self.already} 人已在待办会员列表中。")
        if self.refused:
            shown = "；".join(f"{name}：{why}" for name, why in self.refused[:5])
            more = f"等{len(self.refused)}人" if len(self.refused) > 5 else ""
            parts.append(f"未加入 {len(self.refused)} 人（{shown}{more}）。")
        return "".join(parts)


def _refusal(m: Member, applying: set[int]) -> str | None:
    if m.card_status == CardStatus.ISSUED:
        return "已有会员卡"
    if m.card_status == CardStatus.APPLYING or m.id in applying:
        return "会员卡正在办理中"
    if m.life_status != LifeStatus.IN_SERVICE:
        return f"状态为{LIFE_STATUS_LABELS.get(m.life_status, m.life_status)}"
    if m.category != Category.LINKED_ENTERPRISE:
        return f"{CATEGORY_LABELS.get(m.category, m.category)}会员请通过“申工社”个人办卡"
    return None


def add_to_queue(union_id: int, member_ids: Sequence[int], *, actor: str, today: date) -> AddResult:
    """加入待办: queue members for a card application and verify them locally at once.

    Members who cannot apply through the union (a card already, one being made, not in service,
    not of a linked enterprise) are not queued and are named in the result. One transaction.
    """
    wanted = list(dict.fromkeys(int(i) for i in member_ids))
    with db.atomic("IMMEDIATE"):
        queued = queued_among(wanted)
        applying = applying_among(wanted)
        members: list[Member] = []
        for chunk in chunked(wanted, 500):
            members += list(Member.select(Member.id, Member.name, Member.card_status, Member.life_status,
                                          Member.category, Member.union)
                            .where(Member.id.in_(chunk) & (Member.union == union_id)))
        refused: list[tuple[str, str]] = []
        new: list[int] = []
        position = {member_id: n for n, member_id in enumerate(wanted)}
        for m in sorted(members, key=lambda m: position[m.id]):
            if m.id in queued:
                continue
            why = _refusal(m, applying)
            if why:
                refused.append((m.name, why))
            else:
                new.append(m.id)
        now = _now()
        insert_rows(CardQueue, [{"union": union_id, "member": mid, "queued_at": now, "actor": actor}
                                for mid in new])
        insert_rows(AuditEntry, [{"at": now, "actor": actor, "action": "card.queue.add", "member": mid,
                                  "field": "", "note": "加入待办会员列表"} for mid in new])
        if new:
            ids: list[int] = []
            for chunk in chunked(new, 500):
                ids += [q.id for q in CardQueue.select(CardQueue.id).where(CardQueue.member.in_(chunk))]
            refresh_verification(union_id, today, queue_ids=ids, force=True)
    return AddResult(added=len(new), already=len(queued), refused=tuple(refused))


def remove_from_queue(queue_ids: Sequence[int], *, actor: str) -> int:
    """删除: take members out of the queue (their member records are untouched)."""
    ids = list(queue_ids)
    removed = 0
    with db.atomic("IMMEDIATE"):
        for chunk in chunked(ids, 500):
            members = [q.member_id for q in CardQueue.select(CardQueue.member).where(CardQueue.id.in_(chunk))]
            removed += CardQueue.delete().where(CardQueue.id.in_(chunk)).execute()
            now = _now()
            insert_rows(AuditEntry, [{"at": now, "actor": actor, "action": "card.queue.remove", "member": mid,
                                      "field": "", "note": "移出待办会员列表"} for mid in members])
    return removed


def remove_unpassed(union_id: int, *, actor: str) -> int:
    """移除未通过及未校验会员: what the manual asks before 提交办卡."""
    ids = [q.id for q in CardQueue.select(CardQueue.id).where((CardQueue.union == union_id)
                                                                & (CardQueue.result != PASSED))]
    return remove_from_queue(ids, actor=actor)


# ---- the queue as the page shows it --------------------------------------------------------------

@dataclass(frozen=True)
class QueueSummary:
    total: int
    passed: int
    failed: int

    @property
    def unverified(self) -> int:
        return self.total - self.passed - self.failed

    def text(self) -> str:
        """The manual's line: "待办会员共：N人；校验通过：a人；未通过：b人。"."""
        return f"待办会员共：{self.total}人；校验通过：{self.passed}人；未通过：{self.failed}人。"


def queue_summary(union_id: int) -> QueueSummary:
    counts = queue_counts(union_id)
    return QueueSummary(total=sum(counts.values()), passed=counts.get(PASSED, 0), failed=counts.get(FAILED, 0))


@dataclass(frozen=True)
class QueueRow:
    """One row of 待办会员列表, ready to show."""

    id: int
    member_id: int
    name: str
    id_type: str
    masked_id: str
    queued_at: str
    id_expiry: str
    result: str
    reason: str
    warning: str
    expiry_flag: str | None
    birth_date: date | None = None

    @property
    def result_label(self) -> str:
        return RESULT_LABELS.get(self.result, self.result)

    @property
    def note(self) -> str:
        """The reason of a result that is not 已通过, else the 90-day warning."""
        return self.reason if self.result != PASSED else self.warning


def _queue_row(r: Mapping[str, Any], today: date) -> QueueRow:
    queued = r["queued_at"]
    queued_text = queued.strftime("%Y-%m-%d %H:%M") if isinstance(queued, datetime) else str(queued or "")[:16]
    return QueueRow(
        id=r["id"], member_id=r["member_id"], name=r["name"] or "",
        id_type=ID_TYPE_LABELS.get(r["id_type"], r["id_type"] or ""), masked_id=mask_id(r["id_number"] or ""),
        queued_at=queued_text, id_expiry=r["id_expiry"] or "", result=r["result"], reason=r["reason"] or "",
        warning=expiry_warning(r["id_expiry"], today), expiry_flag=expiry_flag(r["id_expiry"], today),
        birth_date=as_date(r.get("birth_date")) if r.get("id_type") == IdType.MAINLAND else None,
    )


def list_queue(union_id: int, f: QueueFilter, *, sort_key: str = "queued_at", descending: bool = True,
               offset: int = 0, limit: int = 200, today: date) -> list[QueueRow]:
    return [_queue_row(r, today) for r in queue_page(union_id, f, sort_key, descending, offset, limit)]


def count_queued(union_id: int, f: QueueFilter) -> int:
    return count_queue(union_id, f)


def queue_row(queue_id: int, today: date) -> QueueRow:
    q = CardQueue.get_or_none(CardQueue.id == queue_id)
    if q is None:
        raise NotFound("该会员已不在待办会员列表中。", "请刷新列表。")
    m = q.member
    return _queue_row({"id": q.id, "member_id": m.id, "name": m.name, "id_type": m.id_type,
                       "id_number": m.id_number, "queued_at": q.queued_at, "id_expiry": m.id_expiry,
                       "result": q.result, "reason": q.reason, "birth_date": m.birth_date}, today)


@dataclass(frozen=True)
class Blocking:
    """A queued member standing in the way of 提交办卡."""

    name: str
    masked_id: str
    result: str
    reason: str


@dataclass(frozen=True)
class SubmitState:
    """Whether 提交办卡 may run now, and if not, which members stand in the way."""

    summary: QueueSummary
    failed: tuple[Blocking, ...]  # the first few of each
    unverified: tuple[Blocking, ...]

    @property
    def can_submit(self) -> bool:
        return self.summary.total > 0 and self.summary.passed == self.summary.total

    def button_text(self) -> str:
        """提交办卡, with how many stand in the way when it is refused."""
        s = self.summary
        if s.total == 0 or self.can_submit:
            return "提交办卡"
        parts = [f"{n}人{label}" for n, label in ((s.failed, "未通过"), (s.unverified, "未校验")) if n]
        return f"提交办卡（{'，'.join(parts)}）"

    def explanation(self) -> str:
        """Why 提交办卡 is refused, naming the members ("" when it is allowed)."""
        s = self.summary
        if s.total == 0:
            return "待办会员列表为空，请先从会员信息或卡片信息管理中把会员加入待办。"
        if self.can_submit:
            return ""
        parts = []
        if s.failed:
            named = "；".join(f"{b.name}（{b.masked_id}）：{_first_sentence(b.reason)}" for b in self.failed)
            more = "等" if len(self.failed) < s.failed else ""
            parts.append(f"{s.failed}人校验未通过（{named}{more}）")
        if s.unverified:
            named = "、".join(f"{b.name}（{b.masked_id}）" for b in self.unverified)
            more = "等" if len(self.unverified) < s.unverified else ""
            parts.append(f"{s.unverified}人未校验（{named}{more}）")
        return f"暂不能提交办卡：{'，'.join(parts)}。{SUBMIT_HINT}"


def _first_sentence(text: str) -> str:
    text = (text or "").strip()
    return text.split("。")[0] if "。" in text else text


def submit_state(union_id: int, limit: int = 5) -> SubmitState:
    def blocking(result: str) -> tuple[Blocking, ...]:
        return tuple(Blocking(r["name"], mask_id(r["id_number"]), r["result"], r["reason"] or "")
                     for r in queue_blocking(union_id, result, limit))

    return SubmitState(queue_summary(union_id), blocking(FAILED), blocking(UNVERIFIED))


# ---- 修改证件到期日 -------------------------------------------------------------------------------

def correct_expiry(queue_id: int, raw: str, *, actor: str, plan_year: int, today: date) -> QueueRow:
    """Save a queued member's corrected ID expiry (any accepted date form or 长期) and verify the
    member again. The member service validates (an impossible date is ValidationFailed with the
    reason), audits old → new and marks the field for the next sync. One transaction."""
    with db.atomic("IMMEDIATE"):
        q = CardQueue.get_or_none(CardQueue.id == queue_id)
        if q is None:
            raise NotFound("该会员已不在待办会员列表中。", "请刷新列表。")
        member_service.update_member(q.member_id, {"id_expiry": raw}, actor=actor, plan_year=plan_year, today=today)
        refresh_verification(q.union_id, today, queue_ids=[q.id], force=True)
    return queue_row(queue_id, today)


def preview_expiry(raw: str, birth_date: date | None, today: date) -> tuple[str | None, str, bool]:
    """What 修改证件到期日 would save for `raw`: (stored form or None, message, is_error).

    Pure rules, no database: the dialog calls it as the clerk types.
    """
    text = (raw or "").strip()
    if not text:
        return None, "请填写证件到期日，长期有效的请勾选“长期”。", True
    try:
        value = dates.parse_expiry(text)
    except RuleError as error:
        return None, error.problem.message, True
    problems = expiry.check_id_expiry(value, today, birth_date, for_card=True)
    stored = dates.format_expiry(value)
    if problems:
        p = problems[0]
        if p.code == "expiry_past":
            # A past date is a fact, not a typing error: saved, and the member then fails verification.
            return stored, p.message, False
        return (None, p.message, True) if p.severity == ERROR else (stored, p.message, False)
    return stored, f"将保存为：{stored}", False


# ---- 提交办卡 -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SubmittedBatch:
    batch_no: str
    count: int


def submit_batch(union_id: int, *, actor: str, today: date) -> SubmittedBatch:
    """提交办卡: the whole queue becomes a card batch and an outbox row, all or nothing.

    Refused (ClerkError, saying how many and which) unless every queued member has passed both
    verifications; the local checks are refreshed first, so data changed since is caught. Works
    offline: the batch waits in the outbox (status 待发送) until the next sync sends it.
    """
    with db.atomic("IMMEDIATE"):
        refresh_verification(union_id, today)
        state = submit_state(union_id)
        if not state.can_submit:
            raise ClerkError(state.explanation())
        union = Union.get_by_id(union_id)
        rows = list(CardQueue.select(CardQueue.id, Member.id.alias("mid"), Member.id_number, Member.name)
                    .join(Member, on=(CardQueue.member == Member.id))
                    .where(CardQueue.union == union_id).order_by(CardQueue.id).dicts())
        now = _now()
        batch_no = next_batch_no(PREFIX_CARD, shanghai_today())
        out = enqueue(wire.CardBatch(union.org_code, batch_no,
                                     [wire.CardApplicant(r["id_number"], r["name"]) for r in rows]))
        batch = CardBatch.create(union=union_id, batch_no=batch_no, member_count=len(rows), status="queued",
                                 outbox=out.id, submitted_at=now, updated_at=now, actor=actor)
        insert_rows(CardBatchMember, [{"batch": batch.id, "member": r["mid"], "id_number": r["id_number"],
                                       "name": r["name"], "outcome": "pending", "reason": ""} for r in rows])
        ids = [r["id"] for r in rows]
        for chunk in chunked(ids, 500):
            CardQueue.delete().where(CardQueue.id.in_(chunk)).execute()
        insert_rows(AuditEntry, [{"at": now, "actor": actor, "action": "card.batch.submit", "member": r["mid"],
                                  "field": "", "note": f"办卡批次 {batch_no}"} for r in rows])
    return SubmittedBatch(batch_no, len(rows))

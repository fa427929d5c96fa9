"""Member cards (app.services.cards): 卡片信息管理, 待办会员列表, 办卡批次管理."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from peewee import JOIN, Expression, chunked, fn

from app.models.queries.members import ROW_FIELDS, MemberFilter, _order, ids_in_order, member_where
from app.models.tables import CardBatch, CardBatchMember, CardQueue, Enterprise, Member
from app.rules.codes import Category, LifeStatus


@dataclass(frozen=True)
class CardMemberFilter:
    """What 卡片信息管理 shows: in-service members of linked enterprises, narrowed by these."""

    text: str = ""  # name, member number, ID fragment or phone
    card_status: str | None = None  # none / applying / issued
    enterprise_id: int | None = None


def card_member_where(union_id: int, f: CardMemberFilter) -> Expression:
    cond = member_where(union_id, MemberFilter(text=f.text, category=str(Category.LINKED_ENTERPRISE),
                                               life_status=str(LifeStatus.IN_SERVICE),
                                               enterprise_id=f.enterprise_id))
    if f.card_status:
        cond &= Member.card_status == f.card_status
    return cond


def count_card_members(union_id: int, f: CardMemberFilter) -> int:
    return int(Member.select(fn.COUNT(Member.id)).where(card_member_where(union_id, f)).scalar())


def card_member_page(union_id: int, f: CardMemberFilter, sort_key: str = "member_no", descending: bool = False,
                     offset: int = 0, limit: int = 200) -> list[dict[str, Any]]:
    """One page of 卡片信息管理 as dicts of ROW_FIELDS' names."""
    query = (Member.select(*ROW_FIELDS)
             .join(Enterprise, JOIN.LEFT_OUTER, on=(Member.enterprise == Enterprise.id))
             .where(card_member_where(union_id, f))
             .order_by(*_order(sort_key, descending)).offset(offset).limit(limit).dicts())
    return list(query)


def card_member_ids(union_id: int, f: CardMemberFilter, sort_key: str = "member_no",
                    descending: bool = False, limit: int | None = None) -> list[int]:
    """Every matching member's id in list order (the id-only table model holds these), or the first `limit`."""
    query = Member.select(Member.id).where(card_member_where(union_id, f)).order_by(*_order(sort_key, descending))
    return ids_in_order(query, limit)


def queued_among(member_ids: list[int]) -> set[int]:
    """Which of `member_ids` are in the card queue."""
    found: set[int] = set()
    for chunk in chunked(member_ids, 500):
        found.update(r[0] for r in CardQueue.select(CardQueue.member).where(CardQueue.member.in_(chunk)).tuples())
    return found


def applying_among(member_ids: list[int]) -> set[int]:
    """Which of `member_ids` are in a card batch made here whose outcome is still pending."""
    found: set[int] = set()
    for chunk in chunked(member_ids, 500):
        query = (CardBatchMember.select(CardBatchMember.member)
                 .where(CardBatchMember.member.in_(chunk) & (CardBatchMember.outcome == "pending")).tuples())
        found.update(r[0] for r in query)
    return found


@dataclass(frozen=True)
class QueueFilter:
    """What 待办会员列表 shows: an ID-number fragment or name, and the verification result."""

    text: str = ""
    result: str | None = None  # passed / failed / unverified


#: Sort keys of 待办会员列表, each with an index (union, column) on the queue.
QUEUE_SORT_COLUMNS = {
    "queued_at": CardQueue.queued_at,
    "result": CardQueue.result,
}

QUEUE_ROW_FIELDS = (
    CardQueue.id, CardQueue.member.alias("member_id"), CardQueue.queued_at, CardQueue.result, CardQueue.reason,
    CardQueue.local_result, CardQueue.server_result, Member.name, Member.member_no, Member.id_type,
    Member.id_number, Member.id_expiry, Member.birth_date,
)


def queue_where(union_id: int, f: QueueFilter) -> Expression:
    cond = CardQueue.union == union_id
    text = f.text.strip()
    if text:
        if text.replace("X", "").replace("x", "").isdigit() or text.isascii():
            cond &= fn.instr(Member.id_number, text.upper()) > 0
        else:
            cond &= fn.instr(Member.name, text) > 0
    if f.result:
        cond &= CardQueue.result == f.result
    return cond


def count_queue(union_id: int, f: QueueFilter) -> int:
    query = CardQueue.select(fn.COUNT(CardQueue.id)).where(queue_where(union_id, f))
    if f.text.strip():
        query = query.join(Member, on=(CardQueue.member == Member.id))
    return int(query.scalar())


def queue_page(union_id: int, f: QueueFilter, sort_key: str = "queued_at", descending: bool = True,
               offset: int = 0, limit: int = 200) -> list[dict[str, Any]]:
    """One page of the card queue, as dicts of QUEUE_ROW_FIELDS' names."""
    column = QUEUE_SORT_COLUMNS.get(sort_key, CardQueue.queued_at)
    order = [column.desc(), CardQueue.id.desc()] if descending else [column.asc(), CardQueue.id.asc()]
    query = (CardQueue.select(*QUEUE_ROW_FIELDS).join(Member, on=(CardQueue.member == Member.id))
             .where(queue_where(union_id, f)).order_by(*order).offset(offset).limit(limit).dicts())
    return list(query)


def queue_ids(union_id: int, f: QueueFilter, sort_key: str = "queued_at", descending: bool = True,
              limit: int | None = None) -> list[int]:
    """Every matching queue entry's id in list order (the id-only table model holds these), or the first `limit`."""
    column = QUEUE_SORT_COLUMNS.get(sort_key, CardQueue.queued_at)
    order = [column.desc(), CardQueue.id.desc()] if descending else [column.asc(), CardQueue.id.asc()]
    query = CardQueue.select(CardQueue.id).where(queue_where(union_id, f)).order_by(*order)
    if f.text.strip():
        query = query.join(Member, on=(CardQueue.member == Member.id))
    return ids_in_order(query, limit)


def queue_rows_by_ids(ids: list[int]) -> list[dict[str, Any]]:
    """The queue rows of `ids` as dicts of QUEUE_ROW_FIELDS' names (any order)."""
    if not ids:
        return []
    query = (CardQueue.select(*QUEUE_ROW_FIELDS).join(Member, on=(CardQueue.member == Member.id))
             .where(CardQueue.id.in_(ids)).dicts())
    return list(query)


def queue_counts(union_id: int) -> dict[str, int]:
    """How many queued members have each result."""
    query = (CardQueue.select(CardQueue.result, fn.COUNT(CardQueue.id)).where(CardQueue.union == union_id)
             .group_by(CardQueue.result).tuples())
    return {result: n for result, n in query}


#: Columns read for (re)verifying queued members, in this order (raw SQL: 20,000 rows at once).
QUEUE_CHECK_COLUMNS = (
    "q.id", "q.member_id", "q.local_result", "q.local_reason", "q.local_sig", "q.checked_at", "q.result",
    "q.reason", "q.server_result", "q.server_reason", "q.server_request", "m.name", "m.id_type", "m.id_number", "m.id_expiry",
    "m.birth_date", "m.phone", "m.work_address", "m.category", "m.life_status", "m.card_status",
    "m.card_no", "m.sync_state", "m.gender",
)


def queue_check_rows(union_id: int, queue_ids: list[int] | None = None) -> list[tuple[Any, ...]]:
    """The queue rows (all, or `queue_ids`) with the member data their verification reads."""
    from app.models.db import db

    columns = ", ".join(QUEUE_CHECK_COLUMNS)
    base = (f'SELECT {columns} FROM "{CardQueue._meta.table_name}" q '
            f'JOIN "{Member._meta.table_name}" m ON m.id = q.member_id WHERE q.union_id = ?')
    if queue_ids is None:
        every: list[tuple[Any, ...]] = db.execute_sql(base + " ORDER BY q.id", (union_id,)).fetchall()
        return every
    rows: list[tuple[Any, ...]] = []
    for chunk in chunked(queue_ids, 500):
        marks = ", ".join("?" for _ in chunk)
        rows += db.execute_sql(base + f" AND q.id IN ({marks}) ORDER BY q.id", (union_id, *chunk)).fetchall()
    return rows


#: Columns `update_queue_rows` may set.
QUEUE_UPDATE_COLUMNS = frozenset({
    "result", "reason", "local_result", "local_reason", "local_sig", "checked_at", "server_result",
    "server_reason", "server_request", "server_checked_at",
})


def update_queue_rows(updates: list[tuple[int, dict[str, Any]]], *, batch: int = 5000) -> int:
    """Apply (queue id, {column: db-ready value}) pairs, one executemany per set of columns.
    Inside the caller's transaction."""
    from app.models.db import db

    groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    for queue_id, changes in updates:
        names = tuple(sorted(changes))
        bad = set(names) - QUEUE_UPDATE_COLUMNS
        if bad:
            raise ValueError(f"unknown card queue columns: {sorted(bad)}")
        groups.setdefault(names, []).append(tuple(changes[n] for n in names) + (queue_id,))
    cursor = db.cursor()
    done = 0
    for names, params in groups.items():
        assignments = ", ".join(f'"{n}" = ?' for n in names)
        sql = f'UPDATE "{CardQueue._meta.table_name}" SET {assignments} WHERE "id" = ?'
        for chunk in chunked(params, batch):
            cursor.executemany(sql, chunk)
            done += len(chunk)
    return done


def queue_blocking(union_id: int, result: str, limit: int = 5) -> list[dict[str, Any]]:
    """The first queued members with `result` (failed / unverified), for saying which ones."""
    query = (CardQueue.select(CardQueue.id, CardQueue.result, CardQueue.reason, Member.name, Member.id_number)
             .join(Member, on=(CardQueue.member == Member.id))
             .where((CardQueue.union == union_id) & (CardQueue.result == result))
             .order_by(CardQueue.id.asc()).limit(limit).dicts())
    return list(query)


def queue_rows_by_request(request_id: str) -> dict[str, int]:
    """id_number → queue id of the rows waiting for the server's answer to `request_id`."""
    query = (CardQueue.select(Member.id_number, CardQueue.id).join(Member, on=(CardQueue.member == Member.id))
             .where(CardQueue.server_request == request_id).tuples())
    return {number: queue_id for number, queue_id in query}


@dataclass(frozen=True)
class CardBatchFilter:
    text: str = ""  # batch number fragment
    status: str | None = None


def card_batch_rows(union_id: int, f: CardBatchFilter) -> list[dict[str, Any]]:
    """The union's card batches, newest first."""
    cond = CardBatch.union == union_id
    if f.text.strip():
        cond &= fn.instr(CardBatch.batch_no, f.text.strip().upper()) > 0
    if f.status:
        cond &= CardBatch.status == f.status
    query = CardBatch.select().where(cond).order_by(CardBatch.submitted_at.desc(), CardBatch.id.desc()).dicts()
    return list(query)


def count_card_batch_members(batch_id: int) -> int:
    return int(CardBatchMember.select(fn.COUNT(CardBatchMember.id)).where(CardBatchMember.batch == batch_id).scalar())


def card_batch_member_page(batch_id: int, offset: int = 0, limit: int = 200) -> list[dict[str, Any]]:
    query = (CardBatchMember.select().where(CardBatchMember.batch == batch_id)
             .order_by(CardBatchMember.id).offset(offset).limit(limit).dicts())
    return list(query)


def card_batch_member_ids(batch_id: int, limit: int | None = None) -> list[int]:
    """The ids of a card batch's members, in the order they were submitted (or the first `limit`)."""
    query = CardBatchMember.select(CardBatchMember.id).where(CardBatchMember.batch == batch_id).order_by(CardBatchMember.id)
    return ids_in_order(query, limit)


def card_batch_members_by_ids(ids: list[int]) -> list[dict[str, Any]]:
    if not ids:
        return []
    return list(CardBatchMember.select().where(CardBatchMember.id.in_(ids)).dicts())


def update_card_batch_members(batch_id: int, outcomes: list[tuple[str, str | None, str, str]]) -> int:
    """Set (outcome, card_no, reason) of a batch's members, given as (…, id_number) tuples."""
    from app.models.db import db

    sql = (f'UPDATE "{CardBatchMember._meta.table_name}" SET "outcome" = ?, "card_no" = ?, "reason" = ? '
           f'WHERE "batch_id" = ? AND "id_number" = ?')
    params = [(outcome, card_no, reason, batch_id, number) for outcome, card_no, reason, number in outcomes]
    cursor = db.cursor()
    for chunk in chunked(params, 5000):
        cursor.executemany(sql, chunk)
    return len(params)


def note_withdrawal(batch: Any, withdrawal: Mapping[str, Any] | None) -> None:
    """Keep a CardBatch's latest 申请撤销 as the server tells it (not saved here). A refusal the
    clerk has not seen yet raises the notice (app.services.batch_watch) until it is opened."""
    if not withdrawal:
        return
    status = str(withdrawal.get("status") or "")
    answer = str(withdrawal.get("decision_reason") or "") or None
    if (status, answer) != (batch.withdrawal_status, batch.withdrawal_answer):
        batch.withdrawal_seen = status != "refused"
    batch.withdrawal_status, batch.withdrawal_answer = status, answer
    batch.withdrawal_reason = str(withdrawal.get("reason") or "") or None

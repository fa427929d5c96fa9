"""业务工作台 → 待办事项: what is left before the campaign's deadlines, each figure with the list it
opens, and the days left to each deadline of the server's calendar (the cached campaign).

Read on the database worker, from SQL aggregates (the enrollment counts group the members in
SQLite: no Python pass over a 100,000-member union holding the GIL while the UI paints).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from peewee import fn

from app.models import Batch, Member, Outbox
from app.models.tables import CardBatch, CardQueue
from app.rules.codes import CardStatus, InsuranceStatus, LifeStatus
from app.rules.dates import LONG_TERM
from app.rules.eligibility import CHANNEL_CARD, CHANNEL_SS


@dataclass(frozen=True)
class TodoItem:
    """One figure of the to-do list: `opens` names what a click shows (see app.views.workbench)."""

    key: str
    label: str
    count: int
    hint: str
    opens: str


@dataclass(frozen=True)
class Deadline:
    label: str
    day: date
    days_left: int  # 0 on the day itself, negative once it has passed

    @property
    def text(self) -> str:
        if self.days_left > 0:
            return f"{self.label}：{self.day:%Y年%m月%d日}，还有 {self.days_left} 天"
        if self.days_left == 0:
            return f"{self.label}：{self.day:%Y年%m月%d日}，就是今天"
        return f"{self.label}：{self.day:%Y年%m月%d日}，已过"


@dataclass(frozen=True)
class Todo:
    plan_year: int
    items: list[TodoItem]
    deadlines: list[Deadline]
    #: The day members' IDs must stay valid until (the payment deadline), None before any sync.
    card_deadline: date | None

    @property
    def open_items(self) -> list[TodoItem]:
        return [i for i in self.items if i.count]


#: The campaign's dates a grassroots clerk works to, in the order they come (SPEC.md §6).
CALENDAR = (
    (("windows", "enrollment", "start"), "集中参保开始"),
    (("payment_deadline",), "集中参保提交及缴费截止"),
    (("windows", "submission_window", "end"), "区局（产业）工会提交截止"),
    (("windows", "coverage", "start"), "保障开始"),
)


def _lookup(config: dict[str, Any], path: tuple[str, ...]) -> str | None:
    value: Any = config
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, str) else None


def deadlines(config: dict[str, Any] | None, today: date) -> list[Deadline]:
    """Days left to each date of the campaign's calendar."""
    out = []
    for path, label in CALENDAR:
        text = _lookup(config or {}, path)
        if text:
            day = date.fromisoformat(text[:10])
            out.append(Deadline(label, day, (day - today).days))
    return out


def expiring_ids(union_id: int, before: date) -> list[int]:
    """Members in service still without a member card whose ID expires before `before` (or has
    expired): their card application would be refused."""
    query = (Member.select(Member.id)
             .where((Member.union == union_id) & (Member.life_status == LifeStatus.IN_SERVICE)
                    & (Member.card_status != CardStatus.ISSUED)
                    & Member.id_expiry.is_null(False) & (Member.id_expiry != LONG_TERM)
                    & (Member.id_expiry < before.isoformat()))
             .order_by(Member.id_expiry, Member.id))
    return [r[0] for r in query.tuples()]


def _config(plan_year: int) -> dict[str, Any] | None:
    """The plan year's cached campaign, or the current one (a PC that synced before the year's
    campaign was published)."""
    from app.services.campaign import cached_config

    return cached_config(plan_year) or cached_config()


def todo(union_id: int, plan_year: int, today: date) -> Todo:
    """The to-do list of the plan year: each figure, what it opens, and the calendar."""
    from app.services import enrollment

    config = _config(plan_year)
    card_deadline = date.fromisoformat(config["payment_deadline"]) if config else None
    counts = enrollment.counts_by_channel(union_id, plan_year, (CHANNEL_CARD, CHANNEL_SS))
    card, ss = counts[CHANNEL_CARD], counts[CHANNEL_SS]
    failed = CardQueue.select().where((CardQueue.union == union_id) & (CardQueue.result == "failed")).count()
    pending = Member.select().where((Member.union == union_id)
                                    & (Member.insurance_status == InsuranceStatus.PENDING)).count()
    returned = Batch.select().where((Batch.union == union_id) & (Batch.status == "returned")).count()
    refused = Batch.select().where((Batch.union == union_id) & (Batch.status == "refused")).count()
    queued = (Batch.select().where((Batch.union == union_id) & (Batch.status == "queued")).count()
              + CardBatch.select().where((CardBatch.union == union_id) & (CardBatch.status == "queued")).count())
    withdrawing = CardBatch.select().where((CardBatch.union == union_id)
                                           & (CardBatch.withdrawal_status == "pending")).count()
    outbox = Outbox.select(fn.COUNT(Outbox.id)).where(Outbox.state.in_(("to_send", "sending"))).scalar()
    expiring = len(expiring_ids(union_id, card_deadline or today))
    deadline_words = f"{card_deadline:%m月%d日}" if card_deadline else "截止日"
    items = [
        TodoItem("id_expiring", f"证件在{deadline_words}前到期", expiring,
                 "请核对证件到期日：到期的证件办不了会员卡", "list:id_expiring"),
        TodoItem("card_failed", "办卡信息校验未通过", failed, "在待办会员列表中修改后重新校验", "page:card_queue"),
        TodoItem("pending", "待确认人员", pending, "在集中参保待确认名单中逐一确认", "dialog:pending"),
        TodoItem("retirement", "可能已退休待确认", card.flagged, "提交前逐一确认仍在职或已退休", "list:flagged"),
        TodoItem("not_enrolled", "可参保尚未提交", card.eligible + ss.eligible,
                 f"会员卡参保 {card.eligible} 人，社保卡参保 {ss.eligible} 人", "list:eligible"),
        TodoItem("returned", "被退回的批次", returned, "查看退回原因，修改后重新提交", "page:card_enrollment:returned"),
        TodoItem("refused", "服务器未受理的批次", refused, "查看原因，修改后重新提交", "page:card_enrollment:refused"),
        TodoItem("withdrawal_pending", "撤销审核中的办卡批次", withdrawing,
                 "等待区局(产业)工会审核撤销申请，审核期间该批次暂停制卡", "page:card_batches"),
        TodoItem("queued", "待发送的批次", queued, f"联网同步后提交（共 {outbox} 条待发送）", "page:card_enrollment:queued"),
    ]
    return Todo(plan_year, items, deadlines(config, today), card_deadline)


def todo_members(union_id: int, plan_year: int, which: str, today: date) -> list[Any]:
    """The members behind a to-do figure that opens a list (`list:…`), as enrollment candidates."""
    from app.services import enrollment

    if which == "id_expiring":
        config = _config(plan_year)
        before = date.fromisoformat(config["payment_deadline"]) if config else today
        ids = set(expiring_ids(union_id, before))
        return [c for c in enrollment.candidates(union_id, plan_year, CHANNEL_CARD) if c.id in ids]
    people = enrollment.members_for_count(union_id, plan_year, CHANNEL_CARD, which)
    if which == "eligible":
        people += enrollment.members_for_count(union_id, plan_year, CHANNEL_SS, which)
    return people

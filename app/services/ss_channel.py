"""社保卡参保 (SS channel, manual §3.2, SPEC.md §5.7): the 获取社保卡和就业状态 request, the tabs
待校验 / 待提交, the FAQ 3 lookup ("why is someone not listed") and the FAQ 4 advice — no Qt.

Who stands where is the shared rule (`app.rules.eligibility`, channel "ss") applied by
`app.services.enrollment.candidates`; this module only groups its answers the way §3.2 shows them:
- 待校验: never checked, or SS card 封存/挂失/锁定/注销/不明确 whatever the employment — cannot be
  submitted; 待提交: card normal and employed (or confirmed) — can be submitted; card normal but
  employment unclear → the shared 参保待确认名单 (`app.services.confirmations`).
- 获取社保卡和就业状态 queues one `SsCheckRequest` per 5,000 members in the outbox (offline too: it
  is sent with the next sync) and remembers when it was asked; the answers come back through the
  pull (entity `ss_check`), and members move between the tabs by themselves.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from peewee import chunked

from app.models import Member, Setting, Union, db
from app.models.outbox import enqueue
from app.protocol import SsCheckRequest
from app.rules.codes import EMPLOYMENT_LABELS, SS_CARD_LABELS
from app.rules.eligibility import CHANNEL_SS, REASONS
from app.rules.idcard import mask_id
from app.services import audit
from app.services.enrollment import Candidate, candidates

#: ID numbers per outbox record (the protocol allows 20,000; smaller records retry cheaper).
REQUEST_CHUNK = 5_000
CHECKING_TEXT = "校验中，请一个工作日后进行查看！"
CARD_ADVICE = ("获取社保卡和就业状态后，社保卡状态仍然异常的职工无法通过社保卡参保，"
               "请为其办理工会会员服务卡后进行会员卡参保（常见问题4）。")

#: The tabs of 集中参保办理 (SS) and the counts of eligibility.COUNT_OF_REASON behind them.
TAB_AWAITING = "awaiting_check"  # 待校验
TAB_READY = "eligible"  # 待提交
TABS = (TAB_AWAITING, TAB_READY)


def _asked_key(union_id: int) -> str:
    return f"ss_check:asked:{union_id}"


def _utc_now() -> datetime:
    from app.services.campaign import business_now

    return business_now().astimezone(timezone.utc).replace(tzinfo=None, microsecond=0)


@dataclass(frozen=True)
class CheckRequest:
    """The last 获取社保卡和就业状态 of this union: when (UTC, as the server stamps answers), how many."""

    asked_at: datetime
    count: int

    @property
    def asked_text(self) -> str:
        """The local time it was asked, as the screen shows it."""
        local = self.asked_at.replace(tzinfo=timezone.utc).astimezone().replace(tzinfo=None)
        return local.strftime("%Y-%m-%d %H:%M")


def last_request(union_id: int) -> CheckRequest | None:
    row = Setting.get_or_none(Setting.key == _asked_key(union_id))
    if row is None:
        return None
    data = json.loads(row.value)
    return CheckRequest(datetime.fromisoformat(data["asked_at"]), int(data["count"]))


def to_check(union_id: int, plan_year: int) -> list[Candidate]:
    """Members a check could move: the 待校验 tab (never checked, or SS card not normal)."""
    return [c for c in candidates(union_id, plan_year, CHANNEL_SS, ordered=False) if c.count == TAB_AWAITING]


def request_check(union_id: int, plan_year: int, *, actor: str) -> CheckRequest:
    """获取社保卡和就业状态: queue a check of every 待校验 member (one transaction); the sync sends it.
    Nothing to check is still an answer (count 0), never an error."""
    people = to_check(union_id, plan_year)
    asked = CheckRequest(_utc_now(), len(people))
    if not people:
        return asked
    org_code = Union.get_by_id(union_id).org_code
    numbers = [c.id_number for c in people]
    with db.atomic("IMMEDIATE"):
        for chunk in chunked(numbers, REQUEST_CHUNK):
            enqueue(SsCheckRequest(list(chunk), union=org_code))
        Setting.replace(key=_asked_key(union_id), value=json.dumps(
            {"asked_at": asked.asked_at.isoformat(), "count": asked.count})).execute()
        audit.record(actor, "ss_check.request", note=f"获取社保卡和就业状态 {asked.count}人")
    return asked


@dataclass(frozen=True)
class SsRow:
    """A row of the 待校验 / 待提交 tabs (manual §3.2.5): masked ID, statuses as the clerk reads them."""

    id: int
    member_no: str
    name: str
    masked_id: str
    ss_status: str  # 正常 / 封存 / … or "-" (never checked)
    employment: str  # 在职 / 不明确 or "-"
    checking: bool  # asked, answer not back yet (校验中)
    advice: str  # FAQ 4 when the card stays abnormal after a check, else ""
    label: str | None = None  # 会员标签


def _checking(c: Candidate, checked_at: datetime | None, asked: CheckRequest | None) -> bool:
    return asked is not None and c.count == TAB_AWAITING and (checked_at is None or checked_at < asked.asked_at)


def _checked_and_label(ids: list[int]) -> dict[int, tuple[datetime | None, str | None]]:
    out: dict[int, tuple[datetime | None, str | None]] = {}
    for chunk in chunked(ids, 500):
        query = Member.select(Member.id, Member.ss_checked_at, Member.label).where(Member.id.in_(list(chunk)))
        out.update((i, (at, label)) for i, at, label in query.tuples())
    return out


def tabs(union_id: int, plan_year: int, *, ss_status: str | None = None) -> dict[str, list[SsRow]]:
    """Both tabs (待校验, 待提交) from one pass of the rule, optionally only one 社保卡状态 ("none":
    never checked)."""
    people = [c for c in candidates(union_id, plan_year, CHANNEL_SS) if c.count in TABS]
    if ss_status == "none":
        people = [c for c in people if c.ss_card_status is None]
    elif ss_status:
        people = [c for c in people if c.ss_card_status == ss_status]
    asked = last_request(union_id)
    extra = _checked_and_label([c.id for c in people])
    out: dict[str, list[SsRow]] = {tab: [] for tab in TABS}
    for c in people:
        checked_at, label = extra.get(c.id, (None, None))
        busy = _checking(c, checked_at, asked)
        stays_abnormal = c.count == TAB_AWAITING and not busy and checked_at is not None
        out[c.count].append(SsRow(c.id, c.member_no, c.name, mask_id(c.id_number),
                                  SS_CARD_LABELS.get(c.ss_card_status or "", "-"),
                                  EMPLOYMENT_LABELS.get(c.employment_status or "", "-"), busy,
                                  CARD_ADVICE if stays_abnormal else "", label))
    return out


def rows(union_id: int, plan_year: int, tab: str, *, ss_status: str | None = None) -> list[SsRow]:
    """The members of one tab (待校验 or 待提交); see `tabs`."""
    if tab not in TABS:
        raise ValueError(tab)
    return tabs(union_id, plan_year, ss_status=ss_status)[tab]


def card_advice_ids(union_id: int, plan_year: int) -> list[int]:
    """FAQ 4: members checked whose SS card is still abnormal — a member card is their way in."""
    return [r.id for r in rows(union_id, plan_year, TAB_AWAITING) if r.advice]


def add_to_card_queue(union_id: int, member_ids: list[int], *, actor: str) -> str:
    """加入待办 for the FAQ 4 advice: the card queue's own rules decide who can apply."""
    from app.rules.coverage import shanghai_today
    from app.services.cards.queue import add_to_queue

    return add_to_queue(union_id, member_ids, actor=actor, today=shanghai_today()).message()


# ---- FAQ 3: why is someone not in the SS list --------------------------------------------------

#: The SS-channel reasons the FAQ names, each with what to do.
_FAQ3 = {
    "enrolled": "已参加本保障年度的会员保障，无需再提交。",
    "has_card": "已有工会会员服务卡，请通过“会员卡参保信息管理”办理会员卡参保。",
    "not_mainland": "证件类型不是身份证：社保卡参保列表只显示证件类型为身份证的职工，请为其办理会员卡后参保。",
    "individual": "灵活就业/企业外入会会员由本人通过“申工社”办卡并参保，工会不集中参保。",
    "deceased": "已死亡，不能参保。",
    "retired": "已退休（退休日期在保障年度1月1日前），不属于本次集中参保的保障范围。",
}


@dataclass(frozen=True)
class WhyNotListed:
    member_no: str
    name: str
    masked_id: str
    listed: bool  # shown in the SS lists (待校验, 待提交 or the 待确认名单)
    reason: str | None  # eligibility reason code, None when eligible
    text: str  # what the clerk reads


def why_not_listed(union_id: int, plan_year: int, text: str) -> list[WhyNotListed]:
    """Members matching `text` (member number, name or ID number, at most 20) and why each is — or
    is not — in the SS channel's lists (manual FAQ 3)."""
    text = text.strip()
    if not text:
        return []
    pattern = Member.member_no.contains(text) | Member.name.contains(text) | (Member.id_number == text.upper())
    ids = {m.id for m in Member.select(Member.id).where((Member.union == union_id) & pattern).limit(20)}
    out = []
    for c in candidates(union_id, plan_year, CHANNEL_SS):
        if c.id not in ids:
            continue
        listed = c.reason not in _FAQ3
        why = _FAQ3.get(c.reason or "") or (REASONS.get(c.reason or "", "") if c.reason else "在“待提交”列表中，可以提交参保。")
        out.append(WhyNotListed(c.member_no, c.name, mask_id(c.id_number), listed, c.reason, why))
    return out

"""Member-card applications (SPEC §5.3, manual §3.1.1): the local checks and what the card queue
shows, as pure functions shared by the card service and the sync engine.

A queued member is verified twice: at once on the PC (`check_member`: a valid document, an expiry
present, plausible and not past, a work address of 7–19 Chinese characters, a mobile phone, in
service at a linked enterprise, no card yet) and then by the server. `combine` turns the two into
what the list shows — 未通过 if either failed (with the reason), 已通过 only when both passed, else
未校验 with what it waits for. `data_sig` fingerprints the member data the checks read, so a
change anywhere re-runs them.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from app.rules import dates, expiry
from app.rules.address import validate_work_address
from app.rules.codes import (
    CATEGORY_LABELS,
    LIFE_STATUS_LABELS,
    CardStatus,
    Category,
    IdType,
    LifeStatus,
)
from app.rules.idcard import validate_document
from app.rules.phone import normalize_phone
from app.rules.problems import ERROR, RuleError

PASSED, FAILED, UNVERIFIED = "passed", "failed", "unverified"
RESULT_LABELS = {PASSED: "已通过", FAILED: "未通过", UNVERIFIED: "未校验"}

# The server side of a queued member's verification (CardQueue.server_result).
SERVER_NONE = "none"  # not asked: the local checks failed
SERVER_TO_REQUEST = "to_request"  # asked at the next sync
SERVER_PENDING = "pending"  # asked; the answer comes with a later pull
SERVER_PASSED = "passed"
SERVER_FAILED = "failed"
SERVER_ERROR = "error"  # the server refused the request itself

BATCH_STATUS_LABELS = {"queued": "待发送", "issuing": "制卡中", "done": "已完成", "refused": "未受理"}
OUTCOME_LABELS = {"pending": "制卡中", "issued": "已发卡", "refused": "未通过"}

#: The manual's hint under the summary line (§3.1.1).
SUBMIT_HINT = "（请移除校验未通过及未校验的会员，才能进行提交办卡。）"

WAITING_FOR_SYNC = "本机校验通过，等待联网同步后由服务器校验。"
WAITING_FOR_SERVER = "已提交服务器校验，等待结果（同步后更新）。"
SYNC_BLOCKED = "该会员的信息同步未完成（有冲突或被服务器退回），请先在“同步”菜单中处理，之后才能由服务器校验。"


def mask_card_no(card_no: str | None) -> str:
    """A card number as the manual shows it: "6231 **** 0624"."""
    if not card_no:
        return ""
    text = card_no.strip()
    return f"{text[:4]} **** {text[-4:]}" if len(text) >= 12 else "****"


def expiry_flag(raw: Any, today: date) -> str | None:
    """"id_expired", "id_expiring" (within 90 days) or None for a stored expiry."""
    if not raw or raw == dates.LONG_TERM:
        return None
    try:
        value = date.fromisoformat(str(raw)[:10])
    except ValueError:
        return None
    if value < today:
        return "id_expired"
    if value <= today + timedelta(days=expiry.EXPIRY_WARNING_DAYS):
        return "id_expiring"
    return None


def expiry_warning(raw: Any, today: date) -> str:
    """The 90-day warning for a stored expiry, in words ("" when there is none)."""
    if expiry_flag(raw, today) != "id_expiring":
        return ""
    value = date.fromisoformat(str(raw)[:10])
    days = (value - today).days
    return f"证件将于{value.isoformat()}到期（还有{days}天），办卡期间可能过期而被退回，请提醒会员尽快换领新证件。"


@dataclass(frozen=True)
class LocalCheck:
    result: str  # PASSED or FAILED
    reasons: tuple[str, ...] = ()

    @property
    def reason(self) -> str:
        return "".join(self.reasons)


def as_date(value: Any) -> date | None:
    """A stored date (ISO text, date or datetime) as a date; None when empty or unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def check_member(m: Mapping[str, Any], today: date) -> LocalCheck:
    """The local checks of a card application for one member (a mapping of Member's columns).

    Every failure is a sentence saying what is wrong and what to do, as RULES.md's rules word it.
    """
    reasons: list[str] = []
    status = m.get("card_status")
    if status == CardStatus.ISSUED:
        reasons.append(f"该会员已有会员卡（{mask_card_no(m.get('card_no'))}），无需再办，请移出待办。")
    elif status == CardStatus.APPLYING:
        reasons.append("该会员的会员卡正在办理中（已在办卡批次中），请移出待办。")
    life = m.get("life_status")
    if life and life != LifeStatus.IN_SERVICE:
        reasons.append(f"该会员的状态为“{LIFE_STATUS_LABELS.get(life, life)}”，只有在职会员可以由工会集体办卡，请移出待办。")
    category = m.get("category")
    if category and category != Category.LINKED_ENTERPRISE:
        reasons.append(f"{CATEGORY_LABELS.get(category, category)}会员不能由工会集体办卡，"
                       "请会员通过“申工社”微信公众号个人办卡，并移出待办。")
    if not (m.get("name") or "").strip():
        reasons.append("姓名为空。请在会员信息中补填姓名。")
    birth = None
    try:
        _, parsed = validate_document(m.get("id_type") or "", m.get("id_number") or "", today)
        birth = parsed.birth_date if parsed is not None else None
    except RuleError as error:
        reasons.append(error.problem.message)
    if m.get("id_type") != IdType.MAINLAND:
        birth = None  # the ID-card validity bands apply to the mainland card only
    mainland = m.get("id_type") == IdType.MAINLAND
    for problem in expiry.check_id_expiry(m.get("id_expiry"), today, birth, for_card=True):
        if problem.severity == ERROR:
            # The expiry rules speak of the mainland card; other documents are 证件.
            reasons.append(problem.message if mainland else problem.message.replace("身份证", "证件"))
    try:
        validate_work_address(m.get("work_address"), required=True)
    except RuleError as error:
        reasons.append(error.problem.message)
    if not m.get("phone"):
        reasons.append("手机号码为空。办理会员卡需要会员本人的11位手机号码，请在会员信息中补填。")
    else:
        try:
            normalize_phone(m.get("phone"))
        except RuleError as error:
            reasons.append(error.problem.message)
    return LocalCheck(FAILED if reasons else PASSED, tuple(reasons))


#: Member columns whose change re-runs the checks (in this order in the fingerprint).
SIG_FIELDS = ("name", "id_type", "id_number", "id_expiry", "birth_date", "phone", "work_address", "category",
              "life_status", "card_status")


def data_sig(m: Mapping[str, Any]) -> str:
    """A fingerprint of the member data the checks read."""
    text = "\x1f".join("" if m.get(k) is None else str(m.get(k)) for k in SIG_FIELDS)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def combine(local_result: str, local_reason: str, server_result: str, server_reason: str,
            sync_blocked: bool = False) -> tuple[str, str]:
    """What the list shows, (result, reason), from the two verifications."""
    if local_result == FAILED:
        return FAILED, local_reason
    if local_result != PASSED:
        return UNVERIFIED, "尚未校验。"
    if server_result == SERVER_PASSED:
        return PASSED, ""
    if server_result == SERVER_FAILED:
        return FAILED, f"服务器校验未通过：{server_reason}"
    if server_result == SERVER_ERROR:
        return UNVERIFIED, f"服务器未受理校验请求：{server_reason}处理后请点“重新校验”。"
    if server_result == SERVER_PENDING:
        return UNVERIFIED, WAITING_FOR_SERVER
    return UNVERIFIED, SYNC_BLOCKED if sync_blocked else WAITING_FOR_SYNC

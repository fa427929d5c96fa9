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
from dataclasses import dataclass, replace
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
from app.rules.problems import ERROR, Problem, RuleError

PASSED, FAILED, UNVERIFIED = "passed", "failed", "unverified"
RESULT_LABELS = {PASSED: "已通过", FAILED: "未通过", UNVERIFIED: "未校验"}

# The server side of a queued member's verification (CardQueue.server_result).
SERVER_NONE = "none"  # not asked: the local checks failed
SERVER_TO_REQUEST = "to_request"  # asked at the next sync
SERVER_PENDING = "pending"  # asked; the answer comes with a later pull
SERVER_PASSED = "passed"
SERVER_FAILED = "failed"
SERVER_ERROR = "error"  # the server refused the request itself

BATCH_STATUS_LABELS = {"queued": "待发送", "issuing": "制卡中", "done": "已完成", "refused": "未受理", "withdrawn": "已撤销"}
OUTCOME_LABELS = {"pending": "制卡中", "issued": "已发卡", "refused": "未通过", "withdrawn": "已撤销"}
#: 申请撤销 as the clerk reads it on 办卡批次管理 (the district's words are in app.protocol.withdrawals).
WITHDRAWAL_STATUS_LABELS = {"pending": "撤销审核中", "approved": "已撤销", "refused": "不同意撤销"}

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


#: What a card application may fail on, besides the document, expiry, address and phone rules'
#: own codes (their sentences are theirs). `application_problems` returns these codes with a
#: neutral sentence; the card queue (`check_member`) and the server (server/cards.py) word the ones
#: whose advice depends on where the clerk reads it.
CARD_EXISTS = "card_exists"
CARD_APPLYING = "card_applying"
NOT_IN_SERVICE = "card_not_in_service"
NOT_LINKED = "card_category"
NAME_MISSING = "card_name_missing"
ID_INCONSISTENT = "card_id_inconsistent"
PHONE_MISSING = "phone_missing"


def _facts(m: Mapping[str, Any]) -> dict[str, str]:
    """What the sentences name: the masked card number and the status and category labels."""
    life, category = m.get("life_status") or "", m.get("category") or ""
    return {"card_no": mask_card_no(m.get("card_no")), "life": LIFE_STATUS_LABELS.get(life, life),
            "category": CATEGORY_LABELS.get(category, category)}


def _document_problems(m: Mapping[str, Any], today: date) -> list[Problem]:
    """The document: its number valid for its type and agreeing with the recorded birth date and
    gender, and (for a card) an expiry present, plausible and not past."""
    problems: list[Problem] = []
    id_type = m.get("id_type") or ""
    birth = None
    try:
        _, parsed = validate_document(id_type, m.get("id_number") or "", today)
    except RuleError as error:
        problems.append(error.problem)
        parsed = None
    if parsed is not None:
        birth = parsed.birth_date
        if m.get("birth_date") and as_date(m.get("birth_date")) != parsed.birth_date:
            problems.append(Problem(ID_INCONSISTENT, "证件号码中的出生日期与登记的出生日期不一致。请核对证件号码。"))
        elif m.get("gender") and m.get("gender") != str(parsed.gender):
            problems.append(Problem(ID_INCONSISTENT, "证件号码中的性别与登记的性别不一致。请核对证件号码。"))
    mainland = id_type == IdType.MAINLAND
    for problem in expiry.check_id_expiry(m.get("id_expiry"), today, birth if mainland else None, for_card=True):
        if problem.severity == ERROR:
            # The expiry rules speak of the mainland card; other documents are 证件.
            problems.append(problem if mainland else replace(problem, message=problem.message.replace("身份证", "证件")))
    return problems


def application_problems(m: Mapping[str, Any], today: date, *, in_batch: bool = False) -> list[Problem]:
    """Why member `m` (a mapping of the member's fields, local row or server record) cannot
    apply for a member card now, [] when they can (SPEC §5.3, RULES.md): no card yet, nor one
    being made — unless `in_batch`, the batch being the one making it —, in service, of a linked
    enterprise, a name, a valid document agreeing with the recorded birth date and gender with an
    expiry present and not past, a work address of 7–19 Chinese characters and a mobile phone.
    """
    problems: list[Problem] = []
    status = m.get("card_status")
    if status == CardStatus.ISSUED:
        problems.append(Problem(CARD_EXISTS, "该会员已有会员卡，无需再办。"))
    elif status == CardStatus.APPLYING and not in_batch:
        problems.append(Problem(CARD_APPLYING, "该会员的会员卡正在办理中，请勿重复申请。"))
    if (m.get("life_status") or LifeStatus.IN_SERVICE) != LifeStatus.IN_SERVICE:
        problems.append(Problem(NOT_IN_SERVICE, "该会员的状态为“{life}”，只有在职会员可以由工会集体办卡。"))
    if (m.get("category") or Category.LINKED_ENTERPRISE) != Category.LINKED_ENTERPRISE:
        problems.append(Problem(NOT_LINKED, "{category}会员不能由工会集体办卡，请会员通过“申工社”个人办卡。"))
    if not (m.get("name") or "").strip():
        problems.append(Problem(NAME_MISSING, "姓名为空。请补填姓名。"))
    problems += _document_problems(m, today)
    try:
        validate_work_address(m.get("work_address"), required=True)
    except RuleError as error:
        problems.append(error.problem)
    if not m.get("phone"):
        problems.append(Problem(PHONE_MISSING, "手机号码为空。办理会员卡需要会员本人的11位手机号码，请补填。"))
    else:
        try:
            normalize_phone(m.get("phone"))
        except RuleError as error:
            problems.append(error.problem)
    return problems


def word(problems: list[Problem], m: Mapping[str, Any], words: Mapping[str, str]) -> list[str]:
    """The sentences a clerk reads for `problems`: `words` by code where given, else the rule's,
    with the member's facts ({card_no}, {life}, {category}) filled in."""
    facts = _facts(m)
    return [words.get(p.code, p.message).format(**facts) for p in problems]


#: How the card queue (待办会员列表) words the card codes: each says to take the member out.
QUEUE_WORDS: dict[str, str] = {
    CARD_EXISTS: "该会员已有会员卡（{card_no}），无需再办，请移出待办。",
    CARD_APPLYING: "该会员的会员卡正在办理中（已在办卡批次中），请移出待办。",
    NOT_IN_SERVICE: "该会员的状态为“{life}”，只有在职会员可以由工会集体办卡，请移出待办。",
    NOT_LINKED: "{category}会员不能由工会集体办卡，请会员通过“申工社”微信公众号个人办卡，并移出待办。",
    NAME_MISSING: "姓名为空。请在会员信息中补填姓名。",
    PHONE_MISSING: "手机号码为空。办理会员卡需要会员本人的11位手机号码，请在会员信息中补填。",
}


def check_member(m: Mapping[str, Any], today: date) -> LocalCheck:
    """The local checks of a card application for one member (a mapping of Member's columns):
    the shared rule, worded for the card queue."""
    reasons = word(application_problems(m, today), m, QUEUE_WORDS)
    return LocalCheck(FAILED if reasons else PASSED, tuple(reasons))


#: Member columns whose change re-runs the checks (in this order in the fingerprint).
SIG_FIELDS = ("name", "id_type", "id_number", "id_expiry", "birth_date", "phone", "work_address", "category",
              "life_status", "card_status", "gender")

#: What `application_problems` reads of a member.
APPLICATION_FIELDS = SIG_FIELDS + ("card_no",)


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

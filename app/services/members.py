"""会员信息: listing, reading and editing members, as plain data for the views and the CLI.

Edits touch clerk-owned fields only (SPEC.md §4, ARCHITECTURE.md field ownership), are
validated by the rules layer, and write one audit entry per changed field, all in one
transaction.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, NamedTuple

from app.models import Enterprise, Member, db
from app.models.answers import answers_of, retirement_answers
from app.models.queries import (  # noqa: F401 (re-export)
    LIST_COLUMNS,
    MemberFilter,
    count_members,
    member_ids,
    member_list_rows,
    member_page,
    member_rows_by_ids,
)
from app.rules import address, dates, expiry, idcard, phone, retirement
from app.rules.cards import as_date, mask_card_no
from app.rules.codes import (
    CARD_STATUS_LABELS,
    CATEGORY_LABELS,
    GENDER_LABELS,
    ID_TYPE_LABELS,
    INSURANCE_STATUS_LABELS,
    LIFE_STATUS_LABELS,
    POST_TYPE_LABELS,
    CardStatus,
    Category,
    InsuranceStatus,
    LifeStatus,
    PostType,
)
from app.rules.problems import Problem, RuleError
from app.services import audit
from app.services.errors import NotFound, ValidationFailed
from app.services.unions import current_union, default_plan_year  # noqa: F401 (re-export)

#: Flags shown in lists: code → Chinese label.
FLAG_LABELS = {
    "probably_retired": "可能已退休",
    "retired": "已退休",
    "deceased": "已死亡",
    "id_expired": "证件已过期",
    "id_expiring": "证件即将到期",
    "pending_confirmation": "待确认",
    "no_card": "未办卡",
}

#: Fields a clerk may edit; everything else is owned by the server or derived.
CLERK_FIELDS = ("phone", "work_address", "id_expiry", "label", "category", "enterprise_id", "post_type")

FIELD_LABELS = {
    "phone": "手机号码",
    "work_address": "工作单位详细地址",
    "id_expiry": "证件到期日",
    "label": "会员标签",
    "category": "会员类型",
    "enterprise_id": "关联企业",
    "post_type": "岗位类型",
}


def retirement_dates_of(gender: str | None, birth_date: date | None, post_type: str | None) -> tuple[date, ...]:
    if not gender or not birth_date:
        return ()
    return retirement.retirement_dates(birth_date, gender, post_type or PostType.UNKNOWN)


def member_flags(row: dict[str, Any], plan_year: int, today: date,
                 answers: Mapping[int, tuple[str, date | None]] | None = None) -> list[str]:
    """Flag codes for one member row (a dict with the list's fields); `answers` are the clerk's
    retirement answers for `plan_year` (models.answers.retirement_answers): "仍在职" silences the
    flag for that plan year only."""
    answer = (answers or {}).get(row.get("id"), ("",))[0]  # type: ignore[arg-type]
    return list(_flags(row.get("life_status"), answer, row.get("gender"), _iso(row.get("birth_date")),
                       row.get("post_type"), row.get("id_expiry"), row.get("insurance_status"),
                       row.get("card_status"), plan_year, today)[0])


def _iso(value: Any) -> str | None:
    """A stored date as its text (what the list shows and the flag caches key on)."""
    return value if value is None or isinstance(value, str) else str(value)


@lru_cache(maxsize=65_536)
def _probably_retired(gender: str | None, birth_date: str | None, post_type: str | None, plan_year: int) -> bool:
    """The retirement rule for one (gender, birth date, post type) — a list of 100,000 members has
    some 30,000 of them, so most rows of a batch find theirs here."""
    plan_start = date(plan_year, 1, 1)
    return any(d < plan_start for d in retirement_dates_of(gender, as_date(birth_date), post_type))


@lru_cache(maxsize=16_384)
def _expiry_flag(raw_expiry: str, today: date) -> str | None:
    value = raw_expiry if raw_expiry == dates.LONG_TERM else as_date(raw_expiry)
    if value is None:
        return None
    codes = {p.code for p in expiry.check_id_expiry(value, today)}
    return "id_expired" if "expiry_past" in codes else "id_expiring" if "expiry_soon" in codes else None


@lru_cache(maxsize=256)
def _flag_set(life: str | None, expiring: str | None, pending: bool, no_card: bool) -> tuple[tuple[str, ...], str]:
    """The flags and their text, one tuple shared by every row that has them (a few dozen kinds)."""
    flags = tuple(f for f in (life, expiring, "pending_confirmation" if pending else None,
                              "no_card" if no_card else None) if f)
    return flags, "、".join(FLAG_LABELS[f] for f in flags if f != "no_card")


def _flags(life_status: str | None, answer: str | None, gender: str | None, birth_date: str | None,
           post_type: str | None, id_expiry: str | None, insurance_status: str | None, card_status: str | None,
           plan_year: int, today: date) -> tuple[tuple[str, ...], str]:
    """A member's flags (most serious first) and their text, from the fields they depend on;
    `answer` is the plan year's retirement answer ("working" silences probably_retired)."""
    if life_status == _DECEASED:
        life: str | None = "deceased"
    elif life_status == _RETIRED:
        life = "retired"
    elif answer != "working" and _probably_retired(gender, birth_date, post_type, plan_year):
        life = "probably_retired"
    else:
        life = None
    return _flag_set(life, _expiry_flag(id_expiry, today) if id_expiry else None,
                     insurance_status == _PENDING, card_status != _ISSUED)


_DECEASED, _RETIRED = LifeStatus.DECEASED.value, LifeStatus.RETIRED.value
_IN_SERVICE, _PENDING, _ISSUED = LifeStatus.IN_SERVICE.value, InsuranceStatus.PENDING.value, CardStatus.ISSUED.value


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    return f"{value[:3]}****{value[-4:]}" if len(value) == 11 else "****"


class MemberRow(NamedTuple):
    """One row of a member list, ready to show: masked ID and phone, Chinese labels, the flags
    and their text. A plain tuple: the database worker makes a hundred at every scroll."""

    id: int
    member_no: str
    name: str
    id_type: str
    masked_id: str
    gender: str
    birth_date: str
    masked_phone: str
    category: str
    enterprise: str
    join_date: str
    life_status: str
    card: str
    id_expiry: str
    insurance_status: str
    flags: tuple[str, ...]
    flag_text: str


def list_row(r: tuple[Any, ...], plan_year: int, today: date) -> MemberRow:
    """A row of `member_list_rows` (LIST_COLUMNS, dates as text) as the list shows it."""
    (id_, member_no, name, id_type, id_number, gender, birth_date, phone_, category, enterprise, join_date,
     life_status, life_status_date, post_type, card_status, card_no, id_expiry, insurance_status, answer) = r
    life_label = LIFE_STATUS_LABELS.get(life_status, life_status)
    if life_status_date and life_status != _IN_SERVICE:
        life_label = f"{life_label}（{life_status_date}）"
    flags, flag_text = _flags(life_status, answer, gender, birth_date, post_type, id_expiry, insurance_status,
                              card_status, plan_year, today)
    return MemberRow(
        id_, member_no or "", name, ID_TYPE_LABELS.get(id_type, id_type), idcard.mask_id(id_number),
        GENDER_LABELS.get(gender or "", ""), birth_date or "", mask_phone(phone_),
        CATEGORY_LABELS.get(category, category), enterprise or "", join_date or "", life_label,
        mask_card_no(card_no) if card_no else CARD_STATUS_LABELS.get(card_status, ""), id_expiry or "",
        INSURANCE_STATUS_LABELS.get(insurance_status, ""), flags, flag_text)


def to_row(r: dict[str, Any], plan_year: int, today: date,
           answers: Mapping[int, tuple[str, date | None]] | None = None) -> MemberRow:
    """A row of `member_page` (a dict of ROW_FIELDS' names) as the list shows it."""
    answer = (answers or {}).get(r["id"], (None,))[0]
    return list_row(tuple(_iso(r[c]) if c.endswith("date") else answer if c == "answer" else r[c]
                          for c in LIST_COLUMNS), plan_year, today)


def list_page(union_id: int, f: MemberFilter, *, sort_key: str = "member_no", descending: bool = False,
              offset: int = 0, limit: int = 200, plan_year: int, today: date) -> list[MemberRow]:
    rows = member_page(union_id, f, sort_key, descending, offset, limit)
    answers = retirement_answers(union_id, plan_year)
    return [to_row(r, plan_year, today, answers) for r in rows]


def rows_by_ids(ids: list[int], *, plan_year: int, today: date) -> list[MemberRow]:
    """The list's rows of `ids` (on the database worker, a batch at a time as the clerk scrolls):
    read raw, labels and flags from small caches, so the UI thread, waiting for the interpreter
    meanwhile, is not kept waiting."""
    return [list_row(r, plan_year, today) for r in member_list_rows(ids, plan_year)]


@dataclass
class MemberDetail:
    """Everything about one member, full ID included (the detail dialog shows it on request)."""

    id: int
    union_id: int
    member_no: str
    name: str
    id_type: str
    id_number: str
    id_expiry: str
    gender: str | None
    birth_date: date | None
    phone: str
    work_address: str
    label: str
    category: str
    enterprise_id: int | None
    join_date: date | None
    life_status: str
    life_status_date: date | None
    post_type: str
    card_no: str
    card_status: str
    ss_card_status: str | None
    employment_status: str | None
    insurance_status: str
    retirement_dates: tuple[date, ...] = field(default_factory=tuple)
    flags: tuple[str, ...] = field(default_factory=tuple)

    def clerk_values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in CLERK_FIELDS}


def get_member(member_id: int, *, plan_year: int, today: date) -> MemberDetail:
    m = Member.get_or_none(Member.id == member_id)
    if m is None:
        raise NotFound("找不到该会员，可能已被删除。", "请刷新列表。")
    return _detail(m, plan_year, today)


def _detail(m: Member, plan_year: int, today: date) -> MemberDetail:
    row = {k: getattr(m, k) for k in (
        "id", "life_status", "gender", "birth_date", "post_type", "id_expiry", "insurance_status", "card_status")}
    return MemberDetail(
        id=m.id, union_id=m.union_id, member_no=m.member_no, name=m.name, id_type=m.id_type,
        id_number=m.id_number, id_expiry=m.id_expiry or "", gender=m.gender,
        birth_date=as_date(m.birth_date), phone=m.phone or "", work_address=m.work_address,
        label=m.label, category=m.category, enterprise_id=m.enterprise_id,
        join_date=as_date(m.join_date), life_status=m.life_status,
        life_status_date=as_date(m.life_status_date), post_type=m.post_type,
        card_no=m.card_no or "", card_status=m.card_status, ss_card_status=m.ss_card_status,
        employment_status=m.employment_status, insurance_status=m.insurance_status,
        retirement_dates=retirement_dates_of(m.gender, as_date(m.birth_date), m.post_type),
        flags=tuple(member_flags(row, plan_year, today, answers_of([m.id], plan_year))),
    )


def validate_clerk_changes(member: Member, changes: dict[str, Any], today: date) -> dict[str, Any]:
    """Normalised values for `changes`, or ValidationFailed naming each bad field."""
    problems: dict[str, Problem] = {}
    clean: dict[str, Any] = {}
    for name, raw in changes.items():
        if name not in CLERK_FIELDS:
            raise ValueError(f"{name} is not a clerk-owned field")
        try:
            clean[name] = _clean_field(member, name, raw, changes, today)
        except RuleError as exc:
            problems[name] = exc.problem
    if problems:
        raise ValidationFailed(problems)
    return clean


def _clean_field(member: Member, name: str, raw: Any, changes: dict[str, Any], today: date) -> Any:
    if name == "phone":
        value = phone.normalize_phone(raw)
        other = (Member.select(Member.member_no, Member.name)
                 .where((Member.union == member.union_id) & (Member.phone == value) & (Member.id != member.id))
                 .first())
        if other is not None:
            raise RuleError(Problem(
                "phone_duplicate",
                f"手机号码已被会员 {other.name}（编号 {other.member_no or '无'}）使用，同一工会会员的手机号码不能重复。",
                field="phone"))
        return value
    if name == "work_address":
        required = member.card_status != CardStatus.NONE
        return address.validate_work_address(raw, required=required)
    if name == "id_expiry":
        text = str(raw or "").strip()
        if not text:
            return None
        value = dates.parse_expiry(text)
        birth = as_date(member.birth_date)
        errors = [p for p in expiry.check_id_expiry(value, today, birth) if p.severity == "error"]
        if errors:
            raise RuleError(errors[0])
        return dates.format_expiry(value)
    if name == "label":
        value = str(raw or "").strip()
        if len(value) > 50:
            raise RuleError(Problem("label_too_long", "会员标签不能超过50个字。", field="label"))
        return value
    if name == "category":
        if raw not in CATEGORY_LABELS:
            raise RuleError(Problem("category_invalid", "请选择会员类型。", field="category"))
        return raw
    if name == "enterprise_id":
        category = changes.get("category", member.category)
        if raw is None:
            if category == Category.LINKED_ENTERPRISE:
                raise RuleError(Problem("enterprise_required", "关联企业类会员必须选择关联企业。", field="enterprise_id"))
            return None
        ent = Enterprise.get_or_none((Enterprise.id == raw) & (Enterprise.union == member.union_id))
        if ent is None:
            raise RuleError(Problem("enterprise_invalid", "所选关联企业不属于本工会，请重新选择。", field="enterprise_id"))
        return ent.id
    if name == "post_type":
        if raw not in POST_TYPE_LABELS:
            raise RuleError(Problem("post_type_invalid", "请选择岗位类型。", field="post_type"))
        return raw
    raise AssertionError(name)


#: Local field name → its name in a member record on the wire (app.protocol).
SYNC_NAMES = {"enterprise_id": "enterprise_name"}


def mark_dirty(member: Member, fields: list[str]) -> None:
    """Remember that `fields` changed here and must go up with the next sync."""
    dirty = set(json.loads(member.dirty_fields or "[]")) | set(fields)
    member.dirty_fields = json.dumps(sorted(dirty))
    if member.sync_state != "conflict":
        member.sync_state = "to_send"


def update_member(member_id: int, changes: dict[str, Any], *, actor: str, plan_year: int,
                  today: date) -> MemberDetail:
    """Validate and save clerk-owned fields, auditing each change; all or nothing."""
    with db.atomic("IMMEDIATE"):
        m = Member.get_or_none(Member.id == member_id)
        if m is None:
            raise NotFound("找不到该会员，可能已被删除。", "请刷新列表。")
        if "category" in changes and "enterprise_id" not in changes:
            # Leaving 关联企业类 drops the enterprise; joining it must name one.
            keep = m.enterprise_id if changes["category"] == Category.LINKED_ENTERPRISE else None
            changes = {**changes, "enterprise_id": keep}
        clean = validate_clerk_changes(m, changes, today)
        changed = False
        for name, new in clean.items():
            column = "enterprise_id" if name == "enterprise_id" else name
            old = getattr(m, column)
            if (old or None) == (new or None):
                continue
            setattr(m, column, new)
            audit.record(actor, "member.update", member_id=m.id, field=name, old=old, new=new)
            changed = True
        if changed:
            m.updated_at = datetime.now().replace(microsecond=0)
            mark_dirty(m, [SYNC_NAMES.get(n, n) for n in clean])
            m.save()
    return _detail(m, plan_year, today)


def enterprises(union_id: int) -> list[tuple[int, str]]:
    return [(e.id, e.name) for e in Enterprise.select().where(Enterprise.union == union_id).order_by(Enterprise.name)]


"""Member records pushed by clerks (field ownership, conflicts) and SS-check requests.

member_upsert payload::

    {"union": org code (optional, default the caller's),
     "id_number": "...",
     "fields": {clerk-owned field: value, ...},
     "base_versions": {field: the version the client last saw, ...}}

A field the server changed after the client's base (its version is higher) and whose value
differs is a conflict: the whole record is refused with problem "conflict" and, per field, both
values and the server's version. The clerk keeps theirs (push again with that version as base) or
takes the server's (apply it locally, drop the field). Nothing is ever silently overwritten.

ss_check_request payload: {"union"?: org code, "id_numbers": [...]} — members already on the
server; answered with a job id, the result arrives later through GET /changes.

confirmation payload: {"union"?: org code, "id_numbers": [...]} — members whose 人保状态 is 待确认
(pending); a confirmation is final (SPEC §5.4), so confirming a confirmed member is a no-op.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from peewee import chunked

from app.protocol import Confirmation, Entity, MemberUpsert, SsCheckRequest, WireError, format_timestamp, read_text
from app.rules.address import validate_work_address
from app.rules.codes import (
    CATEGORY_LABELS,
    GENDER_LABELS,
    ID_TYPE_LABELS,
    POST_TYPE_LABELS,
    Category,
    IdType,
    code_for_label,
)
from app.rules.coverage import default_plan_year
from app.rules.dates import parse_expiry, parse_past_date
from app.rules.expiry import check_id_expiry
from app.rules.eligibility import confirmable
from app.rules.idcard import mask_id, validate_document
from app.rules.normalize import compact
from app.rules.phone import normalize_phone
from app.rules.problems import RuleError
from server.accounts import audit, union_for
from server.campaigns import shanghai_today
from server.changes import emit_change, member_record
from server.batch import EDITED, WriteBatch
from server.batch import current as current_batch
from server.batch import now_naive as batch_now
from server.claims import ensure_claim, refusal, refuse_elsewhere
from server.db import IN_LIST, database
from server.leases import QUEUED
from server.models import Member, SsCheckJob, Union, User
from server.problems import ProblemError
from server.settings import ServerContext

def _text(value: object, field: str) -> str | None:
    """A field's text as MemberUpsert.from_wire read it (trimmed; None when empty): a string
    from_wire accepted is only trimmed again, anything else read (and refused) here."""
    if type(value) is str:
        return value.strip() or None
    try:
        return read_text(value, field) or None
    except WireError as error:
        raise ProblemError("validation", error.detail) from None


def _coded(value: str | None, labels: dict[str, str], field: str) -> str | None:
    if value is None:
        return None
    code = code_for_label(labels, value)
    if code is None:
        raise ProblemError("validation", {"field": field, "message": f"“{value}”不是有效的取值：{'、'.join(labels.values())}"})
    return code


# Pure parses of values many members share (dates, expiries, addresses), remembered by their
# arguments: a refusal raises each time (lru_cache keeps results only), and what is kept cannot be
# changed (dates, text, tuples).
@lru_cache(maxsize=1 << 16)
def _past_date(value: str, name: str, today: date) -> str:
    return parse_past_date(value, name, today).isoformat()


@lru_cache(maxsize=1 << 16)
def _expiry(value: str | None) -> tuple[str | None, date | str | None]:
    """The stored expiry (app.rules.dates.format_expiry's form) and what it reads as (a date or
    长期), read once for both."""
    if value is None or not compact(value):
        return None, None
    parsed = parse_expiry(value)
    return (parsed if isinstance(parsed, str) else parsed.isoformat()), parsed


@lru_cache(maxsize=4096)
def _address(value: str | None) -> str | None:
    return validate_work_address(value, required=False) or None


@lru_cache(maxsize=1 << 14)
def stored_phone(value: str) -> str:
    """`value` as the server stores a phone (app.rules.phone.normalize_phone), remembered: a push
    request reads each upsert's phone twice (to look the phones up, then to check the record)."""
    return normalize_phone(value)


#: The fields stored as codes, with the labels they may be sent as.
_CODED = {"id_type": ID_TYPE_LABELS, "gender": GENDER_LABELS, "category": CATEGORY_LABELS, "post_type": POST_TYPE_LABELS}


def _codes_by_text(labels: dict[str, str]) -> dict[str, str]:
    """What code_for_label(labels, text) gives for each text it takes (a label or a code; the
    first entry that matches wins, as there): one dict look-up for a trimmed value."""
    found: dict[str, str] = {}
    for code, label in reversed(labels.items()):
        found[label] = found[str(code)] = str(code)
    return found


_CODE_BY_TEXT = {name: _codes_by_text(labels) for name, labels in _CODED.items()}


def normalize_fields(fields: dict[str, Any], id_type: str | None, id_number: str, today: date
                     ) -> tuple[str, dict[str, str | None]]:
    """Validate and normalise pushed member fields with app.rules; returns (id_number, fields).
    `fields` as MemberUpsert.from_wire read them: its text checks (length, control characters)
    are not made again."""
    out: dict[str, str | None] = {}
    expiry: date | str | None = None
    name = "id_number"
    try:
        for name, raw in fields.items():
            value = (raw.strip() or None) if type(raw) is str else _text(raw, name)
            if value is not None:  # an empty field is None whatever its kind
                codes = _CODE_BY_TEXT.get(name)
                if codes is not None:
                    value = codes.get(value) or _coded(value, _CODED[name], name)
                elif name == "birth_date" or name == "join_date":
                    value = _past_date(value, name, today)
                elif name == "id_expiry":
                    value, expiry = _expiry(value)
                elif name == "phone":
                    value = stored_phone(value)
                elif name == "work_address":
                    value = _address(value)
            out[name] = value
        id_type = out.get("id_type", id_type)
        if id_type is None:
            raise ProblemError("validation", {"field": "id_type", "message": "新会员必须填写证件类型"})
        name = "id_number"
        number, parsed = validate_document(id_type, id_number, today)
    except RuleError as error:
        # A rule that reads any date (an unreadable expiry, birth or join date) names no field:
        # the field being read is the one.
        raise ProblemError("validation", {"field": error.problem.field or name, "code": error.code,
                                          "message": error.problem.message}) from None
    if parsed is not None:
        # The mainland number states birth date and gender; it wins over anything typed.
        out["birth_date"] = parsed.birth_date.isoformat()
        out["gender"] = str(parsed.gender)
        # The card's validity by age, as the importer checks it (warnings stay the clerk's business).
        wrong = [p for p in check_id_expiry(expiry, today, parsed.birth_date) if p.is_error]
        if wrong:
            raise ProblemError("validation", {"field": "id_expiry", "code": wrong[0].code, "message": wrong[0].message})
    return number, out


def find_members(union: Union | int, numbers: list[str]) -> dict[str, Member]:
    """The union's members with these ID numbers, by number (numbers not on the server left out)."""
    found: dict[str, Member] = {}
    for chunk in chunked(numbers, IN_LIST):
        query = Member.select().where((Member.union == union) & Member.id_number.in_(chunk))
        found.update((member.id_number, member) for member in query)
    return found


def _known_members(union: Union, numbers: list[str]) -> dict[str, Member]:
    found = find_members(union, numbers)
    missing = [n for n in numbers if n not in found]
    if missing:
        raise ProblemError("not_found", {"missing": missing, "message": "这些会员尚未同步到服务器，请先上传会员信息"})
    return found


def _member(union: Union, number: str) -> Member | None:
    """The union's member with this number: from the push request's batch when it looked it up
    (a new member the batch buffered as plain values becomes a model here, when a later record of
    the request names it again)."""
    batch = current_batch()
    key = (union.id, number)
    if batch is not None and key in batch.members:
        found = batch.members[key]
        if type(found) is dict:
            member = Member(**found)
            if key in batch.member_ids:  # inserted already (WriteBatch.write_members)
                member.id = batch.member_ids[key]
                member._dirty.clear()
            else:
                batch.new_members[key] = member
            batch.members[key] = member
            return member
        return found
    return Member.get_or_none((Member.union == union) & (Member.id_number == number))


def _refuse_elsewhere(union: Union, number: str) -> None:
    batch = current_batch()
    if batch is not None and number in batch.holders:
        if batch.holders[number] not in (None, union.id):
            raise refusal([number])
        return
    refuse_elsewhere(union, [number])


def _phone_taken(union: Union, phone: str, number: str) -> bool:
    """Whether another member of the union has this phone."""
    batch = current_batch()
    if batch is not None and (union.id, phone) in batch.phones:
        return bool(batch.phones[(union.id, phone)] - {number})
    return (Member.select(Member.id_number)
            .where((Member.union == union) & (Member.phone == phone) & (Member.id_number != number))
            .first()) is not None


def _store(ctx: ServerContext, union: Union, member: Member, changed: Iterable[str] = ()) -> None:
    """Save the member and its union's claim. In a push request's batch, a new member whose claim
    was looked up is buffered with it (nothing can fail until the batch's inserts), and so is an
    edit of `changed` fields of a member its union holds the claim on (written with the batch's
    multi-row UPDATEs: nothing of it can fail, the claim needs no write); any other write runs in
    a savepoint, so a refusal or a unique index undoes it alone."""
    batch = current_batch()
    if batch is not None and member.id is None and member.id_number in batch.holders:
        batch.new_members[(union.id, member.id_number)] = member
        ensure_claim(ctx, union, member)
        return
    if (batch is not None and member.id is not None and member.claimed and member.union_id == union.id
            and _EDITABLE.issuperset(changed)):
        batch.edited[(union.id, member.id_number)] = member
        return
    with database.atomic():
        member.save()
        ensure_claim(ctx, union, member)


#: The fields an edit buffered in a push request's batch may change (server/batch.py EDITED).
_EDITABLE = frozenset(EDITED)


@lru_cache(maxsize=1)
def _new_member_defaults() -> dict[str, Any]:
    """The values a new Member model starts with (its fields' defaults; the columns have none in
    the database), but the versions, which every new member sets."""
    defaults = dict(Member().__data__)
    defaults.pop("versions", None)
    return defaults


def _buffer_new(ctx: ServerContext, user: User, union: Union, batch: WriteBatch, number: str,
                values: dict[str, str | None], now: datetime) -> dict[str, Any]:
    """A new member of a push request's batch whose claim the batch looked up (checked already:
    nothing can fail until the batch's inserts): its row buffered as plain values, no model
    object, for the batch's multi-row INSERT, with its claim, feed change and audit entry — what
    `_store` and the rest of member_upsert do for one, every field at version 1."""
    key = (union.id, number)
    versions = dict.fromkeys(values, 1)
    row: dict[str, Any] = {**_new_member_defaults(), **values, "union": union.id, "id_number": number,
                           "versions": versions, "version": 1, "updated": now}
    batch.settle(key)
    batch.new_members[key] = row
    if batch.holders[number] is None:
        row["claimed"] = 1  # inserted claimed (server/claims.py)
        batch.claims.append({"id_number": number, "union": union.id})
        batch.holders[number] = union.id
    batch.members[key] = row
    batch.moved_phone(union.id, number, None, values.get("phone"))
    seq = batch.next_seq(union.id)
    if seq is not None:  # the row carries its place in the feed (server/changes.py)
        row["feed_seq"], row["feed_origin"] = seq, batch.origin
    emit_change(ctx, union.id, Entity.MEMBER, number, {"version": 1}, on_row=seq)
    # The record is made only if the batch needs it (server/batch.py WriteBatch.lazy).
    batch.lazy[key] = (batch.changes[-1], lambda: member_record(Member(**row)))
    audit(ctx, "member_created", user=user, union=union, entity="member", entity_key=mask_id(number),
          detail={"fields": sorted(values)})
    return {"id_number": number, "created": True, "changed": sorted(values), "version": 1, "versions": dict(versions)}


def _keep_place(batch: WriteBatch, union: Union, member: Member) -> None:
    """Before a pushed member's row takes a later place in the feed: its current place stays as
    a change row with the record it stands for when the pushing device may not have passed it
    (WriteBatch.keep_place), so the device's pulls, which skip its own place, still get it."""
    if batch.keep_place(union.id, member.feed_seq, member.feed_origin):
        batch.changes.append({"union": union.id, "entity": Entity.MEMBER, "entity_key": member.id_number,
                              "payload": member_record(member), "created": member.updated,
                              "origin": member.feed_origin, "seq": member.feed_seq, "on_row": False})


def _upsert_union(user: User, org_code: str | None, batch: WriteBatch | None) -> Union:
    """The union a member upsert writes (union_for), checked once per org code in a push
    request's batch (a request is one user's). Writing members reaches only the user's own union,
    so the code of that union is the union, no other query; any other code is union_for's to
    answer (union_scope)."""
    if batch is None:
        return union_for(user, org_code, write=True)
    union = batch.upsert_unions.get(org_code)
    if union is None:
        own = union_for(user, None, write=True)
        union = own if org_code == own.org_code else union_for(user, org_code, write=True)
        batch.upsert_unions[org_code] = union
    return union


def member_upsert(ctx: ServerContext, user: User, payload: MemberUpsert) -> dict[str, Any]:
    batch = current_batch()
    union = _upsert_union(user, payload.union, batch)
    raw_number, fields, base = payload.id_number, payload.fields, payload.base_versions
    # Look the member up by the number as typed and as normalised (x → X, full-width digits).
    candidate = raw_number.strip().upper()
    _refuse_elsewhere(union, candidate)  # one union per person (SPEC §5.10), before anything else
    member = _member(union, candidate)
    id_type = member.id_type if member is not None else None
    today = batch.today if batch is not None and batch.today is not None else shanghai_today(ctx)
    number, values = normalize_fields(fields, id_type, raw_number, today)
    if number != candidate:
        _refuse_elsewhere(union, number)
    if member is None and number != candidate:
        member = _member(union, number)
    if member is None and not values.get("name"):
        raise ProblemError("validation", {"field": "name", "message": "新会员必须填写姓名"})

    phone = values.get("phone")
    if phone:
        if _phone_taken(union, phone, number):
            raise ProblemError("validation", {"field": "phone", "message": f"手机号码{phone}已被本工会的其他会员使用，每位会员的手机号码不能重复。"})

    now = batch_now(ctx)
    if member is None and batch is not None and number in batch.holders:
        return _buffer_new(ctx, user, union, batch, number, values, now)
    created = member is None
    if created:
        member = Member(union=union, id_number=number, versions={}, version=0, updated=now)
    else:
        versions = member.versions or {}
        conflicts = {}
        for name, value in values.items():
            server_version = int(versions.get(name, 0))
            if server_version > int(base.get(name, 0)) and getattr(member, name) != value:
                conflicts[name] = {"mine": value, "server": getattr(member, name), "server_version": server_version}
        if conflicts:
            raise ProblemError("conflict", {"id_number": number, "fields": conflicts,
                                            "version": member.version})
    changed = {name: value for name, value in values.items() if created or getattr(member, name) != value}
    if changed or created:
        seq = None
        if batch is not None:
            batch.settle((union.id, number))  # an earlier change of this member in the batch keeps its record
            seq = batch.next_seq(union.id)
        if batch is not None and seq is not None and not created:
            _keep_place(batch, union, member)
        version = member.version + 1
        versions = dict(member.versions or {})
        old_phone = member.phone
        for name, value in changed.items():
            setattr(member, name, value)
            versions[name] = version
        member.versions = versions
        member.version = version
        member.updated = now
        if batch is not None and seq is not None:  # the row carries its place in the feed (server/changes.py)
            member.feed_seq, member.feed_origin = seq, batch.origin
        _store(ctx, union, member, changed)
        if batch is None:
            emit_change(ctx, union.id, Entity.MEMBER, number, member_record(member))
        else:
            batch.members[(union.id, number)] = member
            batch.moved_phone(union.id, number, old_phone, member.phone)
            # The record is made only if the batch needs it (server/batch.py WriteBatch.lazy).
            emit_change(ctx, union.id, Entity.MEMBER, number, {"version": member.version}, on_row=seq)
            batch.lazy[(union.id, number)] = (batch.changes[-1], lambda: member_record(member))
        audit(ctx, "member_created" if created else "member_updated", user=user, union=union,
              entity="member", entity_key=mask_id(number), detail={"fields": sorted(changed)})
    return {"id_number": number, "created": created, "changed": sorted(changed),
            "version": member.version, "versions": dict(member.versions or {})}


def ss_check_request(ctx: ServerContext, user: User, payload: SsCheckRequest) -> dict[str, Any]:
    union = union_for(user, payload.union, write=True)
    wanted = payload.id_numbers
    refuse_elsewhere(union, wanted)
    found = _known_members(union, wanted)
    not_mainland = [n for n in wanted if found[n].id_type not in (None, str(IdType.MAINLAND))]
    if not_mainland:
        raise ProblemError("validation", {"not_mainland": not_mainland,
                                          "message": "只有证件类型为身份证的会员可以获取社保卡和就业状态"})
    now = ctx.now_naive()
    not_before = now + timedelta(seconds=ctx.settings.ss_check_delay_seconds)
    job = SsCheckJob.create(union=union, requested_by=user, id_numbers=wanted, status=QUEUED,
                            not_before=not_before, created=now)
    audit(ctx, "ss_check_requested", user=user, union=union, entity="ss_check_job", entity_key=str(job.id),
          detail={"count": len(wanted)})
    return {"job_id": job.id, "count": len(wanted),
            "not_before": format_timestamp(not_before.replace(tzinfo=ctx.now().tzinfo))}


#: The member fields the shared eligibility rule reads.
_RULE_FIELDS = ("life_status", "retired_on", "insurance_status", "card_no", "id_type", "ss_card_status",
                "employment_status", "category")
#: A confirmation is about 人保状态, whatever the member's category.
ALL_CATEGORIES = tuple(str(c) for c in Category)


def confirm_members(ctx: ServerContext, user: User, payload: Confirmation) -> dict[str, Any]:
    union = union_for(user, payload.union, write=True)
    wanted = payload.id_numbers
    refuse_elsewhere(union, wanted)
    found = _known_members(union, wanted)
    plan_year = default_plan_year(shanghai_today(ctx))
    not_pending = [n for n in wanted if found[n].insurance_status not in ("pending", "confirmed") and not confirmable(
        {name: getattr(found[n], name) for name in _RULE_FIELDS}, plan_year=plan_year, categories=ALL_CATEGORIES)]
    if not_pending:
        raise ProblemError("validation", {"not_pending": not_pending, "message": "这些会员不在待确认名单中，无需确认"})
    now = ctx.now_naive()
    confirmed = 0
    for number in wanted:
        member = found[number]
        if member.insurance_status == "confirmed":
            continue
        member.insurance_status = "confirmed"
        member.updated = now
        member.save()
        emit_change(ctx, union.id, Entity.MEMBER, number, member_record(member))
        confirmed += 1
    audit(ctx, "members_confirmed", user=user, union=union, entity="member", detail={"count": confirmed})
    return {"confirmed": confirmed, "already_confirmed": len(wanted) - confirmed}

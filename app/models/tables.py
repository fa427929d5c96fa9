"""The local tables. The only place that knows how rows are stored (SPEC.md §3–§4).

Code values in enum-like columns are those of `app.rules.codes`; dates are stored as ISO
text (peewee DateField), the ID expiry as ISO text or 长期.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from peewee import (
    SQL,
    AutoField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Metadata,
    Model,
    TextField,
)

from app.models.db import db
from app.rules.codes import CardStatus, Category, InsuranceStatus, LifeStatus, PostType


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


class BaseModel(Model):
    if TYPE_CHECKING:
        _meta: ClassVar[Metadata]  # set by peewee's metaclass; types-peewee leaves it out

    class Meta:
        database = db
        legacy_table_names = False


class Setting(BaseModel):
    """Key/value settings that belong to the profile's data (not the UI)."""

    key = CharField(primary_key=True)
    value = TextField()


class Union(BaseModel):
    id = AutoField()
    name = CharField()
    org_code = CharField(default="")  # unified social credit / organisation code
    union_type = CharField(default="工会委员会")
    level = CharField(default="grassroots")  # city / district / secondary / grassroots
    parent_name = CharField(default="")
    server_id = CharField(null=True)


class Enterprise(BaseModel):
    """An enterprise linked to a grassroots union (a 联合工会 covers many)."""

    id = AutoField()
    union = ForeignKeyField(Union, backref="enterprises", on_delete="CASCADE")
    name = CharField()
    credit_code = CharField(default="")

    class Meta:
        indexes = ((("union", "name"), True),)


class Member(BaseModel):
    id = AutoField()
    # No index of its own: every composite index below starts with union.
    union = ForeignKeyField(Union, backref="members", on_delete="CASCADE", index=False)
    member_no = CharField(default="")
    name = CharField()
    id_type = CharField()
    id_number = CharField()
    id_expiry = CharField(null=True)  # ISO date or 长期
    gender = CharField(null=True)
    birth_date = DateField(null=True)
    phone = CharField(null=True)
    work_address = CharField(default="")
    label = CharField(default="")
    category = CharField(default=Category.LINKED_ENTERPRISE)
    enterprise = ForeignKeyField(Enterprise, null=True, backref="members", on_delete="SET NULL")
    join_date = DateField(null=True)
    life_status = CharField(default=LifeStatus.IN_SERVICE)
    life_status_date = DateField(null=True)  # date retired or deceased
    post_type = CharField(default=PostType.UNKNOWN)
    card_no = CharField(null=True)
    card_status = CharField(default=CardStatus.NONE)
    ss_card_status = CharField(null=True)  # None: never checked
    employment_status = CharField(null=True)
    ss_checked_at = DateTimeField(null=True)
    insurance_status = CharField(default=InsuranceStatus.PAID)
    # Unused since schema v2 (answers are per plan year: RetirementAnswer); kept because v1 made it.
    retirement_confirmation = CharField(null=True)
    created_at = DateTimeField(default=_now)
    updated_at = DateTimeField(default=_now)
    # Sync bookkeeping (ARCHITECTURE.md "Central server and sync"). sync_state: "to_send" (clerk
    # changes not yet queued), "sending" (queued in the outbox), "sent", "error" (the server
    # refused; sync_error says why), "conflict" (changed on both sides; `conflict` holds both).
    sync_state = CharField(default="to_send")
    dirty_fields = TextField(default="[]")  # JSON list of clerk-owned fields changed locally
    field_versions = TextField(default="{}")  # JSON {field: server version last seen}
    sync_error = TextField(null=True)
    conflict = TextField(null=True)  # JSON {field: {"mine", "server", "server_version"}}

    class Meta:
        indexes = (
            (("union", "id_number"), True),
            (("union", "phone"), True),
            (("union", "name"), False),
            (("union", "member_no"), False),
            (("union", "join_date"), False),
            # Every sort key of the member lists has an index (app.models.queries.members.SORT_COLUMNS).
            (("union", "birth_date"), False),
            (("union", "id_expiry"), False),
        )


# Only members waiting to go up are indexed by sync state (most are "sent"): cheap to keep.
# SQLite uses a partial index only when the query repeats its condition literally: add
# `UNSENT` to every query that filters on sync_state.
UNSENT = SQL("sync_state != 'sent'")
Member.add_index(Member.index(Member.sync_state).where(UNSENT))


class AuditEntry(BaseModel):
    """Append-only: who did what, when, to which member, old → new."""

    id = AutoField()
    at = DateTimeField(default=_now, index=True)
    actor = CharField()
    action = CharField()  # e.g. member.update, member.import
    member = ForeignKeyField(Member, null=True, backref="audit", on_delete="SET NULL")
    field = CharField(default="")
    old_value = TextField(null=True)
    new_value = TextField(null=True)
    note = TextField(default="")


class Outbox(BaseModel):
    """Everything meant for the server, first written here (ARCHITECTURE.md "Outbox").

    Rows are sent in id order with `key` as the idempotency key; `payload` is frozen when the row
    is made (its SHA-256 beside it), so a retry sends exactly the same bytes.
    """

    id = AutoField()
    key = CharField(unique=True)  # uuid4, the idempotency key
    kind = CharField()  # app.protocol.RecordKind
    payload = TextField()  # canonical JSON
    payload_sha256 = CharField()
    state = CharField(default="to_send", index=True)  # to_send / sending / sent / error
    attempts = IntegerField(default=0)
    last_error = TextField(null=True)  # the server's problem code and message, or the network error
    problem = CharField(null=True)
    receipt = TextField(null=True)  # the server's answer (JSON)
    attachment = TextField(null=True)  # path of a file sent with the record (a notice PDF)
    member = ForeignKeyField(Member, null=True, backref="outbox", on_delete="SET NULL")
    created_at = DateTimeField(default=_now)
    sent_at = DateTimeField(null=True)


class Batch(BaseModel):
    """An enrollment submission (参保批次) made on this PC, and its status from the server.

    status: queued (in the outbox, not yet accepted) → under_review (区局确认中; review_mark says who
    approved it so far) → returned (退回, with return_reason) | completed (已完成) | not_accepted
    (未被受理: the district's payment failed); refused: the server did not accept it when sent.
    """

    id = AutoField()
    union = ForeignKeyField(Union, backref="batches", on_delete="CASCADE")
    batch_no = CharField(unique=True)
    kind = CharField()  # central / instant_carded / instant_new_card
    channel = CharField()  # card / ss
    plan_year = IntegerField()
    plan_type = CharField()
    member_count = IntegerField()
    totals = TextField()  # JSON of Decimal strings
    status = CharField(default="queued", index=True)
    return_reason = TextField(null=True)
    problem = TextField(null=True)  # why the server refused it, in words
    note = TextField(null=True)  # what changed before it was sent (re-priced by the server's date)
    review_mark = CharField(null=True)  # 审核标识 from the server: secondary (二级工会) / district (区局)
    replaces = CharField(null=True)  # batch_no of the returned batch this one replaces
    notice_path = TextField(null=True)
    notice_sha256 = CharField(null=True)
    outbox = ForeignKeyField(Outbox, null=True, on_delete="SET NULL")
    submitted_at = DateTimeField(default=_now)
    updated_at = DateTimeField(default=_now)
    actor = CharField(default="")


class BatchMember(BaseModel):
    """A member in a batch, with the coverage submitted for them."""

    id = AutoField()
    batch = ForeignKeyField(Batch, backref="members", on_delete="CASCADE")
    member = ForeignKeyField(Member, null=True, backref="batch_rows", on_delete="SET NULL")
    id_number = CharField(index=True)
    name = CharField()
    card_no = CharField(null=True)
    coverage_start = DateField()
    coverage_end = DateField()
    period = CharField(default="full")


class SyncState(BaseModel):
    """Reserved for the sync engine: per-scope cursors and similar bookkeeping."""

    scope = CharField(primary_key=True)
    cursor = IntegerField(default=0)
    updated_at = DateTimeField(default=_now)
    ok = BooleanField(default=True)


class CardQueue(BaseModel):
    """待办会员列表 (SPEC §5.3): a member queued for a member-card application.

    Two verifications decide what the list shows in `result` (passed 已通过 / failed 未通过 /
    unverified 未校验) with `reason`: the local checks, run at once (`local_*`, with `local_sig`
    the fingerprint of the member data they saw, so a change anywhere re-runs them), and the
    server's (`server_result`: none — not asked, the local checks failed; to_request — asked at
    the next sync; pending — asked as `server_request`, answer awaited; passed; failed; error —
    the server refused the request). Only a member both sides passed may go into a card batch.
    """

    id = AutoField()
    union = ForeignKeyField(Union, backref="card_queue", on_delete="CASCADE", index=False)
    member = ForeignKeyField(Member, backref="card_queue", on_delete="CASCADE", unique=True)
    queued_at = DateTimeField(default=_now)
    actor = CharField(default="")
    result = CharField(default="unverified")
    reason = TextField(default="")
    local_result = CharField(default="unverified")
    local_reason = TextField(default="")
    local_sig = CharField(default="")
    checked_at = DateTimeField(null=True)
    server_result = CharField(default="none")
    server_reason = TextField(default="")
    server_request = CharField(null=True, index=True)
    server_checked_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("union", "queued_at"), False), (("union", "result"), False))


class CardBatch(BaseModel):
    """办卡批次: a card application made on this PC, and what the server made of it.

    status: queued (in the outbox, offline or not yet sent) → issuing (accepted, cards being
    made) → done (every member issued or refused); refused: the server did not accept it.
    """

    id = AutoField()
    union = ForeignKeyField(Union, backref="card_batches", on_delete="CASCADE")
    batch_no = CharField(unique=True)
    member_count = IntegerField()
    issued_count = IntegerField(default=0)
    refused_count = IntegerField(default=0)
    status = CharField(default="queued")
    problem = TextField(null=True)  # why the server refused it, in words
    outbox = ForeignKeyField(Outbox, null=True, on_delete="SET NULL")
    submitted_at = DateTimeField(default=_now)
    updated_at = DateTimeField(default=_now)
    actor = CharField(default="")
    # 申请撤销 as the server's feed last told it (v7): pending / approved / refused, the clerk's
    # reason, the district's reason for refusing, and whether the clerk has seen that refusal.
    withdrawal_status = CharField(null=True)
    withdrawal_reason = TextField(null=True)
    withdrawal_answer = TextField(null=True)
    withdrawal_seen = BooleanField(default=True)


class CardBatchMember(BaseModel):
    """A member in a card batch and their outcome: pending, issued (with card_no) or refused."""

    id = AutoField()
    batch = ForeignKeyField(CardBatch, backref="members", on_delete="CASCADE", index=False)
    member = ForeignKeyField(Member, null=True, backref="card_batch_rows", on_delete="SET NULL")
    id_number = CharField()
    name = CharField()
    outcome = CharField(default="pending")
    card_no = CharField(null=True)
    reason = TextField(default="")

    class Meta:
        indexes = ((("batch", "id_number"), True),)


class RetirementAnswer(BaseModel):
    """The clerk's answer to a retirement flag, for one member and one plan year (RULES.md
    "Retirement answers"): "working" (仍在职) or "retired" (已退休) on `retired_on`. An answer for
    plan year Y says nothing about Y+1."""

    id = AutoField()
    member = ForeignKeyField(Member, backref="retirement_answers", on_delete="CASCADE", index=False)
    plan_year = IntegerField()
    answer = CharField()
    retired_on = DateField(null=True)
    actor = CharField(default="")
    answered_at = DateTimeField(default=_now)

    class Meta:
        indexes = ((("member", "plan_year"), True), (("plan_year",), False))


#: The tables schema v1 made (frozen: later tables are created by their own migration step).
V1_TABLES = [Setting, Union, Enterprise, Member, AuditEntry, Outbox, Batch, BatchMember, SyncState,
             CardQueue, CardBatch, CardBatchMember]
class RemovedMember(BaseModel):
    """A member the clerk removed (会员管理 → 删除), kept until and after the server confirms.

    The member's row goes at once (lists, counts and enrollment never see them again); `snapshot`
    holds it (JSON) so a removal the server refuses puts the member back as they were. state:
    sending (queued in the outbox) → removed (the server confirmed, or another PC of the union
    removed them) | refused (put back; `problem` says why).
    """

    id = AutoField()
    union = ForeignKeyField(Union, backref="removed_members", on_delete="CASCADE")
    id_number = CharField(index=True)
    member_no = CharField(default="")
    name = CharField()
    reason = TextField()
    actor = CharField(default="")
    removed_at = DateTimeField(default=_now)
    state = CharField(default="sending")
    problem = TextField(null=True)
    snapshot = TextField()
    outbox = ForeignKeyField(Outbox, null=True, on_delete="SET NULL")


ALL_TABLES = [*V1_TABLES, RetirementAnswer, RemovedMember]

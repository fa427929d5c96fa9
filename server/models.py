"""The central server's tables (peewee), portable between SQLite and PostgreSQL.

Conventions: datetimes are naive UTC; campaign days are calendar dates in Shanghai; money is a
`DecimalField` with two places; JSON documents are text (`JSONText`) so both backends store the
same bytes. Facts are append-only: `Change`, `Nonce`, `AuditEntry`, submitted payloads and PDFs
are inserted, never edited (a submission's status and return reason change; its payload does not).
Only a SHA-256 of a token is ever stored.
"""
from __future__ import annotations

import json
from typing import Any

from peewee import (
    AutoField,
    BigIntegerField,
    BlobField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    DecimalField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
    TimestampField,
    SQL,
)

from app.protocol import CardBatchStatus, CardOutcome, SubmissionStatus, canonical_text
from server.db import database

LEVELS: tuple[str, ...] = ("city", "district", "secondary", "grassroots")
ROLES: tuple[str, ...] = ("clerk", "reviewer", "center")
# A role is valid only at these union levels: a grassroots union has clerks, superiors review,
# the city's 职保中心 is the center. Any other combination has no rights at all.
ROLE_LEVELS: dict[str, tuple[str, ...]] = {
    "clerk": ("grassroots",),
    "reviewer": ("city", "district", "secondary"),
    "center": ("city",),
}

# Union types that may use the workbench (SPEC §3) and those that may not.
SUPPORTED_UNION_TYPES: tuple[str, ...] = ("市总工会", "区总工会", "产业局总工会", "街道总工会", "联合工会", "工会委员会")
UNSUPPORTED_UNION_TYPES: tuple[str, ...] = ("工会联合会", "分工会", "工会小组")


class JSONText(TextField):
    """A JSON document stored as its canonical text (app.protocol.canonical_text)."""

    def db_value(self, value: Any) -> str | None:
        return None if value is None else canonical_text(value)

    def python_value(self, value: str | None) -> Any:
        return None if value is None else json.loads(value)


def Money(**kwargs: Any) -> DecimalField:  # noqa: N802 - reads like a field class
    return DecimalField(max_digits=14, decimal_places=2, auto_round=True, **kwargs)


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class Union(BaseModel):
    """A trade union at one level of the hierarchy (the city, a district, a secondary or a
    grassroots union). `path` lists the ids from the city down to this union ("/1/4/9/"), so
    "is X inside Y's scope" is a prefix test."""

    id = AutoField()
    name = CharField()
    org_code = CharField(unique=True)  # unified social credit code or organisation code
    union_type = CharField()  # Chinese type name, e.g. 联合工会
    level = CharField()  # one of LEVELS
    parent = ForeignKeyField("self", null=True, backref="children", on_delete="RESTRICT")
    path = CharField(default="", index=True)
    change_seq = BigIntegerField(default=0)  # last sequence number of this union's change feed
    created = DateTimeField()

    class Meta:
        table_name = "trade_union"

    def contains(self, other: Union) -> bool:
        """Whether `other` is this union or one of its subordinates."""
        return other.path.startswith(self.path)


class Enterprise(BaseModel):
    """An enterprise linked to a grassroots union (a 联合工会 covers many)."""

    id = AutoField()
    union = ForeignKeyField(Union, backref="enterprises", on_delete="CASCADE")
    name = CharField()
    credit_code = CharField(null=True)

    class Meta:
        indexes = ((("union", "name"), True),)


class User(BaseModel):
    id = AutoField()
    username = CharField(unique=True)
    union = ForeignKeyField(Union, backref="users", on_delete="RESTRICT")
    display_name = CharField(default="")
    role = CharField(default="clerk")  # one of ROLES
    password_hash = CharField()
    failed_count = IntegerField(default=0)  # unused: failures are counted in LoginGuard
    locked_until = DateTimeField(null=True)  # unused: see LoginGuard
    last_login = DateTimeField(null=True)
    disabled = BooleanField(default=False)
    # Set by a superior's reset: the next login must choose a new password before any token.
    must_change_password = BooleanField(default=False)
    created = DateTimeField()

    class Meta:
        table_name = "account"


class Device(BaseModel):
    """A PC's Ed25519 public key, registered by the user at the first login on that PC."""

    id = AutoField()
    user = ForeignKeyField(User, backref="devices", on_delete="CASCADE")
    public_key = CharField(unique=True)
    fingerprint = CharField(index=True)
    label = CharField(default="")
    created = DateTimeField()
    revoked = DateTimeField(null=True)


class Token(BaseModel):
    """An opaque bearer token, stored only as the SHA-256 of its value.

    kind "access" / "refresh": one login's tokens share a `family`; a refresh marks its refresh
    token `rotated` and deletes the family's access tokens, and a rotated refresh token presented
    again revokes the whole family (it was copied). kind "login_cookie": a device cookie, handed
    to a PC at a successful login so that its later logins are not held by an account lock that
    strangers caused (docs/security.md)."""

    id = AutoField()
    token_hash = CharField(max_length=64, unique=True)
    kind = CharField()  # "access", "refresh" or "login_cookie"
    user = ForeignKeyField(User, backref="tokens", on_delete="CASCADE")
    expires = DateTimeField(index=True)
    created = DateTimeField()
    family = CharField(max_length=32, null=True, index=True)
    rotated = DateTimeField(null=True)


class LoginGuard(BaseModel):
    """Failed-login counters for throttling, one row per key: "user:<name>" (any name, known or
    not, so both answer alike), "addr:<client address>" and "cookie:<device cookie hash>".
    Attempts are counted here before the password is checked, inside one write transaction, so
    concurrent guesses cannot slip past a lock."""

    id = AutoField()
    key = CharField(max_length=200, unique=True)
    failures = IntegerField(default=0)
    window_start = DateTimeField()
    locked_until = DateTimeField(null=True)
    updated = DateTimeField(index=True)


class Campaign(BaseModel):
    """One plan year's calendar and payment details (SPEC §6): configuration, never constants."""

    id = AutoField()
    plan_year = IntegerField(unique=True)
    fee_window_start = DateField()
    fee_window_end = DateField()
    enrollment_start = DateField()  # grassroots unions may submit central enrollment from here …
    payment_deadline = DateField()  # … until this day (plus grace); they pay by it too
    submission_window_start = DateField()  # district unions submit to the center in this window
    submission_window_end = DateField()
    coverage_start = DateField()
    coverage_end = DateField()
    grace_seconds = IntegerField(default=0)
    bank_account_name = CharField()
    bank_account_number = CharField()
    bank_name = CharField()
    half_year = JSONText(default=dict)  # e.g. {"enabled": true, "from_month": 7, "factor": "0.5"}
    updated = DateTimeField()
    # The district unions pay the center by this day (缴费凭证 accepted by then, else 未被受理);
    # null: the last day of the submission window.
    voucher_deadline = DateField(null=True)
    # Member categories the unions enroll (RULES.md "Who the union enrolls"); null: the default.
    union_categories = JSONText(null=True)
    version = IntegerField(default=1)  # bumped by every change the center makes


class PlanFee(BaseModel):
    """A plan type's fee per person and its split. `union` is null for the city-wide default; a
    district union's own split (set in the fee window) overrides it for its subordinates."""

    id = AutoField()
    campaign = ForeignKeyField(Campaign, backref="fees", on_delete="CASCADE")
    union = ForeignKeyField(Union, null=True, on_delete="CASCADE")
    plan_type = CharField()  # A, B, A_PLUS, B_PLUS
    fee = Money()
    city = Money()
    district = Money()
    grassroots = Money()
    valid_from = DateField()
    valid_to = DateField()

    class Meta:
        indexes = ((("campaign", "union", "plan_type", "valid_from"), True),)


class Member(BaseModel):
    """The server's copy of a member. `versions` maps each field to the version it was last
    changed at; a clerk's push names the version it last saw (its base), and a newer server
    version of a clerk-owned field is a conflict the clerk resolves."""

    id = AutoField()
    union = ForeignKeyField(Union, backref="members", on_delete="CASCADE", index=False)  # (union, id_number) leads
    id_number = CharField(max_length=32)
    member_no = CharField(null=True)
    name = CharField(null=True)
    id_type = CharField(null=True)
    id_expiry = CharField(null=True)  # ISO date or "长期"
    gender = CharField(null=True)
    birth_date = CharField(null=True)
    phone = CharField(null=True)
    work_address = CharField(null=True)
    label = CharField(null=True)
    category = CharField(null=True)
    enterprise_name = CharField(null=True)
    join_date = CharField(null=True)
    post_type = CharField(null=True)
    life_status = CharField(default="in_service")
    retired_on = CharField(null=True)
    card_no = CharField(null=True)
    card_status = CharField(default="none")
    ss_card_status = CharField(null=True)
    employment_status = CharField(null=True)
    insurance_status = CharField(null=True)
    ss_checked = DateTimeField(null=True)
    versions = JSONText(default=dict)
    version = IntegerField(default=0)  # highest of `versions`
    updated = DateTimeField()
    # 1: this union holds the person's claim (SPEC §5.10, server/claims.py), 0: a copy made before
    # claims whose person another union holds. At most one claimed row per number (CLAIMED below).
    claimed = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])
    # The member's place in its union's feed (a Change seq; server/changes.py) and the device whose push put it there.
    feed_seq = BigIntegerField(null=True)
    feed_origin = IntegerField(null=True)

    class Meta:
        # (union, phone): every member upsert looks for another member of the union with the phone.
        indexes = ((("union", "id_number"), True), (("union", "phone"), False), (("union", "feed_seq"), False))


#: A query's condition for claimed rows, literally the partial index's (SQLite uses the index only then).
CLAIMED = SQL('"claimed" = 1')
# One union per person: of two unions adding the same new person at once, exactly one insert succeeds.
Member.add_index(Member.index(Member.id_number, unique=True, where=CLAIMED))


class Change(BaseModel):
    """One entry of a union's change feed: a server-owned change the clerk's PC should pull.
    `seq` is assigned per union, in commit order."""

    id = AutoField()
    union = ForeignKeyField(Union, on_delete="CASCADE", index=False)  # (union, seq) leads with it
    seq = BigIntegerField()
    entity = CharField()
    entity_key = CharField()
    payload = JSONText()
    created = DateTimeField()
    #: The device whose member upsert made the change: its own pulls skip it (no echo).
    origin = IntegerField(null=True)

    class Meta:
        indexes = ((("union", "seq"), True), (("union", "entity", "entity_key", "seq"), False))


class FeedCursor(BaseModel):
    """How far a registered device has passed its union's feed (the `since` of its latest pull,
    with `device=`): compaction (server/feed.py) keeps every change a device still counted has not
    passed."""

    id = AutoField()
    device = ForeignKeyField(Device, unique=True, on_delete="CASCADE")
    union = ForeignKeyField(Union, on_delete="CASCADE")
    seq = BigIntegerField(default=0)
    seen = DateTimeField()


class FeedMark(BaseModel):
    """How far compaction (server/feed.py) got in a union's feed: every change up to `floor` that
    a change up to `scanned` supersedes is gone."""
    union = ForeignKeyField(Union, primary_key=True, on_delete="CASCADE")
    floor = BigIntegerField()
    scanned = BigIntegerField()


class IdempotencyRecord(BaseModel):
    """A push record (or transfer) that took effect: its key, a digest of its payload, the first
    answer (server/receipts.py: a member upsert's in about 15 bytes). Step 13 (#19) cut the row to
    what a replay reads: no user or kind, the digest's first 128 bits."""

    id = AutoField()  # pruning walks the records in this order (server/pruning.py)
    key = CharField(max_length=64, unique=True)
    union = ForeignKeyField(Union, on_delete="CASCADE", index=False)  # read by key only (step 12)
    digest = CharField(max_length=64)  # receipts.digest of the payload's SHA-256
    response = JSONText()
    created = TimestampField(utc=True)  # whole seconds: an integer on both backends


class Nonce(BaseModel):
    id = AutoField()
    value = CharField(max_length=128, unique=True)
    seen_at = DateTimeField()


class Submission(BaseModel):
    """A signed batch as received: payload (canonical JSON), signature and notice PDF verbatim."""

    id = AutoField()
    union = ForeignKeyField(Union, backref="submissions", on_delete="RESTRICT")
    user = ForeignKeyField(User, on_delete="RESTRICT")
    device = ForeignKeyField(Device, on_delete="RESTRICT")
    batch_no = CharField()
    kind = CharField()  # central / instant_carded / instant_new_card
    plan_year = IntegerField()
    channel = CharField()  # card / ss
    plan_type = CharField()
    member_count = IntegerField()
    totals = JSONText()
    # The per-person split it was priced with ({"fee", "city", "district", "grassroots"}, as in its
    # signed payload): a district's later change of its split never reprices it.
    fee_split = JSONText(null=True)
    payload = TextField()
    payload_sha256 = CharField(max_length=64)
    signature = TextField()
    pdf = BlobField()
    pdf_sha256 = CharField(max_length=64)
    status = CharField(default=str(SubmissionStatus.UNDER_REVIEW))
    return_reason = TextField(null=True)
    replaces = ForeignKeyField("self", null=True, backref="replaced_by", on_delete="RESTRICT")
    received = DateTimeField()
    decided = DateTimeField(null=True)
    decided_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", backref="decisions")

    class Meta:
        indexes = ((("union", "batch_no"), True), (("union", "plan_year"), False))


class Enrollment(BaseModel):
    """Who is enrolled for a plan year, and through which batch (derived from submissions; the
    row goes when its batch is returned). Unique per person and year, across all unions."""

    id = AutoField()
    plan_year = IntegerField()
    id_number = CharField(max_length=32)
    union = ForeignKeyField(Union, on_delete="CASCADE")
    submission = ForeignKeyField(Submission, backref="enrollments", on_delete="CASCADE")
    channel = CharField()

    class Meta:
        indexes = ((("plan_year", "id_number"), True),)


class SsCheckJob(BaseModel):
    """An asynchronous SS-card / employment check of some of a union's members."""

    id = AutoField()
    union = ForeignKeyField(Union, on_delete="CASCADE")
    requested_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    id_numbers = JSONText()
    status = CharField(default="queued")  # queued / claimed / done
    not_before = DateTimeField()
    claimed_by = CharField(null=True)
    claimed_at = DateTimeField(null=True)
    finished = DateTimeField(null=True)
    created = DateTimeField()

    class Meta:
        indexes = ((("status", "not_before"), False),)


class RegistryEntry(BaseModel):
    """A row of the SS-card / employment registry export the center loads."""

    id = AutoField()
    id_number = CharField(max_length=32, unique=True)
    ss_card_status = CharField()
    employment_status = CharField()
    updated = DateTimeField()


class AuditEntry(BaseModel):
    """Who did what, when (append-only). ID numbers appear masked in `detail`."""

    id = AutoField()
    at = DateTimeField(index=True)
    username = CharField(null=True)
    union = ForeignKeyField(Union, null=True, on_delete="SET NULL")
    action = CharField()
    entity = CharField(default="")
    entity_key = CharField(default="")
    detail = JSONText(default=dict)


class CardBatch(BaseModel):
    """A card batch (办卡批次) as received: the signed payload verbatim, and its progress.
    status: issuing (cards being made) → done (every member issued or refused)."""

    id = AutoField()
    union = ForeignKeyField(Union, backref="card_batches", on_delete="RESTRICT")
    user = ForeignKeyField(User, on_delete="RESTRICT")
    device = ForeignKeyField(Device, null=True, on_delete="RESTRICT")
    batch_no = CharField()
    member_count = IntegerField()
    issued = IntegerField(default=0)
    refused = IntegerField(default=0)
    status = CharField(default=str(CardBatchStatus.ISSUING))
    payload = TextField()
    payload_sha256 = CharField(max_length=64)
    signature = TextField(null=True)
    received = DateTimeField()
    updated = DateTimeField()

    class Meta:
        indexes = ((("union", "batch_no"), True),)


class CardBatchMember(BaseModel):
    """A member of a card batch and their outcome: pending, issued (card_no) or refused (reason)."""

    id = AutoField()
    batch = ForeignKeyField(CardBatch, backref="members", on_delete="CASCADE", index=False)
    id_number = CharField(max_length=32)
    name = CharField(null=True)
    outcome = CharField(default=str(CardOutcome.PENDING))
    card_no = CharField(null=True)
    reason = TextField(null=True)
    decided = DateTimeField(null=True)

    class Meta:
        indexes = ((("batch", "id_number"), True),)


class CardJob(BaseModel):
    """Asynchronous card work of a union, claimed by workers like `SsCheckJob`: "verify" checks
    card applications (`id_numbers`, answering `request_id`), "issue" makes a batch's cards."""

    id = AutoField()
    union = ForeignKeyField(Union, on_delete="CASCADE")
    kind = CharField()  # verify / issue
    requested_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    request_id = CharField(null=True)
    id_numbers = JSONText(null=True)
    batch = ForeignKeyField(CardBatch, null=True, on_delete="CASCADE")
    status = CharField(default="queued")  # queued / claimed / done
    not_before = DateTimeField()
    claimed_by = CharField(null=True)
    claimed_at = DateTimeField(null=True)
    finished = DateTimeField(null=True)
    created = DateTimeField()

    class Meta:
        indexes = ((("status", "not_before"), False),)


class DistrictBatch(BaseModel):
    """A district union's submission to the center (提交列表中的参保信息, manual §4.4–4.5): the
    grassroots batches of its 待提交 list, their counts per plan type and channel, the money, the
    handler. status: center_review (职保中心确认中) → completed (已完成, a voucher accepted) or
    not_accepted (未被受理: no accepted voucher by the campaign's payment deadline)."""

    id = AutoField()
    union = ForeignKeyField(Union, backref="district_batches", on_delete="RESTRICT")
    batch_no = CharField(unique=True)
    plan_year = IntegerField()
    status = CharField(default="center_review", index=True)
    counts = JSONText()  # {plan_type: members}
    channels = JSONText()  # {"card": members, "ss": members}
    totals = JSONText()  # {"count", "fee", "city", "district", "grassroots"} as money strings
    amount = Money()  # 参保资金总额: Σ count × (district + grassroots share)
    handler_name = CharField()
    handler_phone = CharField()
    submitted_by = ForeignKeyField(User, on_delete="RESTRICT")
    submitted = DateTimeField()
    decided = DateTimeField(null=True)
    decided_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", backref="district_decisions")
    updated = DateTimeField()


class BatchReview(BaseModel):
    """The superior side's state of a grassroots batch while it is 区局确认中: who approved it
    (审核标识 二级工会 / 区局(产业)) and, once the district submitted it, its district batch. Made at
    the first review act; a batch without one is waiting for its first reviewer."""

    id = AutoField()
    submission = ForeignKeyField(Submission, unique=True, backref="reviews", on_delete="CASCADE")
    mark = CharField(null=True)  # app.protocol.superior.ReviewMark
    secondary_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", backref="secondary_reviews")
    secondary_at = DateTimeField(null=True)
    district_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", backref="district_reviews")
    district_at = DateTimeField(null=True)
    district_batch = ForeignKeyField(DistrictBatch, null=True, backref="reviews", on_delete="RESTRICT")
    updated = DateTimeField()


class Voucher(BaseModel):
    """A photo of the bank transfer (缴费凭证, manual §4.7) for a district batch: the image as
    stored (re-encoded, EXIF removed) and the center's decision."""

    id = AutoField()
    district_batch = ForeignKeyField(DistrictBatch, backref="vouchers", on_delete="CASCADE")
    uploaded_by = ForeignKeyField(User, on_delete="RESTRICT")
    uploaded = DateTimeField()
    content_type = CharField()
    image = BlobField()
    sha256 = CharField(max_length=64)
    width = IntegerField()
    height = IntegerField()
    status = CharField(default="uploaded")  # app.protocol.superior.VoucherStatus
    reason = TextField(null=True)
    decided = DateTimeField(null=True)
    decided_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", backref="voucher_decisions")


class MemberTransfer(BaseModel):
    """A transfer of members (批量转移): who moved whom from which union to which, and why (a fact;
    its idempotency key and first answer are an `IdempotencyRecord`)."""

    id = AutoField()
    source = ForeignKeyField(Union, backref="transfers_out", on_delete="CASCADE")
    target = ForeignKeyField(Union, backref="transfers_in", on_delete="CASCADE")
    user = ForeignKeyField(User, on_delete="RESTRICT")
    reason = TextField()
    id_numbers = JSONText()
    created = DateTimeField()


class Notice(BaseModel):
    """A notice (通知) for the clerks of a union and everything under it (server.notices)."""

    id = AutoField()
    title = CharField()
    body = TextField()
    publisher = CharField(default="")
    scope = CharField(default="/")  # the publishing union's path; "/" reaches every union
    published = DateTimeField(index=True)
    expires = DateTimeField(null=True)


class PayoutRecord(BaseModel):
    """A claim paid (给付), loaded by the center from its payout export (server/payouts.py); `union`
    is the union the person was enrolled through that year (else their member union)."""

    id = AutoField()
    claim_no = CharField(max_length=64, unique=True)  # 理赔编号: reloading a claim replaces it
    id_number = CharField(max_length=32, index=True)
    name = CharField()
    plan_year = IntegerField()
    union = ForeignKeyField(Union, on_delete="CASCADE")
    kind = CharField()  # 给付类型
    amount = Money()
    paid_on = DateField()
    loaded = DateTimeField()


class CardWithdrawal(BaseModel):
    """A grassroots request to withdraw a card batch not yet issued (撤销办卡批次) and the
    district's decision: status pending → approved (the batch withdrawn) or refused (reason)."""

    id = AutoField()
    batch = ForeignKeyField(CardBatch, backref="withdrawals", on_delete="CASCADE")
    union = ForeignKeyField(Union, on_delete="CASCADE")
    requested_by = ForeignKeyField(User, on_delete="RESTRICT")
    reason = TextField()
    requested = DateTimeField()
    status = CharField(default="pending", index=True)
    decided_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", backref="withdrawal_decisions")
    decided = DateTimeField(null=True)
    decision_reason = TextField(null=True)


class SchemaVersion(BaseModel):
    """A schema version the database reached, and when (server/migrations.py)."""

    version = IntegerField(primary_key=True)
    name = CharField()
    applied = DateTimeField()


ALL_MODELS: list[type[BaseModel]] = [
    Union, Enterprise, User, Device, Token, LoginGuard, Campaign, PlanFee, Member, Change, FeedCursor,
    IdempotencyRecord, Nonce, Submission, Enrollment, SsCheckJob, RegistryEntry, AuditEntry,
    CardBatch, CardBatchMember, CardJob, DistrictBatch, BatchReview, Voucher, MemberTransfer,
    Notice, PayoutRecord, CardWithdrawal, FeedMark, SchemaVersion,
]

"""The names both sides agree on: record kinds, change-feed entities, channels, statuses, and
which member fields each side owns."""
from __future__ import annotations

from enum import StrEnum

from app.rules.coverage import KIND_CENTRAL, KIND_INSTANT_CARDED, KIND_INSTANT_NEW_CARD
from app.rules.eligibility import CHANNEL_CARD, CHANNEL_SS
from app.rules.fees import PERIOD_FULL, PERIOD_HALF

PROTOCOL_VERSION = 1


class RecordKind(StrEnum):
    """What a pushed outbox record is (POST /push)."""

    MEMBER_UPSERT = "member_upsert"
    SS_CHECK_REQUEST = "ss_check_request"
    SUBMISSION = "submission"
    # A clerk confirms members whose 人保状态 is 待确认 (SPEC §5.4); final, so it is a fact pushed up.
    CONFIRMATION = "confirmation"
    # Asks the server to verify queued members' card applications; answered at once with a job
    # id, each member's result arriving later as a `card_check` change with the same request_id.
    CARD_VERIFICATION = "card_verification"
    # Applies for the cards; the card numbers come down as `member` changes, per-member outcomes
    # as `card_batch` changes.
    CARD_BATCH = "card_batch"
    # The clerk removes a member from the union (会员管理 → 删除, with a reason); refused while the
    # member is enrolled for a plan year not yet over. Answered at once; other PCs of the union
    # learn it as a `member_removal` change.
    MEMBER_REMOVAL = "member_removal"
    # The clerk reports a member retired or deceased on a date (or back in service, to undo a
    # mistake); life_status stays server-owned, so this is a report the server applies and feeds
    # back down as a `member` change.
    LIFE_STATUS = "life_status"


#: Kinds whose payload is signed with the device key.
SIGNED_KINDS: frozenset[RecordKind] = frozenset({RecordKind.SUBMISSION, RecordKind.CARD_BATCH})
#: Kinds that queue work for the server's background worker.
JOB_KINDS: frozenset[RecordKind] = frozenset(
    {RecordKind.SS_CHECK_REQUEST, RecordKind.CARD_VERIFICATION, RecordKind.CARD_BATCH})


class Entity(StrEnum):
    """What a change of the feed (GET /changes) is about."""

    MEMBER = "member"  # a whole member record with per-field versions
    SS_CHECK = "ss_check"  # the result of an SS-card / employment check (a fact)
    SUBMISSION = "submission"  # a batch's status and return reason
    CAMPAIGN = "campaign"  # campaign config (plan types, fees, windows, bank account)
    # A member's card-application verification (a fact), keyed by id_number: {"id_number",
    # "request_id", "result": CardCheckResult, "code", "reason", "checked_at"}.
    CARD_CHECK = "card_check"
    # A card batch's state, keyed by batch_no: {"batch_no", "status": CardBatchStatus, "issued",
    # "refused", "members": [{"id_number", "outcome": CardOutcome, "card_no", "reason"}], …}.
    CARD_BATCH = "card_batch"
    # A PC registered (or revoked) for an account of the union, keyed by its key's fingerprint:
    # {"username", "fingerprint", "label", "registered", "revoked"} — the clerk's "新设备已登录".
    DEVICE = "device"
    # A member transferred out of or into the union (app.protocol.transfers), keyed by ID number:
    # {"direction": "out"|"in", "reason", "at", "other_union": org code, "history": {...} (in)}.
    TRANSFER = "transfer"
    # A member removed from the union, keyed by id_number: {"id_number", "reason", "removed_at"}.
    MEMBER_REMOVAL = "member_removal"


class Channel(StrEnum):
    CARD = CHANNEL_CARD  # 会员卡参保
    SS = CHANNEL_SS  # 社保卡参保


class SubmissionKind(StrEnum):
    CENTRAL = KIND_CENTRAL  # 集中参保
    INSTANT_CARDED = KIND_INSTANT_CARDED  # 有卡无保人员即时参保
    INSTANT_NEW_CARD = KIND_INSTANT_NEW_CARD  # 新办卡人员即时参保


class Period(StrEnum):
    FULL = PERIOD_FULL  # 全年
    HALF = PERIOD_HALF  # 半年


class SubmissionStatus(StrEnum):
    """A batch's status on the server (the client adds its own "queued" and "refused")."""

    UNDER_REVIEW = "under_review"
    RETURNED = "returned"
    APPROVED = "approved"
    COMPLETED = "completed"  # 已完成: the district submitted it to the center
    NOT_ACCEPTED = "not_accepted"  # 未被受理: the district's payment to the center failed


class CardCheckResult(StrEnum):
    PASSED = "passed"
    FAILED = "failed"


class CardBatchStatus(StrEnum):
    """A card batch's status on the server (the client adds "queued" and "refused")."""

    ISSUING = "issuing"
    DONE = "done"
    WITHDRAWN = "withdrawn"  # 撤销办卡批次: approved by the district before any card was made


class CardOutcome(StrEnum):
    PENDING = "pending"
    ISSUED = "issued"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"  # the batch was withdrawn: the member may be applied for again


# Fields the clerk's PC owns: they flow up in member_upsert records, each with the version the
# client last saw (its base). A field changed on the server since that base is a conflict.
CLERK_OWNED_FIELDS: tuple[str, ...] = (
    "member_no",
    "name",
    "id_type",
    "gender",
    "birth_date",
    "phone",
    "work_address",
    "id_expiry",
    "label",
    "category",
    "enterprise_name",
    "join_date",
    "post_type",
)

# Fields the server owns: they flow down through GET /changes and are never pushed.
SERVER_OWNED_FIELDS: tuple[str, ...] = (
    "card_no",
    "card_status",
    "ss_card_status",
    "employment_status",
    "insurance_status",
    "life_status",
    "retired_on",
)

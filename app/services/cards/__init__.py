"""会员服务卡管理 (SPEC §5.3, manual §3.1.1): card information, the card queue and card batches.

- 卡片信息管理: in-service members of linked enterprises (flexible and outside-enterprise members
  apply for a card themselves, manual FAQ 6), with their card number and status.
- 待办会员列表 (the card queue): members waiting for a card application. Each is verified twice:
  at once on this PC (`check_member`: valid document, expiry plausible and not past, a 7–19
  character work address, a mobile phone, in service, no card yet) and then by the server, which
  checks against its own records and the registry. What the list shows combines both: 未通过 if
  either failed (with the reason), 已通过 only when both passed, else 未校验 (with what it waits
  for). Member data that changes re-runs the local checks and asks the server again.
- 提交办卡: allowed only when every queued member has passed; makes a card batch and its outbox
  row in one transaction (offline it simply waits in the outbox) and empties the queue.
- 办卡批次管理: card batches and each member's outcome; the issued card numbers arrive with the
  members themselves (server-owned fields) through the pull.

Plain Python for the views and the CLI: no Qt, no sync. The checks and what the list shows are
pure rules (app.rules.cards); what the sync engine does for cards is app.sync.cards.

Its rooms: `queue` (the card queue, its verification, 修改证件到期日 and 提交办卡), `info`
(卡片信息管理) and `batches` (办卡批次管理). The views read the rule constants they show
(PASSED, RESULT_LABELS …) from here too.
"""
from __future__ import annotations

from app.rules.cards import (
    BATCH_STATUS_LABELS,
    FAILED,
    OUTCOME_LABELS,
    PASSED,
    RESULT_LABELS,
    SERVER_ERROR,
    SERVER_FAILED,
    SERVER_NONE,
    SERVER_PASSED,
    SERVER_PENDING,
    SERVER_TO_REQUEST,
    SUBMIT_HINT,
    SYNC_BLOCKED,
    UNVERIFIED,
    WAITING_FOR_SERVER,
    WAITING_FOR_SYNC,
    LocalCheck,
    check_member,
    expiry_flag,
    expiry_warning,
    mask_card_no,
)
from app.services.cards.batches import (
    CardBatchMemberRow,
    CardBatchRow,
    batch_members,
    card_batches,
    count_batch_members,
    note_withdrawal_sent,
    requeue_refused,
)
from app.services.cards.info import CardMemberRow, card_info_ids, card_members, card_members_by_ids, count_card_info
from app.services.cards.queue import (
    AddResult,
    Blocking,
    QueueRow,
    QueueSummary,
    SubmitState,
    SubmittedBatch,
    VerifyReport,
    add_to_queue,
    correct_expiry,
    count_queued,
    list_queue,
    preview_expiry,
    queue_row,
    queue_summary,
    refresh_verification,
    remove_from_queue,
    remove_unpassed,
    reverify,
    submit_batch,
    submit_state,
    verify_all,
)

__all__ = [
    "BATCH_STATUS_LABELS", "FAILED", "OUTCOME_LABELS", "PASSED", "RESULT_LABELS", "SERVER_ERROR",
    "SERVER_FAILED", "SERVER_NONE", "SERVER_PASSED", "SERVER_PENDING", "SERVER_TO_REQUEST", "SUBMIT_HINT",
    "SYNC_BLOCKED", "UNVERIFIED", "WAITING_FOR_SERVER", "WAITING_FOR_SYNC", "AddResult", "Blocking",
    "CardBatchMemberRow", "CardBatchRow", "CardMemberRow", "LocalCheck", "QueueRow", "QueueSummary",
    "SubmitState", "SubmittedBatch", "VerifyReport", "add_to_queue", "batch_members", "card_batches",
    "card_info_ids", "card_members", "card_members_by_ids", "check_member", "correct_expiry",
    "count_batch_members", "count_card_info", "count_queued", "expiry_flag", "expiry_warning",
    "list_queue", "mask_card_no", "note_withdrawal_sent", "preview_expiry", "queue_row", "queue_summary", "refresh_verification",
    "remove_from_queue", "remove_unpassed", "requeue_refused", "reverify", "submit_batch", "submit_state",
    "verify_all",
]

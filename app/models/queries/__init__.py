"""All SQL beyond single-row peewee calls, one module per area; services and views never build SQL.

- `members`: the member list (filters, sort keys and their indexes, ids and rows by id, export walk)
- `loading`: bulk work for import and export (snapshot, executemany inserts/updates, index rebuilds)
- `cards`: 卡片信息管理, 待办会员列表, 办卡批次管理
- `enrollment`: the raw member columns the enrollment rules read
- `push`: members read for the outbox, outbox rows read, claimed and pruned by the push (imported
  from `app.models.queries.push`)

Everything is re-exported here, so `from app.models.queries import MemberFilter` keeps working.
"""
from __future__ import annotations

from app.models.queries.cards import (
    QUEUE_CHECK_COLUMNS,
    QUEUE_ROW_FIELDS,
    QUEUE_SORT_COLUMNS,
    QUEUE_UPDATE_COLUMNS,
    CardBatchFilter,
    CardMemberFilter,
    QueueFilter,
    applying_among,
    card_batch_member_ids,
    card_batch_member_page,
    card_batch_members_by_ids,
    card_batch_rows,
    card_member_ids,
    card_member_page,
    card_member_where,
    count_card_batch_members,
    count_card_members,
    count_queue,
    note_withdrawal,
    queue_blocking,
    queue_check_rows,
    queue_counts,
    queue_ids,
    queue_page,
    queue_rows_by_ids,
    queue_rows_by_request,
    queue_where,
    queued_among,
    update_card_batch_members,
    update_queue_rows,
)
from app.models.queries.enrollment import ENROLLMENT_COLUMNS, enrollment_rows
from app.models.queries.loading import (
    IMPORT_SNAPSHOT_COLUMNS,
    REBUILD_MIN_ROWS,
    REBUILD_SHARE,
    bulk_insert,
    bulk_update_members,
    clear_member_phones,
    indexes_rebuilt,
    member_import_snapshot,
    members_fingerprint,
    should_rebuild_indexes,
    table_index_sql,
)
from app.models.queries.members import (
    LIST_COLUMNS,
    ROW_FIELDS,
    SORT_COLUMNS,
    MemberFilter,
    count_members,
    created_by_day,
    iter_member_rows,
    joins_by_day,
    member_ids,
    member_list_rows,
    member_page,
    member_rows_by_ids,
    member_where,
)

__all__ = [
    "ENROLLMENT_COLUMNS", "IMPORT_SNAPSHOT_COLUMNS", "QUEUE_CHECK_COLUMNS", "QUEUE_ROW_FIELDS", "QUEUE_SORT_COLUMNS",
    "QUEUE_UPDATE_COLUMNS", "LIST_COLUMNS", "REBUILD_MIN_ROWS", "REBUILD_SHARE", "ROW_FIELDS", "SORT_COLUMNS", "CardBatchFilter",
    "CardMemberFilter", "MemberFilter", "QueueFilter", "applying_among", "bulk_insert", "bulk_update_members",
    "card_batch_member_ids", "card_batch_member_page", "card_batch_members_by_ids", "card_batch_rows", "card_member_ids", "card_member_page", "card_member_where",
    "clear_member_phones", "count_card_batch_members", "count_card_members", "count_members", "count_queue",
    "created_by_day", "enrollment_rows", "indexes_rebuilt", "iter_member_rows", "joins_by_day", "member_ids",
    "member_import_snapshot", "member_list_rows", "member_page", "member_rows_by_ids", "member_where", "members_fingerprint",
    "queue_blocking", "queue_check_rows", "queue_counts", "queue_ids", "queue_page", "queue_rows_by_ids", "queue_rows_by_request", "queue_where",
    "note_withdrawal", "queued_among", "should_rebuild_indexes", "table_index_sql", "update_card_batch_members", "update_queue_rows",
]

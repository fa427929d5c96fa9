"""Local database: tables, opening, migrations. The only place SQL lives."""
from __future__ import annotations

from app.models.db import (
    DatabaseEnvironmentError,
    backup_to,
    close_database,
    db,
    integrity_check,
    open_database,
    rotating_backup,
    schema_version,
)
from app.models.tables import (
    AuditEntry,
    Batch,
    BatchMember,
    Enterprise,
    Member,
    Outbox,
    RetirementAnswer,
    Setting,
    SyncState,
    Union,
)

__all__ = [
    "AuditEntry", "Batch", "BatchMember", "DatabaseEnvironmentError", "Enterprise", "Member", "Outbox", "RetirementAnswer", "Setting", "SyncState",
    "Union", "backup_to", "close_database", "db", "integrity_check", "open_database",
    "rotating_backup", "schema_version",
]

"""Keeping a profile healthy: integrity check, schema version, backups."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.models import backup_to, db, integrity_check, schema_version
from app.models.migrations import LATEST


@dataclass(frozen=True)
class HealthReport:
    path: str
    schema_version: int
    latest_version: int
    problems: list[str]

    @property
    def healthy(self) -> bool:
        return not self.problems and self.schema_version == self.latest_version

    def as_dict(self) -> dict:
        return {"path": self.path, "schema_version": self.schema_version,
                "latest_version": self.latest_version, "healthy": self.healthy,
                "problems": self.problems}


def check() -> HealthReport:
    return HealthReport(db.database, schema_version(db), LATEST, integrity_check(db))


def backup(out: Path) -> Path:
    return backup_to(db, Path(out))

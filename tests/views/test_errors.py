"""Clerk-facing errors: environment problems in words, bugs with the log's location."""
from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import pytest

from app.services.errors import ClerkError
from app.views import errors


def test_clerk_errors_pass_through() -> None:
    message, action, is_bug = errors.describe(ClerkError("文件不是 .xlsx。", "请另存为 .xlsx 后重试。"))
    assert (message, action, is_bug) == ("文件不是 .xlsx。", "请另存为 .xlsx 后重试。", False)


def test_disk_full_is_not_a_bug(tmp_path: Path) -> None:
    con = sqlite3.connect(tmp_path / "full.sqlite3")
    con.execute("CREATE TABLE t (x TEXT)")
    con.execute("PRAGMA max_page_count = 3")
    with pytest.raises(sqlite3.OperationalError) as full:
        for _ in range(100):
            con.execute("INSERT INTO t VALUES (?)", ("x" * 2000,))
    con.close()
    message, action, is_bug = errors.describe(full.value)  # SQLITE_FULL, a real one
    assert "磁盘" in message and "清理" in action and not is_bug
    message, _, is_bug = errors.describe(OSError(errno.ENOSPC, "No space left on device"))
    assert "磁盘" in message and not is_bug


def test_bugs_name_the_log(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(errors, "LOG_FILE", tmp_path / "logs" / "union-clerk.log")
    message, action, is_bug = errors.describe(KeyError("x"))
    assert is_bug and "意外错误" in message
    assert str(tmp_path / "logs" / "union-clerk.log") in action and "12351" in action

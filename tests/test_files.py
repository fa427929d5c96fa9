"""app.files.atomic_write: the whole new file or the old one, synced to the disk."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from app import files
from app.files import atomic_write


def test_the_target_is_replaced_whole_and_synced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out" / "名单.xlsx"
    synced: list[int] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:  # the real fsync, counted
        synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(files.os, "fsync", fsync)
    with atomic_write(target, mode=0o600) as temp:
        assert temp.parent == target.parent and temp != target
        temp.write_bytes(b"new contents")
        assert not target.exists()
    assert target.read_bytes() == b"new contents"
    assert sorted(p.name for p in target.parent.iterdir()) == ["名单.xlsx"]
    assert len(synced) == (2 if os.name == "posix" else 1)  # the file, then its folder
    if os.name == "posix":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_failure_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "backup.sqlite3"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_write(target) as temp:
        temp.write_bytes(b"half of the ne")
        raise RuntimeError("killed halfway")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["backup.sqlite3"]

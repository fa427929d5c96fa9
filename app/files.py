"""Writing a file whole or not at all: the one atomic writer of the client.

Every file the program hands a clerk (a spreadsheet, a notice PDF, a database backup) is written
to a temporary file beside its target, flushed to the disk with fsync, then renamed over the
target, and the folder's entry is synced too: a reader sees the old file or the new one, never
half of one, and a power cut after the call returns keeps the new one.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_write(target: Path, *, mode: int | None = None) -> Iterator[Path]:
    """Yield a temporary path beside `target` for the caller to write; when the block ends
    normally it is synced and renamed over `target` (its permission bits set to `mode` first, if
    given), otherwise it is removed and `target` is left as it was."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    temp = Path(name)
    try:
        yield temp
        _fsync_file(temp)
        if mode is not None:
            os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_folder(target.parent)


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as stream:  # Windows' fsync needs a handle open for writing
        os.fsync(stream.fileno())


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX; Windows has no directory handles to sync)."""
    if os.name != "posix":
        return
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)

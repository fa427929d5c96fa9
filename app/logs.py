"""Logging: a rotating file in the profile folder that never holds a full ID number or phone.

The redacting filter works on the formatted message, so a careless `log.info("%s", id_number)`
anywhere in the code is masked too.
"""
from __future__ import annotations

import logging
import os
import re
from pathlib import Path

# An 18-char mainland ID (or a 15-digit legacy one) and an 11-digit mobile, not inside longer digit runs.
_ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])|(?<!\d)(\d{6})\d{6}(\d{3})(?!\d)")
_PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_SECRET_RE = re.compile(r"(?i)(bearer\s+|token[\"'=:\s]+|password[\"'=:\s]+)[^\s\"',}]+")


def redact(text: str) -> str:
    """Mask ID numbers, phone numbers and bearer tokens in `text`."""
    def _id(m: re.Match) -> str:
        if m.group(1):
            return f"{m.group(1)[:4]}**********{m.group(2)[-4:]}"
        return f"{m.group(3)[:4]}*******{m.group(4)[-2:]}"

    text = _ID_RE.sub(_id, text)
    text = _PHONE_RE.sub(r"\1****\2", text)
    return _SECRET_RE.sub(r"\1[redacted]", text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        return True


class RotatingLog(logging.FileHandler):
    """A log file that, when the next record would take it past `max_bytes`, becomes `.1` (`.1`
    becoming `.2` …, `backups` kept) — logging.handlers.RotatingFileHandler's rotation, without
    importing logging.handlers (it brings socket, pickle and queue: ~8 ms of every start)."""

    def __init__(self, path: Path, max_bytes: int, backups: int) -> None:
        super().__init__(path, encoding="utf-8")
        self.max_bytes, self.backups = max_bytes, backups

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self.stream is not None and self.stream.tell() + len(self.format(record)) + 1 >= self.max_bytes:
                self.rotate()
        except Exception:  # noqa: BLE001 - a log that cannot rotate says so on stderr, never stops the app
            self.handleError(record)
            return
        super().emit(record)

    def rotate(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None  # FileHandler.emit opens it again
        base = self.baseFilename
        for n in range(self.backups - 1, 0, -1):
            if os.path.exists(f"{base}.{n}"):
                os.replace(f"{base}.{n}", f"{base}.{n + 1}")
        if os.path.exists(base):
            os.replace(base, f"{base}.1")


def setup_logging(log_file: Path, level: int = logging.INFO) -> logging.Handler:
    """Log to a rotating file (1 MB × 5) with redaction; returns the handler."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = RotatingLog(log_file, max_bytes=1_000_000, backups=5)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_union_clerk", False)]:
        root.removeHandler(old)
        old.close()
    handler._union_clerk = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    return handler

"""The log never holds a full ID number, phone or token."""
from __future__ import annotations

import logging
from pathlib import Path

from app.logs import redact, setup_logging

ID = "610104196209276908"
ID_X = "11010519491231002X"
PHONE = "13812345678"


def test_redact_masks_ids_phones_and_tokens() -> None:
    text = redact(f"member {ID} and {ID_X} phone {PHONE} legacy 610104620927690 Bearer abc.def-123 token=xyz")
    assert ID not in text and ID_X not in text and PHONE not in text and "610104620927690" not in text
    assert "6101" in text and "6908" in text
    assert "abc.def-123" not in text and "xyz" not in text


def test_redact_leaves_card_numbers_and_dates_alone() -> None:
    assert redact("batch 2025 on 2024-12-25 card 6231522951084731025") == \
        "batch 2025 on 2024-12-25 card 6231522951084731025"


def test_log_file_never_holds_full_ids(tmp_path: Path) -> None:
    log_file = tmp_path / "logs" / "app.log"
    handler = setup_logging(log_file)
    try:
        log = logging.getLogger("test.privacy")
        log.info("imported %s with phone %s", ID, PHONE)
        try:
            raise ValueError(f"bad id {ID_X}")
        except ValueError:
            log.exception("failed on %s", ID)
        handler.flush()
        content = log_file.read_text(encoding="utf-8")
        assert "imported" in content and "ValueError" in content
        for secret in (ID, ID_X, PHONE):
            assert secret not in content
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()


def test_log_file_rotates_and_keeps_five(tmp_path: Path) -> None:
    log_file = tmp_path / "logs" / "app.log"
    handler = setup_logging(log_file)
    handler.max_bytes = 2_000  # type: ignore[attr-defined]
    try:
        log = logging.getLogger("test.rotation")
        for n in range(200):
            log.info("record %04d %s", n, "x" * 60)
        handler.flush()
        kept = sorted(p.name for p in log_file.parent.iterdir())
        assert kept == ["app.log", "app.log.1", "app.log.2", "app.log.3", "app.log.4", "app.log.5"]
        assert all(p.stat().st_size <= 2_000 for p in log_file.parent.iterdir())
        assert "record 0199" in log_file.read_text(encoding="utf-8")
        assert "record 0198" in (log_file.parent / "app.log.1").read_text(encoding="utf-8") \
            or "record 0198" in log_file.read_text(encoding="utf-8")
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()

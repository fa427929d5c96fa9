"""View tests never write into the real Downloads folder nor start the PC's PDF viewer."""
from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _notices_stay_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from app.views import submit_result

    folder = tmp_path / "notice-folder"
    folder.mkdir(exist_ok=True)
    monkeypatch.setattr(submit_result, "notice_folder", lambda: folder)
    monkeypatch.setattr(submit_result, "OPEN_FILES", False)
    return folder

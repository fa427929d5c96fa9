"""The wheel carries the bundled font and its licence, found through app.paths."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_ships_resources_and_entry_points(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True, timeout=300)
    wheel = next(tmp_path.glob("union_clerk-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        entry_points = next(zf.read(n).decode() for n in names if n.endswith("entry_points.txt"))
    assert "resources/fonts/wqy-microhei.ttc" in names
    assert "resources/fonts/LICENSE-wqy-microhei.txt" in names
    assert "app/rules/idcard.py" in names and "server/app.py" in names
    assert "union-clerk = app.main:main" in entry_points
    assert "union-clerk-cli = app.cli:main" in entry_points


def test_resource_path_in_a_frozen_build(monkeypatch, tmp_path: Path) -> None:
    from app import paths

    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert paths.resource_path("fonts", "wqy-microhei.ttc") == tmp_path / "resources" / "fonts" / "wqy-microhei.ttc"

"""Every screen a clerk meets — each page, wizard step and dialog of app.views.screens (the SS
pages, and each superior level's pages over a demo server, included), and Qt's own message box,
file dialog and text-field menu — walked on a 1366×768 screen at 100 % and at
150 % (QT_SCALE_FACTOR=1.5: 911×512 logical pixels) by tests/views/screen_walk.py (issue #13
items 1 and 4): no English word in any visible text, nothing cut, nothing outside its window, no
window larger than the screen. The PNGs land in build/screenshots/1366x768 and
build/screenshots/1366x768@150 to be looked at.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QMessageBox, QScrollArea, QVBoxLayout, QWidget

from app.views import screens
from tests.views import screen_walk

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "build" / "screenshots"
#: One laptop screen, 1366×768, for Qt's offscreen platform.
SCREEN = {"screens": [{"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 768, "logicalDpi": 96,
                       "logicalBaseDpi": 96, "dpr": 1}]}


@pytest.fixture(scope="module")
def walk_profile(tmp_path_factory) -> Path:
    """300 demo members, the demo campaign, a submitted batch, probable retirees, a card queue and
    sync conflicts (bench/soak.py builds it in a child process)."""
    path = tmp_path_factory.mktemp("walk") / "profile"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "soak.py"), "--profile", str(path), "--members", "300",
                           "--build-only"], capture_output=True, text=True, cwd=ROOT, timeout=600,
                          env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert done.returncode == 0, done.stderr[-2000:]
    return path


def _walk(profile: Path, tmp_path: Path, scale: str, shots: Path) -> dict[str, dict]:
    config = tmp_path / f"screen-{scale}.json"
    config.write_text(json.dumps(SCREEN), encoding="utf-8")
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}", QT_SCALE_FACTOR=scale)
    done = subprocess.run([sys.executable, "-m", "tests.views.screen_walk", str(profile), str(shots)],
                          capture_output=True, text=True, cwd=ROOT, timeout=900, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    reports = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return {r["screen"]: r for r in reports}


@pytest.fixture(scope="module")
def at_100(walk_profile: Path, tmp_path_factory) -> dict[str, dict]:
    return _walk(walk_profile, tmp_path_factory.mktemp("w100"), "1", SHOTS / "1366x768")


@pytest.fixture(scope="module")
def at_150(walk_profile: Path, tmp_path_factory) -> dict[str, dict]:
    return _walk(walk_profile, tmp_path_factory.mktemp("w150"), "1.5", SHOTS / "1366x768@150")


def test_every_screen_is_walked_and_photographed(at_100: dict[str, dict]) -> None:
    superior = {screen_walk.superior_name(level, name) for level in screen_walk.SUPERIOR_LEVELS
                for name in screens.names(level)}
    assert {"district.review_pending", "district.district_submit", "city.center_batches"} <= superior
    assert {"ss_enrollment", "card_enrollment"} <= set(screens.names())
    assert set(at_100) == {*screens.names(), *screen_walk.QT_OWN, *superior}
    assert all(Path(r["png"]).stat().st_size > 5_000 for r in at_100.values())


def test_no_screen_shows_english(at_100: dict[str, dict]) -> None:
    english = {name: r["english"] for name, r in at_100.items() if r["english"]}
    assert not english, json.dumps(english, ensure_ascii=False, indent=1)


@pytest.mark.parametrize("walk", ["at_100", "at_150"])
def test_every_screen_fits_a_1366x768_screen(request: pytest.FixtureRequest, walk: str) -> None:
    reports = request.getfixturevalue(walk)
    misfits = {name: r["misfits"] for name, r in reports.items() if r["misfits"]}
    assert not misfits, json.dumps(misfits, ensure_ascii=False, indent=1)


def test_the_walk_sees_english_and_clipping(qtbot) -> None:
    """The checks can fail: Qt's buttons without its translation are English, a label in a box too
    small for it is cut, and a page wider than its window scrolls sideways."""
    box = QMessageBox(QMessageBox.Icon.Question, "提交至上级审核", "确定提交吗？",
                      QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    box.show()
    assert any("OK" in found or "Cancel" in found for found in screen_walk.english(box))
    top = QWidget()
    qtbot.addWidget(top)
    label = QLabel("请在 Excel（或 WPS）中打开该文件，另存为 .xlsx 后再导入。")
    QVBoxLayout(top).addWidget(label)
    top.setFixedSize(120, 60)
    top.show()
    assert not screen_walk.english(top)
    assert any("needs" in m for m in screen_walk.misfits(top))
    # A page wider than its window scrolls sideways: its right part is out of sight.
    window = QWidget()
    qtbot.addWidget(window)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    wide = QWidget()
    wide.setMinimumWidth(900)
    scroll.setWidget(wide)
    QVBoxLayout(window).addWidget(scroll)
    window.setFixedSize(400, 300)
    window.show()
    assert any("scrolls sideways" in m for m in screen_walk.misfits(window))

"""The soak's short form (bench/soak.py has the long one): every page, wizard step and dialog of
the app opened, its lists scrolled end to end and sorted by every key, on a profile with a
submitted batch and probable retirees — no abort, no Qt warning — and `--page list` screenshots."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def soak_profile(tmp_path_factory) -> Path:
    """1,500 demo members, the demo campaign and a central batch, built in a child process (the
    profile fixture's database stays this process's own)."""
    path = tmp_path_factory.mktemp("soak") / "profile"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "soak.py"), "--profile", str(path),
                           "--members", "1500", "--build-only"], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return path


@pytest.mark.slow
def test_every_screen_twice_without_a_warning(soak_profile: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "soak.py"), "--profile", str(soak_profile),
                           "--members", "1500", "--rounds", "2"], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=1200)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "Qt warnings: 0" in done.stdout and "RSS curve" in done.stdout


@pytest.mark.slow
@pytest.mark.parametrize("name", ["members", "batch_detail", "enroll_retirement", "enroll_roster", "import_preview"])
def test_screenshot_of_a_screen(soak_profile: Path, tmp_path: Path, name: str) -> None:
    out = tmp_path / f"{name}.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-m", "app.main", "--profile", str(soak_profile), "--screenshot", str(out),
                           "--page", name], capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    noise = [line for line in done.stderr.splitlines() if line and "propagateSizeHints" not in line]
    assert not noise, noise
    assert out.stat().st_size > 10_000


def test_page_list_names_every_screen() -> None:
    done = subprocess.run([sys.executable, "-m", "app.main", "--page", "list"], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    names = done.stdout.split()
    assert done.returncode == 0 and {"workbench", "members", "batch_detail", "enroll_roster", "conflicts",
                                     "import_result"} <= set(names)

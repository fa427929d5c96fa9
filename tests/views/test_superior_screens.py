"""Every superior page by name (#15): `union-clerk --page list --role LEVEL` lists a level's screens,
`union-clerk --screenshot F --page NAME` reaches each of them (with `--demo --role LEVEL` signed in
to the demo server as that level's account), and each screen opens over a window of its level."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QDialog

from app.sync.client import ServerClient
from app.sync.superior import SuperiorApi
from app.views import screens
from app.views.roles import SUPERIOR_MENUS
from server.embedded import DEMO_LOGINS, DEMO_PASSWORD
from tests.views.test_superior_pages import _window, world  # noqa: F401 (a fixture)

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "build" / "screenshots"


def _union_clerk(*args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-m", "app.main", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=timeout)


def test_page_list_by_role() -> None:
    listed = {role: _union_clerk("--page", "list", "--role", role).stdout.split() for role in screens.LEVELS}
    for role, menu in SUPERIOR_MENUS.items():  # each level's menu pages, then the dialogs they open
        pages = [name for _group, items in menu for name, _label in items]
        assert listed[role] == pages + list(screens.SUPERIOR_DIALOGS.get(role, ())), role
    assert {"review_pending", "review_detail"} <= set(listed["secondary"])
    assert {"review_ready", "district_batches", "district_submit"} <= set(listed["district"])
    assert {"center_batches", "center_campaign"} <= set(listed["city"])
    assert {"members", "enroll_roster", "import_result"} <= set(listed["grassroots"])
    assert not {"review_pending", "center_campaign"} & set(listed["grassroots"])
    everything = _union_clerk("--page", "list").stdout.split()
    assert everything == list(dict.fromkeys(n for role in screens.LEVELS for n in listed[role]))


def test_a_superior_screenshot_from_the_demo_and_from_any_profile(tmp_path: Path) -> None:
    out = tmp_path / "center_campaign.png"
    done = _union_clerk("--demo", "--role", "city", "--screenshot", str(out), "--page", "center_campaign")
    assert done.returncode == 0, done.stderr[-2000:]
    assert out.stat().st_size > 20_000
    # No --role: the page's own level's window (a grassroots demo profile; offline, said on the page).
    out = tmp_path / "review_ready.png"
    done = _union_clerk("--demo", "--screenshot", str(out), "--page", "review_ready")
    assert done.returncode == 0, done.stderr[-2000:]
    assert out.stat().st_size > 10_000
    refused = _union_clerk("--demo", "--role", "city", "--screenshot", str(out), "--page", "members")
    assert refused.returncode == 2 and "--page list --role city" in refused.stderr


@pytest.mark.parametrize("level", ["secondary", "district", "city"])
def test_every_screen_of_a_level_opens(qtbot, world: dict[str, Any], bundled_font, level: str) -> None:  # noqa: F811
    client = ServerClient(world["url"])
    client.login(DEMO_LOGINS[level], DEMO_PASSWORD)
    api = SuperiorApi(client)
    window = _window(qtbot, world["profile"], level, api)
    window.load_now()
    window.show()
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name in screens.names(level):
        widget = screens.show(window, name)
        assert widget.isVisible(), name
        if name in screens.SUPERIOR_DIALOGS.get(level, ()):
            assert isinstance(widget, QDialog), name  # the demo world has batches to open
        else:
            banner = getattr(window.pages[name], "banner", None)  # online pages say offline / refusals there
            assert window.pages[name].isVisible() and (banner is None or banner.text() == ""), name
        assert widget.grab().save(str(SHOTS / f"screen-{level}-{name}.png"))
        screens.close_all(window)

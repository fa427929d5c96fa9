"""同步 → 设备管理 against a real server: the account's PCs listed (本机 marked), this PC not
revocable, another one stopped after the clerk confirms."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.paths import Profile
from app.sync import account
from app.sync.client import ServerClient
from app.views.devices_dialog import DevicesDialog
from tests.views.window_kit import demo_server, signed_in_window

from server.embedded import DEMO_CLERK, DEMO_PASSWORD

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


@pytest.fixture
def server_url(tmp_path: Path) -> Iterator[str]:
    with demo_server(tmp_path, members_per_union=5) as url:
        yield url


def _row(dialog: DevicesDialog, this_pc: bool) -> int:
    return next(n for n, d in enumerate(dialog.devices) if d["this_pc"] is this_pc)


def test_the_clerk_sees_her_pcs_and_stops_another(qtbot, server_url: str, profile: Profile, tmp_path: Path,
                                                   file_keyring, bundled_font) -> None:
    other = account.sign_in(server_url, DEMO_CLERK, DEMO_PASSWORD, profile_root=tmp_path / "other-pc")
    other_fp = other.engine.device_fingerprint
    signed = account.sign_in(server_url, DEMO_CLERK, DEMO_PASSWORD, profile_root=profile.root)
    window, _ = signed_in_window(qtbot, profile, signed)
    dialog = window.show_devices()
    assert isinstance(dialog, DevicesDialog)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2, timeout=10_000)
    assert "共 2 台电脑，使用中 2 台" in dialog.message.text()
    mine = _row(dialog, True)
    assert dialog.model.item(mine, 0).text().endswith("（本机）")
    dialog.table.selectRow(mine)
    assert not dialog.revoke_button.isEnabled() and "退出登录" in dialog.message.text()
    dialog.table.selectRow(_row(dialog, False))
    assert dialog.revoke_button.isEnabled() and "共 2 台电脑" in dialog.message.text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert dialog.grab().save(str(SHOTS / "devices_dialog.png"))

    dialog.confirmed_revoke(other_fp)
    qtbot.waitUntil(lambda: "使用中 1 台" in dialog.message.text(), timeout=10_000)
    assert dialog.model.item(_row(dialog, False), 2).text().startswith("已停用")
    client = ServerClient(server_url)
    client.login(DEMO_CLERK, DEMO_PASSWORD)
    assert {d["fingerprint"]: bool(d["revoked"]) for d in client.devices()}[other_fp] is True
    dialog.close()

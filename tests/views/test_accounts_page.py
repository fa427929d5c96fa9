"""账号管理 (issue #16) over a real demo server: in every superior menu; the district's page lists
the accounts below it (model/view, read on the I/O pool), resets a password (shown once; the clerk
is then refused until she sets her own), locks and unlocks, creates an account; offline is said;
the login dialog asks a reset clerk for a new password in Chinese. Screenshots at 1366×768 in
build/screenshots/."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.paths import Profile
from app.sync import account
from app.sync.account_admin import AccountAdminApi
from app.sync.client import ServerClient, ServerProblem
from app.sync.superior import SuperiorApi
from app.views import ops
from test_superior_pages import _window
from server.embedded import DEMO_PASSWORD, start_demo_server

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


@pytest.fixture(autouse=True)
def _drain_workers() -> Iterator[None]:
    yield
    ops.wait_all(5000)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[str]:
    url, stop = start_demo_server(tmp_path / "server.db", members_per_union=0)
    yield url
    stop()


def _superior(url: str, username: str) -> SuperiorApi:
    client = ServerClient(url)
    client.login(username, DEMO_PASSWORD)
    return SuperiorApi(client)


def _shot(widget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(SHOTS / name))


def _select(page, username: str) -> None:
    row = next(i for i, r in enumerate(page.model.rows) if r["username"] == username)
    page.table.selectRow(row)


def _state(page, username: str) -> str:
    return next(r["state_label"] for r in page.model.rows if r["username"] == username)


def test_district_manages_its_subordinate_accounts(qtbot, demo: str, profile: Profile, bundled_font) -> None:
    from app.views.account_dialogs import NewAccountDialog, PasswordOnceDialog

    window = _window(qtbot, profile, "district", _superior(demo, "district"))
    assert window._nav_items["accounts"].parent().text(0) == "账号管理"
    window.show_page("accounts")
    window.show()
    qtbot.waitExposed(window)
    page = window.pages["accounts"]
    page.refresh()
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=10_000)
    assert [r["username"] for r in page.model.rows] == ["secondary", "grassroots", "grassroots2"]
    assert page.count.text() == "共 3 个账号" and page.model.headerData(6, Qt.Orientation.Horizontal) == "状态"
    assert page.model.data(page.model.index(1, 3)) == "上海示范科技有限公司工会委员会"
    _shot(window, "district-accounts.png")

    _select(page, "grassroots")
    page.do_reset("grassroots")
    qtbot.waitUntil(lambda: page.findChild(PasswordOnceDialog) is not None, timeout=10_000)
    once = page.findChild(PasswordOnceDialog)
    generated = once.password.text()
    assert len(generated) >= 12 and "只显示这一次" in once.note.text()
    _shot(once, "district-accounts-password-once.png")
    once.accept()
    qtbot.waitUntil(lambda: _state(page, "grassroots") == "待本人修改密码", timeout=10_000)
    with pytest.raises(ServerProblem) as refused:
        ServerClient(demo).login("grassroots", generated)
    assert refused.value.problem == "password_change_required"

    page.do_lock(["grassroots2"], "人员调离")
    qtbot.waitUntil(lambda: _state(page, "grassroots2") == "已锁定", timeout=10_000)
    _shot(window, "district-accounts-locked.png")
    with pytest.raises(ServerProblem) as refused:
        ServerClient(demo).login("grassroots2", DEMO_PASSWORD)
    assert refused.value.problem == "account_disabled"
    page.do_unlock(["grassroots2"])
    qtbot.waitUntil(lambda: _state(page, "grassroots2") == "正常", timeout=10_000)
    ServerClient(demo).login("grassroots2", DEMO_PASSWORD)

    _select(page, "grassroots2")
    page.new_account()
    dialog = page.findChild(NewAccountDialog)
    qtbot.waitUntil(lambda: dialog.union.count() == 3, timeout=10_000)  # the secondary and its two unions
    assert dialog.union.currentData() == "81310101000000005X"  # the selected row's union
    dialog.username.setText("g2-helper")
    dialog.display_name.setText("张敏")
    _shot(dialog, "district-accounts-new.png")
    dialog.submit()
    qtbot.waitUntil(lambda: len(page.findChildren(PasswordOnceDialog)) >= 1 and any(
        d.isVisible() for d in page.findChildren(PasswordOnceDialog)), timeout=10_000)
    qtbot.waitUntil(lambda: page.model.rowCount() == 4, timeout=10_000)
    assert _state(page, "g2-helper") == "待本人修改密码"

    _select(page, "grassroots2")
    page.show_audit()
    audit = page.audit_dialog
    qtbot.waitUntil(lambda: audit.view.model.rowCount() >= 2, timeout=10_000)
    assert [audit.view.model.data(audit.view.model.index(i, 2)) for i in range(2)] == ["解除锁定", "锁定"]
    assert audit.view.model.data(audit.view.model.index(1, 3)) == "人员调离"
    _shot(audit, "district-accounts-audit.png")


def test_every_superior_menu_has_it_and_offline_is_said(qtbot, profile: Profile, bundled_font) -> None:
    for level in ("secondary", "district", "city"):
        window = _window(qtbot, profile, level, None)
        assert "accounts" in window._nav_items, level
    grassroots = _window(qtbot, profile, "grassroots", None)
    assert "accounts" not in grassroots._nav_items
    window = _window(qtbot, profile, "city", None)
    window.show_page("accounts")
    page = window.pages["accounts"]
    page.refresh()
    assert "需要连接服务器" in page.banner.text()


def test_the_login_dialog_asks_a_reset_clerk_for_a_new_password(qtbot, demo: str, profile: Profile,
                                                                file_keyring: Path, bundled_font) -> None:
    from app.views.login_dialog import LoginDialog

    admin = AccountAdminApi(_superior(demo, "secondary").client)
    generated = admin.reset_password("grassroots")["password"]
    dialog = LoginDialog(profile.root, server_url=demo, username="grassroots")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.password.setText(generated)
    dialog.try_login()
    qtbot.waitUntil(lambda: dialog.changing_password, timeout=20_000)
    assert dialog.new_password.isVisible() and "新密码" in dialog.error.text()
    dialog.resize(dialog.sizeHint())
    _shot(dialog, "login-must-change-password.png")
    dialog.new_password.setText("Clerk-own-heron-52")
    dialog.new_password2.setText("Clerk-own-heron-52")
    dialog.try_login()
    qtbot.waitUntil(lambda: dialog.signed_in is not None, timeout=20_000)
    assert dialog.signed_in.username == "grassroots"
    assert [r["state"] for r in admin.accounts(union="813101010000000041")["accounts"]] == ["active"]
    account.sign_out(profile.root)

"""批量转移 from the member list (SPEC §5.10), offscreen: the button follows the selection, the
dialog fills off the UI thread, refuses what it must say plainly (no target, no reason, not signed
in, the server's refusal), and against a real server moves the members — the next pull removes
them from this PC. A screenshot at 1366×768 is saved for looking at."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QMessageBox

from app.models import Member
from app.paths import Profile
from app.sync import account
from app.sync.engine import SyncReport
from app.views import ops
from app.views.member_list import MemberListPage
from app.views.transfer_dialog import TransferDialog
from server.embedded import DEMO_CLERK, DEMO_PASSWORD, start_demo_server

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
G2 = "81310101000000005X"


@pytest.fixture(autouse=True)
def _yes(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    yield
    ops.wait_all(10_000)


def _select(page: MemberListPage, rows: int) -> None:
    selection = page.table.selectionModel()
    for row in range(rows):
        selection.select(page.model.index(row, 0),
                         QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)


def test_the_button_and_what_the_dialog_refuses_offline(qtbot, demo_profile: Profile, bundled_font) -> None:
    page = MemberListPage(1, 2027, "clerk")
    qtbot.addWidget(page)
    page.load_now()
    assert not page.transfer_action.isEnabled()
    _select(page, 3)
    assert page.transfer_action.isEnabled()
    dialog = page.transfer_members()
    qtbot.waitUntil(lambda: dialog.ok_button.isEnabled(), timeout=5000)
    assert dialog.members.text().startswith("3 人：")
    dialog.submit()
    assert "组织代码" in dialog.error.text()
    dialog.target.setText(G2)
    dialog.submit()
    assert "转移原因" in dialog.error.text()
    dialog.reason.setText("调动")
    dialog.submit()  # this page's window has no signed-in server
    assert "需要联网" in dialog.error.text()

    window = page.window()
    window.resize(1366, 768)
    window.show()
    dialog.move(window.x() + 400, window.y() + 250)
    qtbot.waitExposed(dialog)
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert page.grab().save(str(SHOTS / "members-transfer-page.png"))
    assert dialog.grab().save(str(SHOTS / "members-transfer-dialog.png"))
    assert dialog.width() <= 1366 and dialog.height() <= 768


@pytest.fixture
def signed(tmp_path: Path, profile: Profile, file_keyring: Path) -> Iterator[account.SignedIn]:
    url, stop = start_demo_server(tmp_path / "server.db", members_per_union=10)
    signed = account.sign_in(url, DEMO_CLERK, DEMO_PASSWORD, profile_root=profile.root)
    signed.engine.sync()
    yield signed
    stop()


def test_the_dialog_moves_the_members_and_the_pull_removes_them(qtbot, signed: account.SignedIn) -> None:
    union = signed.engine.union_id
    chosen = [m.id for m in Member.select().where(Member.union == union).order_by(Member.id).limit(2)]
    numbers = [Member.get_by_id(i).id_number for i in chosen]

    dialog = TransferDialog(chosen, lambda: signed.engine.client)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.ok_button.isEnabled(), timeout=5000)
    dialog.target.setText("813101010000009999")
    dialog.reason.setText("调动")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.error.isVisibleTo(dialog), timeout=10_000)
    assert "组织代码" in dialog.error.text()  # the server's refusal, in words

    dialog.target.setText(G2.lower())
    with qtbot.waitSignal(dialog.transferred, timeout=10_000) as moved:
        dialog.submit()
    assert moved.args[0]["transferred"] == numbers and moved.args[0]["to_union"] == G2
    signed.engine.pull(SyncReport())
    assert not Member.select().where((Member.union == union) & Member.id_number.in_(numbers)).exists()

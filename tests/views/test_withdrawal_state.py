"""The clerk's PC keeps the state of its 申请撤销 from the server's feed (client schema v7), over a
real demo server whose card issuer waits an hour (a batch stays 制卡中): after a sync 办卡批次管理
shows 撤销审核中 with 申请撤销 off, the workbench counts it; a refusal shows 不同意撤销 with the
district's reason and raises the notice over the pages until opened; an approval shows 已撤销 and
the members may be applied for again. Screenshot of 办卡批次管理 with the notice at 1366×768."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app import protocol
from app.models import Member
from app.models.tables import CardBatch
from app.paths import Profile
from app.services import batch_watch, cards, todo
from app.sync.client import ServerClient
from app.sync.engine import SyncEngine, link_union
from app.sync.superior import SuperiorApi
from app.sync.withdrawals import WithdrawalApi
from app.views import ops
from server.embedded import DEMO_PASSWORD, start_demo_server
from server.settings import Settings
from test_superior_pages import SHOTS
from test_withdrawal_pages import _applicants, _card_batch, _server_batch
from tests.views import screen_walk

PLAN_YEAR = 2026
REFUSAL = "已提交制卡机构，无法撤销"


@pytest.fixture(autouse=True)
def _drain_workers() -> Iterator[None]:
    yield
    ops.wait_all(5000)


@pytest.fixture
def world(tmp_path: Path, profile: Profile) -> Iterator[dict[str, Any]]:
    """A signed-in clerk's PC (its sync engine) with two card batches made on the server, and the district."""
    url, stop = start_demo_server(tmp_path / "server.db", members_per_union=40,
                                  settings=Settings(card_issue_delay_seconds=3600))
    clerk = ServerClient(url)
    clerk.login("grassroots", DEMO_PASSWORD)
    me = clerk.me()
    union_id = link_union(me["union"], me["enterprises"])
    key = protocol.generate_device_key()
    fingerprint = clerk.register_device(protocol.public_key_b64(key))["fingerprint"]
    engine = SyncEngine(clerk, union_id=union_id, org_code=me["union"]["org_code"], device_key=key,
                        device_fingerprint=fingerprint, actor="grassroots")
    numbers = _applicants(4)
    batches = [_card_batch(clerk, key, fingerprint, numbers[:2]), _card_batch(clerk, key, fingerprint, numbers[2:])]
    district = ServerClient(url)
    district.login("district", DEMO_PASSWORD)
    engine.sync()
    yield {"engine": engine, "clerk": clerk, "union_id": union_id, "district": WithdrawalApi(district),
           "batches": batches, "numbers": numbers, "profile": profile}
    stop()


def _row(union_id: int, batch_no: str) -> cards.CardBatchRow:
    return next(r for r in cards.card_batches(union_id) if r.batch_no == batch_no)


def _figure(union_id: int, key: str) -> int:
    return next(i.count for i in todo.todo(union_id, PLAN_YEAR, date.today()).items if i.key == key)


def test_the_pc_keeps_the_request_refusal_and_approval(world: dict[str, Any]) -> None:
    union_id, engine = world["union_id"], world["engine"]
    first, second = world["batches"]
    assert {_row(union_id, b).withdrawal for b in (first, second)} == {""}  # made elsewhere, pulled, never asked
    WithdrawalApi(world["clerk"]).request(first, "照片未采集")
    engine.sync()
    asked = _row(union_id, first)
    assert (asked.status_label, asked.withdrawal_label) == ("制卡中", "撤销审核中")
    assert "照片未采集" in asked.withdrawal_text and _figure(union_id, "withdrawal_pending") == 1
    assert batch_watch.unseen_withdrawal_refusals(union_id) == []

    WithdrawalApi(world["clerk"]).request(second, "人员填错")
    ids = {w["batch_no"]: w["id"] for w in world["district"].listing()["withdrawals"]}
    world["district"].refuse(ids[second], REFUSAL)
    world["district"].approve(ids[first])
    engine.sync()

    refused = _row(union_id, second)
    assert (refused.withdrawal_label, refused.withdrawal_answer) == ("不同意撤销", REFUSAL)
    assert REFUSAL in refused.withdrawal_text
    assert batch_watch.unseen_withdrawal_refusals(union_id) == [(second, REFUSAL)]
    assert _server_batch(first) == ("withdrawn", {"none"}) and _server_batch(second)[0] != "withdrawn"
    approved = _row(union_id, first)
    assert (approved.status_label, approved.withdrawal_label) == ("已撤销", "已撤销")
    assert _figure(union_id, "withdrawal_pending") == 0
    # The approved batch's members are free on this PC too: card_status back to none, queued again.
    members = list(Member.select().where(Member.id_number.in_(world["numbers"][:2])))
    assert {m.card_status for m in members} == {"none"}
    again = cards.add_to_queue(union_id, [m.id for m in members], actor="grassroots", today=date.today())
    assert (again.added, again.refused) == (2, ())

    batch_watch.mark_withdrawals_seen([second])
    engine.sync()  # the same state again raises no notice
    assert batch_watch.unseen_withdrawal_refusals(union_id) == []
    assert CardBatch.get(CardBatch.batch_no == second).withdrawal_seen


def test_batches_page_and_notice(qtbot, world: dict[str, Any], bundled_font) -> None:
    from app.views.main_window import MainWindow

    union_id, engine = world["union_id"], world["engine"]
    first, second = world["batches"]
    window = MainWindow(profile=world["profile"], union_id=union_id, union_name="上海示范科技有限公司工会委员会",
                        plan_year=PLAN_YEAR, actor="grassroots", remember_geometry=False, level="grassroots",
                        superior_api=lambda: SuperiorApi(world["clerk"]))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show_page("card_batches")
    window.show()
    qtbot.waitExposed(window)
    page = window.pages["card_batches"]
    page.refresh()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2 and page.withdraw_button.isEnabled(), timeout=10_000)

    # 申请撤销 from the page: at once the row says 撤销审核中 and the button is off.
    rows = {page.model.row_at(r).batch_no: r for r in range(2)}
    page.table.selectRow(rows[second])
    page.ask_withdrawal(reason="人员填错")
    qtbot.waitUntil(lambda: _row(union_id, second).withdrawal == "pending", timeout=10_000)
    qtbot.waitUntil(lambda: page.model.data(page.model.index(rows[second], 5)) == "撤销审核中", timeout=10_000)
    assert "已申请撤销批次" in page.members_title.text()
    assert not page.withdraw_button.isEnabled()
    page.table.selectRow(rows[first])
    qtbot.waitUntil(lambda: page.withdraw_button.isEnabled(), timeout=10_000)
    page.table.selectRow(rows[second])
    qtbot.waitUntil(lambda: "撤销审核中（撤销原因：人员填错）" in page.members_title.text(), timeout=10_000)
    assert not page.withdraw_button.isEnabled()
    qtbot.wait(200)
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(SHOTS / "card-batches-withdrawal-pending.png"))

    ids = {w["batch_no"]: w["id"] for w in world["district"].listing()["withdrawals"]}
    world["district"].refuse(ids[second], REFUSAL)
    window._after_sync(engine.sync())
    banner = window.returned_banner
    qtbot.waitUntil(lambda: banner.isVisible() and REFUSAL in banner.text.text(), timeout=10_000)
    assert second in banner.text.text() and "不同意" in banner.text.text()
    qtbot.waitUntil(lambda: page.model.data(page.model.index(rows[second], 5)) == "不同意撤销", timeout=10_000)
    tip = page.model.data(page.model.index(rows[second], 5), 3)  # Qt.ToolTipRole
    assert tip is not None and REFUSAL in tip
    page.table.selectRow(rows[second])
    qtbot.waitUntil(lambda: REFUSAL in page.members_title.text(), timeout=10_000)
    qtbot.wait(300)
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(SHOTS / "card-batches-withdrawal-refused.png"))
    assert screen_walk.english(window) == []
    metrics = page.table.fontMetrics()  # the column holds its longest word (the walk's cell margins)
    assert page.table.columnWidth(5) >= max(metrics.horizontalAdvance(w) for w in ("撤销审核中", "不同意撤销")) + 6

    # 查看并处理: the notice goes (for good: the profile remembers) and 办卡批次管理 is shown.
    window.show_page("workbench")
    banner.open()
    ops.wait_all(5000)
    assert not banner.isVisible() and window.stack.currentWidget() is page
    assert batch_watch.unseen_withdrawal_refusals(union_id) == []
    banner.refresh()
    ops.wait_all(5000)
    assert not banner.isVisible()

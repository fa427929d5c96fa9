"""撤销办卡批次审核 (the district's page) and 申请撤销 (办卡批次管理) over a real demo server whose
card issuer waits an hour, so a batch stays 制卡中: the request made from the clerk's page, the
district's 同意撤销 and 不同意 with their effect on the server; screenshots at 1366×768."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app import protocol
from app.paths import Profile
from app.sync import cards as card_sync
from app.sync.client import ServerClient
from app.sync.superior import SuperiorApi
from app.sync.withdrawals import WithdrawalApi
from app.views import ops
from app.views.card_batches import CardBatchesPage
from server.embedded import DEMO_PASSWORD, start_demo_server
from server.settings import Settings
from test_superior_pages import SHOTS, _show, _window


@pytest.fixture(autouse=True)
def _drain_workers() -> Iterator[None]:
    yield
    ops.wait_all(5000)


def _applicants(n: int) -> list[str]:
    """Members of the first demo union whom the server would give a card now."""
    from server.campaigns import shanghai_today
    from server.cards import check_application
    from server.db import session
    from server.models import Member, Union
    from server.settings import ServerContext

    with session():
        union = Union.get(Union.org_code == "813101010000000041")
        today = shanghai_today(ServerContext())
        rows = Member.select().where((Member.union == union) & (Member.card_status == "none")).order_by(Member.id)
        return [m.id_number for m in rows if not check_application(m, today)][:n]


def _card_batch(client: ServerClient, key: Any, fingerprint: str, numbers: list[str]) -> str:
    payload = {"union": "813101010000000041", "batch_no": f"BK{uuid.uuid4().hex[:10]}",
               "members": [{"id_number": n, "name": ""} for n in numbers]}
    record = {"key": str(uuid.uuid4()), "kind": "card_batch", "payload": payload,
              "signature": protocol.sign(key, payload)}
    [result] = client.push(fingerprint, [record])
    assert result["status"] == "ok", result
    return str(payload["batch_no"])


@pytest.fixture
def cards_world(tmp_path: Path) -> Iterator[dict[str, Any]]:
    url, stop = start_demo_server(tmp_path / "server.db", members_per_union=40, samples=False,
                                  settings=Settings(card_issue_delay_seconds=3600))
    clerk = ServerClient(url)
    clerk.login("grassroots", DEMO_PASSWORD)
    key = protocol.generate_device_key()
    fingerprint = clerk.register_device(protocol.public_key_b64(key))["fingerprint"]
    numbers = _applicants(4)
    batches = [_card_batch(clerk, key, fingerprint, numbers[:2]), _card_batch(clerk, key, fingerprint, numbers[2:])]
    district = ServerClient(url)
    district.login("district", DEMO_PASSWORD)
    yield {"clerk": clerk, "district": SuperiorApi(district), "batches": batches, "numbers": numbers}
    stop()


def _server_batch(batch_no: str) -> tuple[str, set[str]]:
    from server.db import session
    from server.models import CardBatch, CardBatchMember, Member

    with session():
        batch = CardBatch.get(CardBatch.batch_no == batch_no)
        numbers = [m.id_number for m in CardBatchMember.select().where(CardBatchMember.batch == batch)]
        return batch.status, {m.card_status for m in Member.select().where(Member.id_number.in_(numbers))}


def test_clerk_asks_from_the_batches_page(qtbot, demo_profile: Profile, cards_world: dict[str, Any],
                                          bundled_font) -> None:
    batch = cards_world["batches"][0]
    card_sync.apply_card_batches(1, [{"batch_no": batch, "status": "issuing", "issued": 0, "refused": 0,
                                      "members": [{"id_number": n, "outcome": "pending"}
                                                  for n in cards_world["numbers"][:2]]}])
    page = CardBatchesPage(1, 2026, "clerk", api=lambda: SuperiorApi(cards_world["clerk"]))
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.load_now()
    qtbot.waitUntil(lambda: page.withdraw_button.isEnabled(), timeout=10_000)
    page.ask_withdrawal(reason="照片未采集，申请撤销")
    qtbot.waitUntil(lambda: "已申请撤销批次" in page.members_title.text(), timeout=10_000)
    [asked] = WithdrawalApi(cards_world["clerk"]).listing("")["withdrawals"]
    assert (asked["batch_no"], asked["status"], asked["reason"]) == (batch, "pending", "照片未采集，申请撤销")
    page.ask_withdrawal(reason="再次申请")  # refused by the server, said on the page
    qtbot.waitUntil(lambda: "该批次已申请撤销，正在等待区局(产业)工会审核" in page.members_title.text(), timeout=10_000)
    offline = CardBatchesPage(1, 2026, "clerk", api=None)  # not signed in: no button to press
    qtbot.addWidget(offline)
    offline.load_now()
    assert not offline.withdraw_button.isEnabled()


def test_district_review_page_approves_and_refuses(qtbot, profile: Profile, cards_world: dict[str, Any],
                                                   bundled_font) -> None:
    first, second = cards_world["batches"]
    clerk = WithdrawalApi(cards_world["clerk"])
    clerk.request(first, "照片未采集")
    clerk.request(second, "人员填错")
    window = _window(qtbot, profile, "district", cards_world["district"])
    assert window._nav_items["withdrawal_review"].parent().text(0) == "会员服务卡管理系统"
    page = _show(qtbot, window, "withdrawal_review")
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=10_000)
    assert page.model.data(page.model.index(0, 0)) == first
    assert page.model.data(page.model.index(0, 1)) == "上海示范科技有限公司工会委员会"
    assert page.model.data(page.model.index(0, 5)) == "撤销审核中"
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(SHOTS / "district-withdrawal-review.png"))
    page.table.selectRow(0)
    page.approve_selected(confirmed=True)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10_000)
    assert _server_batch(first) == ("withdrawn", {"none"})
    page.table.selectRow(0)
    page.refuse_selected("已提交制卡机构")
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=10_000)
    qtbot.waitUntil(lambda: _server_batch(second) == ("done", {"issued"}), timeout=10_000)  # made at once
    page.status.setCurrentIndex(1)  # 全部
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=10_000)
    texts = {page.model.data(page.model.index(r, 5)) for r in range(2)}
    assert texts == {"已同意撤销", "未同意撤销"}
    qtbot.wait(200)
    assert window.grab().save(str(SHOTS / "district-withdrawal-review-all.png"))

"""The app by role (SPEC §5.10): a district's and a center's menus and pages over a real demo
server — 待审批 (model/view, 添加至待提交), 待提交 with the totals line and the window, 参保批次管理,
缴费凭证审核 — offline said plainly; screenshots at 1366×768 in build/screenshots/."""
from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from app import protocol
from app.paths import Profile
from app.rules.eligibility import ineligible_reason
from app.sync import account
from app.sync.client import ServerClient
from app.sync.superior import SuperiorApi
from app.views import ops
from app.views.wrapping import plain
from server.demo import demo_notice_pdf, demo_submission
from server.embedded import DEMO_PASSWORD, start_demo_server

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
QUERIES = ("query_enrollment", "query_coverage", "query_payouts")  # 信息查询 (tests/views/test_query_pages.py)
FIELDS = ("life_status", "retired_on", "insurance_status", "card_no", "id_type", "ss_card_status",
          "employment_status", "category")


@pytest.fixture(autouse=True)
def _drain_workers() -> Iterator[None]:
    yield
    ops.wait_all(5000)


def _eligible(org_code: str, plan_year: int, n: int) -> list[str]:
    from server.db import session
    from server.models import Member, Union

    with session():
        union = Union.get(Union.org_code == org_code)
        rows = Member.select().where(Member.union == union).order_by(Member.id)
        return [m.id_number for m in rows
                if ineligible_reason({f: getattr(m, f) for f in FIELDS}, channel="card", plan_year=plan_year) is None][:n]


def _shown(numbers: list[str]) -> dict[str, tuple[str, str | None]]:
    """Each member's name and card number, as a client's roster carries them."""
    from server.db import session
    from server.models import Member

    with session():
        return {m.id_number: (m.name or "", m.card_no) for m in Member.select().where(Member.id_number.in_(numbers))}


def _submit_as(url: str, username: str, n: int) -> str:
    client = ServerClient(url)
    client.login(username, DEMO_PASSWORD)
    key = protocol.generate_device_key()
    fingerprint = client.register_device(protocol.public_key_b64(key))["fingerprint"]
    me = client.me()
    year = client.campaign()["plan_year"]
    pdf = demo_notice_pdf("告知书")
    numbers = _eligible(me["union"]["org_code"], year, n)
    payload = demo_submission(me["union"]["org_code"], year, numbers, pdf, nonce=secrets.token_hex(16),
                              timestamp=protocol.format_timestamp(client.server_time()), shown=_shown(numbers))
    record = protocol.PushRecord.signed(str(uuid.uuid4()), protocol.RecordKind.SUBMISSION, payload.to_wire(), key, pdf)
    [result] = client.push(fingerprint, [record.to_wire()])
    assert result["status"] == "ok", result
    return payload.batch_no


@pytest.fixture
def world(tmp_path: Path, profile: Profile, file_keyring: Path) -> Iterator[dict[str, Any]]:
    url, stop = start_demo_server(tmp_path / "server.db", members_per_union=40, samples=False)  # counted here
    batches = [_submit_as(url, "grassroots", 5), _submit_as(url, "grassroots2", 3)]
    signed = account.sign_in(url, "district", DEMO_PASSWORD, profile_root=profile.root)
    yield {"url": url, "batches": batches, "api": SuperiorApi(signed.engine.client), "profile": profile}
    stop()


def _window(qtbot, profile: Profile, level: str, api: Any):
    from app.views.main_window import MainWindow

    window = MainWindow(profile=profile, union_id=1, union_name="上海市黄浦区总工会", plan_year=2026, actor="district",
                        remember_geometry=False, level=level, superior_api=lambda: api)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    return window


def _show(qtbot, window, name: str, shot: str | None = None) -> Any:
    window.show_page(name)
    window.show()
    qtbot.waitExposed(window)
    page = window.pages[name]
    page.refresh()
    ops.wait_all(10_000)
    qtbot.wait(300)
    if shot:
        SHOTS.mkdir(parents=True, exist_ok=True)
        assert window.grab().save(str(SHOTS / shot))
    return page


def test_district_menu_review_and_ready_pages(qtbot, world: dict[str, Any], bundled_font) -> None:
    window = _window(qtbot, world["profile"], "district", world["api"])
    assert set(window._nav_items) == {"workbench", "review_pending", "review_ready", "district_batches",
                                       "fees", "monitor", "accounts", "withdrawal_review", "instant_review", *QUERIES}
    assert window._nav_items["review_pending"].parent().text(0) == "集中参保审核"
    pending = _show(qtbot, window, "review_pending", "district-review-pending.png")
    assert pending.model.rowCount() == 2 and pending.banner.text() == ""
    assert pending.model.data(pending.model.index(0, 0)) == "上海示范科技有限公司工会委员会"
    heads = [pending.model.headerData(c, Qt.Orientation.Horizontal) for c in range(pending.model.columnCount())]
    assert heads == ["单位名称", "保障类型", "参保人数", "类型", "保障费用", "审核标识", "提交时间"]
    assert pending.table.horizontalScrollBar().maximum() == 0  # nothing out of sight at 1366×768
    pending.table.selectRow(0)  # the batch number and the parent union: in the detail under the table
    assert pending.model.rows[0]["batch_no"] in pending.detail.text()
    assert "上级工会：上海市黄浦区南京东路街道总工会" in pending.detail.text()
    assert "保障类型：A类会员专享基本保障" in pending.detail.text() and "参保方式：集中参保" in pending.detail.text()
    pending.name.setText("联合工会")
    pending.refresh()
    qtbot.waitUntil(lambda: pending.model.rowCount() == 1, timeout=10_000)
    pending.name.setText("")
    pending.refresh()
    qtbot.waitUntil(lambda: pending.model.rowCount() == 2, timeout=10_000)
    pending.table.selectAll()
    pending.approve_selected()
    qtbot.waitUntil(lambda: pending.model.rowCount() == 0, timeout=10_000)
    ready = _show(qtbot, window, "review_ready", "district-review-ready.png")
    assert ready.model.rowCount() == 2
    assert plain(ready.totals.text()).startswith("合计参保人数：8人(会员卡参保人数8人，社保卡参保人数0人)。保障费用：208元；")
    assert "以服务器时间为准" in plain(ready.totals.text()) and ready.submit_button.isEnabled()
    _show(qtbot, window, "district_batches", "district-batches.png")
    bench = _show(qtbot, window, "workbench", "district-workbench.png")
    qtbot.waitUntil(lambda: "会员数" in plain(bench.figures.text()), timeout=10_000)  # in service, both unions
    assert "基层工会组织数 2" in plain(bench.figures.text()) and "覆盖企业数 4" in plain(bench.figures.text())


def test_batch_detail_dialog_shows_masked_roster_and_signature(qtbot, world: dict[str, Any], bundled_font) -> None:
    from app.views.superior_dialogs import BatchDetailDialog

    window = _window(qtbot, world["profile"], "district", world["api"])
    dialog = BatchDetailDialog(lambda: world["api"], world["batches"][0], world["profile"].documents, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 5, timeout=10_000)
    assert dialog.model.rowCount() == 5
    assert "****" in dialog.model.data(dialog.model.index(0, 1))
    # The card number masked as everywhere else ("6231 **** 0624"), the name shown.
    assert dialog.model.data(dialog.model.index(0, 0)) and " **** " in dialog.model.data(dialog.model.index(0, 2))
    assert dialog.signature.text().startswith("签名校验：通过")
    # The summary in two lines of whole fields, neither wider than the dialog's label.
    lines = dialog.summary.text().splitlines()
    assert len(lines) == 2 and lines[0].endswith(f"批次 {world['batches'][0]}") and "保障费用" in lines[1]
    assert all(dialog.summary.fontMetrics().horizontalAdvance(line) <= dialog.summary.contentsRect().width()
               for line in lines)
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert dialog.grab().save(str(SHOTS / "district-batch-detail.png"))


def test_center_menu_and_offline_is_said(qtbot, world: dict[str, Any], bundled_font) -> None:
    window = _window(qtbot, world["profile"], "city", None)
    assert set(window._nav_items) == {"workbench", "center_batches", "center_campaign", "fees", "monitor",
                                       "accounts", *QUERIES}
    page = _show(qtbot, window, "center_batches", "center-batches-offline.png")
    assert "需要连接服务器" in page.banner.text() and "不会丢失" in page.banner.text()
    secondary = _window(qtbot, world["profile"], "secondary", None)
    assert set(secondary._nav_items) == {"workbench", "review_pending", "accounts", *QUERIES}
    grassroots = _window(qtbot, world["profile"], "grassroots", None)
    assert "review_pending" not in grassroots._nav_items and "card_queue" in grassroots._nav_items



def test_center_campaign_page_online_and_from_the_cache(qtbot, world: dict[str, Any], bundled_font) -> None:
    """参保活动配置: the center reads the campaign the server serves — plan types with fee and split,
    every window, the bank account — and offline the copy this PC cached, said so."""
    from app.services import campaign
    from app.views.campaign_page import OFFLINE_NOTE

    client = ServerClient(world["url"])
    client.login("center", DEMO_PASSWORD)
    window = _window(qtbot, world["profile"], "city", SuperiorApi(client))
    assert window._nav_items["center_campaign"].parent().text(0) == "职保中心"
    page = _show(qtbot, window, "center_campaign")
    qtbot.waitUntil(lambda: page.plans.rowCount() == 4, timeout=10_000)
    config = client.campaign()
    assert page.banner.text() == "" and page.config is not None

    def same(a: dict[str, Any], b: dict[str, Any]) -> bool:  # the server stamps each answer with its time
        return {k: v for k, v in a.items() if k != "server_time"} == {k: v for k, v in b.items() if k != "server_time"}

    assert same(page.config, config)
    assert [page.plans.data(page.plans.index(r, 0)) for r in range(4)] == [
        "A类会员专享基本保障", "B类会员专享基本保障", "A+类会员专享基本保障", "B+类会员专享基本保障"]
    assert [page.plans.data(page.plans.index(0, c)) for c in range(1, 5)] == ["26.00", "13.00", "13.00", "0.00"]
    whats = [page.windows.data(page.windows.index(r, 0)) for r in range(page.windows.rowCount())]
    assert whats == ["区局调整费用分担", "基层工会集中参保办理与缴费", "区局提交至职保中心", "区局缴费凭证确认截止", "保障期间"]
    assert page.windows.data(page.windows.index(2, 2)) == config["windows"]["submission_window"]["end"]
    facts = " ".join(w.text() for w in page.findChildren(QLabel))
    assert "上海银行人民广场支行" in facts and "316023-03002745697" in facts and "关联企业类" in facts
    assert f"{config['plan_year']}年（第1版" in facts
    qtbot.wait(200)
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(SHOTS / "center-campaign.png"))

    campaign.cache_campaign(config)  # what the PC's last sync kept
    offline = _window(qtbot, world["profile"], "city", None)
    page = _show(qtbot, offline, "center_campaign", "center-campaign-offline.png")
    qtbot.waitUntil(lambda: page.plans.rowCount() == 4, timeout=10_000)
    assert page.banner.text() == OFFLINE_NOTE and page.config == config

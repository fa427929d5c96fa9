"""Member cards end to end against a real server (issue 5's acceptance), through the pages:

queue members from the member list → a local failure shown with its reason → the expiry corrected
in 修改证件到期日 (audited) → the server's verification through sync → 提交办卡 refused while anyone
is unverified or failed, then a batch submitted (offline first: queued and said so) → cards issued
by the server's card issuer → the card numbers in 卡片信息管理, the member list and 办卡批次管理.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.models import AuditEntry, Member
from app.models.tables import CardBatch, CardQueue
from app.paths import Profile
from app.protocol import generate_device_key, public_key_b64
from app.rules.codes import CardStatus, Category, IdType, LifeStatus
from app.services import cards
from app.services import members as member_service
from app.sync.client import ServerClient
from app.sync.engine import SyncEngine, link_union
from app.views import ops
from app.views.wrapping import plain
from app.views.card_batches import CardBatchesPage
from app.views.card_expiry_dialog import CardExpiryDialog
from app.views.card_info import CardInfoPage
from app.views.card_queue import CardQueuePage
from app.views.member_list import MemberListPage
from app.views.member_table import COLUMNS as MEMBER_COLUMNS
from server.embedded import DEMO_CLERK, DEMO_PASSWORD, start_demo_server

TODAY = date.today()
PLAN_YEAR = TODAY.year + 1


@pytest.fixture
def server_url(tmp_path: Path) -> Iterator[str]:
    from server.settings import Settings

    url, stop = start_demo_server(tmp_path / "server.db", members_per_union=60,
                                  settings=Settings(worker_poll_seconds=0.05))
    yield url
    stop()


@pytest.fixture
def engine(server_url: str, profile: Profile) -> SyncEngine:
    client = ServerClient(server_url)
    client.login(DEMO_CLERK, DEMO_PASSWORD)
    me = client.me()
    union_id = link_union(me["union"], me["enterprises"])
    key = generate_device_key()
    device = client.register_device(public_key_b64(key), "办公室电脑")
    return SyncEngine(client, union_id=union_id, org_code=me["union"]["org_code"], device_key=key,
                      device_fingerprint=device["fingerprint"], actor=DEMO_CLERK)


@pytest.fixture(autouse=True)
def _drain_workers():
    yield
    ops.wait_all(5000)


def sync_until(engine: SyncEngine, done: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        engine.sync()
        if done():
            return
        assert time.monotonic() < deadline, "the server did not answer in time"
        time.sleep(0.1)


def server_record(url: str, id_number: str) -> dict:
    """The member as another PC of the union would pull it now."""
    client = ServerClient(url)
    client.login(DEMO_CLERK, DEMO_PASSWORD)
    latest: dict = {}
    since = 0
    while True:
        page = client.changes(since)
        for change in page["changes"]:
            if change["entity"] == "member" and change["key"] == id_number:
                latest = change["data"]
        since = page["next"]
        if not page["more"]:
            return latest


def test_queue_verify_correct_submit_issue(qtbot, engine: SyncEngine, server_url: str, bundled_font) -> None:
    engine.sync()
    union_id = engine.union_id
    applicants = list(Member.select().where((Member.card_status == CardStatus.NONE)
                                            & (Member.category == Category.LINKED_ENTERPRISE)
                                            & (Member.life_status == LifeStatus.IN_SERVICE)
                                            & (Member.id_type == IdType.MAINLAND)).order_by(Member.id))
    applicants = [m for m in applicants
                  if cards.check_member(Member.select().where(Member.id == m.id).dicts().get(), TODAY).result == "passed"]
    assert len(applicants) >= 4
    applicants = applicants[:4]
    ids = {m.id for m in applicants}
    # The ID of one was recorded with an expiry already past (as an import might have brought it).
    expired = applicants[0]
    past = (TODAY - timedelta(days=40)).isoformat()
    member_service.update_member(expired.id, {"id_expiry": past}, actor=DEMO_CLERK, plan_year=PLAN_YEAR, today=TODAY)
    engine.sync()

    # 加入待办 from the member list (several selected at once).
    members_page = MemberListPage(union_id, PLAN_YEAR, DEMO_CLERK)
    qtbot.addWidget(members_page)
    members_page.load_now()
    selection = members_page.table.selectionModel()
    for row in range(members_page.model.rowCount()):
        index = members_page.model.index(row, 0)
        if members_page.model.data(index, Qt.ItemDataRole.UserRole) in ids:
            selection.select(index, selection.SelectionFlag.Select | selection.SelectionFlag.Rows)
    members_page.queue_button.click()
    qtbot.waitUntil(lambda: CardQueue.select().count() == 4, timeout=5000)

    # The queue shows the local failure with its reason; 提交办卡 refuses and says which.
    queue = CardQueuePage(union_id, PLAN_YEAR, DEMO_CLERK)
    qtbot.addWidget(queue)
    queue.resize(1280, 760)
    queue.load_now()
    assert plain(queue.summary.text()).startswith("待办会员共：4人；校验通过：0人；未通过：1人。")
    row = next(r for r in range(queue.model.rowCount()) if queue.model.row_at(r).member_id == expired.id)
    failed = queue.model.row_at(row)
    assert failed.result_label == "未通过" and f"身份证已于{past}过期" in failed.note
    assert not queue.submit_button.isEnabled()
    assert queue.submit_button.text() == "提交办卡（1人未通过，3人未校验）"
    assert expired.name in plain(queue.blocking.text())

    # 修改证件到期日: the correction is validated, audited and marked for the sync.
    dialog = queue.edit_expiry(row)
    assert isinstance(dialog, CardExpiryDialog)
    corrected = date(TODAY.year + 8, 3, 1)
    dialog.expiry.setText(f"{corrected.year}/{corrected.month}/{corrected.day}")
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        dialog.save_button.click()
    audit = AuditEntry.get((AuditEntry.member == expired.id) & (AuditEntry.field == "id_expiry")
                           & (AuditEntry.new_value == corrected.isoformat()))
    assert audit.old_value == past and audit.actor == DEMO_CLERK
    assert Member.get_by_id(expired.id).sync_state == "to_send"
    queue.load_now()
    assert plain(queue.summary.text()).startswith("待办会员共：4人；校验通过：0人；未通过：0人。")
    assert queue.submit_button.text() == "提交办卡（4人未校验）" and not queue.submit_button.isEnabled()

    # The server verifies (after it has the corrected expiry: one sync sends both, in that order).
    sync_until(engine, lambda: cards.queue_summary(union_id).passed == 4)
    assert server_record(server_url, expired.id_number)["id_expiry"] == corrected.isoformat()
    queue.load_now()
    assert plain(queue.summary.text()).startswith("待办会员共：4人；校验通过：4人；未通过：0人。")
    assert queue.submit_button.isEnabled() and queue.submit_button.text() == "提交办卡"

    # 提交办卡 with no sync running: the batch waits in the outbox, and the page says so.
    queue.confirm = lambda text: True  # type: ignore[method-assign]
    queue.submit()
    qtbot.waitUntil(lambda: "当前离线" in plain(queue.notice.text()), timeout=5000)
    batch_no = CardBatch.get().batch_no
    assert batch_no in plain(queue.notice.text()) and CardBatch.get().status == "queued"
    assert CardQueue.select().count() == 0

    # The next sync sends it; the server's card issuer makes the cards; they come down.
    sync_until(engine, lambda: CardBatch.get().status == "done")
    batch = CardBatch.get()
    assert (batch.issued_count, batch.refused_count) == (4, 0)
    issued = {m.id: m.card_no for m in Member.select().where(Member.id.in_(list(ids)))}
    assert all(c and c.startswith("6231") and len(c) == 19 for c in issued.values())
    assert {Member.get_by_id(i).card_status for i in ids} == {"issued"}

    # 卡片信息管理 shows them (masked), as does the member list, and 办卡批次管理 the batch.
    info = CardInfoPage(union_id, PLAN_YEAR, DEMO_CLERK)
    qtbot.addWidget(info)
    info.load_now()
    shown = {}
    for r in range(info.model.rowCount()):
        member_row = info.model.row_at(r)
        if member_row.id in ids:
            shown[member_row.id] = (member_row.card_no, member_row.card_status)
    assert shown == {i: (f"6231 **** {issued[i][-4:]}", "已办卡") for i in ids}
    members_page.load_now()
    card_col = [c[0] for c in MEMBER_COLUMNS].index("会员卡")
    listed = {}
    for r in range(members_page.model.rowCount()):
        index = members_page.model.index(r, card_col)
        member_id = members_page.model.data(index, Qt.ItemDataRole.UserRole)
        if member_id in ids:
            listed[member_id] = members_page.model.data(index)
    assert set(listed) == ids
    assert all(text.startswith("6231") and text.endswith(issued[i][-4:]) for i, text in listed.items())
    batches = CardBatchesPage(union_id, PLAN_YEAR, DEMO_CLERK)
    qtbot.addWidget(batches)
    batches.load_now()
    assert batches.model.data(batches.model.index(0, 0)) == batch_no
    assert batches.model.data(batches.model.index(0, 4)) == "已完成"
    assert batches.model.data(batches.model.index(0, 6)) == "已发卡4人。"
    qtbot.waitUntil(lambda: batches.members.rowCount() == 4, timeout=5000)
    assert {batches.members.data(batches.members.index(r, 2)) for r in range(4)} == {"已发卡"}


def test_server_refusal_reaches_the_queue(engine: SyncEngine, server_url: str) -> None:
    """A member the server refuses (here: its copy of the work address is too short) shows 未通过
    with the server's reason, and 提交办卡 stays refused."""
    engine.sync()
    union_id = engine.union_id
    [m] = [x for x in Member.select().where((Member.card_status == CardStatus.NONE)
                                            & (Member.category == Category.LINKED_ENTERPRISE)
                                            & (Member.life_status == LifeStatus.IN_SERVICE)
                                            & (Member.id_type == IdType.MAINLAND)).order_by(Member.id)
           if cards.check_member(Member.select().where(Member.id == x.id).dicts().get(), TODAY).result == "passed"][:1]
    from server.db import session
    from server.models import Member as ServerMember

    with session():
        ServerMember.update(work_address="上海").where(ServerMember.id_number == m.id_number).execute()
    cards.add_to_queue(union_id, [m.id], actor=DEMO_CLERK, today=TODAY)
    sync_until(engine, lambda: cards.queue_summary(union_id).failed == 1)
    q = CardQueue.get(CardQueue.member == m.id)
    assert q.result == cards.FAILED and q.reason.startswith("服务器校验未通过：") and "汉字" in q.reason
    state = cards.submit_state(union_id)
    assert not state.can_submit and m.name in state.explanation()

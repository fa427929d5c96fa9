"""The workbench's to-do list and join chart, offscreen: figures that open their lists, the
calendar from the cached campaign, and a headline that never counts an import as joins."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.models import Member
from app.paths import Profile
from app.services import enrollment
from app.services.campaign import cache_campaign
from app.views import ops
from app.views.main_window import MainWindow
from app.views.todo_lists import TodoMembersDialog
from app.views.wrapping import plain

PLAN_YEAR = date.today().year + 1


def campaign() -> dict:
    deadline = date.today() + timedelta(days=20)
    return {"plan_year": PLAN_YEAR, "payment_deadline": deadline.isoformat(),
            "windows": {"coverage": {"start": f"{PLAN_YEAR}-01-01", "end": f"{PLAN_YEAR}-12-31"},
                        "enrollment": {"start": (date.today() - timedelta(days=30)).isoformat(),
                                       "end": deadline.isoformat()}},
            "bank_account": {}, "plan_types": [{"plan_type": "A", "fee": "26.00", "city": "13.00",
                                                "district": "13.00", "grassroots": "0.00"}]}


@pytest.fixture
def window(qtbot, demo_profile: Profile, bundled_font) -> MainWindow:
    cache_campaign(campaign())
    win = MainWindow(profile=demo_profile, union_id=1, union_name="测试工会", plan_year=PLAN_YEAR, actor="clerk",
                     remember_geometry=False)
    qtbot.addWidget(win)
    win.load_now()
    yield win
    ops.wait_all(5000)


def test_todo_figures_open_their_lists(qtbot, window: MainWindow) -> None:
    page = window.page("workbench")
    panel = page.todo
    assert "还有 20 天" in plain(panel.calendar.text())
    flagged = len(enrollment.members_for_count(1, PLAN_YEAR, "card", "flagged"))
    assert flagged and f">{flagged}<" in panel.figures["retirement"].text()
    panel.figures["retirement"].linkActivated.emit("list:flagged")
    dialog = window.findChild(TodoMembersDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.model.rowCount() == flagged, timeout=5000)
    assert f"共 {flagged} 人" in dialog.count.text()
    dialog.close()

    pending = window.open_todo("dialog:pending")
    qtbot.waitUntil(lambda: pending.count.text() != "正在读取…", timeout=5000)
    pending.close()
    batches = window.open_todo("page:card_enrollment:returned")
    assert window.stack.currentWidget() is batches and batches.status.currentData() == "returned"
    queue = window.open_todo("page:card_queue")
    assert queue.result_filter.currentData() == "failed"


def test_join_headline_keeps_imports_apart(qtbot, window: MainWindow) -> None:
    from datetime import datetime

    from app.services import stats

    page = window.page("workbench")
    today = date.today()
    # Five members who joined years ago, imported (recorded here) today.
    old = [m.id for m in Member.select().order_by(Member.id).limit(5)]
    Member.update(join_date=date(2015, 3, 1), created_at=datetime.now()).where(Member.id.in_(old)).execute()
    week = stats.join_series(1, today - timedelta(days=today.weekday()), today, "day")
    joined, recorded = sum(b.new for b in week), sum(b.existing for b in week)
    assert recorded >= 5
    page.week_button.click()
    ops.drain()
    text = page.total_label.text()
    assert text == f"本期新增入会 {joined} 人（另有 {recorded} 名原有会员在本期导入或同步，不计入新增）"

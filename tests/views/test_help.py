"""帮助: the offline manual (with this app's screenshots), 技术支持, and 查看通知 from the cached feed."""
from __future__ import annotations

import json
import re

from app.models import Setting
from app.paths import Profile, resource_path
from app.views import ops
from app.views.help import MANUAL, SUPPORT, ManualDialog, NoticesDialog


def test_manual_ships_with_its_screenshots(qtbot, bundled_font) -> None:
    html = resource_path(*MANUAL).read_text(encoding="utf-8")
    images = re.findall(r'<img src="([^"]+)"', html)
    assert images
    for image in images:
        assert resource_path("manual", image).is_file(), image
    dialog = ManualDialog(MANUAL)
    qtbot.addWidget(dialog)
    text = dialog.browser.toPlainText()
    assert "集中参保办理" in text and "退休人员确认" in text and "告知书" in text


def test_support_lists_the_hotline_and_the_manuals_numbers(qtbot, bundled_font) -> None:
    dialog = ManualDialog(SUPPORT, "技术支持")
    qtbot.addWidget(dialog)
    text = dialog.browser.toPlainText()
    for number in ("12351", "18621240138", "18621240158", "18616108328", "18513118305"):
        assert number in text


def test_notices_come_from_the_last_sync(qtbot, profile: Profile, bundled_font) -> None:
    dialog = NoticesDialog()
    qtbot.addWidget(dialog)
    ops.drain()
    assert "还没有从服务器获取过通知" in dialog.status.text()
    Setting.create(key="notices", value=json.dumps([
        {"id": 1, "title": "集中参保截止提醒", "body": "请于12月25日前提交。", "publisher": "上海市总工会",
         "published": "2026-11-30T02:00:00Z"},
        {"id": 2, "title": "系统维护通知", "body": "12月5日晚停机维护。", "publisher": "上海市总工会",
         "published": "2026-12-01T01:00:00Z"}], ensure_ascii=False))
    Setting.create(key="notices:fetched_at", value="2026-12-01T09:30:00")
    again = NoticesDialog()
    qtbot.addWidget(again)
    ops.drain()
    assert again.list.count() == 2 and again.list.item(0).text() == "2026-12-01　系统维护通知"
    assert "停机维护" in again.text.toPlainText() and "2026-12-01 09:30" in again.status.text()

"""保障金额设置 and 参保批次管理's downloads in the app, over a real demo server (pytest-qt, offscreen):
the district edits its split inside the fee window (a split that does not add up cannot be saved),
the server has it and its 修改记录; outside the window the page is read-only and says why; the
center edits the city's figures; 参保批次管理 shows the manual's columns and downloads the statistics
.xlsx and the notice PDF. Screenshots at 1366×768 in build/screenshots/."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt

from app.sync.client import ServerClient
from app.sync.fees import FeesApi
from app.sync.superior import SuperiorApi
from server.embedded import DEMO_PASSWORD
from tests.views.test_superior_pages import SHOTS, _show, _window, world  # noqa: F401 (a fixture)


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the page asked the desktop to open (none is opened for real)."""
    from PySide6.QtGui import QDesktopServices

    seen: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: seen.append(url.toLocalFile()) or True)
    return seen


def _fee_window(days: int) -> None:
    """Put the demo campaign's fee window `days` away from today (the server's clock judges it)."""
    from app.protocol import SHANGHAI
    from server.db import session
    from server.models import Campaign

    today = datetime.now(SHANGHAI).date()
    with session():
        Campaign.update(fee_window_start=today + timedelta(days=days - 3),
                        fee_window_end=today + timedelta(days=days + 3)).execute()


def _row(page: Any, plan_type: str = "A") -> Any:
    return next(r for r in page.rows if r.plan_type == plan_type)


def test_district_fee_split_page(qtbot, world: dict[str, Any], bundled_font) -> None:  # noqa: F811
    window = _window(qtbot, world["profile"], "district", world["api"])
    assert window._nav_items["fees"].parent().text(0) == "会员服务卡管理系统"
    page = _show(qtbot, window, "fees")
    qtbot.waitUntil(lambda: bool(page.rows[0].plan_type), timeout=10_000)
    a = _row(page)
    assert [a.edits[k].text() for k in ("fee", "city", "district", "grassroots")] == ["26.00", "13.00", "13.00", "0.00"]
    assert a.edits["fee"].isReadOnly() and a.edits["city"].isReadOnly() and not a.edits["district"].isReadOnly()
    assert "区局调整时间" in page.window_label.text() and "以服务器时间为准" in page.window_label.text()
    assert a.source.text() == "全市标准" and page.banner.text() == ""

    a.edits["district"].setText("10")
    a.edits["grassroots"].setText("5")
    page.check()
    assert not a.save.isEnabled() and "与参保费用26.00元不相等" in page.problems.text()
    a.edits["grassroots"].setText("3")
    page.check()
    assert a.save.isEnabled() and page.problems.text() == ""
    a.save.click()
    qtbot.waitUntil(lambda: page.history.rowCount() == 1, timeout=10_000)
    assert "已保存设置：A类会员专享基本保障" in page.saved.text()
    assert _row(page).source.text() == "本区局设置"
    assert page.history.data(page.history.index(0, 4)) == "26.00/13.00/10.00/3.00"
    server_side = next(p for p in FeesApi(world["api"].client).fees()["plan_types"] if p["plan_type"] == "A")
    assert (server_side["district"], server_side["grassroots"]) == ("10.00", "3.00")
    qtbot.wait(200)
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(SHOTS / "district-fees.png"))

    _fee_window(-20)  # the window closed: read-only, and why
    page.refresh()
    qtbot.waitUntil(lambda: "现在不能修改" in page.window_label.text(), timeout=10_000)
    a = _row(page)
    assert a.edits["district"].isReadOnly() and not a.save.isVisible()
    assert window.grab().save(str(SHOTS / "district-fees-closed.png"))


def test_center_fee_page(qtbot, world: dict[str, Any], bundled_font) -> None:  # noqa: F811
    client = ServerClient(world["url"])
    client.login("center", DEMO_PASSWORD)
    window = _window(qtbot, world["profile"], "city", SuperiorApi(client))
    assert window._nav_items["fees"].parent().text(0) == "职保中心"
    page = _show(qtbot, window, "fees")
    qtbot.waitUntil(lambda: bool(page.rows[0].plan_type), timeout=10_000)
    b = _row(page, "B")
    assert not b.edits["fee"].isReadOnly() and not b.edits["valid_to"].isReadOnly()
    b.edits["fee"].setText("18")
    b.edits["city"].setText("9")
    b.edits["district"].setText("9")
    page.check()
    b.save.click()
    qtbot.waitUntil(lambda: page.history.rowCount() == 1, timeout=10_000)
    assert client.campaign()["plan_types"][1]["fee"] == "18.00"
    assert window.grab().save(str(SHOTS / "city-fees.png"))


def test_batches_page_columns_and_downloads(qtbot, world: dict[str, Any], bundled_font, opened: list[str]) -> None:  # noqa: F811
    api = world["api"]
    api.approve(world["batches"])
    receipt = api.district_submit("王经办", "13812345678")
    window = _window(qtbot, world["profile"], "district", api)
    page = _show(qtbot, window, "district_batches")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10_000)
    heads = [page.model.headerData(i, Qt.Orientation.Horizontal) for i in range(6)]
    assert heads == ["批次编号", "参保人数", "提交时间", "最后更新时间", "状态", "凭证上传时间"]
    assert page.model.data(page.model.index(0, 1)) == "8" and page.model.data(page.model.index(0, 4)) == "职保中心确认中"

    page.stats_button.click()
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=20_000)
    sheet = load_workbook(opened[0]).active
    total = [c.value for c in list(sheet.iter_rows(min_row=4))[-1]]
    assert total[0] == "合计" and total[7] == 8 and float(total[9]) == 208.0
    assert "集中参保统计表已保存到" in page.saved.text()

    page.table.selectRow(0)
    page.notice_button.click()
    qtbot.waitUntil(lambda: len(opened) == 2, timeout=20_000)
    assert Path(opened[1]).suffix == ".pdf" and receipt["batch_no"] in Path(opened[1]).name
    assert Path(opened[1]).read_bytes().startswith(b"%PDF")
    qtbot.wait(200)
    assert window.grab().save(str(SHOTS / "district-batches-downloads.png"))

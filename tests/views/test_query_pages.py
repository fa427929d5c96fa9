"""参保信息查询, 保障信息查询, 给付信息查询 pages over a real demo server (its sample payouts loaded):
model/view tables of the server's rows with masked numbers, the scope (a grassroots clerk sees only
its own union), 导出 to .xlsx with masked numbers, offline said plainly; screenshots at 1366×768."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from app.rules.idcard import mask_id
from app.sync.client import ServerClient
from app.sync.superior import SuperiorApi
from app.views import ops
from server.embedded import DEMO_PASSWORD
from test_superior_pages import SHOTS, _eligible, _show, _window, world

__all__ = ["world"]


def _api(url: str, username: str) -> SuperiorApi:
    client = ServerClient(url)
    client.login(username, DEMO_PASSWORD)
    return SuperiorApi(client)


def test_district_query_pages(qtbot, world: dict[str, Any], tmp_path: Path, bundled_font) -> None:
    window = _window(qtbot, world["profile"], "district", world["api"])
    assert window._nav_items["query_enrollment"].parent().text(0) == "信息查询"
    batch = world["batches"][0]
    coverage = _show(qtbot, window, "query_coverage")
    assert coverage.model.rowCount() == 0 and coverage.banner.text() == ""  # waits for 查询
    coverage.mode.setCurrentIndex(1)
    coverage.key.setText(batch)
    coverage.search()
    qtbot.waitUntil(lambda: coverage.model.rowCount() == 5, timeout=10_000)
    masked = coverage.model.data(coverage.model.index(0, 1))
    assert "****" in masked and coverage.model.data(coverage.model.index(0, 9)) == "审核中"
    assert batch in coverage.count.text() and "共 5 条" in coverage.count.text()
    qtbot.wait(200)
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(SHOTS / "district-query-coverage.png"))

    out = tmp_path / "保障信息.xlsx"
    coverage.export_to(out)
    ops.wait_all(10_000)
    qtbot.waitUntil(lambda: "已导出 5 行" in coverage.count.text(), timeout=10_000)
    cells = [[str(c.value or "") for c in row] for row in load_workbook(out).active.iter_rows()]
    assert cells[0][1] == "证件号码" and all("****" in row[1] for row in cells[1:]) and len(cells) == 6

    person = _eligible("813101010000000041", world["api"].campaign()["plan_year"], 1)[0]
    enrollment = _show(qtbot, window, "query_enrollment")
    enrollment.id_number.setText(person)
    enrollment.search()
    qtbot.waitUntil(lambda: enrollment.model.rowCount() == 1, timeout=10_000)
    assert enrollment.model.data(enrollment.model.index(0, 2)) == mask_id(person)
    assert enrollment.model.data(enrollment.model.index(0, 4)) == batch
    assert window.grab().save(str(SHOTS / "district-query-enrollment.png"))

    payouts = _show(qtbot, window, "query_payouts")
    qtbot.waitUntil(lambda: payouts.model.rowCount() == 8, timeout=10_000)  # the demo's sample, both unions
    assert "给付金额合计" in payouts.count.text() and "****" in payouts.model.data(payouts.model.index(0, 2))
    qtbot.wait(200)
    assert window.grab().save(str(SHOTS / "district-query-payouts.png"))


def test_grassroots_query_page_sees_only_its_union(qtbot, world: dict[str, Any], bundled_font) -> None:
    window = _window(qtbot, world["profile"], "grassroots", _api(world["url"], "grassroots2"))
    assert window._nav_items["query_enrollment"].parent().text(0) == "会员服务卡管理"
    assert "query_payouts" not in window._nav_items
    page = _show(qtbot, window, "query_enrollment")
    person = _eligible("813101010000000041", world["api"].campaign()["plan_year"], 1)[0]  # the other union's
    page.id_number.setText(person)
    page.search()
    qtbot.waitUntil(lambda: "没有查到记录" in page.count.text(), timeout=10_000)
    assert page.model.rowCount() == 0 and not page.export_button.isEnabled()
    own = _eligible("81310101000000005X", world["api"].campaign()["plan_year"], 1)[0]
    page.id_number.setText(own)
    page.search()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10_000)
    qtbot.wait(200)
    assert window.grab().save(str(SHOTS / "grassroots-query-enrollment.png"))


def test_query_page_offline_keeps_the_input(qtbot, world: dict[str, Any], bundled_font) -> None:
    window = _window(qtbot, world["profile"], "city", None)
    page = _show(qtbot, window, "query_payouts")
    assert "需要连接服务器" in page.banner.text()
    page.id_number.setText("310101198501010013")
    page.search()
    assert "需要连接服务器" in page.banner.text() and page.id_number.text() == "310101198501010013"

"""集中参保实时监控画面 over a real demo server: the district's figures and charts, refreshing itself
by its timer while shown (and not when hidden), the unions behind a figure, the .xlsx export
opened with openpyxl, the center's city-wide monitor, and `union-clerk-cli monitor --json`."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from app.sync.client import ServerClient
from app.sync.superior import SuperiorApi
from app.views import ops
from app.views.monitor_page import FEWEST_TILES, MOST_TILES
from app.views.wrapping import bad_breaks, plain
from server.embedded import DEMO_PASSWORD
from tests.views.test_superior_pages import SHOTS, _show, _window, world  # noqa: F401 (a fixture)

G1, G2 = "上海示范科技有限公司工会委员会", "上海市黄浦区南京东路街道联合工会"


def _tile(page: Any, label: str) -> str:
    return plain(str(page.tiles[label].text()))


def test_district_monitor_refreshes_drills_down_and_exports(qtbot, world: dict[str, Any], bundled_font,  # noqa: F811
                                                            tmp_path: Path) -> None:
    window = _window(qtbot, world["profile"], "district", world["api"])
    assert window._nav_items["monitor"].parent().text(0) == "会员服务卡管理系统"
    page = _show(qtbot, window, "monitor", "district-monitor.png")
    assert page.banner.text() == ""
    # The demo world: grassroots (5 members) and grassroots2 (3) each sent a card batch today.
    assert _tile(page, "已提交").startswith("已提交\n2家") and _tile(page, "退回").startswith("退回\n0家")
    assert _tile(page, "会员卡参保").startswith("会员卡参保\n8人")
    assert _tile(page, "保障费用").startswith("保障费用\n208.00元")
    assert page.day_model.rowCount() == 1 and page.day_model.rows[0]["enrolled_card"] == 8
    slices = {s.label() for s in page.pie_chart.series()[0].slices()}
    assert "区局确认中 2家" in slices and "未提交 0家" in slices
    # Its legend beside the pie shows each entry whole (the chart's own cut them to "区局确认…").
    assert not page.pie_chart.legend().isVisible()
    assert page.pie_legend is not None and all(label in page.pie_legend.text() for label in slices)
    assert page.pie_legend.width() >= page.pie_legend.sizeHint().width()
    assert page.day_chart.series()[0].barSets()[0].at(0) == 8
    assert "区局(产业)提交至职保中心截止" in plain(page.deadlines.text()) and "天" in plain(page.deadlines.text())

    # The page asks again by itself: the district returns a batch, the timer brings it in.
    assert page.timer.isActive()
    page.timer.setInterval(200)
    seen = page.refreshes
    world["api"].return_batch(world["batches"][1], "第1行 电话有误，请改后重新提交")
    qtbot.waitUntil(lambda: _tile(page, "退回").startswith("退回\n1家"), timeout=10_000)
    assert page.refreshes > seen and _tile(page, "已提交").startswith("已提交\n1家")

    # Every figure opens the unions behind it.
    dialog = page.open_figure("退回")
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=10_000)
    assert dialog.model.data(dialog.model.index(0, 1)) == G2
    assert dialog.model.data(dialog.model.index(0, 3)) == "退回" and "共 1 家" in dialog.count.text()
    qtbot.wait(100)
    assert dialog.grab().save(str(SHOTS / "district-monitor-unions.png"))
    dialog.close()
    day = page.open_day(0)
    qtbot.waitUntil(lambda: day.model.rowCount() == 1, timeout=10_000)
    assert day.model.data(day.model.index(0, 1)) == G1
    day.close()

    # Export: the workbook's figures are the server's.
    out = tmp_path / "monitor.xlsx"
    page.export(str(out))
    ops.wait_all(10_000)
    qtbot.waitUntil(lambda: out.exists(), timeout=10_000)
    book = load_workbook(out)
    summary = {row[0]: row[1] for row in book["概况"].iter_rows(min_row=3, values_only=True)}
    assert (summary["基层工会"], summary["已提交"], summary["退回"], summary["会员卡参保"]) == ("2家", "1家", "1家", "5人")
    unions = list(book["基层工会"].iter_rows(min_row=2, values_only=True))
    server = {row["org_code"]: row for row in world["api"].monitor_unions("all")["unions"]}
    assert {r[0] for r in unions} == set(server) and book["基层工会"]["A2"].number_format == "@"
    for r in unions:
        assert (r[1], r[3], r[4], r[7]) == (server[r[0]]["name"], server[r[0]]["progress_label"],
                                            server[r[0]]["eligible"], server[r[0]]["enrolled_card"])
    days = list(book["每日进度"].iter_rows(min_row=2, values_only=True))
    assert len(days) == 1 and days[0][2] == 5

    # Hidden, it stops asking.
    window.show_page("workbench")
    assert not page.timer.isActive()


def test_center_sees_the_city(qtbot, world: dict[str, Any], bundled_font) -> None:  # noqa: F811
    client = ServerClient(world["url"])
    client.login("center", DEMO_PASSWORD)
    window = _window(qtbot, world["profile"], "city", SuperiorApi(client))
    assert window._nav_items["monitor"].parent().text(0) == "职保中心"
    page = _show(qtbot, window, "monitor", "center-monitor.png")
    assert page.banner.text() == "" and "上海市总工会" in page.heading.text()
    assert _tile(page, "基层工会").startswith("基层工会\n2家")
    _charts_keep_their_titles(qtbot, window, page, wide=True)

    # A laptop at 150 % (1366×768 is 911×512 logical pixels): fewer tiles a row, the pie under the
    # daily chart, each chart still as wide as its title ("每日参保…" cut it once).
    window.resize(895, 472)
    qtbot.waitUntil(lambda: page.charts_wide is False, timeout=5000)
    assert FEWEST_TILES <= page.tile_columns < MOST_TILES
    _charts_keep_their_titles(qtbot, window, page, wide=False)
    assert page.grab().save(str(SHOTS / "center-monitor-150.png"))


def _charts_keep_their_titles(qtbot, window: Any, page: Any, wide: bool) -> None:
    from PySide6.QtGui import QFontMetrics
    from PySide6.QtWidgets import QScrollArea

    qtbot.wait(50)
    assert page.charts_wide is wide
    for chart in (page.day_chart, page.pie_chart):
        view = chart.parent_view
        title = QFontMetrics(chart.titleFont()).horizontalAdvance(chart.title())
        assert view.width() >= title + 2 * (chart.margins().left() + chart.margins().right()), chart.title()
    # Nothing out of sight sideways, every tile shows its lines whole.
    scroll = next(s for s in window.findChildren(QScrollArea) if s.widget() is not None and s.widget().isAncestorOf(page))
    assert not scroll.horizontalScrollBar().isVisible()
    for tile in page.tiles.values():
        assert tile.width() >= tile.minimumSizeHint().width() and not bad_breaks(tile)


def test_monitor_cli_json(world: dict[str, Any], capsys, tmp_path: Path) -> None:  # noqa: F811
    from app.cli import main

    profile = str(world["profile"].root)
    out = tmp_path / "cli.xlsx"
    assert main(["--profile", profile, "monitor", "--unions", "submitted", "--export", str(out), "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    kinds = [line["kind"] for line in lines]
    assert kinds[0] == "figures" and "day" in kinds and kinds.count("deadline") == 6 and kinds[-1] == "export"
    assert lines[0]["unions"]["reviewing"] == 2 and lines[0]["members"]["enrolled_card"] == 8
    assert {line["name"] for line in lines if line["kind"] == "union"} == {G1, G2}
    assert load_workbook(out)["概况"]["B3"].value == "2家"
    assert main(["--profile", profile, "monitor", "--unions", "day", "--json"]) == 2
    refused = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert refused["error"] and refused["action"]


def test_monitor_cli_offline_and_for_a_clerk(tmp_path: Path, profile, file_keyring, capsys) -> None:  # type: ignore[no-untyped-def]
    """Exit 3 when no server answers; 2 with error and action for an account that watches nothing."""
    from app.cli import main
    from app.sync import account
    from server.embedded import start_demo_server

    url, stop = start_demo_server(tmp_path / "server.db", members_per_union=0)
    try:
        account.sign_in(url, "grassroots", DEMO_PASSWORD, profile_root=profile.root)
        assert main(["--profile", str(profile.root), "monitor", "--json"]) == 2
        refused = json.loads(capsys.readouterr().out.splitlines()[-1])
        assert refused["error"] and "union_scope" not in refused["error"]
    finally:
        stop()
    assert main(["--profile", str(profile.root), "monitor", "--json"]) == 3
    offline = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert offline["error"] and offline["action"]

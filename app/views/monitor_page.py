"""集中参保实时监控画面 (SPEC §5.10, manual §4.8): a district's (its subtree's) or the center's (the
city's) campaign progress — unions submitted / not yet / returned, members enrolled per channel
against the eligible, the fee against the expected, per day in QtCharts — and the days left to each
deadline by the server's calendar. It asks the server again every REFRESH_SECONDS while it is shown
(on the I/O pool, never the UI thread); every figure opens the unions behind it (model/view); the
whole monitor exports to .xlsx.
"""
from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QTimer, Qt, Signal
from PySide6.QtGui import QFontMetrics, QHideEvent, QKeyEvent, QMouseEvent, QPainter, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.protocol.monitor import PROGRESS_LABELS, REFRESH_SECONDS, Figure, Progress
from app.services import monitor as words
from app.views import ops
from app.views.superior_pages import ApiSource, Column, OnlinePage, RowsModel, _table, describe
from app.views.sizing import em
from app.views.wrapping import BREAK, phrases, wrap_at

DAY_COLUMNS: list[Column] = [
    ("日期", lambda r: r["day"][5:]), ("单位", lambda r: str(r["unions"])),
    ("会员卡", lambda r: str(r["enrolled_card"])), ("社保卡", lambda r: str(r["enrolled_ss"])),
    ("费用(元)", lambda r: r["fee"]),
]
UNION_TABLE: list[Column] = [(head, lambda r, k=key: str(words.union_cell(r, k))) for head, key in words.UNION_COLUMNS]
PIE_ORDER = (Progress.COMPLETED, Progress.REVIEWING, Progress.NOT_ACCEPTED, Progress.RETURNED, Progress.NOT_SUBMITTED)
PIE_COLORS = {Progress.COMPLETED: "#2e7d32", Progress.REVIEWING: "#1565c0", Progress.NOT_ACCEPTED: "#6d4c41",
              Progress.RETURNED: "#c62828", Progress.NOT_SUBMITTED: "#9e9e9e"}


#: Tiles a row: six on a wide page, down to three on a narrow one (a laptop at 150 %).
MOST_TILES, FEWEST_TILES = 6, 3


class Tile(QLabel):
    """One figure: its name, its value and what it is measured against, wrapped between its clauses
    and words (never inside "无卡持身份证" or "42人"); a click, Enter or Space opens the unions behind it."""

    clicked = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setStyleSheet("QLabel { border: 1px solid palette(mid); border-radius: 3px; padding: 4px;"
                           " background: palette(button); } QLabel:focus { border: 2px solid palette(highlight); }")

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit()
            return
        super().keyPressEvent(event)


class MonitorPage(OnlinePage):
    """The monitor of the signed-in superior account's scope."""

    def __init__(self, api: ApiSource, refresh_seconds: int = REFRESH_SECONDS) -> None:
        super().__init__(api, "集中参保实时监控画面")
        self.busy = False
        self.heading = self.add_line()
        self.deadlines = self.add_line()
        self.tiles: dict[str, Tile] = {}
        self.tile_figures: dict[str, str] = {}
        self.grid = QGridLayout()
        self.tile_columns = MOST_TILES
        self.layout_.addLayout(self.grid)
        # The daily table, the daily chart, the progress pie and its legend: one row on a wide page,
        # two on a narrow one (_arrange), so each chart keeps room for its title whole.
        self.charts = QGridLayout()
        self.charts_wide: bool | None = None
        self.layout_.addLayout(self.charts, 3)
        self.day_model = RowsModel(DAY_COLUMNS, self)
        self.day_table = _table(self, self.day_model, {"日期": 4, "单位": 3, "会员卡": 4, "社保卡": 4, "费用(元)": 6})
        self.day_table.setToolTip(self.tr("每日提交：单位数、会员卡/社保卡参保人数、保障费用；双击一天查看当日提交的基层工会"))
        self.day_table.doubleClicked.connect(lambda index: self.open_day(index.row()))
        self.day_table.verticalHeader().hide()
        self.day_table.setFixedWidth(self.day_table.horizontalHeader().length()
                                     + self.day_table.verticalScrollBar().sizeHint().width() + 4)
        self.day_chart: Any = None
        self.pie_chart: Any = None
        self.pie_legend: QLabel | None = None
        buttons = QHBoxLayout()
        self.updated = QLabel("")
        self.updated.setWordWrap(True)
        buttons.addWidget(self.updated, 1)
        for text, slot in (("查看当日提交单位", self.open_selected_day), ("刷新", self.refresh),
                           ("导出 Excel…", self.export)):
            button = QPushButton(self.tr(text))
            button.clicked.connect(slot)
            buttons.addWidget(button)
        self.layout_.addLayout(buttons)
        self.timer = QTimer(self)
        self.timer.setInterval(refresh_seconds * 1000)
        self.timer.timeout.connect(self.refresh)
        self.refreshes = 0  # answers shown so far (tests, the bench)

    # ---- refreshing itself while shown ---------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.timer.start()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt's name
        self.timer.stop()
        super().hideEvent(event)

    def refresh(self) -> None:
        if self.busy:  # the last question is still out: never two at once
            return
        self.busy = self.api() is not None
        super().refresh()

    def fetch(self, api: Any) -> Any:  # on the I/O pool
        return api.monitor()

    def _loaded(self, result: Any) -> None:
        self.busy = False
        super()._loaded(result)

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        super()._failed(exc)

    # ---- drawing ---------------------------------------------------------------------------
    def show_result(self, result: Any) -> None:
        self.heading.setText(f"<b>{words.heading(result)}</b>")
        self.deadlines.setText(phrases([words.deadline_text(d) for d in result["deadlines"]], "　　"))
        self._show_tiles(words.tiles(result))
        self.day_model.set_rows(list(reversed(result["days"])))
        self._draw_days(result["days"])
        self._draw_progress(result["unions"])
        self._arrange()
        self.refreshes += 1
        counted = words.shanghai_time(result["members"].get("counted_at"))[11:]
        self.updated.setText(wrap_at(self.tr("每 {0} 秒自动刷新（应参保人数统计于 {1}）；点任一数字查看对应的基层工会").format(
            self.timer.interval() // 1000, counted)))

    def _show_tiles(self, tiles: list[words.Tile]) -> None:
        for n, tile in enumerate(tiles):
            button = self.tiles.get(tile.label)
            if button is None:
                button = Tile()
                button.clicked.connect(lambda _=False, label=tile.label: self.open_figure(label))
                self.tiles[tile.label] = button
                self.grid.addWidget(button, n // self.tile_columns, n % self.tile_columns)
            self.tile_figures[tile.label] = tile.figure
            # Its lines break after a clause mark, at a space or before a bracket: "应缴 1716.00元",
            # "（26.00元/人），" stay whole.
            against = wrap_at(tile.against.replace("（", BREAK + "（"), spaces=True)
            button.setText(f"{tile.label}\n{tile.value}\n{against}")
            button.setToolTip(tile.against)

    # ---- room for every figure and chart title -------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange()

    def _arrange(self) -> None:
        """As many tiles a row as fit whole (six to three), and the charts in one row or two: a
        chart narrower than its title cuts it ("每日参保…" at 150 %)."""
        room = self.contentsRect().width() - 2 * self.layout_.contentsMargins().left()
        spacing = max(self.grid.horizontalSpacing(), 0)
        tiles = list(self.tiles.values())
        widest = max((t.minimumSizeHint().width() for t in tiles), default=1) + spacing
        columns = max(FEWEST_TILES, min(MOST_TILES, room // widest))
        if columns != self.tile_columns:
            self.tile_columns = columns
            for n, tile in enumerate(tiles):
                self.grid.removeWidget(tile)
                self.grid.addWidget(tile, n // columns, n % columns)
        for column in range(MOST_TILES):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)
        self._arrange_charts(room)

    def _arrange_charts(self, room: int) -> None:
        parts = [w for w in (self.day_table, self._view(self.day_chart), self._view(self.pie_chart), self.pie_legend)
                 if w is not None]
        needed = sum(w.minimumSizeHint().expandedTo(w.minimumSize()).width() for w in parts) + 3 * em(self)
        wide = room >= needed if self.charts_wide is not True else room >= needed - em(self)  # no flicker at the edge
        if wide == self.charts_wide:
            return
        self.charts_wide = wide
        for widget in parts:
            self.charts.removeWidget(widget)
        for n, widget in enumerate(parts):
            if wide:
                self.charts.addWidget(widget, 0, n)
            else:  # the table beside the daily chart, the legend beside the pie below them
                self.charts.addWidget(widget, n // 2, n % 2)
        for column in range(4):
            self.charts.setColumnStretch(column, 3 if (column in (1, 2) if wide else column == 1) else 0)

    @staticmethod
    def _view(chart: Any) -> QWidget | None:
        return chart.parent_view if chart is not None else None

    def _chart(self, title: str, legend: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignBottom) -> Any:
        from PySide6.QtCharts import QChart, QChartView

        chart = QChart()
        chart.setTitle(title)
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.legend().setAlignment(legend)
        view = QChartView(chart)
        view.setRenderHint(QPainter.RenderHint.Antialiasing)
        view.setMinimumHeight(self.fontMetrics().height() * 14)
        # Room for the title whole, beside the chart's own margins.
        view.setMinimumWidth(QFontMetrics(chart.titleFont()).horizontalAdvance(title) + 4 * em(self))
        chart.parent_view = view
        self.charts_wide = None  # placed by the next _arrange
        return chart

    def _draw_days(self, days: list[dict[str, Any]]) -> None:
        from PySide6.QtCharts import QBarCategoryAxis, QBarSet, QStackedBarSeries, QValueAxis

        if self.day_chart is None:
            self.day_chart = self._chart(self.tr("每日参保人数（按提交日）"))
        chart = self.day_chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        card, ss = QBarSet(self.tr("会员卡参保")), QBarSet(self.tr("社保卡参保"))
        card.append([d["enrolled_card"] for d in days])
        ss.append([d["enrolled_ss"] for d in days])
        series = QStackedBarSeries()
        series.append(card)
        series.append(ss)
        chart.addSeries(series)
        axis_x = QBarCategoryAxis()
        axis_x.append([d["day"][5:] for d in days] or [""])
        if len(days) > 10:
            axis_x.setLabelsAngle(-90)
        axis_y = QValueAxis()
        axis_y.setRange(0, max([d["enrolled_card"] + d["enrolled_ss"] for d in days] + [1]))
        axis_y.setLabelFormat("%d")
        axis_y.applyNiceNumbers()
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(axis_x)
        series.attachAxis(axis_y)

    def _draw_progress(self, unions: dict[str, int]) -> None:
        from PySide6.QtCharts import QPieSeries
        from PySide6.QtGui import QColor

        if self.pie_chart is None:
            # The chart's own legend cut its entries short beside the pie ("区局确认…", at 150 % to
            # nothing): a label of its own beside it shows each whole (the screen walk checks it).
            self.pie_chart = self._chart(self.tr("基层工会参保进度"))
            self.pie_chart.legend().hide()
            self.pie_legend = QLabel()
        chart = self.pie_chart
        chart.removeAllSeries()
        series = QPieSeries()
        lines = []
        for progress in PIE_ORDER:
            n = int(unions[progress])
            piece = series.append(f"{PROGRESS_LABELS[progress]} {n}家", n)
            piece.setColor(QColor(PIE_COLORS[progress]))
            lines.append(f'<span style="color: {PIE_COLORS[progress]}">■</span> {html.escape(piece.label())}')
        chart.addSeries(series)
        assert self.pie_legend is not None
        self.pie_legend.setText("<br>".join(lines))

    # ---- the unions behind a figure ---------------------------------------------------------
    def open_figure(self, label: str) -> QWidget:
        return self._open(self.tile_figures[label], None)

    def open_day(self, row: int) -> QWidget | None:
        if not 0 <= row < len(self.day_model.rows):
            return None
        return self._open(Figure.DAY, self.day_model.rows[row]["day"])

    def open_selected_day(self) -> None:
        rows = self.day_table.selectionModel().selectedRows()
        if not rows:
            QMessageBox.information(self, self.tr("请选择"), self.tr("请先在每日进度表中选择一天。"))
            return
        self.open_day(rows[0].row())

    def _open(self, figure: str, day: str | None) -> QWidget:
        from app.views.windows import open_modeless

        return open_modeless(UnionsDialog(self.api, figure, day, self))

    # ---- export -----------------------------------------------------------------------------
    def export(self, target: str | None = None) -> None:
        api, data = self.api(), self.last_result
        if api is None or data is None:
            QMessageBox.warning(self, self.tr("需要联网"), self.tr("请先连接服务器并刷新监控画面。"))
            return
        if not target:
            target, _ = QFileDialog.getSaveFileName(self, self.tr("导出集中参保实时监控"),
                                                    f"集中参保实时监控_{data['today']}.xlsx", self.tr("Excel 文件 (*.xlsx)"))
        if not target:
            return
        path = target

        def work() -> Any:
            unions = api.monitor_unions(Figure.ALL, plan_year=data["plan_year"])["unions"]
            return words.export_xlsx(data, unions, path)

        ops.run_io(self, work, lambda out: self.updated.setText(self.tr("已导出到 {0}").format(out)),
                   lambda exc: QMessageBox.warning(self, self.tr("导出未完成"), describe(exc)))


class UnionsDialog(QDialog):
    """The grassroots unions behind one figure of the monitor, from the server (model/view)."""

    def __init__(self, api: ApiSource, figure: str, day: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api, self.figure, self.day = api, figure, day
        self.setWindowTitle(self.tr("集中参保实时监控 — {0}").format(words.figure_title(figure, day)))
        layout = QVBoxLayout(self)
        self.count = QLabel(self.tr("正在向服务器查询…"))
        self.count.setWordWrap(True)
        layout.addWidget(self.count)
        self.model = RowsModel(UNION_TABLE, self)
        self.table = _table(self, self.model, {
            "组织机构代码": 12, "单位名称": 17, "上级工会": 16, "参保状态": 5, "应参保人数": 6, "有会员卡": 5,
            "无卡持身份证": 7, "会员卡参保": 6, "社保卡参保": 6, "保障费用(元)": 7, "应缴(元)": 6, "最后提交时间": 9})
        layout.addWidget(self.table, 1)
        self.resize(1366, 640)
        self.load()

    def load(self) -> None:
        api = self.api()
        if api is None:
            from app.views.superior_pages import OFFLINE

            self.count.setText(OFFLINE)
            return
        figure, day = self.figure, self.day
        ops.run_io(self, lambda: api.monitor_unions(figure, day=day), self._show,
                   lambda exc: self.count.setText(describe(exc)))

    def _show(self, answer: dict[str, Any]) -> None:
        self.model.set_rows(answer["unions"])
        self.count.setText(self.tr("{0}：共 {1} 家基层工会").format(words.figure_title(self.figure, self.day),
                                                              answer["total"]))

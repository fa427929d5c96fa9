"""业务工作台: the union's figures and the chart of members joined per day / week / month."""
from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from PySide6 import QtCore  # QtCore.Qt named when used: see app.views.main_window.USER_ROLE
from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.views import ops
from app.views.wrapping import BREAK, wrap_at

if TYPE_CHECKING:
    from app.services import stats, todo

GRANULARITY_LABELS = {"day": "按日", "week": "按周", "month": "按月"}


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


class FigureCard(QFrame):
    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("figureCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.value = QLabel("—")
        self.value.setObjectName("figureValue")
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 2.2)
        font.setBold(True)
        self.value.setFont(font)
        layout = QVBoxLayout(self)
        layout.addWidget(self.value)
        layout.addWidget(QLabel(caption))

    def set_value(self, n: int) -> None:
        self.value.setText(f"{n:,}")


class TodoPanel(QGroupBox):
    """待办事项: each figure opens its list (`openRequested(target)`), and the days left to each
    date of the campaign's calendar."""

    openRequested = Signal(str)
    COLUMNS = 2  # items side by side, so the panel stays short on a 768-pixel screen

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("待办事项"), parent)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(self.fontMetrics().horizontalAdvance("中") * 2)
        self.calendar = QLabel(self.tr("正在读取…"))
        self.calendar.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.calendar)
        layout.addLayout(self.grid)
        self.figures: dict[str, QLabel] = {}

    def show_todo(self, data: todo.Todo) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.figures = {}
        for n, item in enumerate(data.items):
            row, col = divmod(n, self.COLUMNS)
            figure = QLabel(f'<a href="{item.opens}"><b>{item.count:,}</b></a>' if item.count else "0")
            figure.setObjectName(f"todo_{item.key}")
            figure.setAlignment(QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
            figure.linkActivated.connect(self.openRequested)
            label = QLabel(self.tr(item.label))
            label.setToolTip(self.tr(item.hint))
            label.setStyleSheet("" if item.count else "color: #888888;")
            self.grid.addWidget(figure, row, col * 2)
            self.grid.addWidget(label, row, col * 2 + 1)
            self.figures[item.key] = figure
        self.grid.setColumnStretch(self.COLUMNS * 2 - 1, 1)
        if data.deadlines:
            soon = [d for d in data.deadlines if d.days_left >= 0]
            self.calendar.setText(wrap_at(self.tr("{0}年度参保日程（以服务器日历为准）：").format(data.plan_year) + BREAK
                                          + "；".join(d.text for d in (soon or data.deadlines[-1:])) + "。"))
        else:
            self.calendar.setText(self.tr("本机还没有本年度参保活动的日程，请联网同步后查看截止日期。"))


class WorkbenchPage(QWidget):
    page_name = "workbench"
    #: A to-do figure was clicked: what it opens ("list:…", "page:…", "dialog:…").
    openRequested = Signal(str)

    def __init__(self, union_id: int, plan_year: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.union_id = union_id
        self.plan_year = plan_year
        self.title = QLabel(self.tr("业务工作台"))
        self.title.setObjectName("pageTitle")
        self.members_card = FigureCard(self.tr("会员数"))
        self.unions_card = FigureCard(self.tr("基层工会组织数"))
        self.enterprises_card = FigureCard(self.tr("覆盖企业数"))
        cards = QGridLayout()
        for i, card in enumerate((self.members_card, self.unions_card, self.enterprises_card)):
            cards.addWidget(card, 0, i)
        self.todo = TodoPanel()
        self.todo.openRequested.connect(self.openRequested)

        today = date.today()
        self.start = QDateEdit(_qdate(today - timedelta(weeks=11, days=today.weekday())))
        self.end = QDateEdit(_qdate(today))
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.granularity = QComboBox()
        for code, label in GRANULARITY_LABELS.items():
            self.granularity.addItem(self.tr(label), code)
        self.granularity.setCurrentIndex(self.granularity.findData("week"))
        # Tool buttons: as wide as their two characters (a push button is at least 80 px), so the
        # row fits the page at 150 %.
        self.today_button = QToolButton(text=self.tr("今日"))
        self.week_button = QToolButton(text=self.tr("本周"))
        self.month_button = QToolButton(text=self.tr("本月"))
        self.query_button = QPushButton(self.tr("查询"))
        self.total_label = QLabel()

        controls = QHBoxLayout()
        controls.addWidget(QLabel(self.tr("入会人数统计图")))
        controls.addStretch(1)
        for w in (self.today_button, self.week_button, self.month_button):
            controls.addWidget(w)
        controls.addWidget(self.start)
        controls.addWidget(QLabel(self.tr("至")))
        controls.addWidget(self.end)
        controls.addWidget(self.granularity)
        controls.addWidget(self.query_button)

        # The chart (QtCharts) is built when its first data arrives, after the window is shown.
        self.chart = None
        self.chart_view = None
        self.chart_area = QWidget()
        self.chart_area.setMinimumHeight(self.fontMetrics().height() * 16)
        QVBoxLayout(self.chart_area).setContentsMargins(0, 0, 0, 0)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(cards)
        layout.addWidget(self.todo)
        layout.addLayout(controls)
        layout.addWidget(self.total_label)
        layout.addWidget(self.chart_area, 1)

        self.query_button.clicked.connect(self.refresh_chart)
        self.today_button.clicked.connect(lambda: self._quick_range(0, "day"))
        self.week_button.clicked.connect(lambda: self._quick_range(date.today().weekday(), "day"))
        self.month_button.clicked.connect(lambda: self._quick_range(date.today().day - 1, "day"))

    def _quick_range(self, days_back: int, granularity: str) -> None:
        today = date.today()
        self.start.setDate(_qdate(today - timedelta(days=days_back)))
        self.end.setDate(_qdate(today))
        self.granularity.setCurrentIndex(self.granularity.findData(granularity))
        self.refresh_chart()

    # ---- loading ------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload figures and chart on the database worker (which also imports the service)."""
        union_id = self.union_id

        def figures():
            from app.services import stats

            return stats.workbench_figures(union_id)

        ops.run_db(self, figures, self.show_figures)
        self.refresh_todo()
        self.refresh_chart()

    def refresh_todo(self) -> None:
        if self.plan_year is None:
            self.todo.hide()
            return
        union_id, plan_year = self.union_id, self.plan_year

        def work():
            from app.services import todo

            return todo.todo(union_id, plan_year, date.today())

        ops.run_db(self, work, self.todo.show_todo)

    def load_now(self) -> None:
        """Load and wait, painting meanwhile (screenshots, tests): the work stays on the worker."""
        self.refresh()
        ops.drain()

    def refresh_chart(self) -> None:
        start, end, gran = _pydate(self.start.date()), _pydate(self.end.date()), self.granularity.currentData()
        union_id = self.union_id

        def series():
            from app.services import stats

            return stats.join_series(union_id, start, end, gran)

        ops.run_db(self, series, self.show_series)

    def show_figures(self, figures: stats.WorkbenchFigures) -> None:
        self.title.setText(self.tr("业务工作台 — {0}").format(figures.union_name))
        self.members_card.set_value(figures.members)
        self.unions_card.set_value(figures.grassroots_unions)
        self.enterprises_card.set_value(figures.enterprises)

    def _ensure_chart(self):
        if self.chart is None:
            from PySide6.QtCharts import QChart, QChartView
            from PySide6.QtGui import QPainter

            self.chart = QChart()
            self.chart.legend().setAlignment(QtCore.Qt.AlignmentFlag.AlignBottom)
            self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
            self.chart_view = QChartView(self.chart)
            self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
            self.chart_area.layout().addWidget(self.chart_view)
        return self.chart

    def show_series(self, buckets: list[stats.JoinBucket]) -> None:
        from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QValueAxis

        self._ensure_chart()
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        new_set = QBarSet(self.tr("新增（按入会日期）"))
        old_set = QBarSet(self.tr("原有（本期导入或同步）"))
        new_set.append([b.new for b in buckets])
        old_set.append([b.existing for b in buckets])
        series = QBarSeries()
        series.append(new_set)
        series.append(old_set)
        self.chart.addSeries(series)
        axis_x = QBarCategoryAxis()
        axis_x.append([b.label for b in buckets])
        if len(buckets) > 14:
            axis_x.setLabelsAngle(-90)
            small = axis_x.labelsFont()
            small.setPointSizeF(max(6.0, small.pointSizeF() * 0.8))
            axis_x.setLabelsFont(small)
        axis_y = QValueAxis()
        top = max([b.new for b in buckets] + [b.existing for b in buckets] + [1])
        axis_y.setRange(0, top)
        axis_y.setLabelFormat("%d")
        axis_y.applyNiceNumbers()
        self.chart.addAxis(axis_x, QtCore.Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(axis_y, QtCore.Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(axis_x)
        series.attachAxis(axis_y)
        # 新增 counts joins (by join date); members an import or a first sync recorded here who had
        # joined earlier are 原有, said apart so they are never read as this period's joins.
        joined = sum(b.new for b in buckets)
        recorded = sum(b.existing for b in buckets)
        text = self.tr("本期新增入会 {0} 人").format(joined)
        if recorded:
            text += self.tr("（另有 {0} 名原有会员在本期导入或同步，不计入新增）").format(recorded)
        self.total_label.setText(text)

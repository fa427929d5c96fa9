"""业务工作台: the union's figures and the chart of members joined per day / week / month."""
from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.views import ops

if TYPE_CHECKING:
    from app.services import stats

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


class WorkbenchPage(QWidget):
    page_name = "workbench"

    def __init__(self, union_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.union_id = union_id
        self.title = QLabel(self.tr("业务工作台"))
        self.title.setObjectName("pageTitle")
        self.members_card = FigureCard(self.tr("会员数"))
        self.unions_card = FigureCard(self.tr("基层工会组织数"))
        self.enterprises_card = FigureCard(self.tr("覆盖企业数"))
        cards = QGridLayout()
        for i, card in enumerate((self.members_card, self.unions_card, self.enterprises_card)):
            cards.addWidget(card, 0, i)

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
        self.today_button = QPushButton(self.tr("今日"))
        self.week_button = QPushButton(self.tr("本周"))
        self.month_button = QPushButton(self.tr("本月"))
        self.query_button = QPushButton(self.tr("查询"))
        self.total_label = QLabel()

        controls = QHBoxLayout()
        controls.addWidget(QLabel(self.tr("入会人数统计图")))
        controls.addWidget(self.total_label)
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
        layout.addLayout(controls)
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
        self.refresh_chart()

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
            self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
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
        new_set = QBarSet(self.tr("新增"))
        old_set = QBarSet(self.tr("原有"))
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
        self.chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(axis_x)
        series.attachAxis(axis_y)
        total = sum(b.new for b in buckets)
        self.total_label.setText(self.tr("本期共计入会人数 {0}").format(total))

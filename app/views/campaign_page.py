"""参保活动配置 — the center's read-only view of the plan year's campaign (SPEC §5.10, §6): plan
year and version, every plan type with its fee and default split, every window and deadline, the
half-year rule, the member categories the unions enroll, the bank account.

The center authors the campaign with `union-server campaign create --file F.toml`; this page shows
what the server serves now (online), or the copy this PC cached at its last sync (offline, said so).
The server call runs on the I/O pool, the cached copy is read on the database worker.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from app.rules.codes import CATEGORY_LABELS, PLAN_TYPE_LABELS
from app.rules.coverage import HalfYearRule
from app.views import ops
from app.views.list_page import plain_table
from app.views.superior_pages import Column, RowsModel, describe, local_time

ApiSource = Callable[[], Any]

PLAN_COLUMNS: list[Column] = [
    ("保障类型", lambda p: p.get("label") or PLAN_TYPE_LABELS.get(p["plan_type"], p["plan_type"])),
    ("每人保障费用(元)", lambda p: p["fee"]),
    ("市总统一划拨", lambda p: p["city"]),
    ("区局/各级工会缴费", lambda p: p["district"]),
    ("基层单位缴费", lambda p: p["grassroots"]),
    ("有效期", lambda p: f"{p.get('valid_from', '')} 至 {p.get('valid_to', '')}"),
]
WINDOW_COLUMNS: list[Column] = [("事项", lambda w: w["what"]), ("开始", lambda w: w["start"]),
                                ("截止（含当日）", lambda w: w["end"])]
OFFLINE_NOTE = "当前未连接服务器：以下是本机上次同步时保存的活动配置，联网后点“同步”可获取最新配置。"
NO_CAMPAIGN = "本机还没有参保活动配置：请联网同步；职保中心用 union-server campaign create --file 配置文件 发布活动。"


def windows(config: dict[str, Any]) -> list[dict[str, str]]:
    """Every window and deadline of a campaign config, in the year's order (SPEC §6)."""
    w = config.get("windows", {})

    def span(key: str) -> tuple[str, str]:
        return w.get(key, {}).get("start", ""), w.get(key, {}).get("end", "")

    enrollment = span("enrollment")
    return [
        {"what": "区局调整费用分担", "start": span("fee_window")[0], "end": span("fee_window")[1]},
        {"what": "基层工会集中参保办理与缴费", "start": enrollment[0],
         "end": config.get("payment_deadline") or enrollment[1]},
        {"what": "区局提交至职保中心", "start": span("submission_window")[0], "end": span("submission_window")[1]},
        {"what": "区局缴费凭证确认截止", "start": "", "end": config.get("voucher_deadline", "")},
        {"what": "保障期间", "start": span("coverage")[0], "end": span("coverage")[1]},
    ]


def half_year_text(config: dict[str, Any] | None) -> str:
    """The campaign's half-year rule in words (a central batch is always 全年)."""
    rule = HalfYearRule.from_config(config)
    if not rule.enabled:
        return "无：即时参保也按全年保障费用收取"
    month, day = rule.starts
    return f"即时参保自{month}月{day}日起（含）开始保障的，按保障费用的{rule.factor}倍收取；集中参保均为全年"


def summary_lines(config: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, text) of the campaign's single values."""
    bank = config.get("bank_account", {})
    categories = "、".join(CATEGORY_LABELS.get(c, c) for c in config.get("union_categories", []))
    return [
        ("保障年度", f"{config['plan_year']}年（第{config.get('version', 1)}版，"
                     f"更新于{local_time(config.get('updated'))}）"),
        ("工会集中参保的会员类型", categories or "关联企业类"),
        ("半年保障", half_year_text(config.get("half_year"))),
        ("户名", bank.get("name", "")), ("帐号", bank.get("number", "")), ("开户行", bank.get("bank", "")),
    ]


class CampaignPage(QWidget):
    """参保活动配置 (the center's menu): read only."""

    def __init__(self, api: ApiSource) -> None:
        super().__init__()
        self.api = api
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("<b>参保活动配置</b>（只读；由职保中心用活动配置文件发布，办理开始后不能修改）")))
        self.banner = QLabel("")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("color: #a33;")
        layout.addWidget(self.banner)
        self.facts = QGridLayout()
        self.facts.setColumnStretch(1, 1)
        layout.addLayout(self.facts)
        layout.addWidget(QLabel(self.tr("保障类型、费用标准与默认分担（元/人）")))
        self.plans = RowsModel(PLAN_COLUMNS, self)
        self.plan_table = plain_table(self, self.plans, {"保障类型": 14, "每人保障费用(元)": 9, "区局/各级工会缴费": 10,
                                                               "有效期": 15})
        layout.addWidget(self.plan_table, 2)
        layout.addWidget(QLabel(self.tr("办理窗口与截止日期（北京时间，以服务器时间为准）")))
        self.windows = RowsModel(WINDOW_COLUMNS, self)
        self.window_table = plain_table(self, self.windows, {"事项": 16, "开始": 8, "截止（含当日）": 8})
        layout.addWidget(self.window_table, 2)
        self.config: dict[str, Any] | None = None

    def refresh(self) -> None:
        api = self.api()
        if api is None:
            self._cached(OFFLINE_NOTE)
            return
        ops.run_io(self, api.campaign, self.show_config, self._failed)

    def _failed(self, exc: BaseException) -> None:
        """Offline, or the server refused: the cached copy, and why it is shown."""
        if getattr(exc, "offline", False):
            self._cached(OFFLINE_NOTE)
        else:
            self._cached(describe(exc) + self.tr("　以下是本机上次同步时保存的活动配置。"))

    def load_now(self) -> None:
        self.refresh()

    def _cached(self, note: str) -> None:
        from app.services.campaign import cached_config

        self.banner.setText(self.tr(note))
        ops.run_db(self, cached_config, lambda config: self.show_config(config, keep_banner=True))

    def show_config(self, config: dict[str, Any] | None, keep_banner: bool = False) -> None:
        if not keep_banner:
            self.banner.setText("")
        self.config = config
        while self.facts.count():
            item = self.facts.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        if config is None:
            self.banner.setText(self.tr(NO_CAMPAIGN))
            self.plans.set_rows([])
            self.windows.set_rows([])
            return
        for row, (label, text) in enumerate(summary_lines(config)):
            value = QLabel(text)
            value.setWordWrap(True)
            self.facts.addWidget(QLabel(self.tr(label) + "："), row, 0)
            self.facts.addWidget(value, row, 1)
        self.plans.set_rows(list(config.get("plan_types", [])))
        self.windows.set_rows(windows(config))

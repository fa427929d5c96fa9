"""The account's union level decides the app (SPEC §5.10): which menu the main window shows and
which pages it can build. Grassroots clerks get today's pages; a secondary union 集中参保审核; a
district union 审核, 待提交, 参保批次管理 (缴费凭证, 统计表, 告知书) and 保障金额设置; the city's center
缴费凭证审核, 参保活动配置 and 保障金额设置 (the city-wide figures); each of them 账号管理 of the
unions below it. The superior pages need the server and say so when offline
(app/views/superior_pages.py).
"""
from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget

Menu = list[tuple[str | None, list[tuple[str, str]]]]

#: 账号管理 (下级工会的账号: 新建、重置密码、锁定) closes every superior menu.
ACCOUNTS_MENU = ("账号管理", [("accounts", "下级工会账号管理")])

SUPERIOR_MENUS: dict[str, Menu] = {
    "secondary": [(None, [("workbench", "业务工作台")]),
                  ("集中参保审核", [("review_pending", "待审批参保列表")]), ACCOUNTS_MENU],
    "district": [(None, [("workbench", "业务工作台")]),
                 ("集中参保审核", [("review_pending", "待审批参保列表"), ("review_ready", "待提交参保列表")]),
                 ("会员服务卡管理系统", [("district_batches", "参保批次管理"), ("fees", "保障金额设置"),
                                  ("monitor", "集中参保实时监控画面")]), ACCOUNTS_MENU],
    "city": [(None, [("workbench", "业务工作台")]),
             ("职保中心", [("center_batches", "缴费凭证审核"), ("center_campaign", "参保活动配置"),
                         ("fees", "保障金额设置"), ("monitor", "集中参保实时监控画面")]), ACCOUNTS_MENU],
}


#: 参保信息查询, 保障信息查询, 给付信息查询 (manual §1, part 4) in every superior menu, before 账号管理.
QUERY_MENU = ("信息查询", [("query_enrollment", "参保信息查询"), ("query_coverage", "保障信息查询"),
                          ("query_payouts", "给付信息查询")])
for _menu in SUPERIOR_MENUS.values():
    _menu.insert(_menu.index(ACCOUNTS_MENU), QUERY_MENU)
#: 撤销办卡批次审核 heads the district's 会员服务卡管理系统 (manual part 4).
dict(SUPERIOR_MENUS["district"])["会员服务卡管理系统"][:0] = [("withdrawal_review", "撤销办卡批次审核"),
                                                         ("instant_review", "即时参保审核")]


def menu_for(level: str, grassroots_menu: Menu) -> Menu:
    return SUPERIOR_MENUS.get(level, grassroots_menu)


def superior_factories(api: Callable[[], Any], documents: Path | None,
                       level: str = "district") -> dict[str, Callable[[], QWidget]]:
    """Builders of the superior pages, each asking `api()` for the signed-in SuperiorApi; a
    superior level's 业务工作台 shows its subtree's figures from the server. A page's module is
    imported when the page is first built (start-up imports none: they bring the spreadsheet
    and chart libraries)."""
    center = "central" if level == "district" else None
    workbench = {"workbench": _page("superior_pages", "SuperiorWorkbench", api)} if level in SUPERIOR_MENUS else {}
    return {**workbench,
        "review_pending": _page("superior_pages", "ReviewPage", api, "pending", documents, center),
        "instant_review": _page("superior_pages", "ReviewPage", api, "pending", documents, "instant"),  # (district)
        "review_ready": _page("superior_pages", "ReviewPage", api, "ready", documents),
        "district_batches": _page("superior_pages", "BatchesPage", api, center=False, documents=documents),
        "center_batches": _page("superior_pages", "BatchesPage", api, center=True),
        "accounts": _page("accounts_page", "AccountsPage", api),
        "center_campaign": _page("campaign_page", "CampaignPage", api),
        "fees": _page("fees_page", "FeesPage", api),
        "query_enrollment": _page("query_pages", "EnrollmentQueryPage", api),  # a grassroots clerk's too (§3.1)
        "query_coverage": _page("query_pages", "CoverageQueryPage", api),
        "query_payouts": _page("query_pages", "PayoutQueryPage", api),
        "withdrawal_review": _page("withdrawal_pages", "WithdrawalReviewPage", api),
        "monitor": _page("monitor_page", "MonitorPage", api),
    }


def _page(module: str, name: str, *args: Any, **kwargs: Any) -> Callable[[], QWidget]:
    """A builder of page class `name` of app.views.`module`, imported on the first build."""
    def build() -> QWidget:
        page: QWidget = getattr(import_module(f"app.views.{module}"), name)(*args, **kwargs)
        return page

    return build

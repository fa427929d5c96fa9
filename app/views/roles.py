"""The account's union level decides the app (SPEC §5.10): which menu the main window shows and
which pages it can build. Grassroots clerks get today's pages; a secondary union 集中参保审核; a
district union 审核, 待提交, 参保批次管理 (缴费凭证, 统计表, 告知书) and 保障金额设置; the city's center
缴费凭证审核, 参保活动配置 and 保障金额设置 (the city-wide figures); each of them 账号管理 of the
unions below it. The superior pages need the server and say so when offline
(app/views/superior_pages.py).
"""
from __future__ import annotations

from collections.abc import Callable
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
    superior level's 业务工作台 shows its subtree's figures from the server."""
    from app.views.accounts_page import AccountsPage
    from app.views.campaign_page import CampaignPage
    from app.views.fees_page import FeesPage
    from app.views.monitor_page import MonitorPage
    from app.views.query_pages import CoverageQueryPage, EnrollmentQueryPage, PayoutQueryPage
    from app.views.withdrawal_pages import WithdrawalReviewPage
    from app.views.superior_pages import BatchesPage, ReviewPage, SuperiorWorkbench

    workbench = {"workbench": lambda: SuperiorWorkbench(api)} if level in SUPERIOR_MENUS else {}
    return {**workbench,
        "review_pending": lambda: ReviewPage(api, "pending", documents, "central" if level == "district" else None),
        "instant_review": lambda: ReviewPage(api, "pending", documents, "instant"),  # 即时参保审核 (district)
        "review_ready": lambda: ReviewPage(api, "ready", documents),
        "district_batches": lambda: BatchesPage(api, center=False, documents=documents),
        "center_batches": lambda: BatchesPage(api, center=True),
        "accounts": lambda: AccountsPage(api),
        "center_campaign": lambda: CampaignPage(api),
        "fees": lambda: FeesPage(api),
        "query_enrollment": lambda: EnrollmentQueryPage(api),  # a grassroots clerk's too (manual §3.1)
        "query_coverage": lambda: CoverageQueryPage(api),
        "query_payouts": lambda: PayoutQueryPage(api),
        "withdrawal_review": lambda: WithdrawalReviewPage(api),
        "monitor": lambda: MonitorPage(api),
    }

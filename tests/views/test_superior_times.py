"""Every superior page shows the server's UTC times as Shanghai wall time, through the one helper
(app.views.superior_pages.local_time): a batch the server received at 17:30 UTC on December 1 was
received at 01:30 on December 2 in Shanghai, and each page's table says so."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from app.views.superior_pages import RowsModel

RECEIVED = "2026-12-01T17:30:00Z"  # 2026-12-02 01:30 in Shanghai (UTC+8)
REQUESTED = "2026-12-01T23:05:41.123456Z"  # a stamp with microseconds, as the server writes them
UNION = {"name": "上海测试基层工会", "parent": "上海市黄浦区总工会", "org_code": "G0001", "level": "grassroots"}


def _cell(model: RowsModel, header: str, row: int = 0) -> str:
    column = [head for head, _ in model.columns].index(header)
    return str(model.data(model.index(row, column), Qt.ItemDataRole.DisplayRole))


def _batch() -> dict[str, Any]:
    return {"union": UNION, "plan_type": "A", "member_count": 5, "channel": "card", "totals": {"fee": "130.00"},
            "review_mark": None, "received_at": RECEIVED, "batch_no": "JZ2026120100001"}


def test_review_pages_show_the_submission_in_shanghai_time(qtbot) -> None:
    from app.views.superior_pages import ReviewPage

    for queue, kind in (("pending", "central"), ("pending", "instant"), ("pending", None)):
        page = ReviewPage(lambda: None, queue, kind=kind)  # 集中参保审核, 即时参保审核, a secondary's 待审批
        qtbot.addWidget(page)
        page.show_result(({"batches": [_batch()], "total": 1}, None))
        assert _cell(page.model, "提交时间") == "2026-12-02 01:30"


def test_withdrawal_review_shows_both_times_in_shanghai_time(qtbot) -> None:
    from app.views.withdrawal_pages import WithdrawalReviewPage

    page = WithdrawalReviewPage(lambda: None)
    qtbot.addWidget(page)
    page.show_result({"withdrawals": [{"id": 1, "batch_no": "BK2026120100001", "union": UNION, "member_count": 3,
                                       "received_at": RECEIVED, "requested_at": REQUESTED, "status": "pending",
                                       "status_label": "待审核", "reason": "信息填错"}], "total": 1})
    assert _cell(page.model, "提交办卡时间") == "2026-12-02 01:30"
    assert _cell(page.model, "申请撤销时间") == "2026-12-02 07:05"


def test_batches_accounts_and_campaign_in_shanghai_time() -> None:
    from app.views.accounts_page import ACCOUNT_COLUMNS, AUDIT_COLUMNS
    from app.views.campaign_page import summary_lines
    from app.views.superior_pages import DISTRICT_COLUMNS

    batches = RowsModel(DISTRICT_COLUMNS)  # 参保批次管理 / 缴费凭证审核
    batches.set_rows([{"batch_no": "QJ2026120100001", "member_count": 8, "submitted_at": RECEIVED,
                       "updated_at": REQUESTED, "status_label": "待上传凭证", "union": UNION, "amount": "208.00",
                       "vouchers": []}])
    assert (_cell(batches, "提交时间"), _cell(batches, "最后更新时间")) == ("2026-12-02 01:30", "2026-12-02 07:05")
    accounts = RowsModel(ACCOUNT_COLUMNS)
    accounts.set_rows([{"username": "district", "display_name": "区局", "role_label": "经办人", "union": UNION,
                        "state_label": "正常", "last_login": RECEIVED}])
    assert _cell(accounts, "最近登录") == "2026-12-02 01:30"
    audit = RowsModel(AUDIT_COLUMNS)
    audit.set_rows([{"at": REQUESTED, "actor": "center", "action": "lock", "detail": {"reason": "离职"}}])
    assert _cell(audit, "时间") == "2026-12-02 07:05"
    lines = dict(summary_lines({"plan_year": 2027, "version": 2, "updated": REQUESTED}))
    assert "更新于2026-12-02 07:05" in lines["保障年度"]

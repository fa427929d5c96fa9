"""集中参保实时监控画面 on the wire (SPEC §5.10, manual §4.8): the figures a district (its subtree)
or the center (the city) watches during the campaign, the names of the figures whose unions the
monitor lists (drill-down), and what each union's progress reads as in Chinese.

The server computes every figure (GET /monitor) and lists the unions behind one
(GET /monitor/unions?figure=…); the client only draws and exports them.
"""
from __future__ import annotations

from enum import StrEnum


class Progress(StrEnum):
    """A grassroots union's central enrollment for the plan year, its most advanced batch first."""

    COMPLETED = "completed"  # 已完成: the district submitted it to the center
    REVIEWING = "reviewing"  # 区局确认中 (under review, or approved and waiting in 待提交)
    NOT_ACCEPTED = "not_accepted"  # 未被受理: the district's payment failed
    RETURNED = "returned"  # 退回 and not submitted again
    NOT_SUBMITTED = "not_submitted"  # 未提交


PROGRESS_LABELS: dict[str, str] = {
    Progress.COMPLETED: "已完成",
    Progress.REVIEWING: "区局确认中",
    Progress.NOT_ACCEPTED: "未被受理",
    Progress.RETURNED: "退回",
    Progress.NOT_SUBMITTED: "未提交",
}

#: Rank of each progress in SQL (the highest of a union's batches wins); 0 is 未提交.
PROGRESS_RANK: dict[str, int] = {Progress.COMPLETED: 4, Progress.REVIEWING: 3, Progress.NOT_ACCEPTED: 2,
                                 Progress.RETURNED: 1, Progress.NOT_SUBMITTED: 0}


class Figure(StrEnum):
    """A figure of the monitor whose unions can be listed (GET /monitor/unions?figure=…)."""

    ALL = "all"  # every grassroots union of the scope
    SUBMITTED = "submitted"  # 已提交: 区局确认中 or 已完成
    COMPLETED = "completed"
    REVIEWING = "reviewing"
    RETURNED = "returned"
    NOT_ACCEPTED = "not_accepted"
    NOT_SUBMITTED = "not_submitted"
    ELIGIBLE = "eligible"  # unions with members the union enrolls
    ENROLLED_CARD = "enrolled_card"  # unions with members enrolled in the card channel
    ENROLLED_SS = "enrolled_ss"  # … in the SS channel
    FEE = "fee"  # unions whose submitted batches carry a fee
    DAY = "day"  # unions that submitted on one day (with day=YYYY-MM-DD)


FIGURE_LABELS: dict[str, str] = {
    Figure.ALL: "基层工会", Figure.SUBMITTED: "已提交", Figure.COMPLETED: "已完成", Figure.REVIEWING: "区局确认中",
    Figure.RETURNED: "退回", Figure.NOT_ACCEPTED: "未被受理", Figure.NOT_SUBMITTED: "未提交",
    Figure.ELIGIBLE: "应参保", Figure.ENROLLED_CARD: "会员卡参保", Figure.ENROLLED_SS: "社保卡参保",
    Figure.FEE: "已提交保障费用", Figure.DAY: "当日提交",
}

#: The figures that are a set of progress values.
FIGURE_PROGRESS: dict[str, tuple[str, ...]] = {
    Figure.SUBMITTED: (Progress.COMPLETED, Progress.REVIEWING),
    Figure.COMPLETED: (Progress.COMPLETED,),
    Figure.REVIEWING: (Progress.REVIEWING,),
    Figure.RETURNED: (Progress.RETURNED,),
    Figure.NOT_ACCEPTED: (Progress.NOT_ACCEPTED,),
    Figure.NOT_SUBMITTED: (Progress.NOT_SUBMITTED,),
}

#: Most unions one GET /monitor/unions answers (the city has about 53,000 grassroots unions).
MAX_MONITOR_UNIONS = 100_000
#: How often the open monitor asks the server again, in seconds.
REFRESH_SECONDS = 60

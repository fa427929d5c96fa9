"""Who may do the superior side's work, checked in one place.

Roles by level (server.models.ROLE_LEVELS) decide the account's rights; here the superior side
narrows them: review is for reviewer accounts of secondary and district unions, each within its
own subtree (a secondary's grassroots unions; a district's whole district); submitting to the
center, the 待提交 list and vouchers are the district's; deciding vouchers and setting up
campaigns are the center's. A grassroots account gets none of it. Every refusal is
`union_scope`, so a caller learns nothing about batches outside its scope.
"""
from __future__ import annotations

from typing import Any

from server.accounts import role_valid
from server.models import Union, User
from server.problems import ProblemError

REVIEW_LEVELS: tuple[str, ...] = ("secondary", "district")


def _own(user: User) -> Union:
    own = Union.get_by_id(user.union_id)
    if not role_valid(user.role, own.level):
        raise ProblemError("union_scope")
    return own


def reviewer_union(user: User) -> Union:
    """The union a reviewer reviews for (a secondary or district union), else union_scope."""
    own = _own(user)
    if user.role != "reviewer" or own.level not in REVIEW_LEVELS:
        raise ProblemError("union_scope", "只有二级工会和区局(产业)工会的审核账号可以审核参保批次")
    return own


def district_union(user: User) -> Union:
    """The district union of a district reviewer (待提交, 提交至职保中心, 缴费凭证), else union_scope."""
    own = _own(user)
    if user.role != "reviewer" or own.level != "district":
        raise ProblemError("union_scope", "只有区局(产业)工会可以办理待提交列表、提交至职保中心和缴费凭证")
    return own


def require_center(user: User) -> None:
    """The center's own work (voucher decisions, campaigns), else union_scope."""
    _own(user)
    if user.role != "center":
        raise ProblemError("union_scope", "只有职保中心可以办理")


def district_or_center(user: User) -> tuple[Union, bool]:
    """The union of a district reviewer or of the center (保障金额设置, 集中参保统计表) and whether it
    is the center; else union_scope."""
    try:
        require_center(user)
        return Union.get_by_id(user.union_id), True
    except ProblemError:
        return district_union(user), False


def in_subtree(reviewer: Union) -> Any:
    """The query condition (on `Union`, joined as the batch's union) of the unions whose batches
    `reviewer` may see and act on: its subordinates, never itself."""
    return Union.path.startswith(reviewer.path) & (Union.id != reviewer.id)


def query_scope(user: User) -> Any:
    """The query condition (on `Union`, joined as the record's union) of the unions whose people
    `user` may look up (参保/保障/给付信息查询): a superior's or the center's whole subtree, a
    grassroots clerk's own union only. Anything outside answers as if it did not exist."""
    own = _own(user)
    if own.level == "grassroots":
        return Union.id == own.id
    return Union.path.startswith(own.path)

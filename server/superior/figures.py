"""The superior workbench's figures (SPEC §5.1, §5.10): 会员数, 基层工会组织数 and 覆盖企业数 over the
account's subtree (the center: the whole city), and members joined per month of the last year."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from peewee import SQL, fn

from server.campaigns import shanghai_today
from server.models import Enterprise, Member, Union, User
from server.problems import ProblemError
from server.settings import ServerContext
from server.superior.scope import require_center, reviewer_union


def scope_union(user: User) -> Union:
    """The union whose subtree the caller watches: a secondary's or district's reviewer its own, the
    center the city; anyone else union_scope."""
    try:
        return reviewer_union(user)
    except ProblemError:
        require_center(user)
        return Union.get_by_id(user.union_id)


def subtree_figures(ctx: ServerContext, user: User) -> dict[str, Any]:
    own = scope_union(user)
    inside = Union.path.startswith(own.path)
    members = (Member.select().join(Union, on=(Member.union == Union.id))
               .where(inside & (Member.life_status == "in_service")).count())
    grassroots = Union.select().where(inside & (Union.level == "grassroots")).count()
    enterprises = Enterprise.select().join(Union, on=(Enterprise.union == Union.id)).where(inside).count()
    since = (shanghai_today(ctx) - timedelta(days=365)).isoformat()
    # Constants inlined: PostgreSQL matches GROUP BY to the selected expression only without parameters.
    month = fn.SUBSTR(Member.join_date, SQL("1"), SQL("7"))
    joins = (Member.select(month.alias("month"), fn.COUNT(Member.id).alias("n"))
             .join(Union, on=(Member.union == Union.id))
             .where(inside & (Member.join_date >= since)).group_by(SQL("1")).order_by(SQL("1")).tuples())
    return {"union": {"org_code": own.org_code, "name": own.name, "level": own.level}, "members": members,
            "grassroots_unions": grassroots, "enterprises": enterprises,
            "joins_by_month": [{"month": m, "count": n} for m, n in joins]}


"""Notices (通知) the center or a superior union publishes to the clerks below it: 帮助 → 查看通知.

A notice has a scope: the publishing union's path, so it reaches that union and everything under
it ("/" — the center's — reaches every union). GET /notices answers the caller's current notices,
newest first: published, not expired, scoped above or at the caller's union.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from peewee import fn

from server.accounts import audit
from server.models import Notice, Union, User
from server.problems import ProblemError
from server.settings import ServerContext

MAX_TITLE = 100
MAX_BODY = 5000
#: Most notices one answer carries.
LIMIT = 50


def publish(ctx: ServerContext, title: str, body: str, *, union: Union | None = None, publisher: str = "",
            expires: datetime | None = None, by: User | None = None) -> Notice:
    """Publish a notice to `union` and everything under it (None: every union)."""
    title, body = title.strip(), body.strip()
    if not title or len(title) > MAX_TITLE:
        raise ProblemError("validation", {"field": "title", "message": f"通知标题应为1–{MAX_TITLE}个字"})
    if not body or len(body) > MAX_BODY:
        raise ProblemError("validation", {"field": "body", "message": f"通知内容应为1–{MAX_BODY}个字"})
    now = ctx.now_naive()
    notice = Notice.create(title=title, body=body, publisher=publisher or (union.name if union else "上海市总工会"),
                           scope=union.path if union is not None else "/", published=now, expires=expires)
    audit(ctx, "notice_published", user=by, union=union, entity="notice", entity_key=str(notice.id),
          detail={"title": title})
    return notice


def for_user(ctx: ServerContext, user: User) -> dict[str, Any]:
    """The notices the user's union receives now, newest first."""
    union = Union.get_by_id(user.union_id)
    now = ctx.now_naive()
    # Scoped at or above the union: the notice's scope is a prefix of the union's path.
    query = (Notice.select()
             .where((Notice.published <= now) & (Notice.expires.is_null() | (Notice.expires > now))
                    & (fn.SUBSTR(union.path or "/", 1, fn.LENGTH(Notice.scope)) == Notice.scope))
             .order_by(Notice.published.desc(), Notice.id.desc()).limit(LIMIT))
    return {"notices": [{"id": n.id, "title": n.title, "body": n.body, "publisher": n.publisher,
                         "published": n.published.isoformat() + "Z"} for n in query]}

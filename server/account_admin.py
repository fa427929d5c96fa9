"""A superior union manages its subordinate unions' accounts (manual §1 "忘记密码请联系上级工会";
issue #16): list them, create one, reset a password, lock and unlock.

Who may: an account of a secondary, district or city union whose role is valid at its level
(reviewer; the center at the city), for the unions strictly below its own — never its own union,
never a peer's. A grassroots clerk may do none of it. An unknown name or org code is refused
exactly like a forbidden one (`union_scope`), so nobody can probe which accounts exist.
`actor=None` is IT staff on the server host (`union-server account …`): any union, audited as
`union-server`.

A password the superior sets or the server generates is known to someone other than the account's
owner, so the account must choose its own at its next login (`must_change_password`; until then
the login answers `password_change_required` and no route takes a token). A generated password is
answered once and never stored in clear; no password ever reaches the audit or the log.

Every function runs inside a `db.session()`; each change is one write transaction with its audit
entry (actor, target union and account, action, time).
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any

from app.protocol import format_timestamp
from app.protocol.accounts import (
    ACCOUNT_STATE_LABELS,
    MAX_ACCOUNTS_PAGE,
    ROLE_LABELS,
    AccountAction,
    AccountState,
    username_problem,
)
from server import accounts
from server.db import write_tx
from server.models import AuditEntry, LoginGuard, Token, Union, User
from server.problems import ProblemError
from server.security import generate_password, hash_password
from server.settings import ServerContext

log = logging.getLogger("union_server.account_admin")

#: The audit's actor for IT staff working on the server host.
IT_ACTOR = "union-server"

_SCOPE = "只有上级工会的账号可以管理下级工会的账号（新建、重置密码、锁定、解除锁定）"


def _refused() -> ProblemError:
    return ProblemError("union_scope", _SCOPE)


def _superior(actor: User) -> Union | None:
    """The actor's union if the actor is a superior union's account (role valid at its level)."""
    own = Union.get_by_id(actor.union_id)
    if actor.role == "clerk" or not accounts.role_valid(actor.role, own.level):
        return None
    return own


def may_manage(actor: User | None, union: Union) -> bool:
    """Whether `actor` manages the accounts of `union`: a strict subordinate of its own union."""
    if actor is None:
        return True
    own = _superior(actor)
    return own is not None and own.id != union.id and own.contains(union)


def managed_union(actor: User | None, org_code: str) -> Union:
    union = Union.get_or_none(Union.org_code == str(org_code))
    if union is None or not may_manage(actor, union):
        raise _refused()
    return union


def managed_account(actor: User | None, username: str) -> tuple[User, Union]:
    """The account `username` and its union, if `actor` manages it (else union_scope)."""
    target = User.get_or_none(User.username == username)
    union = Union.get_by_id(target.union_id) if target is not None else None
    if target is None or union is None or not may_manage(actor, union):
        raise _refused()
    return target, union


def _audit(ctx: ServerContext, actor: User | None, action: AccountAction, union: Union, username: str,
           detail: dict[str, Any] | None = None) -> None:
    AuditEntry.create(at=ctx.now_naive(), username=actor.username if actor else IT_ACTOR, union=union,
                      action=str(action), entity="user", entity_key=username, detail=detail or {})


def _stamp(value: datetime | None) -> str | None:
    """A naive UTC datetime of the database as the wire's "…Z" timestamp."""
    return format_timestamp(value.replace(tzinfo=timezone.utc)) if value is not None else None


def state_of(user: User, guard: LoginGuard | None, now: datetime) -> AccountState:
    if user.disabled:
        return AccountState.LOCKED
    if guard is not None and guard.locked_until is not None and guard.locked_until > now:
        return AccountState.THROTTLED
    if user.must_change_password:
        return AccountState.MUST_CHANGE
    return AccountState.ACTIVE


def account_row(user: User, union: Union, guard: LoginGuard | None, now: datetime) -> dict[str, Any]:
    """An account as its superior sees it (app.protocol.accounts); never a hash or a token."""
    state = state_of(user, guard, now)
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "role_label": ROLE_LABELS.get(user.role, user.role),
        "union": {"org_code": union.org_code, "name": union.name, "level": union.level},
        "state": str(state),
        "state_label": ACCOUNT_STATE_LABELS[state],
        "must_change_password": bool(user.must_change_password),
        "last_login": _stamp(user.last_login),
        "created": _stamp(user.created),
    }


def _guards(usernames: list[str]) -> dict[str, LoginGuard]:
    keys = [f"user:{name}" for name in usernames]
    return {g.key[5:]: g for g in LoginGuard.select().where(LoginGuard.key.in_(keys))} if keys else {}


def _row(ctx: ServerContext, user: User, union: Union) -> dict[str, Any]:
    return account_row(user, union, _guards([user.username]).get(user.username), ctx.now_naive())


def list_accounts(ctx: ServerContext, actor: User | None, *, union: str | None = None, text: str = "",
                  offset: int = 0, limit: int = 200) -> dict[str, Any]:
    """The accounts of one subordinate union (`union`: its org code) or of every union below the
    actor's, ordered by union and name; `text` matches account, name, union name or org code."""
    query = User.select(User, Union).join(Union)
    if union:
        query = query.where(Union.id == managed_union(actor, union).id)
    elif actor is not None:
        own = _superior(actor)
        if own is None:
            raise _refused()
        query = query.where(Union.path.startswith(own.path) & (Union.id != own.id))
    if text.strip():
        t = text.strip()
        query = query.where(User.username.contains(t) | User.display_name.contains(t) | Union.name.contains(t)
                            | (Union.org_code == t))
    total = query.count()
    page = list(query.order_by(Union.path, User.username).offset(max(0, offset))
                .limit(max(1, min(limit, MAX_ACCOUNTS_PAGE))))
    guards = _guards([u.username for u in page])
    now = ctx.now_naive()
    return {"total": total, "offset": offset,
            "accounts": [account_row(u, u.union, guards.get(u.username), now) for u in page]}


def _password(given: str | None) -> tuple[str, bool]:
    """The password to set and whether the server generated it."""
    return (given, False) if given else (generate_password(), True)


def _with_password(row: dict[str, Any], password: str, generated: bool) -> dict[str, Any]:
    answer: dict[str, Any] = {"account": row, "generated": generated}
    if generated:
        answer["password"] = password  # shown once; the caller must not log or store it
    return answer


def create_account(ctx: ServerContext, actor: User | None, *, union: str, username: str, display_name: str = "",
                   role: str = "", password: str | None = None) -> dict[str, Any]:
    """A new account of the subordinate union `union` (org code); it sets its own password at its
    first login. Answers the account and, when the server made the password, that password."""
    target_union = managed_union(actor, union)
    problem = username_problem(username)
    if problem is not None:
        raise ProblemError("validation", problem)
    secret, generated = _password(password)
    user = accounts.create_user(ctx, username=username, password=secret, union=target_union, role=role,
                                display_name=display_name.strip(), must_change_password=True, by=actor,
                                detail={"generated": generated, **({} if actor else {"by": IT_ACTOR})})
    log.info("account %s created for %s by %s", username, target_union.org_code,
             actor.username if actor else IT_ACTOR)
    return _with_password(_row(ctx, user, target_union), secret, generated)


def _revoke_sessions(user: User) -> None:
    """Every token of the account ends, device cookies included (inside a write transaction)."""
    Token.delete().where(Token.user == user).execute()


def _clear_throttling(user: User) -> None:
    """Forget the failed-login counts of the account and of its PCs' device cookies (issue #18)."""
    cookies = [f"cookie:{t.token_hash}" for t in Token.select(Token.token_hash).where(
        (Token.user == user) & (Token.kind == "login_cookie"))]
    LoginGuard.delete().where((LoginGuard.key == f"user:{user.username}") | LoginGuard.key.in_(cookies or [""])).execute()


def reset_password(ctx: ServerContext, actor: User | None, username: str, password: str | None = None) -> dict[str, Any]:
    """A superior resets a subordinate account's password (given, or generated and answered once).
    Every session of the account ends, its failed-login throttling is cleared, and its next login
    must set its own password (so the superior, who knows this one, cannot become the clerk)."""
    target, union = managed_account(actor, username)
    secret, generated = _password(password)
    accounts.require_password(secret, username, target.display_name, union.name)
    new_hash = hash_password(secret, ctx.settings.scrypt_n)
    with write_tx():
        target = User.get_by_id(target.id)
        target.password_hash = new_hash
        target.must_change_password = True
        target.save()
        _clear_throttling(target)
        _revoke_sessions(target)
        _audit(ctx, actor, AccountAction.RESET, union, username, {"generated": generated})
    log.info("password of %s reset by %s", username, actor.username if actor else IT_ACTOR)
    return _with_password(_row(ctx, target, union), secret, generated)


def _set_locked(ctx: ServerContext, actor: User | None, username: str, locked: bool,
                detail: dict[str, Any]) -> dict[str, Any]:
    target, union = managed_account(actor, username)
    with write_tx():
        target = User.get_by_id(target.id)
        target.disabled = locked
        target.save()
        if locked:
            _revoke_sessions(target)
        else:
            _clear_throttling(target)
        _audit(ctx, actor, AccountAction.LOCK if locked else AccountAction.UNLOCK, union, username, detail)
    log.info("account %s %s by %s", username, "locked" if locked else "unlocked", actor.username if actor else IT_ACTOR)
    return {"account": _row(ctx, target, union)}


def lock(ctx: ServerContext, actor: User | None, username: str, reason: str = "") -> dict[str, Any]:
    """No login for the account until a superior unlocks it; its sessions end now."""
    return _set_locked(ctx, actor, username, True, {"reason": reason.strip()} if reason.strip() else {})


def unlock(ctx: ServerContext, actor: User | None, username: str) -> dict[str, Any]:
    """Lift a superior's lock and the failed-login throttling of the account (issue #18)."""
    return _set_locked(ctx, actor, username, False, {})


def audit_trail(ctx: ServerContext, actor: User | None, username: str, limit: int = 50) -> list[dict[str, Any]]:
    """The account-management entries of a managed account, newest first."""
    target, _union = managed_account(actor, username)
    actions = [str(a) for a in AccountAction]
    rows = (AuditEntry.select().where((AuditEntry.entity == "user") & (AuditEntry.entity_key == target.username)
                                      & AuditEntry.action.in_(actions))
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit))
    return [{"at": _stamp(r.at), "actor": r.username, "action": r.action, "detail": r.detail} for r in rows]

"""Unions, accounts, login and tokens, union scope and device keys.

Every function here runs inside a `db.session()` on the calling thread. Functions that refuse raise
`ProblemError`; nothing here logs a password, a token or a key.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from peewee import IntegrityError

from app.protocol import is_valid_public_key, key_fingerprint
from server.db import write_tx
from server.models import (
    LEVELS,
    ROLES,
    UNSUPPORTED_UNION_TYPES,
    AuditEntry,
    Device,
    Enterprise,
    Token,
    Union,
    User,
)
from server.problems import ProblemError
from server.security import (
    burn_password_check,
    hash_password,
    new_token,
    token_hash,
    verify_password,
)
from server.settings import ServerContext

log = logging.getLogger("union_server.accounts")

# Which level may sit under which (a secondary union is optional).
_PARENT_LEVELS: dict[str, tuple[str, ...]] = {
    "city": (),
    "district": ("city",),
    "secondary": ("district",),
    "grassroots": ("district", "secondary"),
}


def audit(ctx: ServerContext, action: str, *, user: User | None = None, union: Union | None = None,
          entity: str = "", entity_key: str = "", detail: dict[str, Any] | None = None) -> None:
    AuditEntry.create(
        at=ctx.now_naive(),
        username=user.username if user else None,
        union=union if union is not None else (user.union_id if user else None),
        action=action,
        entity=entity,
        entity_key=entity_key,
        detail=detail or {},
    )


# --- Unions and users ----------------------------------------------------------------------------


def create_union(ctx: ServerContext, *, name: str, org_code: str, union_type: str, level: str,
                 parent: Union | None) -> Union:
    """A new union under `parent` (None only for the city union)."""
    if level not in LEVELS:
        raise ProblemError("validation", f"level 应为 {', '.join(LEVELS)} 之一")
    allowed = _PARENT_LEVELS[level]
    if (parent is None) != (not allowed) or (parent is not None and parent.level not in allowed):
        raise ProblemError("validation", f"{level} 级工会的上级应为 {', '.join(allowed) or '无'}")
    with write_tx():
        try:
            union = Union.create(
                name=name, org_code=org_code, union_type=union_type, level=level, parent=parent,
                path="", created=ctx.now_naive(),
            )
        except IntegrityError:
            raise ProblemError("validation", f"组织代码 {org_code} 已存在") from None
        union.path = (parent.path if parent else "/") + f"{union.id}/"
        union.save()
        audit(ctx, "create_union", union=union, entity="union", entity_key=org_code)
    # A new union learns the current campaign on its first pull.
    from server.campaigns import publish_campaigns_to

    publish_campaigns_to(ctx, union)
    return union


def add_enterprise(union: Union, name: str, credit_code: str | None = None) -> Enterprise:
    return Enterprise.create(union=union, name=name, credit_code=credit_code)


def create_user(ctx: ServerContext, *, username: str, password: str, union: Union, role: str = "",
                display_name: str = "") -> User:
    if not role:
        role = "clerk" if union.level == "grassroots" else "reviewer"
    if role not in ROLES:
        raise ProblemError("validation", f"role 应为 {', '.join(ROLES)} 之一")
    if len(password) < 8:
        raise ProblemError("validation", "密码至少8位")
    with write_tx():
        try:
            user = User.create(
                username=username, union=union, role=role, display_name=display_name,
                password_hash=hash_password(password, ctx.settings.scrypt_n), created=ctx.now_naive(),
            )
        except IntegrityError:
            raise ProblemError("validation", f"用户名 {username} 已存在") from None
        audit(ctx, "create_user", union=union, entity="user", entity_key=username)
    return user


def reset_password(ctx: ServerContext, *, actor: User, username: str, new_password: str) -> None:
    """A superior union's account resets a subordinate union's account password (manual §1).

    The actor must belong to a strict ancestor of the account's union (or be center staff). The
    lock is lifted and every token of the account is revoked."""
    target = User.get_or_none(User.username == username)
    if target is None:
        raise ProblemError("not_found", f"用户 {username} 不存在")
    target_union = Union.get_by_id(target.union_id)
    actor_union = Union.get_by_id(actor.union_id)
    is_superior = actor_union.id != target_union.id and actor_union.contains(target_union)
    if not (is_superior or actor.role == "center"):
        raise ProblemError("union_scope", "只有上级工会的账号可以重置密码")
    if len(new_password) < 8:
        raise ProblemError("validation", "密码至少8位")
    with write_tx():
        target.password_hash = hash_password(new_password, ctx.settings.scrypt_n)
        target.failed_count = 0
        target.locked_until = None
        target.save()
        Token.delete().where(Token.user == target).execute()
        audit(ctx, "reset_password", user=actor, union=target_union, entity="user", entity_key=username)
    log.info("password of %s reset by %s", username, actor.username)


# --- Login and tokens ----------------------------------------------------------------------------


def union_info(union: Union) -> dict[str, Any]:
    return {
        "id": union.id,
        "name": union.name,
        "org_code": union.org_code,
        "union_type": union.union_type,
        "level": union.level,
        "parent_id": union.parent_id,
    }


def user_info(user: User) -> dict[str, Any]:
    union = Union.get_by_id(user.union_id)
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "union": union_info(union),
        "enterprises": [
            {"name": e.name, "credit_code": e.credit_code}
            for e in Enterprise.select().where(Enterprise.union == union).order_by(Enterprise.name)
        ],
    }


def _issue_tokens(ctx: ServerContext, user: User) -> dict[str, Any]:
    now = ctx.now_naive()
    settings = ctx.settings
    access, refresh = new_token(), new_token()
    Token.create(token_hash=token_hash(access), kind="access", user=user,
                 expires=now + timedelta(seconds=settings.access_ttl_seconds), created=now)
    Token.create(token_hash=token_hash(refresh), kind="refresh", user=user,
                 expires=now + timedelta(seconds=settings.refresh_ttl_seconds), created=now)
    return {
        "access_token": access,
        "refresh_token": refresh,
        "token_type": "bearer",
        "expires_in": settings.access_ttl_seconds,
        "refresh_expires_in": settings.refresh_ttl_seconds,
    }


def _failure_delay(ctx: ServerContext, failures: int) -> float:
    s = ctx.settings
    return min(s.failure_delay_max_seconds, s.failure_delay_seconds * max(failures, 1))


def login(ctx: ServerContext, username: str, password: str) -> dict[str, Any]:
    """Tokens and the user's profile, or ProblemError auth_failed / account_locked (with a delay)."""
    now = ctx.now_naive()
    user = User.get_or_none(User.username == username)
    if user is None or user.disabled:
        burn_password_check(password, ctx.settings.scrypt_n)
        log.info("login failed for unknown or disabled account")
        raise ProblemError("auth_failed", delay=_failure_delay(ctx, 1))
    if user.locked_until is not None and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        log.info("login refused for locked account %s", username)
        raise ProblemError("account_locked", {"retry_after_minutes": minutes}, delay=_failure_delay(ctx, 1))
    if not verify_password(password, user.password_hash):
        with write_tx():
            # Re-read inside the write lock so concurrent failures all count.
            user = User.get_by_id(user.id)
            failures = user.failed_count + 1
            locked = failures >= ctx.settings.max_failed_logins
            user.failed_count = 0 if locked else failures
            user.locked_until = now + timedelta(seconds=ctx.settings.lockout_seconds) if locked else None
            user.save()
            audit(ctx, "login_locked" if locked else "login_failed", user=user, entity="user",
                  entity_key=username, detail={"failures": failures})
        log.info("login failed for %s (%d consecutive)%s", username, failures, ", locked" if locked else "")
        delay = _failure_delay(ctx, failures)
        if locked:
            minutes = ctx.settings.lockout_seconds // 60
            raise ProblemError("account_locked", {"retry_after_minutes": minutes}, delay=delay)
        remaining = ctx.settings.max_failed_logins - failures
        raise ProblemError("auth_failed", {"attempts_left": remaining}, delay=delay)
    union = Union.get_by_id(user.union_id)
    if union.union_type in UNSUPPORTED_UNION_TYPES:
        raise ProblemError("union_type_unsupported", union.union_type)
    with write_tx():
        user.failed_count = 0
        user.locked_until = None
        user.last_login = now
        user.save()
        Token.delete().where((Token.user == user) & (Token.expires < now)).execute()
        tokens = _issue_tokens(ctx, user)
        audit(ctx, "login", user=user, entity="user", entity_key=username)
    log.info("login ok for %s", username)
    return {**tokens, "user": user_info(user)}


def refresh(ctx: ServerContext, refresh_token: str) -> dict[str, Any]:
    """Swap a refresh token for a new pair; the old refresh token stops working."""
    now = ctx.now_naive()
    with write_tx():
        row = Token.get_or_none((Token.token_hash == token_hash(refresh_token)) & (Token.kind == "refresh"))
        if row is None:
            raise ProblemError("auth_failed")
        if row.expires <= now:
            row.delete_instance()
            raise ProblemError("token_expired")
        user = User.get_by_id(row.user_id)
        if user.disabled:
            raise ProblemError("auth_failed")
        row.delete_instance()
        tokens = _issue_tokens(ctx, user)
    return {**tokens, "user": user_info(user)}


def logout(ctx: ServerContext, user: User) -> None:
    with write_tx():
        Token.delete().where(Token.user == user).execute()


def authenticate(ctx: ServerContext, access_token: str | None) -> User:
    """The user an access token belongs to, or ProblemError auth_failed / token_expired."""
    if not access_token:
        raise ProblemError("auth_failed", "缺少登录凭证")
    row = Token.get_or_none((Token.token_hash == token_hash(access_token)) & (Token.kind == "access"))
    if row is None:
        raise ProblemError("auth_failed")
    if row.expires <= ctx.now_naive():
        raise ProblemError("token_expired")
    user = User.get_by_id(row.user_id)
    if user.disabled:
        raise ProblemError("auth_failed")
    return user


# --- Union scope ---------------------------------------------------------------------------------


def can_access(user: User, union: Union) -> bool:
    """A user sees their own union and its subordinates; center staff see every union."""
    if user.role == "center":
        return True
    own = Union.get_by_id(user.union_id)
    return own.contains(union)


def require_scope(user: User, union: Union) -> None:
    if not can_access(user, union):
        raise ProblemError("union_scope")


def union_for(user: User, org_code: str | None, *, write: bool = False) -> Union:
    """The union named by `org_code` (default: the user's own), checked against the user's scope.

    Reading reaches subordinates (and everything for the center); writing members' data only
    the user's own union (SPEC §3). An unknown code answers union_scope too, so a caller cannot
    probe which codes exist."""
    own = Union.get_by_id(user.union_id)
    if org_code is None or org_code == "":
        return own
    union = Union.get_or_none(Union.org_code == str(org_code))
    if union is None or not can_access(user, union) or (write and union.id != own.id):
        raise ProblemError("union_scope")
    return union


# --- Devices ------------------------------------------------------------------------------------


def register_device(ctx: ServerContext, user: User, public_key: str, label: str = "") -> dict[str, Any]:
    """Register a PC's Ed25519 public key for `user` (idempotent for the same key and user)."""
    if not isinstance(public_key, str) or not is_valid_public_key(public_key):
        raise ProblemError("validation", "public_key 应为 base64 编码的 Ed25519 公钥")
    fingerprint = key_fingerprint(public_key)
    with write_tx():
        existing = Device.get_or_none(Device.public_key == public_key)
        if existing is not None:
            if existing.user_id != user.id:
                raise ProblemError("validation", "该公钥已登记给其他账号，请重新生成本机密钥")
            if existing.revoked is not None:
                raise ProblemError("unknown_device", "该密钥已被停用，请重新生成本机密钥")
            device = existing
        else:
            device = Device.create(user=user, public_key=public_key, fingerprint=fingerprint,
                                   label=label[:100], created=ctx.now_naive())
            audit(ctx, "register_device", user=user, entity="device", entity_key=fingerprint)
    return {"device_id": device.id, "fingerprint": fingerprint, "registered": device.created.isoformat() + "Z"}


def revoke_device(ctx: ServerContext, user: User, fingerprint: str) -> None:
    with write_tx():
        count = (Device.update(revoked=ctx.now_naive())
                 .where((Device.user == user) & (Device.fingerprint == fingerprint) & Device.revoked.is_null())
                 .execute())
        if not count:
            raise ProblemError("not_found", "没有这台设备")
        audit(ctx, "revoke_device", user=user, entity="device", entity_key=fingerprint)


def device_for(user: User, fingerprint: str | None) -> Device:
    """The user's active device with this fingerprint, else ProblemError unknown_device."""
    if not fingerprint:
        raise ProblemError("unknown_device")
    device = (Device.select()
              .where((Device.user == user) & (Device.fingerprint == fingerprint) & Device.revoked.is_null())
              .first())
    if device is None:
        raise ProblemError("unknown_device")
    return device

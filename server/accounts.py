"""Unions, accounts, login and tokens, union scope and device keys.

Every function here runs inside a `db.session()` on the calling thread. Functions that refuse raise
`ProblemError`; nothing here logs a password, a token or a key.
"""
from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import Any

from peewee import IntegrityError

from app.protocol import Entity, is_valid_public_key, key_fingerprint
from server.batch import buffer_audit
from server.batch import current as current_batch
from server.batch import now_naive as batch_now
from server.changes import emit_change
from server.db import write_tx
from server.models import (
    LEVELS,
    ROLE_LEVELS,
    ROLES,
    AuditEntry,
    Device,
    Enterprise,
    Token,
    Union,
    User,
)
from server.problems import ProblemError
from server.security import hash_password, new_token, password_problem, token_hash
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
    # In a push request's batch: the request's time, read once (server/batch.py now_naive).
    row = {"at": batch_now(ctx), "username": user.username if user else None,
           "union": union.id if union is not None else (user.union_id if user else None),
           "action": action, "entity": entity, "entity_key": entity_key, "detail": detail or {}}
    if not buffer_audit(row):  # a push request's batch writes it with the others (server/batch.py)
        AuditEntry.create(**row)


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


def role_valid(role: str, level: str) -> bool:
    """Whether an account of `role` may exist at a union of `level` (models.ROLE_LEVELS)."""
    return level in ROLE_LEVELS.get(role, ())


def check_role(user: User, union: Union) -> None:
    """Refuse an account whose role does not belong at its union's level (it has no rights)."""
    if not role_valid(user.role, union.level):
        raise ProblemError("union_scope", "账号的角色与所在工会的级别不符，请联系上级工会更正账号")


def require_password(password: str, *hints: str) -> None:
    """Refuse (password_weak) a password the policy does not accept; hints: the account's names."""
    problem = password_problem(password, [h for h in hints if h])
    if problem is not None:
        raise ProblemError("password_weak", problem)


def password_problem_for(username: str, new_password: str) -> str | None:
    """The policy's verdict on `new_password` for the account `username` (hints: its names)."""
    user = User.get_or_none(User.username == username)
    hints = [username]
    if user is not None:
        hints += [user.display_name, Union.get_by_id(user.union_id).name]
    return password_problem(new_password, hints)


def create_user(ctx: ServerContext, *, username: str, password: str, union: Union, role: str = "",
                display_name: str = "", must_change_password: bool = False, by: User | None = None,
                detail: dict[str, Any] | None = None) -> User:
    """A new account of `union`. `by`: the superior's account that made it (audited as the actor);
    `must_change_password`: its first login must set its own password (the maker knows this one)."""
    if not role:
        role = "clerk" if union.level == "grassroots" else "reviewer"
    if role not in ROLES:
        raise ProblemError("validation", f"role 应为 {', '.join(ROLES)} 之一")
    if not role_valid(role, union.level):
        levels = "、".join(ROLE_LEVELS[role])
        raise ProblemError("validation", f"{role} 角色只能设在 {levels} 级工会，{union.name} 是 {union.level} 级")
    require_password(password, username, display_name, union.name)
    with write_tx():
        try:
            user = User.create(
                username=username, union=union, role=role, display_name=display_name,
                password_hash=hash_password(password, ctx.settings.scrypt_n), created=ctx.now_naive(),
                must_change_password=must_change_password,
            )
        except IntegrityError:
            raise ProblemError("validation", f"用户名 {username} 已存在") from None
        audit(ctx, "create_user", user=by, union=union, entity="user", entity_key=username, detail=detail)
    return user


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


def issue_tokens(ctx: ServerContext, user: User, family: str | None = None) -> dict[str, Any]:
    """A new access and refresh token of `family` (a new family: a new login)."""
    now = ctx.now_naive()
    settings = ctx.settings
    family = family or secrets.token_hex(16)
    access, refresh = new_token(), new_token()
    Token.create(token_hash=token_hash(access), kind="access", user=user, family=family,
                 expires=now + timedelta(seconds=settings.access_ttl_seconds), created=now)
    Token.create(token_hash=token_hash(refresh), kind="refresh", user=user, family=family,
                 expires=now + timedelta(seconds=settings.refresh_ttl_seconds), created=now)
    return {
        "access_token": access,
        "refresh_token": refresh,
        "token_type": "bearer",
        "expires_in": settings.access_ttl_seconds,
        "refresh_expires_in": settings.refresh_ttl_seconds,
    }


def refresh(ctx: ServerContext, refresh_token: str) -> dict[str, Any]:
    """Swap a refresh token for a new pair of the same family. The old refresh token and the
    family's access tokens stop working; a refresh token presented a second time was copied, so
    the whole family is revoked (the thief and the clerk both have to log in again)."""
    now = ctx.now_naive()
    revoked = False
    with write_tx():
        row = Token.get_or_none((Token.token_hash == token_hash(refresh_token)) & (Token.kind == "refresh"))
        if row is None:
            raise ProblemError("auth_failed")
        user = User.get_by_id(row.user_id)
        if row.rotated is not None:
            Token.delete().where((Token.family == row.family) & (Token.user == user)).execute()
            audit(ctx, "refresh_reuse", user=user, entity="user", entity_key=user.username)
            revoked = True
        elif row.expires <= now:
            row.delete_instance()
            raise ProblemError("token_expired")
        elif user.disabled:
            raise ProblemError("auth_failed")
        elif user.must_change_password:
            raise ProblemError("password_change_required", {"must_change_password": True})
        else:
            row.rotated = now
            row.save()
            Token.delete().where((Token.family == row.family) & (Token.kind == "access")).execute()
            tokens = issue_tokens(ctx, user, row.family)
    if revoked:
        log.warning("a rotated refresh token of %s was used again: its login was revoked", user.username)
        raise ProblemError("auth_failed", "登录凭证已被重复使用，为安全起见已全部失效，请重新登录")
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
    if user.must_change_password:
        # A reset or a superior's new account: nothing but /auth/change-password until the
        # account has chosen its own password (a reset revokes the tokens; this holds regardless).
        raise ProblemError("password_change_required", {"must_change_password": True})
    check_role(user, Union.get_by_id(user.union_id))
    return user


# --- Union scope ---------------------------------------------------------------------------------


def can_access(user: User, union: Union) -> bool:
    """A user sees their own union; a reviewer also its subordinates; the center every union.
    A role at a level where it does not belong sees nothing."""
    own = Union.get_by_id(user.union_id)
    if not role_valid(user.role, own.level):
        return False
    if user.role == "center":
        return True
    if user.role == "clerk":
        return own.id == union.id
    return own.contains(union)


def require_scope(user: User, union: Union) -> None:
    if not can_access(user, union):
        raise ProblemError("union_scope")


def union_for(user: User, org_code: str | None, *, write: bool = False) -> Union:
    """The union named by `org_code` (default: the user's own), checked against the user's scope.

    Reading reaches subordinates (and everything for the center); writing members' data only
    the user's own union (SPEC §3). An unknown code answers union_scope too, so a caller cannot
    probe which codes exist."""
    batch = current_batch()
    own = batch.unions.get(user.union_id) if batch is not None else None
    if own is None:
        own = Union.get_by_id(user.union_id)
        if batch is not None:
            batch.unions[user.union_id] = own
    if org_code is None or org_code == "":
        return own
    scoped = (int(user.id), str(org_code), write)
    if batch is not None and scoped in batch.scoped:
        return batch.scoped[scoped]
    union = Union.get_or_none(Union.org_code == str(org_code))
    if union is None or not can_access(user, union) or (write and union.id != own.id):
        raise ProblemError("union_scope")
    if batch is not None:
        batch.scoped[scoped] = union
    return union


# --- Devices ------------------------------------------------------------------------------------


def device_info(device: Device) -> dict[str, Any]:
    return {"fingerprint": device.fingerprint, "label": device.label,
            "registered": device.created.isoformat() + "Z",
            "revoked": device.revoked.isoformat() + "Z" if device.revoked else None}


def register_device(ctx: ServerContext, user: User, public_key: str, label: str = "") -> dict[str, Any]:
    """Register a PC's Ed25519 public key for `user` (idempotent for the same key and user).

    At most `max_devices_per_user` active keys per account. A new key is announced in the union's
    change feed ("新设备已登录"), so the account's other PCs show it and the clerk can revoke a
    device she does not know."""
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
            active = Device.select().where((Device.user == user) & Device.revoked.is_null()).count()
            if active >= ctx.settings.max_devices_per_user:
                raise ProblemError("device_limit", {"active": active, "limit": ctx.settings.max_devices_per_user})
            device = Device.create(user=user, public_key=public_key, fingerprint=fingerprint,
                                   label=label[:100], created=ctx.now_naive())
            audit(ctx, "register_device", user=user, entity="device", entity_key=fingerprint)
            emit_change(ctx, user.union_id, Entity.DEVICE, fingerprint,
                        {"username": user.username, **device_info(device)})
    return {"device_id": device.id, "fingerprint": fingerprint, "registered": device.created.isoformat() + "Z"}


def list_devices(user: User) -> dict[str, Any]:
    devices = Device.select().where(Device.user == user).order_by(Device.created.desc(), Device.id.desc())
    return {"devices": [device_info(d) for d in devices.limit(200)]}


def revoke_device(ctx: ServerContext, user: User, fingerprint: str) -> None:
    with write_tx():
        count = (Device.update(revoked=ctx.now_naive())
                 .where((Device.user == user) & (Device.fingerprint == fingerprint) & Device.revoked.is_null())
                 .execute())
        if not count:
            raise ProblemError("not_found", "没有这台设备")
        audit(ctx, "revoke_device", user=user, entity="device", entity_key=fingerprint)
        device = Device.get((Device.user == user) & (Device.fingerprint == fingerprint))
        emit_change(ctx, user.union_id, Entity.DEVICE, fingerprint, {"username": user.username, **device_info(device)})


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

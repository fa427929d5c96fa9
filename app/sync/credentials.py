"""Secrets in the OS keyring only: access/refresh tokens and the device's private key.

Every keyring call goes through here. When no usable keyring exists (a headless Linux box, a
locked-down PC) the clerk is told plainly and asked to log in again; nothing ever falls back to a
file, the database or QSettings.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass

import keyring
from keyring.errors import KeyringError, NoKeyringError

from app.rules.errors import ClerkFacingError

log = logging.getLogger(__name__)

SERVICE = "UnionClerk"

#: Backends that store nothing (or refuse everything): treated as "no keyring".
_UNUSABLE = ("keyring.backends.fail", "keyring.backends.null", "keyring.backends.chainer")


class KeyringUnavailable(ClerkFacingError):
    """No usable OS keyring: the clerk must log in again each time, and is told why."""

    message = "无法使用系统的密码保管功能（钥匙串/凭据管理器），登录信息不能安全保存。"
    action = "请重新登录；如每次都出现此提示，请联系单位的电脑管理员开启系统凭据管理。"


@dataclass(frozen=True)
class Session:
    """What a logged-in profile keeps: the account, its server, and the two tokens."""

    server_url: str
    username: str
    access_token: str
    refresh_token: str

    def to_json(self) -> str:
        return json.dumps(self.__dict__)

    @classmethod
    def from_json(cls, text: str) -> "Session":
        data = json.loads(text)
        return cls(**{k: data[k] for k in ("server_url", "username", "access_token", "refresh_token")})


def _backend_usable() -> bool:
    backend = keyring.get_keyring()
    name = type(backend).__module__
    if name.startswith("keyring.backends.chainer"):
        return bool(getattr(backend, "backends", []))
    return not name.startswith(_UNUSABLE)


def _account(profile_key: str, what: str) -> str:
    return f"{profile_key}:{what}"


def _get(profile_key: str, what: str) -> str | None:
    if not _backend_usable():
        raise KeyringUnavailable()
    try:
        return keyring.get_password(SERVICE, _account(profile_key, what))
    except (KeyringError, NoKeyringError) as exc:
        log.warning("keyring read failed: %s", type(exc).__name__)
        raise KeyringUnavailable() from exc


def _set(profile_key: str, what: str, value: str) -> None:
    if not _backend_usable():
        raise KeyringUnavailable()
    try:
        keyring.set_password(SERVICE, _account(profile_key, what), value)
    except (KeyringError, NoKeyringError) as exc:
        log.warning("keyring write failed: %s", type(exc).__name__)
        raise KeyringUnavailable() from exc


def _delete(profile_key: str, what: str) -> None:
    try:
        keyring.delete_password(SERVICE, _account(profile_key, what))
    except (KeyringError, NoKeyringError):
        pass


def load_session(profile_key: str) -> Session | None:
    text = _get(profile_key, "session")
    return Session.from_json(text) if text else None


def save_session(profile_key: str, session: Session) -> None:
    _set(profile_key, "session", session.to_json())


def clear_session(profile_key: str) -> None:
    _delete(profile_key, "session")


def load_device_key(profile_key: str, username: str) -> str | None:
    """The device's Ed25519 private key (base64), per profile and user."""
    return _get(profile_key, f"device-key:{username}")


def save_device_key(profile_key: str, username: str, private_b64: str) -> None:
    _set(profile_key, f"device-key:{username}", private_b64)

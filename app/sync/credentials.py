"""Secrets in the OS keyring only: access/refresh tokens, the device cookie and the device's
private key.

Every keyring call goes through here, and only to a backend that keeps secrets encrypted for the
logged-in user: Windows Credential Locker, the macOS Keychain, the Secret Service (GNOME Keyring,
KeePassXC) or KWallet. A file backend (keyrings.alt's PlaintextKeyring and friends) is refused
even when it is installed and chosen — unless a test hands one over explicitly with
`trust_backend_for_tests()`. When no secure keyring exists (a headless Linux box, a locked-down
PC) the clerk is told plainly and asked to log in again; nothing ever falls back to a file, the
database or QSettings.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import keyring
from keyring.errors import KeyringError, NoKeyringError

from app.rules.errors import ClerkFacingError

log = logging.getLogger(__name__)

SERVICE = "UnionClerk"

#: The OS keyrings whose secrets are encrypted for the logged-in user (module.class).
SECURE_BACKENDS: frozenset[str] = frozenset({
    "keyring.backends.Windows.WinVaultKeyring",
    "keyring.backends.macOS.Keyring",
    "keyring.backends.SecretService.Keyring",
    "keyring.backends.kwallet.DBusKeyring",
    "keyring.backends.kwallet.DBusKeyringKWallet4",
})

_trusted_for_tests: Any = None


def trust_backend_for_tests(backend: Any) -> None:
    """Accept this one backend object although it is not an OS keyring (tests only; None undoes)."""
    global _trusted_for_tests
    _trusted_for_tests = backend


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


def _name(backend: Any) -> str:
    return f"{type(backend).__module__}.{type(backend).__qualname__}"


def secure_backend() -> Any:
    """The keyring backend secrets may go to, or KeyringUnavailable. In a chain of backends
    (keyring's default when several are installed) the first secure one is used, never a file."""
    current = keyring.get_keyring()
    if _trusted_for_tests is not None and current is _trusted_for_tests:
        return current
    for backend in getattr(current, "backends", None) or [current]:
        if _name(backend) in SECURE_BACKENDS:
            return backend
    log.info("no secure keyring backend (have %s)", _name(current))
    raise KeyringUnavailable()


def _account(profile_key: str, what: str) -> str:
    return f"{profile_key}:{what}"


def _get(profile_key: str, what: str) -> str | None:
    backend = secure_backend()
    try:
        return backend.get_password(SERVICE, _account(profile_key, what))
    except (KeyringError, NoKeyringError) as exc:
        log.warning("keyring read failed: %s", type(exc).__name__)
        raise KeyringUnavailable() from exc


def _set(profile_key: str, what: str, value: str) -> None:
    backend = secure_backend()
    try:
        backend.set_password(SERVICE, _account(profile_key, what), value)
    except (KeyringError, NoKeyringError) as exc:
        log.warning("keyring write failed: %s", type(exc).__name__)
        raise KeyringUnavailable() from exc


def _delete(profile_key: str, what: str) -> None:
    try:
        secure_backend().delete_password(SERVICE, _account(profile_key, what))
    except (KeyringError, NoKeyringError, KeyringUnavailable):
        pass


def load_session(profile_key: str) -> Session | None:
    text = _get(profile_key, "session")
    return Session.from_json(text) if text else None


def save_session(profile_key: str, session: Session) -> None:
    _set(profile_key, "session", session.to_json())


def clear_session(profile_key: str) -> None:
    _delete(profile_key, "session")


def load_device_cookie(profile_key: str, username: str) -> str | None:
    """The device cookie of this profile's last login as `username` (docs/security.md)."""
    return _get(profile_key, f"device-cookie:{username}")


def save_device_cookie(profile_key: str, username: str, cookie: str) -> None:
    _set(profile_key, f"device-cookie:{username}", cookie)


def load_device_key(profile_key: str, username: str) -> str | None:
    """The device's Ed25519 private key (base64), per profile and user."""
    return _get(profile_key, f"device-key:{username}")


def save_device_key(profile_key: str, username: str, private_b64: str) -> None:
    _set(profile_key, f"device-key:{username}", private_b64)

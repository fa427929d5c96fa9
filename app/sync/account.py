"""Logging in and getting a ready engine: tokens, device key, the local union. Plain Python.

Used by the login dialog (on a worker) and by `union-clerk-cli sync`. Secrets go to the OS
keyring only; when there is none, the session lives in memory for this run and the caller is
told (`SignedIn.keyring_ok`), so it can say so and ask for the password next time.
"""
from __future__ import annotations

import hashlib
import logging
import platform
from dataclasses import dataclass
from pathlib import Path

from app.models import Setting
from app.protocol import generate_device_key, private_key_b64, private_key_from_b64, public_key_b64
from app.sync import credentials
from app.sync.client import ServerClient, SyncError, check_transport
from app.sync.engine import SyncEngine, link_union

log = logging.getLogger(__name__)


def profile_key(profile_root: Path) -> str:
    """A stable, non-identifying name for this profile's keyring entries."""
    return hashlib.sha256(str(Path(profile_root).resolve()).encode("utf-8")).hexdigest()[:16]


@dataclass
class SignedIn:
    engine: SyncEngine
    username: str
    display_name: str
    union_name: str
    role: str
    keyring_ok: bool


def _engine(client: ServerClient, me: dict, device_key, fingerprint: str, documents: Path | None) -> SyncEngine:
    union_id = link_union(me["union"], me.get("enterprises") or [])
    return SyncEngine(client, union_id=union_id, org_code=me["union"]["org_code"], device_key=device_key,
                      device_fingerprint=fingerprint, actor=me["username"], documents=documents)


def sign_in(server_url: str, username: str, password: str, *, profile_root: Path,
            ca_bundle: str | None = None, new_password: str | None = None,
            allow_insecure: bool = False) -> SignedIn:
    """Log in (with `new_password`: change the password first, as a superior's reset requires),
    make/register this PC's device key, link the local union; keep secrets in the keyring.
    A plain-http address of another host is refused (InsecureServer) unless allowed
    (`allow_insecure`, or the site configuration: client.check_transport)."""
    check_transport(server_url, allow_insecure)
    key_name = profile_key(profile_root)
    client = ServerClient(server_url, ca_bundle=ca_bundle)
    keyring_ok = True
    try:
        cookie = credentials.load_device_cookie(key_name, username)
        stored = credentials.load_device_key(key_name, username)
    except credentials.KeyringUnavailable:
        keyring_ok, cookie, stored = False, None, None
    if new_password is not None:
        client.change_password(username, password, new_password, cookie)
    else:
        client.login(username, password, cookie)
    me = client.me()
    device_key = private_key_from_b64(stored) if stored else generate_device_key()
    device = client.register_device(public_key_b64(device_key), platform.node() or "PC")
    if keyring_ok:
        try:
            if not stored:
                credentials.save_device_key(key_name, username, private_key_b64(device_key))
            if client.device_cookie:
                credentials.save_device_cookie(key_name, username, client.device_cookie)
            credentials.save_session(key_name, credentials.Session(server_url, username, client.access_token or "",
                                                                   client.refresh_token or ""))
        except credentials.KeyringUnavailable:
            keyring_ok = False
    Setting.replace(key="server_url", value=server_url).execute()
    Setting.replace(key="username", value=username).execute()
    Setting.replace(key="device_fingerprint", value=device["fingerprint"]).execute()
    engine = _engine(client, me, device_key, device["fingerprint"], Path(profile_root) / "documents")
    if keyring_ok:
        client.tokens_changed = lambda a, r: credentials.save_session(
            key_name, credentials.Session(server_url, username, a, r))
    log.info("signed in as %s (device %s)", username, device["fingerprint"])
    return SignedIn(engine, username, me.get("display_name") or username, me["union"]["name"], me.get("role") or "",
                    keyring_ok)


def resume(profile_root: Path, *, ca_bundle: str | None = None, allow_insecure: bool = False) -> SignedIn | None:
    """The saved session of this profile, if the keyring has one and the server still takes it."""
    key_name = profile_key(profile_root)
    try:
        session = credentials.load_session(key_name)
        if session is None:
            return None
        check_transport(session.server_url, allow_insecure)
        stored = credentials.load_device_key(key_name, session.username)
    except credentials.KeyringUnavailable:
        return None
    if not stored:
        return None
    device_key = private_key_from_b64(stored)
    client = ServerClient(session.server_url, access_token=session.access_token, refresh_token=session.refresh_token,
                          ca_bundle=ca_bundle,
                          tokens_changed=lambda a, r: credentials.save_session(
                              key_name, credentials.Session(session.server_url, session.username, a, r)))
    me = client.me()
    fingerprint = Setting.get_or_none(Setting.key == "device_fingerprint")
    engine = _engine(client, me, device_key, fingerprint.value if fingerprint else "",
                     Path(profile_root) / "documents")
    return SignedIn(engine, session.username, me.get("display_name") or session.username, me["union"]["name"],
                    me.get("role") or "", True)


class ThisPC(SyncError):
    """Revoking the key this PC signs with would leave it unable to submit until it logs in anew."""

    message = "这是本机正在使用的电脑，不能在本机停用。"
    action = "请在另一台登录过本账号的电脑上停用它；本机不再使用时，选“退出登录”即可。"


def devices(signed: SignedIn) -> list[dict]:
    """The account's registered PCs, newest first; `this_pc` marks the one signing here."""
    this = signed.engine.device_fingerprint
    return [{**d, "this_pc": d["fingerprint"] == this} for d in signed.engine.client.devices()]


def revoke_device(signed: SignedIn, fingerprint: str) -> None:
    """Stop the server accepting another PC's key: one the clerk does not know ("新设备已登录"),
    or an old one when the account has reached its limit of PCs."""
    if fingerprint == signed.engine.device_fingerprint:
        raise ThisPC()
    signed.engine.client.revoke_device(fingerprint)


def sign_out(profile_root: Path) -> None:
    try:
        credentials.clear_session(profile_key(profile_root))
    except credentials.KeyringUnavailable:
        pass

"""HTTP client for the central server (requests): timeouts, retries, token refresh, problems.

Every request has a timeout; idempotent requests (GETs, and pushes — each record carries its
idempotency key) retry with backoff on connection errors and 502/503/504 (urllib3's `Retry` on the
session's adapters, which resends the same request, headers and all); a login and a review
decision are sent once. TLS verification stays on (a custom CA bundle may be given). Errors come
out as `ServerProblem` (the server refused, with its stable problem code) or `Offline` (no
answer): both carry a Chinese message.
"""
from __future__ import annotations

import ipaddress
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlparse

import requests
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

from app.protocol import MAX_CLOCK_SKEW, message_for, parse_timestamp
from app.protocol.push_body import push_body
from app.protocol.receipts import unpack_answers
from app.rules.errors import ClerkFacingError

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 60.0
RETRIES = 3  # attempts of an idempotent request
BACKOFF = 0.5  # seconds: urllib3 waits 0, then 2 × 0.5 s, 4 × 0.5 s … between attempts
RETRY_STATUSES = (502, 503, 504)


def _session(ca_bundle: str | None, attempts: int) -> requests.Session:
    """A session whose requests are tried `attempts` times on connection and read errors and on
    502/503/504 (the last answer is returned)."""
    retry = Retry(total=attempts - 1, backoff_factor=BACKOFF, status_forcelist=RETRY_STATUSES,
                  allowed_methods=None, raise_on_status=False, respect_retry_after_header=True)
    http = requests.Session()
    http.verify = ca_bundle or True
    http.headers["User-Agent"] = "union-clerk/1"
    adapter = HTTPAdapter(max_retries=retry)
    http.mount("https://", adapter)
    http.mount("http://", adapter)
    return http


class PreparedPush(list):  # type: ignore[type-arg]
    """Push records with the request body made ahead for `fingerprint` (ServerClient.push sends it
    as it is), and `answered`, called with the raw body of a 200 answer before it is decoded
    (the push sends its next request from there: app.sync.pushing.Relay). A client that knows
    nothing of it reads the records, a list."""

    def __init__(self, fingerprint: str | None, records: Sequence[Mapping[str, Any]],
                 answered: Callable[[bytes], None] | None = None) -> None:
        super().__init__(records)
        self.fingerprint = fingerprint
        self.body = push_body(fingerprint, records)
        self.answered = answered
        self.going = threading.Event()  # set as ServerClient.push starts sending it


class SyncError(ClerkFacingError):
    message = "同步失败。"


class Offline(SyncError):
    """The server could not be reached (no network, server down, timeout)."""

    message = "无法连接服务器（离线）。"
    action = "本机的修改都已保存，会在联网后自动发送。请检查网络后点“同步”重试。"
    offline = True

    def __init__(self, detail: str = "") -> None:
        super().__init__()
        self.detail = detail  # for the log, never shown


class ServerProblem(SyncError):
    """The server answered with a problem code."""

    def __init__(self, problem: str, status: int, detail: Any = None) -> None:
        super().__init__(message_for(problem, detail if isinstance(detail, str) else None))
        self.problem = problem
        self.status = status
        self.detail = detail


class InsecureServer(SyncError):
    """A plain-http server address that is not this PC: passwords and tokens would cross the
    network in clear."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.message = (f"服务器地址 {url} 使用不加密的 http://，密码和会员信息会以明文在网络上传输，"
                        "已拒绝连接（未发送密码）。")
        self.action = ("请改用 https:// 开头的服务器地址（向上级工会或单位电脑管理员确认）。"
                       "仅限测试环境：电脑管理员可在站点配置文件 union-clerk-site.ini 的 [server] 中写 "
                       "allow_insecure = yes，或用 --allow-insecure 启动本程序或命令行工具。")


def is_insecure_url(url: str) -> bool:
    """True for http:// to anything but a loopback address (127.0.0.0/8, ::1, localhost)."""
    parsed = urlparse(url)
    if parsed.scheme != "http":
        return False
    host = (parsed.hostname or "").lower()
    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


def check_transport(url: str, allow_insecure: bool = False) -> None:
    """The one rule for the window and the command line, checked before a password or token is
    sent: plain http:// to another PC is refused (InsecureServer) unless allowed — by
    `--allow-insecure` (`allow_insecure`) or by IT's site configuration (`allow_insecure = yes`)."""
    if not is_insecure_url(url) or allow_insecure:
        return
    from app import site_config

    if not site_config.current().allow_insecure:
        raise InsecureServer(url)
    log.warning("plain http to another host allowed by the site configuration")


class ClockSkew(SyncError):
    def __init__(self, seconds: float) -> None:
        minutes = abs(seconds) / 60
        super().__init__(f"本机时钟与服务器相差约 {minutes:.0f} 分钟（超过5分钟），暂不能同步。",
                         "请把电脑的日期和时间调准（可开启“自动设置时间”）后再同步。")
        self.seconds = seconds


class ServerClient:
    """One server, one account. `tokens_changed(access, refresh)` is called after a refresh so the
    caller can keep the new pair in the keyring."""

    def __init__(self, base_url: str, *, access_token: str | None = None, refresh_token: str | None = None,
                 ca_bundle: str | None = None, tokens_changed: Callable[[str, str], None] | None = None,
                 retries: int = RETRIES) -> None:
        self.base_url = base_url.rstrip("/")
        self.access_token = access_token
        self.refresh_token = refresh_token
        # The device cookie the last login handed out (docs/security.md): kept in the keyring and
        # sent with the next login, so strangers who lock the account do not lock this PC out.
        self.device_cookie: str | None = None
        self.tokens_changed = tokens_changed
        self.http = _session(ca_bundle, max(retries, 1))
        self.http_once = _session(ca_bundle, 1)  # requests that must not be sent twice

    # ---- plumbing ------------------------------------------------------------------------
    def _send(self, method: str, path: str, *, auth: bool = True, retry: bool = True,
              headers: dict[str, str] | None = None, **kwargs: Any) -> requests.Response:
        headers = dict(headers or {})
        if auth and self.access_token:
            headers["Authorization"] = f"Bearer {self.access_token}"
        http = self.http if retry else self.http_once
        try:
            return http.request(method, self.base_url + path, headers=headers,
                                timeout=(CONNECT_TIMEOUT, READ_TIMEOUT), **kwargs)
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
            # ChunkedEncodingError: the answer was cut off mid-body (the server died while sending it).
            log.info("%s %s: no answer (%s)", method, path, type(exc).__name__)
            raise Offline(type(exc).__name__) from exc

    def _json(self, method: str, path: str, *, auth: bool = True, retry: bool = True, **kwargs: Any) -> Any:
        return self._decode(self._answer(method, path, auth=auth, retry=retry, **kwargs))

    def _answer(self, method: str, path: str, *, auth: bool = True, retry: bool = True, **kwargs: Any) -> requests.Response:
        """The answer, sent again once after refreshing the tokens when the access token expired."""
        response = self._send(method, path, auth=auth, retry=retry, **kwargs)
        if response.status_code == 401 and auth and self.refresh_token and path != "/auth/refresh":
            self.refresh()
            response = self._send(method, path, auth=auth, retry=retry, **kwargs)
        return response

    @staticmethod
    def _decode(response: requests.Response) -> Any:
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.ok:
            return body
        if isinstance(body, dict) and "problem" in body:
            raise ServerProblem(body["problem"], response.status_code, body.get("detail"))
        raise ServerProblem("internal", response.status_code, None)

    # ---- endpoints -----------------------------------------------------------------------
    def server_time(self) -> datetime:
        return parse_timestamp(self._json("GET", "/time", auth=False)["server_time"])

    def check_clock(self, now: datetime | None = None) -> float:
        """Seconds the local clock is off from the server's; ClockSkew beyond the limit."""
        started = time.monotonic()
        server = self.server_time()
        rtt = time.monotonic() - started
        local = (now or datetime.now(timezone.utc))
        skew = (local - server).total_seconds() - rtt / 2
        if abs(skew) > MAX_CLOCK_SKEW:
            raise ClockSkew(skew)
        return skew

    def client_version(self, version: str, protocol: int) -> dict[str, Any]:
        """What the server says about this app's version (app.sync.updates)."""
        return self._json("GET", "/client-version", auth=False, params={"version": version, "protocol": protocol})

    def login(self, username: str, password: str, device_cookie: str | None = None) -> dict[str, Any]:
        # Not retried: a retry could count as a second failed attempt towards the lockout.
        body = self._json("POST", "/auth/login", auth=False, retry=False,
                          json={"username": username, "password": password, "device_cookie": device_cookie})
        return self._signed_in(body)

    def change_password(self, username: str, password: str, new_password: str,
                        device_cookie: str | None = None) -> dict[str, Any]:
        """Set one's own new password (required after a superior's reset); signs in like login()."""
        body = self._json("POST", "/auth/change-password", auth=False, retry=False,
                          json={"username": username, "password": password, "new_password": new_password,
                                "device_cookie": device_cookie})
        return self._signed_in(body)

    def _signed_in(self, body: dict[str, Any]) -> dict[str, Any]:
        self.access_token, self.refresh_token = body["access_token"], body["refresh_token"]
        self.device_cookie = body.get("device_cookie")
        return body

    def refresh(self) -> None:
        body = self._json("POST", "/auth/refresh", auth=False, json={"refresh_token": self.refresh_token})
        self.access_token, self.refresh_token = body["access_token"], body["refresh_token"]
        if self.tokens_changed:
            self.tokens_changed(self.access_token, self.refresh_token)

    def me(self) -> dict[str, Any]:
        return self._json("GET", "/me")

    def register_device(self, public_key: str, label: str = "") -> dict[str, Any]:
        return self._json("POST", "/devices", json={"public_key": public_key, "label": label[:100]})

    def devices(self) -> list[dict[str, Any]]:
        """The account's registered PCs, newest first (fingerprint, label, registered, revoked)."""
        return self._json("GET", "/devices")["devices"]

    def revoke_device(self, fingerprint: str) -> None:
        self._json("POST", f"/devices/{fingerprint}/revoke", retry=False)

    def campaign(self, plan_year: int | None = None) -> dict[str, Any]:
        params = {"plan_year": plan_year} if plan_year else None
        return self._json("GET", "/campaigns/current", params=params)

    def push(self, device_fingerprint: str | None, records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Send records (wire objects, or EncodedRecord whose canonical payload text goes as it is;
        a PreparedPush for this fingerprint goes as the body it made); each gets its own result."""
        prepared = records if isinstance(records, PreparedPush) and records.fingerprint == device_fingerprint else None
        if prepared is not None:
            prepared.going.set()
        response = self._answer("POST", "/push", data=push_body(device_fingerprint, records) if prepared is None
                                else prepared.body, headers={"Content-Type": "application/json"})
        if prepared is not None and prepared.answered is not None and response.status_code == 200:
            prepared.answered(response.content)
        # The body asked for packed receipts: a server that knows them packs member upserts' receipts.
        return unpack_answers(self._decode(response)["results"])

    def changes(self, since: int, limit: int = 1000, device: str | None = None) -> dict[str, Any]:
        """A page of the feed; with `device` (this PC's fingerprint) the server keeps its cursor
        and leaves out the changes this PC's own member upserts made."""
        params: dict[str, Any] = {"since": since, "limit": limit}
        if device:
            params["device"] = device
        return self._json("GET", "/changes", params=params)

    def notices(self) -> list[dict[str, Any]]:
        """The notices the caller's union receives now (帮助 → 查看通知), newest first."""
        return self._json("GET", "/notices")["notices"]

    def submissions(self, **params: Any) -> list[dict[str, Any]]:
        return self._json("GET", "/submissions", params={k: v for k, v in params.items() if v is not None})["submissions"]

    def submission_pdf(self, submission_id: int) -> bytes:
        response = self._send("GET", f"/submissions/{submission_id}/pdf")
        if not response.ok:
            self._decode(response)
        return response.content

    def decide(self, submission_id: int, decision: str, reason: str | None = None) -> dict[str, Any]:
        """A superior union approves ("approve") or returns ("return", with a reason) a batch."""
        return self._json("POST", f"/submissions/{submission_id}/decision",
                          json={"decision": decision, "reason": reason}, retry=False)

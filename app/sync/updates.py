"""Is there a newer version of this app, and may this one still sync? The server says
(GET /client-version); this module only asks and tells.

A newer version is announced ("有新版本", with its download page) and never installed by the app
itself. Syncing is refused only when the server says this version is too old for it; a server
that does not know the question (an older one) is taken as having nothing to say.
"""
from __future__ import annotations

from dataclasses import dataclass

from app import __version__
from app.protocol import PROTOCOL_VERSION
from app.sync.client import ServerClient, ServerProblem, SyncError


@dataclass(frozen=True)
class UpdateInfo:
    latest_version: str
    download_url: str
    #: the server has a newer version than this one
    newer: bool
    #: this version may still sync with the server
    supported: bool


class ClientTooOld(SyncError):
    """The server no longer syncs with this version: the clerk installs the new one first."""

    def __init__(self, info: UpdateInfo) -> None:
        super().__init__(info.latest_version)
        self.info = info
        self.message = f"本程序（版本 {__version__}）已过旧，服务器不再接受它同步。"
        where = f"从 {info.download_url} " if info.download_url else "向单位电脑管理员索取并"
        self.action = (f"请{where}下载安装新版本 {info.latest_version}（本机数据会保留），安装后再同步。"
                       "不联网的工作可以照常进行。")


def check(client: ServerClient, version: str = __version__) -> UpdateInfo | None:
    """The server's word on `version`; raises ClientTooOld when it may no longer sync."""
    try:
        body = client.client_version(version, PROTOCOL_VERSION)
    except ServerProblem as exc:
        if exc.status == 404:  # a server from before client versions were announced
            return None
        raise
    info = UpdateInfo(str(body.get("latest_version") or ""), str(body.get("download_url") or ""),
                      bool(body.get("newer")), bool(body.get("supported", True)))
    if not info.supported:
        raise ClientTooOld(info)
    return info

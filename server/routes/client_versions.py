"""GET /client-version: what the server says about a clerk's app — is there a newer one, where to
download it, and may this one still sync.

The newest version, its download page and the oldest version still allowed are server settings
(`union-server serve --latest-client … --client-download-url … --min-client …`, or the
environment variables of the same names). A client is refused only when it is older than the
minimum or speaks an older protocol than this server; a newer version alone is just announced —
the app shows "有新版本" and never updates itself.
"""
from __future__ import annotations

from fastapi import APIRouter, Query
from packaging.version import InvalidVersion, Version
from pydantic import BaseModel

from app.protocol import PROTOCOL_VERSION
from server.settings import ServerContext

VERSION_PATTERN = r"^\d{1,4}(\.\d{1,4}){0,3}$"


class ClientVersionOut(BaseModel):
    latest_version: str
    download_url: str
    minimum_version: str
    protocol: int
    newer: bool
    supported: bool


def _older(version: Version, than: str) -> bool:
    try:
        return bool(than) and version < Version(than)
    except InvalidVersion:  # a setting IT mistyped never locks every clerk out
        return False


def judge(latest: str, minimum: str, download_url: str, version: str, protocol: int) -> ClientVersionOut:
    """The server's answer for a client of `version` speaking `protocol`."""
    client = Version(version)
    return ClientVersionOut(
        latest_version=latest, download_url=download_url, minimum_version=minimum, protocol=PROTOCOL_VERSION,
        newer=_older(client, latest),
        supported=protocol >= PROTOCOL_VERSION and not _older(client, minimum),
    )


def router(ctx: ServerContext) -> APIRouter:
    api = APIRouter(tags=["sync"])

    @api.get("/client-version", response_model=ClientVersionOut,
             summary="Newest client version, its download page, and whether this client may sync")
    async def client_version(
        version: str = Query(pattern=VERSION_PATTERN, description="the client's version, e.g. 0.1.0"),
        protocol: int = Query(PROTOCOL_VERSION, ge=0, le=1000, description="the wire protocol version the client speaks"),
    ) -> ClientVersionOut:
        settings = ctx.settings
        return judge(settings.latest_client_version, settings.min_client_version, settings.client_download_url,
                     version, protocol)

    return api

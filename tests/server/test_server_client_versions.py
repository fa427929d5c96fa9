"""GET /client-version: the server announces the newest app and refuses only a too-old one."""
from __future__ import annotations

import httpx
import pytest

from app.protocol import PROTOCOL_VERSION
from server.routes.client_versions import judge


@pytest.mark.parametrize("latest, minimum, version, protocol, newer, supported", [
    ("", "", "0.1.0", PROTOCOL_VERSION, False, True),          # nothing announced
    ("0.2.0", "", "0.1.0", PROTOCOL_VERSION, True, True),       # newer one: announced, still syncs
    ("0.2.0", "", "0.2.0", PROTOCOL_VERSION, False, True),
    ("0.2.0", "", "0.10.0", PROTOCOL_VERSION, False, True),     # numeric, not text, order
    ("0.2.0", "0.2.0", "0.1.9", PROTOCOL_VERSION, True, False),  # below the minimum: refused
    ("0.2.0", "0.1.0", "0.1.0", PROTOCOL_VERSION, True, True),
    ("0.2.0", "", "0.2.0", PROTOCOL_VERSION - 1, False, False),  # an older protocol: refused
    ("0.2.0", "not-a-version", "0.1.0", PROTOCOL_VERSION, True, True),  # IT's typo locks nobody out
])
def test_judge(latest: str, minimum: str, version: str, protocol: int, newer: bool, supported: bool) -> None:
    answer = judge(latest, minimum, "https://example.org/app", version, protocol)
    assert (answer.newer, answer.supported) == (newer, supported)
    assert answer.latest_version == latest and answer.protocol == PROTOCOL_VERSION


def test_the_endpoint_reads_the_server_settings(server) -> None:  # type: ignore[no-untyped-def]
    settings = server.ctx.settings
    settings.latest_client_version, settings.client_download_url = "0.3.0", "https://example.org/app"
    settings.min_client_version = "0.2.0"
    with httpx.Client(base_url=server.url) as http:
        body = http.get("/client-version", params={"version": "0.1.0", "protocol": PROTOCOL_VERSION}).json()
        assert body == {"latest_version": "0.3.0", "download_url": "https://example.org/app",
                        "minimum_version": "0.2.0", "protocol": PROTOCOL_VERSION, "newer": True, "supported": False}
        assert http.get("/client-version", params={"version": "0.3.0"}).json()["supported"] is True
        refused = http.get("/client-version", params={"version": "1.0; DROP TABLE"})
        assert refused.status_code == 422

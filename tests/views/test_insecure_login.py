"""No login over plain http:// to another PC (issue #18, finding 12), in the window as on the command
line: one rule (app.sync.client.check_transport), against a real server listening on this
machine's network address — not loopback, so the address really is "another host".

Refused, nothing is sent (no token is issued) and the clerk reads why and what to do; IT's site
configuration (`allow_insecure = yes`) or `--allow-insecure` lets a test installation through.
"""
from __future__ import annotations

import ipaddress
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import site_config
from app.paths import Profile
from app.views.login_dialog import LoginDialog

from server.embedded import DEMO_CLERK, DEMO_PASSWORD, start_demo_server


def _network_address() -> str | None:
    """This machine's own non-loopback IPv4 address (a UDP connect sends nothing), or None."""
    for probe in ("192.0.2.1", "10.255.255.255", "198.51.100.1"):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            try:
                sock.connect((probe, 9))
            except OSError:
                continue
            address = sock.getsockname()[0]
        if not ipaddress.ip_address(address).is_loopback and address != "0.0.0.0":
            return address
    return None


@pytest.fixture
def lan_server(tmp_path: Path) -> Iterator[str]:
    address = _network_address()
    if address is None:
        pytest.skip("this machine has no network address besides loopback")
    url, stop = start_demo_server(tmp_path / "server.db", members_per_union=5, host=address)
    assert url.startswith("http://") and "127.0.0.1" not in url
    yield url
    stop()


@pytest.fixture
def site(monkeypatch, tmp_path: Path) -> Iterator[Path]:
    """IT's site configuration file of this PC (empty at first); read afresh by each test."""
    path = tmp_path / site_config.FILE_NAME
    path.write_text("[server]\n", encoding="utf-8")
    monkeypatch.setenv(site_config.ENV_VAR, str(path))
    site_config.forget()
    yield path
    site_config.forget()


def _tokens_issued() -> int:
    from server.db import session
    from server.models import Token

    with session():
        return Token.select().count()


def test_the_window_refuses_plain_http_to_another_pc(qtbot, lan_server: str, site: Path, profile: Profile,
                                                     file_keyring) -> None:
    before = _tokens_issued()
    dialog = LoginDialog(profile.root, server_url=lan_server, username=DEMO_CLERK)
    qtbot.addWidget(dialog)
    dialog.password.setText(DEMO_PASSWORD)
    dialog.try_login()
    # Refused at once, on the GUI thread: no worker, no request.
    assert dialog.error.isVisibleTo(dialog) and dialog.buttons.isEnabled()
    text = dialog.error.text()
    assert lan_server in text and "http://" in text and "明文" in text
    assert "https://" in text and "电脑管理员" in text and "allow_insecure = yes" in text
    assert dialog.advanced.isVisibleTo(dialog)  # the address to change is in view
    assert dialog.password.text() == DEMO_PASSWORD  # it was never sent, so it stays typed
    assert dialog.signed_in is None and _tokens_issued() == before

    # IT allows it in the site configuration (a test installation): the same dialog signs in.
    site.write_text("[server]\nallow_insecure = yes\n", encoding="utf-8")
    site_config.forget()
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        dialog.try_login()
    assert dialog.signed_in is not None and dialog.signed_in.username == DEMO_CLERK
    assert _tokens_issued() > before


def test_the_start_option_allows_it_for_one_run(qtbot, lan_server: str, site: Path, profile: Profile,
                                                file_keyring) -> None:
    from app.main import build_parser

    args = build_parser().parse_args(["--allow-insecure"])
    assert args.allow_insecure
    site_config.permit_insecure()  # what main() does with it
    dialog = LoginDialog(profile.root, server_url=lan_server, username=DEMO_CLERK)
    qtbot.addWidget(dialog)
    dialog.password.setText(DEMO_PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        dialog.try_login()
    assert dialog.signed_in is not None


def test_the_command_line_follows_the_same_rule(lan_server: str, site: Path, tmp_path: Path, file_keyring,
                                               monkeypatch, capsys: pytest.CaptureFixture[str]) -> None:
    from app import cli
    from app.models import close_database

    monkeypatch.setenv("UNION_CLERK_PASSWORD", DEMO_PASSWORD)
    before = _tokens_issued()

    def sync(profile: str, *extra: str) -> tuple[int, dict]:
        code = cli.main(["--profile", str(tmp_path / profile), "sync", "--server", lan_server,
                         "--username", DEMO_CLERK, "--json", *extra])
        close_database()
        out = capsys.readouterr().out.strip().splitlines()
        return code, json.loads(out[-1]) if out else {}

    code, answer = sync("refused")
    assert code == 2 and "明文" in answer["error"] and "allow_insecure = yes" in answer["action"]
    assert "--allow-insecure" in answer["action"]
    assert _tokens_issued() == before
    code, answer = sync("flag", "--allow-insecure")
    assert code == 0, answer
    site.write_text("[server]\nallow_insecure = yes\n", encoding="utf-8")
    site_config.forget()
    code, answer = sync("site")
    assert code == 0 and "pulled" in answer, answer

    # The saved login is resumed under the same rule: refused once IT takes the permission back.
    def devices() -> tuple[int, dict]:
        code = cli.main(["--profile", str(tmp_path / "site"), "devices", "--json"])
        close_database()
        return code, json.loads(capsys.readouterr().out.strip().splitlines()[-1])

    assert devices()[0] == 0
    site.write_text("[server]\nallow_insecure = no\n", encoding="utf-8")
    site_config.forget()
    code, answer = devices()
    assert code == 2 and "明文" in answer["error"], answer

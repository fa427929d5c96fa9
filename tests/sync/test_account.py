"""Signing in: secrets only in the keyring, never in SQLite or the log; no keyring is said plainly."""
from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.logs import setup_logging
from app.models import Setting, Union
from app.paths import Profile
from app.sync import account, credentials
from app.sync.client import ServerProblem

from server.embedded import DEMO_CLERK, DEMO_PASSWORD, start_demo_server


@pytest.fixture
def server_url(tmp_path: Path) -> Iterator[str]:
    url, stop = start_demo_server(tmp_path / "server.db", members_per_union=10)
    yield url
    stop()


def test_sign_in_keeps_secrets_in_the_keyring_only(server_url: str, profile: Profile, file_keyring: Path) -> None:
    handler = setup_logging(profile.log_file, level=logging.DEBUG)
    try:
        signed = account.sign_in(server_url, DEMO_CLERK, DEMO_PASSWORD, profile_root=profile.root)
        assert signed.keyring_ok
        signed.engine.sync()
        handler.flush()
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    key = account.profile_key(profile.root)
    session = credentials.load_session(key)
    device_key = credentials.load_device_key(key, DEMO_CLERK)
    assert session and session.access_token and session.refresh_token and device_key
    assert Union.get().org_code == signed.engine.org_code
    assert Setting.get(Setting.key == "device_fingerprint").value == signed.engine.device_fingerprint
    secrets = [session.access_token, session.refresh_token, device_key, DEMO_PASSWORD]
    from app.models import db

    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    stores = [profile.database.read_bytes(), profile.log_file.read_bytes()]
    for secret in secrets:
        for blob in stores:
            assert secret.encode() not in blob
    # The session resumes from the keyring alone.
    resumed = account.resume(profile.root)
    assert resumed is not None and resumed.username == DEMO_CLERK
    assert resumed.engine.device_fingerprint == signed.engine.device_fingerprint


def test_no_keyring_is_said_and_nothing_is_written(server_url: str, profile: Profile, no_keyring) -> None:
    signed = account.sign_in(server_url, DEMO_CLERK, DEMO_PASSWORD, profile_root=profile.root)
    assert not signed.keyring_ok
    assert account.resume(profile.root) is None
    with pytest.raises(credentials.KeyringUnavailable) as caught:
        credentials.load_session("x")
    assert "重新登录" in str(caught.value)
    assert not list(profile.root.rglob("*keyring*"))


def test_wrong_password_is_a_problem_in_words(server_url: str, profile: Profile, file_keyring: Path) -> None:
    with pytest.raises(ServerProblem) as caught:
        account.sign_in(server_url, DEMO_CLERK, "wrong-password", profile_root=profile.root)
    assert caught.value.problem == "auth_failed"
    assert "上级工会" in caught.value.message


def test_cli_sync_logs_in_and_pulls(server_url: str, tmp_path: Path, file_keyring: Path, monkeypatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from app import cli
    from app.models import Member, close_database

    prof = tmp_path / "cli-profile"
    monkeypatch.setenv("UNION_CLERK_PASSWORD", DEMO_PASSWORD)
    assert cli.main(["--profile", str(prof), "sync", "--server", server_url, "--username", DEMO_CLERK, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["pulled"] >= 10 and report["errors"] == []
    assert Member.select().count() == 10
    close_database()
    # Next time the keyring's session is enough.
    assert cli.main(["--profile", str(prof), "sync", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["pulled"] == 0
    close_database()


def test_cli_sync_offline_exit_code(tmp_path: Path, file_keyring: Path, monkeypatch, capsys) -> None:
    from app import cli
    from app.models import close_database
    from server.embedded import free_socket

    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    monkeypatch.setenv("UNION_CLERK_PASSWORD", "x")
    code = cli.main(["--profile", str(tmp_path / "p"), "sync", "--server", f"http://127.0.0.1:{port}",
                     "--username", "u"])
    close_database()
    assert code == 3
    assert "离线" in capsys.readouterr().err

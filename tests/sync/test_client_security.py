"""The client's side of issue #18: secrets only in a secure OS keyring, the device cookie that keeps
a clerk's own PC signed in through a stranger's lock, the forced password change, "新设备已登录",
and no plain-http sync to another host without --allow-insecure."""
from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import keyring
import pytest
from keyring.backends.chainer import ChainerBackend
from keyrings.alt.file import PlaintextKeyring

from app.paths import Profile
from app.sync import account, credentials
from app.sync.client import ServerClient, ServerProblem
from server.embedded import DEMO_CLERK, DEMO_PASSWORD, start_demo_server

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server_url(tmp_path: Path) -> Iterator[str]:
    url, stop = start_demo_server(tmp_path / "server.db", members_per_union=5)
    yield url
    stop()


@pytest.fixture
def untrusted_file_keyring(tmp_path: Path) -> Iterator[Path]:
    """keyrings.alt's plaintext file backend chosen as the keyring, as `make run`'s venv would."""
    previous = keyring.get_keyring()
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "plain.cfg")
    keyring.set_keyring(backend)
    yield tmp_path / "plain.cfg"
    keyring.set_keyring(previous)


def test_a_plaintext_file_keyring_is_refused(untrusted_file_keyring: Path) -> None:
    with pytest.raises(credentials.KeyringUnavailable):
        credentials.save_session("p", credentials.Session("https://s", "u", "access-secret", "refresh-secret"))
    with pytest.raises(credentials.KeyringUnavailable):
        credentials.save_device_key("p", "u", "private-key-secret")
    assert not untrusted_file_keyring.exists() or b"secret" not in untrusted_file_keyring.read_bytes()


def test_a_chain_of_only_file_backends_is_refused(tmp_path: Path) -> None:
    previous = keyring.get_keyring()
    plain = PlaintextKeyring()
    plain.file_path = str(tmp_path / "chain.cfg")
    chain = ChainerBackend()
    chain.__dict__["backends"] = [plain]  # keyring's chain of what is installed: here only a file
    keyring.set_keyring(chain)
    try:
        with pytest.raises(credentials.KeyringUnavailable):
            credentials.save_device_key("p", "u", "private-key-secret")
    finally:
        keyring.set_keyring(previous)
    assert not (tmp_path / "chain.cfg").exists()


def test_sign_in_with_a_plaintext_keyring_keeps_nothing(server_url: str, profile: Profile,
                                                        untrusted_file_keyring: Path) -> None:
    signed = account.sign_in(server_url, DEMO_CLERK, DEMO_PASSWORD, profile_root=profile.root)
    assert not signed.keyring_ok
    assert not untrusted_file_keyring.exists()
    assert account.resume(profile.root) is None


def test_the_app_runtime_does_not_depend_on_keyrings_alt() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = list(project["dependencies"])
    for extra, packages in project.get("optional-dependencies", {}).items():
        if extra != "test":
            runtime += packages
    assert not [p for p in runtime if p.lower().replace("_", ".").replace("-", ".").startswith("keyrings.alt")]


def test_the_device_cookie_keeps_the_clerks_pc_signed_in_through_a_strangers_lock(
        server_url: str, profile: Profile, file_keyring: Path) -> None:
    account.sign_in(server_url, DEMO_CLERK, DEMO_PASSWORD, profile_root=profile.root)
    key = account.profile_key(profile.root)
    assert credentials.load_device_cookie(key, DEMO_CLERK)
    with httpx.Client(base_url=server_url) as stranger:
        for n in range(5):
            stranger.post("/auth/login", json={"username": DEMO_CLERK, "password": f"stranger-{n}"})
        locked = stranger.post("/auth/login", json={"username": DEMO_CLERK, "password": DEMO_PASSWORD})
    assert locked.status_code == 423
    signed = account.sign_in(server_url, DEMO_CLERK, DEMO_PASSWORD, profile_root=profile.root)
    assert signed.username == DEMO_CLERK


def test_forced_change_after_a_reset_then_new_device_notice(server_url: str, profile: Profile,
                                                           tmp_path: Path, file_keyring: Path) -> None:
    first = account.sign_in(server_url, DEMO_CLERK, DEMO_PASSWORD, profile_root=profile.root)
    first.engine.sync()
    superior = ServerClient(server_url)
    superior.login("secondary", DEMO_PASSWORD)
    superior._json("POST", f"/users/{DEMO_CLERK}/reset-password", json={"new_password": "Reset-by-boss-88"})
    other = tmp_path / "other-pc"
    with pytest.raises(ServerProblem) as caught:
        account.sign_in(server_url, DEMO_CLERK, "Reset-by-boss-88", profile_root=other)
    assert caught.value.problem == "password_change_required"
    assert "新密码" in caught.value.message
    account.sign_in(server_url, DEMO_CLERK, "Reset-by-boss-88", profile_root=other,
                    new_password="Mine-alone-cedar-27")
    # The first PC's session ended with the reset; signing in again it hears of the new PC.
    again = account.sign_in(server_url, DEMO_CLERK, "Mine-alone-cedar-27", profile_root=profile.root)
    report = again.engine.sync()
    assert any(n.startswith("新设备已登录") and DEMO_CLERK in n for n in report.notices), report.notices
    assert "新设备已登录" in report.summary()
    fingerprints = [d["fingerprint"] for d in again.engine.client.devices()]
    assert len(fingerprints) == 2


@pytest.mark.parametrize(("url", "insecure"), [
    ("http://127.0.0.1:8000", False), ("http://127.8.9.1", False), ("http://localhost:1", False),
    ("http://[::1]:8000", False), ("https://union.example.cn", False), ("http://union.example.cn", True),
    ("http://192.0.2.10:8000", True), ("http://[2001:db8::1]/", True),
])
def test_which_addresses_are_insecure(url: str, insecure: bool) -> None:
    from app.sync.client import is_insecure_url

    assert is_insecure_url(url) is insecure


def test_cli_refuses_plain_http_to_another_host(tmp_path: Path, file_keyring: Path, monkeypatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from app import cli
    from app.models import close_database

    monkeypatch.setenv("UNION_CLERK_PASSWORD", "whatever-password")
    code = cli.main(["--profile", str(tmp_path / "p"), "sync", "--server", "http://clerk-server.invalid:8000",
                     "--username", "u"])
    close_database()
    assert code == 2
    err = capsys.readouterr().err
    assert "http://" in err and "https://" in err and "--allow-insecure" in err
    from app.sync.client import InsecureServer

    with pytest.raises(InsecureServer):
        account.sign_in("http://clerk-server.invalid", "u", "p", profile_root=tmp_path / "q")


def test_the_clerk_lists_her_pcs_and_revokes_one_she_does_not_know(
        server_url: str, profile: Profile, tmp_path: Path, file_keyring: Path, monkeypatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from app import cli
    from app.models import close_database
    from app.protocol import private_key_from_b64, public_key_b64

    # Another PC logs in as the clerk (the profile fixture's database stands for it).
    account.sign_in(server_url, DEMO_CLERK, DEMO_PASSWORD, profile_root=profile.root)
    other_key = credentials.load_device_key(account.profile_key(profile.root), DEMO_CLERK)
    close_database()
    mine = tmp_path / "my-pc"
    monkeypatch.setenv("UNION_CLERK_PASSWORD", DEMO_PASSWORD)
    assert cli.main(["--profile", str(mine), "sync", "--server", server_url, "--username", DEMO_CLERK, "--json"]) == 0
    close_database()
    capsys.readouterr()

    assert cli.main(["--profile", str(mine), "devices", "--json"]) == 0
    close_database()
    listed = json.loads(capsys.readouterr().out)["devices"]
    assert len(listed) == 2 and [d["this_pc"] for d in listed].count(True) == 1
    this_pc = next(d["fingerprint"] for d in listed if d["this_pc"])
    stranger = next(d["fingerprint"] for d in listed if not d["this_pc"])

    assert cli.main(["--profile", str(mine), "devices", "--revoke", this_pc, "--json"]) == 2
    close_database()
    refused = json.loads(capsys.readouterr().out)
    assert "本机" in refused["error"] and "退出登录" in refused["action"]

    assert cli.main(["--profile", str(mine), "devices", "--revoke", stranger]) == 0
    close_database()
    out = capsys.readouterr().out
    assert f"已停用设备 {stranger}" in out and "（本机）" in out
    # The server no longer takes the other PC's key; this PC's key still works.
    client = ServerClient(server_url)
    client.login(DEMO_CLERK, DEMO_PASSWORD)
    with pytest.raises(ServerProblem) as caught:
        client.register_device(public_key_b64(private_key_from_b64(other_key)), "other")
    assert caught.value.problem == "unknown_device"
    states = {d["fingerprint"]: d["revoked"] for d in client.devices()}
    assert states[stranger] is not None and states[this_pc] is None

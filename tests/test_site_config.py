"""The site configuration IT sets once: read from the env var, beside the program, or machine-wide."""
from __future__ import annotations

from pathlib import Path

import pytest

from app import site_config


@pytest.fixture(autouse=True)
def _no_site_config_of_this_machine(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv(site_config.ENV_VAR, raising=False)
    monkeypatch.setattr(site_config, "program_dir", lambda: tmp_path / "program")
    monkeypatch.setattr(site_config, "machine_config_dir", lambda: tmp_path / "machine")
    (tmp_path / "program").mkdir()
    (tmp_path / "machine").mkdir()


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def test_no_file_gives_an_empty_configuration() -> None:
    config = site_config.load()
    assert config == site_config.SiteConfig()
    assert config.server_url == "" and config.source is None and not config.problems


def test_beside_the_program_with_a_relative_ca_bundle(tmp_path: Path) -> None:
    program = tmp_path / "program"
    _write(program / "city-ca.pem", "-----BEGIN CERTIFICATE-----\n")
    _write(program / site_config.FILE_NAME,
           "[server]\nurl = https://baozhang.example.org.cn/  ; 市总工会\nca_bundle = city-ca.pem\n")
    config = site_config.load()
    assert config.server_url == "https://baozhang.example.org.cn"
    assert config.ca_bundle == str(program / "city-ca.pem")
    assert config.source == program / site_config.FILE_NAME
    assert not config.problems


def test_order_env_then_program_then_machine(monkeypatch, tmp_path: Path) -> None:
    _write(tmp_path / "machine" / site_config.FILE_NAME, "[server]\nurl = https://machine.example\n")
    assert site_config.load().server_url == "https://machine.example"
    _write(tmp_path / "program" / site_config.FILE_NAME, "[server]\nurl = https://program.example\n")
    assert site_config.load().server_url == "https://program.example"
    env = _write(tmp_path / "it.ini", "[server]\nurl = http://10.0.0.5:8765\n")
    monkeypatch.setenv(site_config.ENV_VAR, str(env))
    assert site_config.load().server_url == "http://10.0.0.5:8765"


def test_notepad_bom_is_read(tmp_path: Path) -> None:
    _write(tmp_path / "program" / site_config.FILE_NAME, "[server]\nurl = https://bom.example\n", "utf-8-sig")
    assert site_config.load().server_url == "https://bom.example"


@pytest.mark.parametrize("text, words", [
    ("[server]\nurl = baozhang.example.org.cn\n", "不是 http:// 或 https:// 开头的网址"),
    ("[server]\nurl = https://ok.example\nca_bundle = missing.pem\n", "证书文件"),
    ("url = https://no-section.example\n", "无法读取"),
])
def test_a_broken_file_is_reported_not_raised(tmp_path: Path, text: str, words: str) -> None:
    path = _write(tmp_path / "program" / site_config.FILE_NAME, text)
    config = site_config.load()
    assert config.source == path
    assert len(config.problems) == 1 and words in config.problems[0] and str(path) in config.problems[0]
    assert config.ca_bundle is None



@pytest.mark.parametrize("value, allowed, problems", [
    ("yes", True, 0), ("no", False, 0), ("true", True, 0), ("maybe", False, 1)])
def test_it_may_allow_plain_http_for_a_test_installation(tmp_path: Path, value: str, allowed: bool,
                                                         problems: int) -> None:
    from app.sync.client import InsecureServer, check_transport

    _write(tmp_path / "program" / site_config.FILE_NAME,
           f"[server]\nurl = http://10.0.0.5:8765\nallow_insecure = {value}\n")
    config = site_config.load()
    assert config.allow_insecure is allowed and len(config.problems) == problems
    assert config.server_url == "http://10.0.0.5:8765"
    site_config.forget()
    try:
        if allowed:
            check_transport(config.server_url)
        else:
            with pytest.raises(InsecureServer):
                check_transport(config.server_url)
            check_transport(config.server_url, allow_insecure=True)  # --allow-insecure
            site_config.permit_insecure()  # union-clerk --allow-insecure
            check_transport(config.server_url)
    finally:
        site_config.forget()
    assert not site_config.SiteConfig().allow_insecure

"""installer/server/: the systemd units run real union-server commands, systemd accepts them, and
the example configuration agrees with the server (port, request size, database URL)."""
from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from server.cli import build_parser
from server.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "installer" / "server"
UNITS = ["union-server.service", "union-server-worker@.service", "union-server-backup.service"]
INSTALLED = "/opt/union-server/venv/bin/union-server"


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    parser.read(DEPLOY / name, encoding="utf-8")
    return parser


@pytest.mark.parametrize("name", UNITS)
def test_each_unit_runs_a_command_the_server_cli_accepts(name: str) -> None:
    unit = _unit(name)
    argv = shlex.split(unit["Service"]["ExecStart"])
    assert argv[0] == INSTALLED
    args = build_parser().parse_args(argv[1:])  # exits (fails the test) on an unknown command or flag
    assert args.func.__name__ == {"union-server.service": "cmd_serve", "union-server-worker@.service": "cmd_worker",
                                  "union-server-backup.service": "cmd_backup"}[name]
    assert unit["Service"]["User"] == "union-server"
    assert unit["Service"]["EnvironmentFile"] == "/etc/union-server/server.env"


def test_the_api_listens_on_loopback_where_nginx_forwards() -> None:
    serve = build_parser().parse_args(shlex.split(_unit("union-server.service")["Service"]["ExecStart"])[1:])
    assert serve.host == "127.0.0.1" and serve.no_worker
    nginx = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    assert f"server 127.0.0.1:{serve.port};" in nginx
    body = re.search(r"client_max_body_size (\d+)m;", nginx)
    assert body and int(body.group(1)) * 2**20 > Settings().max_pdf_bytes
    assert "X-Forwarded-Proto" in nginx and "ssl_certificate " in nginx


def test_the_environment_example_names_a_database_the_server_opens() -> None:
    env = dict(line.split("=", 1) for line in (DEPLOY / "server.env.example").read_text(encoding="utf-8").splitlines()
               if line and not line.startswith("#"))
    assert env["UNION_SERVER_DB"].startswith("postgresql://")
    backup = _unit("union-server-backup.service")["Service"]
    assert "/var/backups/union-server" in backup["ExecStart"] and backup["ReadWritePaths"] == "/var/backups/union-server"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    program = Path(sys.executable).with_name("union-server")
    names = []
    for name in [*UNITS, "union-server-backup.timer"]:
        text = (DEPLOY / name).read_text(encoding="utf-8").replace(INSTALLED, str(program))
        target = name.replace("@.service", "@1.service")
        (tmp_path / target).write_text(text, encoding="utf-8")
        names.append(f"./{target}")
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", *names], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    complaints = [line for line in (result.stdout + result.stderr).splitlines() if "union-server" in line]
    assert result.returncode == 0 and not complaints, "\n".join(complaints)

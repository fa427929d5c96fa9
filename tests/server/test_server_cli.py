"""`union-server` commands: documented, and doing what they say."""
from __future__ import annotations

import csv
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

import server.cli as cli
from server.db import open_database, session
from server.models import Member, RegistryEntry, SsCheckJob, Union, User
from server.security import verify_password


@pytest.fixture(autouse=True)
def _restore_root_logging():  # type: ignore[no-untyped-def]
    """cli.main() configures logging for a real run; undo it so later tests log normally."""
    import logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


def _commands() -> list[str]:
    parser = cli.build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return sorted(action.choices)


def test_every_command_has_help_and_is_documented(capsys: pytest.CaptureFixture[str]) -> None:
    commands = _commands()
    assert commands == sorted(["serve", "init-demo", "create-union", "create-user", "reset-password",
                               "account", "fees", "load-registry", "load-payouts", "review", "campaign", "notice", "worker", "migrate",
                               "backup", "restore", "prune"])
    for command in commands:
        with pytest.raises(SystemExit) as exit_info:
            cli.main([command, "--help"])
        assert exit_info.value.code == 0
        assert "--db" in capsys.readouterr().out
        assert f"union-server {command}" in (cli.__doc__ or "")


def test_migrate_reports_the_schema_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from server.migrations import LATEST

    db = f"sqlite:///{tmp_path / 'new.db'}"
    assert cli.main(["migrate", "--db", db]) == 0
    assert f"数据库结构版本：无 → {LATEST}" in capsys.readouterr().out
    assert cli.main(["migrate", "--db", db]) == 0
    assert f"数据库结构版本：{LATEST} → {LATEST}" in capsys.readouterr().out


def test_admin_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    db = f"sqlite:///{tmp_path / 'admin.db'}"
    assert cli.main(["init-demo", "--db", db, "--members", "40"]) == 0
    out = capsys.readouterr().out
    passwords = dict(re.findall(r"^\s+(\w+)\s+(\S+)\s+(?:center|reviewer|clerk)", out, re.M))
    assert set(passwords) == {"center", "city", "district", "secondary", "grassroots", "grassroots2"}
    assert cli.main(["init-demo", "--db", db]) == 1

    assert cli.main(["create-union", "--db", db, "--name", "上海新华工会委员会", "--org-code", "NEW-1",
                     "--type", "工会委员会", "--level", "grassroots", "--parent", "813101010000000033",
                     "--enterprise", "上海新华有限公司"]) == 0
    assert cli.main(["create-user", "--db", db, "--username", "newclerk", "--union", "NEW-1"]) == 0
    first = re.search(r"初始密码（只显示这一次）：(\S+)", capsys.readouterr().out)
    assert first

    monkeypatch.setenv("UNION_SERVER_ACTOR_PASSWORD", passwords["secondary"])
    monkeypatch.setenv("UNION_SERVER_NEW_PASSWORD", "reset-by-superior")
    assert cli.main(["reset-password", "--db", db, "--actor", "secondary", "--username", "newclerk"]) == 0
    monkeypatch.setenv("UNION_SERVER_ACTOR_PASSWORD", passwords["grassroots2"])
    assert cli.main(["reset-password", "--db", db, "--actor", "grassroots2", "--username", "newclerk"]) == 1
    open_database(db)
    with session():
        user = User.get(User.username == "newclerk")
        assert user.role == "clerk"
        assert verify_password("reset-by-superior", user.password_hash)
        assert Union.get(Union.org_code == "NEW-1").path.startswith(Union.get(Union.org_code == "813101010000000033").path)

    # Registry export: CSV and xlsx, Chinese headers and labels.
    with session():
        numbers = [m.id_number for m in Member.select().where(Member.id_type == "mainland").limit(3)]
    csv_path = tmp_path / "registry.csv"
    with csv_path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["证件号码", "社保卡状态", "就业状态"])
        writer.writerow([numbers[0], "封存", "在职"])
        writer.writerow([numbers[1], "正常", "不明确"])
    assert cli.main(["load-registry", "--db", db, str(csv_path)]) == 0
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["证件号码", "社保卡状态", "就业状态"])
    book.active.append([numbers[2], "挂失", "在职"])
    book.active.append(["", "", ""])
    xlsx_path = tmp_path / "registry.xlsx"
    book.save(xlsx_path)
    assert cli.main(["load-registry", "--db", db, str(xlsx_path)]) == 0
    open_database(db)
    with session():
        assert RegistryEntry.get(RegistryEntry.id_number == numbers[0]).ss_card_status == "sealed"
        assert RegistryEntry.get(RegistryEntry.id_number == numbers[1]).employment_status == "unknown"
        assert RegistryEntry.get(RegistryEntry.id_number == numbers[2]).ss_card_status == "reported_lost"
        member = Member.get(Member.id_number == numbers[0])
        from datetime import datetime

        SsCheckJob.create(union=member.union_id, id_numbers=[numbers[0]], status="queued",
                          not_before=datetime(2000, 1, 1), created=datetime(2000, 1, 1))
    assert cli.main(["worker", "--db", db, "--once"]) == 0
    open_database(db)
    with session():
        assert Member.get(Member.id_number == numbers[0]).ss_card_status == "sealed"
        assert SsCheckJob.get().status == "done"


def test_serve_runs_the_api(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    db = f"sqlite:///{tmp_path / 'serve.db'}"
    env = {**os.environ, "PYTHONPATH": str(Path(cli.__file__).resolve().parents[1])}
    process = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--db", db, "--port", str(port),
                                "--log-level", "warning"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/time", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert response.status_code == 200
        assert httpx.get(f"http://127.0.0.1:{port}/openapi.json").json()["info"]["title"].startswith("上海市")
        assert httpx.get(f"http://127.0.0.1:{port}/docs").status_code == 200
    finally:
        process.terminate()
        process.wait(10)

"""union-clerk-cli: every command documented, and the commands' real outcomes."""
from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app import cli
from app.models import close_database
from app.rules.idcard import parse_mainland_id

CLI = [sys.executable, "-m", "app.cli"]


def run_cli(*args: str, profile: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "--profile", str(profile), *args], capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).resolve().parents[1])


def test_every_command_and_option_has_help() -> None:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {a.dest: a.help for a in sub._choices_actions}
    assert set(helps) == set(sub.choices) and all(helps.values()), helps
    for name, p in sub.choices.items():
        assert f"union-clerk-cli {name}" in p.format_usage()
        bare = [a.option_strings or a.dest for a in p._actions
                if not a.help and not isinstance(a, argparse._HelpAction)]
        assert not bare, f"union-clerk-cli {name}: {bare} without help"


def test_demo_members_stats_check_backup(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    prof = tmp_path / "p"
    assert cli.main(["--profile", str(prof), "demo-data", "--count", "120"]) == 0
    capsys.readouterr()
    assert cli.main(["--profile", str(prof), "members", "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 120
    records = [json.loads(line) for line in lines]
    for key in ("member_no", "name", "id_type", "id_number", "gender", "birth_date", "retirement_dates", "flags"):
        assert key in records[0]
    mainland = [r for r in records if r["id_type"] == "mainland"]
    for r in mainland:
        parsed = parse_mainland_id(r["id_number"])  # full, valid number
        assert parsed.birth_date.isoformat() == r["birth_date"]
        expected = 2 if r["gender"] == "female" and len(r["retirement_dates"]) == 2 else 1
        assert len(r["retirement_dates"]) == expected
    assert any(len(r["retirement_dates"]) == 2 for r in mainland)
    assert any("probably_retired" in r["flags"] for r in records)

    assert cli.main(["--profile", str(prof), "stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["members"] == 120 and stats["enterprises"] == 2

    assert cli.main(["--profile", str(prof), "check", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["healthy"] and report["schema_version"] == report["latest_version"]

    out = tmp_path / "copy.sqlite3"
    assert cli.main(["--profile", str(prof), "backup", str(out)]) == 0
    close_database()
    con = sqlite3.connect(out)
    assert con.execute("SELECT count(*) FROM member").fetchone()[0] == 120
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()


def test_check_fails_on_a_corrupt_database(tmp_path: Path) -> None:
    prof = tmp_path / "p"
    prof.mkdir()
    (prof / "union-clerk.sqlite3").write_bytes(b"this is not a database" * 100)
    result = run_cli("check", profile=prof)
    assert result.returncode != 0
    assert "损坏" in result.stderr


@pytest.mark.slow
def test_killed_write_leaves_the_database_healthy(tmp_path: Path) -> None:
    """SIGKILL a big one-transaction write part-way: `check` stays healthy, no partial rows."""
    prof = tmp_path / "p"
    assert run_cli("check", profile=prof).returncode == 0
    db_file = prof / "union-clerk.sqlite3"
    wal = db_file.with_name(db_file.name + "-wal")
    proc = subprocess.Popen([*CLI, "--profile", str(prof), "demo-data", "--count", "60000"],
                            cwd=Path(__file__).resolve().parents[1],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    # Wait until the transaction has written a good part of its pages, then kill it.
    while time.monotonic() < deadline and proc.poll() is None:
        if wal.exists() and wal.stat().st_size > 2_000_000:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the write finished before it could be killed; make it bigger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    result = run_cli("check", "--json", profile=prof)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["healthy"]
    con = sqlite3.connect(db_file)
    assert con.execute("SELECT count(*) FROM member").fetchone()[0] in (0, 60000)
    con.close()

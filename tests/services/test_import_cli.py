"""union-clerk-cli import / export / template, run as IT staff run them (subprocesses), and an
import killed with SIGKILL part-way that leaves the database healthy with none or all of its rows."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from app.rules.idcard import check_character
from app.services.demo import DEMO_ENTERPRISES

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, check: bool = False) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=False)
    if check:
        assert done.returncode == 0, done.stderr
    return done


def mainland(i: int) -> str:
    birth = date(1960, 1, 1) + timedelta(days=i % 15_000)
    first17 = f"310101{birth:%Y%m%d}{i // 15_000 % 100:02d}{i % 10}"
    return first17 + check_character(first17)


def members_file(path: Path, count: int, *, start: int = 0, bad_rows: tuple[int, ...] = ()) -> Path:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("会员信息")
    ws.append(["姓名", "证件号码", "手机号码", "工作单位详细地址"])
    for i in range(start, start + count):
        phone = "12345" if i in bad_rows else f"137{i:08d}"
        name = "会员" + chr(0x4E00 + i % 20_000) + chr(0x4E00 + i // 20_000)
        ws.append([name, mainland(i), phone, "上海市黄浦区中山东一路十四号"])
    wb.save(path)
    return path


@pytest.fixture
def demo_dir(tmp_path: Path) -> Path:
    profile = tmp_path / "profile"
    cli("--profile", str(profile), "demo-data", "--count", "10", check=True)
    return profile


def _count(profile: Path) -> int:
    with sqlite3.connect(profile / "union-clerk.sqlite3") as conn:
        return conn.execute("SELECT count(*) FROM member").fetchone()[0]


def _member_indexes(profile: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(profile / "union-clerk.sqlite3") as conn:
        return conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'member' "
                            "ORDER BY name").fetchall()


def test_import_json_counts_errors_and_report(demo_dir: Path, tmp_path: Path) -> None:
    path = members_file(tmp_path / "m.xlsx", 20, bad_rows=(3, 7))
    report = tmp_path / "错误报告.xlsx"
    done = cli("--profile", str(demo_dir), "import", str(path), "--category", "flexible", "--report", str(report),
               "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert (out["imported"], out["updated"], out["unchanged"], out["failed"]) == (18, 0, 0, 2)
    assert [(e["row"], e["column"]) for e in out["errors"]] == [(5, "手机号码"), (9, "手机号码")]
    assert all(e["message"] for e in out["errors"]) and out["report"] == str(report)
    ws = load_workbook(report)["会员信息"]
    assert ws["C5"].comment is not None and ws["C4"].comment is None
    assert _count(demo_dir) == 28

    again = json.loads(cli("--profile", str(demo_dir), "import", str(path), "--category", "flexible",
                           "--json").stdout)
    assert (again["imported"], again["updated"], again["unchanged"], again["failed"]) == (0, 0, 18, 2)


def test_dry_run_writes_nothing(demo_dir: Path, tmp_path: Path) -> None:
    path = members_file(tmp_path / "m.xlsx", 5)
    out = json.loads(cli("--profile", str(demo_dir), "import", str(path), "--category", "outside_enterprise",
                         "--dry-run", "--json", check=True).stdout)
    assert out["imported"] == 5 and out["dry_run"] is True
    assert _count(demo_dir) == 10
    assert not list((demo_dir / "backups").glob("*-import.sqlite3"))


def test_refused_file_exits_2_with_error(demo_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000))
    done = cli("--profile", str(demo_dir), "import", str(path), "--category", "flexible", "--json")
    assert done.returncode == 2
    out = json.loads(done.stdout)
    assert "xls" in out["error"] and out["imported"] == 0 and out["errors"] == []
    assert _count(demo_dir) == 10


def test_linked_enterprise_needs_a_known_enterprise(demo_dir: Path, tmp_path: Path) -> None:
    path = members_file(tmp_path / "m.xlsx", 3)
    args = ["--profile", str(demo_dir), "import", str(path), "--category", "linked_enterprise", "--json"]
    assert cli(*args).returncode == 2
    unknown = cli(*args, "--enterprise", "不存在的公司")
    assert unknown.returncode == 2 and DEMO_ENTERPRISES[0] in json.loads(unknown.stdout)["action"]
    ok = cli(*args, "--enterprise", DEMO_ENTERPRISES[1], check=True)
    assert json.loads(ok.stdout)["imported"] == 3


def test_template_and_export(demo_dir: Path, tmp_path: Path) -> None:
    cli("--profile", str(demo_dir), "template", str(tmp_path / "模板.xlsx"), check=True)
    assert load_workbook(tmp_path / "模板.xlsx")["会员信息"]["B1"].value == "姓名*"
    cli("--profile", str(demo_dir), "export", str(tmp_path / "masked.xlsx"), check=True)
    cli("--profile", str(demo_dir), "export", str(tmp_path / "full.xlsx"), "--full-ids", check=True)
    masked = list(load_workbook(tmp_path / "masked.xlsx").active.iter_rows(values_only=True))
    full = list(load_workbook(tmp_path / "full.xlsx").active.iter_rows(values_only=True))
    assert len(masked) == len(full) == 11
    assert all("****" in r[3] for r in masked[1:]) and not any("*" in r[3] for r in full[1:])


@pytest.mark.slow
def test_sigkill_part_way_leaves_none_or_all(tmp_path: Path) -> None:
    rows = 30_000
    big = members_file(tmp_path / "big.xlsx", rows, start=100)
    outcomes: list[tuple[float, int, bool]] = []
    for attempt, delay in enumerate((0.0, 0.05, 0.15, 0.3, 0.4, 0.5, 0.6, 0.9)):
        profile = tmp_path / f"p{attempt}"
        cli("--profile", str(profile), "demo-data", "--count", "10", check=True)
        indexes = _member_indexes(profile)
        proc = subprocess.Popen([sys.executable, "-m", "app.cli", "--profile", str(profile), "import", str(big),
                                 "--category", "flexible", "--json"], cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        # The backup is taken right before the import's transaction begins.
        while not list((profile / "backups").glob("*-import.sqlite3")) and proc.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.002)
        time.sleep(delay)
        # Past its backup and not finished: the import is inside its transaction (or committing).
        part_way = proc.poll() is None
        if part_way:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        check = cli("--profile", str(profile), "check", "--json")
        assert check.returncode == 0 and json.loads(check.stdout)["healthy"] is True, check.stdout
        count = _count(profile)
        assert count in (10, 10 + rows), count
        # The load rebuilds the member indexes inside its transaction: a kill never loses one.
        assert _member_indexes(profile) == indexes
        outcomes.append((delay, count, part_way))
    # Kills landed part-way, and nothing of those imports survived.
    assert any(part_way and count == 10 for _, count, part_way in outcomes), outcomes
    done = cli("--profile", str(tmp_path / "p0"), "import", str(big), "--category", "flexible", "--json", check=True)
    assert json.loads(done.stdout)["imported"] == rows and _count(tmp_path / "p0") == 10 + rows

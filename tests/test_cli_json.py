"""union-clerk-cli --json always answers one JSON object: every outcome, refusals (exit 2, with
`error` and `action`), offline (exit 3), wrong arguments and unexpected errors included."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app import cli
from app.models import Member, close_database

CLI = [sys.executable, "-m", "app.cli"]


def run(profile: Path, *args: str, **env: str) -> tuple[int, dict]:
    import os

    result = subprocess.run([*CLI, "--profile", str(profile), *args], capture_output=True, text=True, timeout=120,
                            cwd=Path(__file__).resolve().parents[1], env={**os.environ, **env})
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, (result.stdout, result.stderr)
    return result.returncode, json.loads(lines[0])


def refusal(answer: dict) -> bool:
    return set(answer) >= {"error", "action"} and bool(answer["error"]) and bool(answer["action"])


def test_an_empty_profile_is_refused_in_json(tmp_path: Path) -> None:
    """The issue's own case: import into a profile without a union."""
    sheet = tmp_path / "members.xlsx"
    assert cli.main(["template", str(sheet)]) == 0
    code, answer = run(tmp_path / "empty", "import", str(sheet), "--category", "flexible", "--json")
    assert code == 2 and refusal(answer) and "还没有工会数据" in answer["error"]
    for args in (["stats", "--json"], ["todo", "--json"], ["export", str(tmp_path / "o.xlsx"), "--json"],
                 ["sync", "--json"], ["member-remove", "110101199003070011", "--reason", "x", "--json"]):
        code, answer = run(tmp_path / "empty", *args)
        assert code == 2 and refusal(answer), args


def test_wrong_arguments_and_offline(tmp_path: Path) -> None:
    code, answer = run(tmp_path / "p", "import", "x.xlsx", "--json")  # --category missing
    assert code == 2 and refusal(answer) and "--category" in answer["error"] and "--help" in answer["action"]
    assert answer["error"] == "命令参数不正确：缺少必需的参数：--category"  # argparse's English, in Chinese
    code, answer = run(tmp_path / "p", "member-status", "1", "--status", "married", "--json")
    assert code == 2 and "married" in answer["error"] and "无效" in answer["error"] and "choose" not in answer["error"]
    code, answer = run(tmp_path / "p", "members", "--no-such-option", "--json")
    assert code == 2 and answer["error"] == "命令参数不正确：无法识别的参数：--no-such-option"
    code, answer = run(tmp_path / "p", "sync", "--server", "http://127.0.0.1:9", "--username", "grassroots", "--json",
                       UNION_CLERK_PASSWORD="x")
    assert code == 3 and refusal(answer)


def test_every_command_answers_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    prof = str(tmp_path / "p")

    def call(*args: str) -> tuple[int, dict]:
        code = cli.main(["--profile", prof, *args])
        out = capsys.readouterr().out.strip().splitlines()
        assert len(out) == 1, out
        return code, json.loads(out[0])

    assert call("demo-data", "--count", "60", "--json") == (0, {"union_id": 1, "members": 60})
    assert call("backup", str(tmp_path / "b.sqlite3"), "--json")[1]["backup"].endswith("b.sqlite3")
    assert call("template", str(tmp_path / "t.xlsx"), "--json")[1]["template"].endswith("t.xlsx")
    assert call("export", str(tmp_path / "e.xlsx"), "--json")[1]["rows"] == 60
    code, todo = call("todo", "--json")
    assert code == 0 and {i["key"] for i in todo["items"]} >= {"pending", "retirement", "id_expiring"}
    member = Member.select().where(Member.life_status == "in_service").order_by(Member.id).first()
    code, answer = call("member-status", member.id_number, "--status", "retired", "--on", "2026-01-31", "--json")
    assert code == 0 and answer == {"changed": 1, "life_status": "retired", "on": "2026-01-31"}
    code, answer = call("member-status", member.id_number, "--status", "retired", "--on", "31/01/2026", "--json")
    assert code == 2 and "格式" in answer["error"]
    code, answer = call("member-remove", member.id_number, "--reason", "调离本单位", "--json")
    assert (code, answer["removed"]) == (0, 1)
    code, answer = call("member-remove", member.id_number, "--reason", "调离本单位", "--json")
    assert code == 2 and "没有证件号码为" in answer["error"]
    close_database()


def test_an_unexpected_error_is_json_too(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    from app.services import stats

    assert cli.main(["--profile", str(tmp_path / "p"), "demo-data", "--count", "5"]) == 0
    capsys.readouterr()

    def broken(_union_id: int) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(stats, "workbench_figures", broken)
    assert cli.main(["--profile", str(tmp_path / "p"), "stats", "--json"]) == 1
    answer = json.loads(capsys.readouterr().out)
    assert refusal(answer) and "意外错误" in answer["error"]
    with pytest.raises(RuntimeError):  # without --json a bug keeps its traceback
        cli.main(["--profile", str(tmp_path / "p"), "stats"])
    close_database()

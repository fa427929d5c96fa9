"""--help, the usage line and usage errors of union-clerk, union-clerk-cli and union-server (and
their subcommands) carry none of argparse's English headings: one translation,
app/rules/argparse_zh.py, for the three programs."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROGRAMS = {"union-clerk": "app.main", "union-clerk-cli": "app.cli", "union-server": "server.cli"}
#: argparse's English, as it would print it.
ENGLISH = re.compile(r"usage:|options:|optional arguments:|positional arguments:|show this help message|"
                     r"show program's version|error:|the following arguments are required")


def run(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, timeout=120,
                          cwd=ROOT, env={"PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen"})


@pytest.mark.parametrize("program", PROGRAMS)
def test_help_is_in_chinese(program: str) -> None:
    done = run(PROGRAMS[program], "--help")
    assert done.returncode == 0, done.stderr
    assert not ENGLISH.findall(done.stdout), done.stdout
    assert done.stdout.startswith(f"用法：{program} [-h]")
    assert "\n选项：\n" in done.stdout and re.search(r"-h, --help +显示此帮助信息并退出", done.stdout)
    if program != "union-clerk":
        assert "\n位置参数：\n  COMMAND" in done.stdout


@pytest.mark.parametrize(("program", "command"), [("union-clerk-cli", "members"), ("union-server", "serve")])
def test_a_subcommand_help_and_a_usage_error_are_in_chinese(program: str, command: str) -> None:
    done = run(PROGRAMS[program], command, "--help")
    assert done.returncode == 0 and done.stdout.startswith(f"用法：{program} {command} [-h]"), done.stdout
    assert not ENGLISH.findall(done.stdout), done.stdout
    refused = run(PROGRAMS[program], command, "--no-such-option")
    assert refused.returncode == 2 and not ENGLISH.findall(refused.stderr), refused.stderr
    assert refused.stderr.startswith(f"用法：{program}") and f"\n{program}" in refused.stderr
    assert "：错误：" in refused.stderr


def test_the_wordings() -> None:
    from app.rules.argparse_zh import argparse_help_zh, argparse_message_zh

    assert argparse_message_zh("argument --role: invalid choice: 'x' (choose from 'a', 'b')") == \
        "参数 --role 的值 'x' 无效（可选：'a', 'b'）"
    assert argparse_message_zh("ambiguous option: --pro could match --profile, --progress") == \
        "选项 --pro 不明确，可能是：--profile, --progress"
    assert argparse_message_zh("别的话") == "别的话"
    assert argparse_help_zh("usage: x [-h]\n\noptional arguments:\n  -h, --help  show this help message and exit\n") \
        == "用法：x [-h]\n\n选项：\n  -h, --help  显示此帮助信息并退出\n"

"""Every command of `union-clerk-cli` and `union-server` is in the README (as sqlite-utils checks
its CLI reference): a command added without a word for the people who run it fails here."""
from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from app import cli as clerk_cli
from server import cli as server_cli

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
_FENCED = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)
#: Lines of fenced blocks (less their comments) and inline code spans: where a command is shown
#: as something to type.
CODE = [line.split("  #")[0] for block in _FENCED.findall(README) for line in block.splitlines()] + \
    re.findall(r"`([^`\n]+)`", _FENCED.sub("", README))


def commands(parser: argparse.ArgumentParser) -> list[str]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(sub.choices)


def shown(program: str, command: str) -> bool:
    """Some code span or line of a code block runs `program … command` (options may come between)."""
    pattern = re.compile(rf"\b{re.escape(program)}\b[^\n]*?(?<![\w-]){re.escape(command)}(?![\w-])")
    return any(pattern.search(code) for code in CODE)


@pytest.mark.parametrize("program,command", [
    *(("union-clerk-cli", c) for c in commands(clerk_cli.build_parser())),
    *(("union-server", c) for c in commands(server_cli.build_parser())),
])
def test_every_command_is_in_the_readme(program: str, command: str) -> None:
    assert shown(program, command), f"README.md shows no `{program} … {command}`: document it"


def test_the_check_can_fail() -> None:
    assert shown("union-clerk-cli", "import")
    assert not shown("union-clerk-cli", "no-such-command")
    assert not shown("union-server", "demo")  # init-demo does not count as demo

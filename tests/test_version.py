"""One version (app.__version__, the distribution's), printed by all three programs."""
from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VERSION = metadata.version("union-clerk")


@pytest.mark.parametrize("program,module", [
    ("union-clerk", "app.main"), ("union-clerk-cli", "app.cli"), ("union-server", "server.cli")])
def test_every_program_prints_the_distribution_version(program: str, module: str) -> None:
    run = subprocess.run([sys.executable, "-c", f"import sys; from {module} import build_parser; "
                          "build_parser().parse_args(['--version'])"],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"{program} {VERSION}"


def test_the_version_is_written_once() -> None:
    """pyproject.toml reads it from app.__version__; the installed metadata must agree."""
    import tomllib

    import app

    with (ROOT / "pyproject.toml").open("rb") as f:
        assert tomllib.load(f)["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "app.__version__"}
    assert app.__version__ == VERSION

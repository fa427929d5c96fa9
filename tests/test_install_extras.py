"""What each install pulls: the server without Qt, PDF or keyring; the clerk app without the server.

pip resolves the real extras of pyproject.toml against the package index without installing
anything (`--dry-run --ignore-installed --report`), so this sees exactly what a fresh virtualenv
would get, in seconds.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _resolve(extras: str) -> set[str]:
    """Normalised names of every distribution `pip install '.[extras]'` would install."""
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--no-build-isolation",
         "--quiet", "--disable-pip-version-check", "--report", "-", f".[{extras}]"],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    return {re.sub(r"[-_.]+", "-", item["metadata"]["name"]).lower() for item in report["install"]}


@pytest.mark.slow
def test_server_install_has_no_qt_pdf_or_keyring() -> None:
    names = _resolve("server")
    assert {"fastapi", "uvicorn", "psycopg", "peewee", "cryptography"} <= names
    unwanted = {n for n in names if n.startswith(("pyside6", "shiboken6"))
                or n in {"reportlab", "keyring", "keyrings-alt", "requests"}}
    # Pillow is the server's own now: it decodes and re-encodes 缴费凭证 photos (server/superior/vouchers.py).
    assert not unwanted, f"the server install pulls {sorted(unwanted)}"


@pytest.mark.slow
def test_clerk_install_has_only_the_two_qt_wheels_and_no_server() -> None:
    names = _resolve("clerk")
    qt = {n for n in names if n.startswith(("pyside6", "shiboken6"))}
    assert qt == {"pyside6-essentials", "pyside6-addons", "shiboken6"}, sorted(qt)
    assert {"reportlab", "keyring", "requests", "python-calamine", "platformdirs"} <= names
    assert not names & {"fastapi", "uvicorn", "psycopg", "keyrings-alt", "pytest"}

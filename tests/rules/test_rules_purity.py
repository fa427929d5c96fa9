"""The rules layer stays pure: no Qt, no peewee, nothing from `app` outside `app.rules`."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

RULES_DIR = Path(__file__).resolve().parents[2] / "app" / "rules"
FORBIDDEN_ROOTS = {"PySide6", "PyQt5", "PyQt6", "shiboken6", "peewee", "playhouse", "server"}


def imported_modules(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: use absolute imports"
            names.append(node.module or "")
    return names


@pytest.mark.parametrize("path", sorted(RULES_DIR.glob("*.py")), ids=lambda p: p.name)
def test_rules_module_imports(path: Path) -> None:
    for name in imported_modules(path):
        root = name.split(".")[0]
        assert root not in FORBIDDEN_ROOTS, f"{path.name} imports {name}"
        if root == "app":
            assert name.startswith("app.rules"), f"{path.name} imports {name}"
    text = path.read_text(encoding="utf-8")
    assert ast.get_docstring(ast.parse(text)), f"{path.name} needs a module docstring"
    if path.name != "__init__.py":
        assert "from __future__ import annotations" in text

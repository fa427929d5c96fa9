"""Rooms small enough to find one's way in: no module over 600 lines, no function over 80, in
`app/` and `server/` (tests and benches excepted). A failure names the file and the function."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
SOURCES = sorted(p for d in ("app", "server") for p in (ROOT / d).rglob("*.py"))


def long_functions(tree: ast.AST) -> list[tuple[str, int, int]]:
    """(qualified name, first line, lines) of every function longer than the limit, decorators in."""
    found: list[tuple[str, int, int]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                    lines = (child.end_lineno or child.lineno) - first + 1
                    if lines > MAX_FUNCTION_LINES:
                        found.append((name, first, lines))
                visit(child, name + ".")
            else:
                visit(child, prefix)

    visit(tree, "")
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_module_and_function_sizes(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    lines = len(text.splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path.relative_to(ROOT)} has {lines} lines (limit {MAX_MODULE_LINES})"
    too_long = [f"{name} (line {first}, {n} lines)" for name, first, n in long_functions(ast.parse(text))]
    assert not too_long, f"{path.relative_to(ROOT)}: over {MAX_FUNCTION_LINES} lines: {', '.join(too_long)}"


def test_the_guard_sees_nested_and_decorated_functions() -> None:
    body = "\n".join(f"        x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    tree = ast.parse(f"class A:\n    @staticmethod\n    def f():\n{body}\n")
    assert long_functions(tree) == [("A.f", 2, MAX_FUNCTION_LINES + 2)]
    short = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES - 2))
    assert long_functions(ast.parse(f"def g():\n{short}\n")) == []

"""The layering of ARCHITECTURE.md: lower layers never import Qt, sync or views; the server
shares only the rules and the protocol kernel with the client; the kernel stands on its own."""
from __future__ import annotations

import ast
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
LOWER = ["app/rules", "app/models", "app/services"]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            # `from app import protocol` imports app.protocol: name the modules it may bring.
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


@pytest.mark.parametrize("path", [p for d in LOWER for p in sorted((ROOT / d).rglob("*.py"))],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_lower_layers_do_not_import_qt_sync_or_views(path: Path) -> None:
    bad = {n for n in _imports(path)
           if n.split(".")[0] in {"PySide6", "shiboken6"} or n.startswith(("app.sync", "app.views"))}
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


@pytest.mark.parametrize("path", sorted((ROOT / "app/models").rglob("*.py")), ids=lambda p: p.name)
def test_models_do_not_import_services(path: Path) -> None:
    assert not {n for n in _imports(path) if n.startswith("app.services")}


def test_the_check_catches_a_qt_import(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text("from PySide6.QtCore import QObject\n", encoding="utf-8")
    assert "PySide6.QtCore" in _imports(sample)


@pytest.mark.parametrize("path", sorted((ROOT / "app/sync").rglob("*.py")), ids=lambda p: p.name)
def test_sync_imports_only_models_and_rules(path: Path) -> None:
    """ARCHITECTURE.md: sync → models, rules (and never Qt)."""
    bad = {n for n in _imports(path)
           if n.startswith(("app.services", "app.views")) or n.split(".")[0] in {"PySide6", "shiboken6"}}
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


#: The one view that may hold the database object: ops' db worker opens and closes its own
#: thread's connection (ARCHITECTURE.md: a worker thread opens its own and closes it).
VIEW_DATABASE_HANDLES = {"ops.py": {"db"}}


def model_names_imported(path: Path) -> list[str]:
    """What a module takes from app.models that is a table class or the database itself, and any
    import of peewee, playhouse or a whole app.models module (which would reach the tables)."""
    import importlib

    from peewee import Database, Model

    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names
                      if a.name.split(".")[0] in {"peewee", "playhouse"} or a.name.startswith("app.models")]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] in {"peewee", "playhouse"}:
                found.append(node.module)
            elif node.module == "app" and any(a.name == "models" for a in node.names):
                found.append("app.models")
            elif node.module.startswith("app.models"):
                module = importlib.import_module(node.module)
                for alias in node.names:
                    value = getattr(module, alias.name, None)
                    if isinstance(value, ModuleType) or isinstance(value, Database) or (
                            isinstance(value, type) and issubclass(value, Model)):
                        found.append(f"{node.module}.{alias.name}")
    allowed = VIEW_DATABASE_HANDLES.get(path.name, set())
    return [name for name in found if name.rsplit(".", 1)[-1] not in allowed]


@pytest.mark.parametrize("path", sorted((ROOT / "app/views").rglob("*.py")), ids=lambda p: p.name)
def test_views_touch_no_tables(path: Path) -> None:
    """Views ask services (through ops); they never hold a table class, peewee or SQL."""
    text = path.read_text(encoding="utf-8")
    assert "execute_sql" not in text
    names = model_names_imported(path)
    assert not names, f"{path.relative_to(ROOT)} imports {names}: ask a service instead"


def test_the_view_check_catches_a_table_class(tmp_path: Path) -> None:
    sample = tmp_path / "page.py"
    sample.write_text("def f():\n    from app.models import DatabaseEnvironmentError, Setting\n"
                      "    from app.models.queries import MemberFilter\n    import peewee\n", encoding="utf-8")
    assert model_names_imported(sample) == ["app.models.Setting", "peewee"]


#: What of the app the central server may import (ARCHITECTURE.md, "Decisions added after the first wave").
SERVER_SHARES = ("app.rules", "app.protocol")


def _server_crossings(path: Path) -> set[str]:
    return {n for n in _imports(path) if n.startswith("app.") and not n.startswith(SERVER_SHARES)}


@pytest.mark.parametrize("path", sorted((ROOT / "server").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_server_imports_only_rules_and_the_protocol(path: Path) -> None:
    bad = _server_crossings(path)
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}: the server shares only {SERVER_SHARES}"


def test_the_server_check_catches_a_client_import(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text("from app import protocol\nfrom app.rules.fees import CENT\nfrom app import models\n"
                      "from app.sync.engine import SyncEngine\n", encoding="utf-8")
    assert _server_crossings(sample) == {"app.models", "app.sync.engine", "app.sync.engine.SyncEngine"}


@pytest.mark.parametrize("path", sorted((ROOT / "app/protocol").rglob("*.py")), ids=lambda p: p.name)
def test_protocol_kernel_stands_alone(path: Path) -> None:
    """The kernel imports the standard library, `cryptography` and app.rules only — the client
    and the server both import it, the client without FastAPI."""
    bad = set()
    for name in _imports(path):
        top = name.split(".")[0]
        if top == "app":
            if name != "app" and not name.startswith(SERVER_SHARES):
                bad.add(name)
        elif top not in sys.stdlib_module_names and top not in ("cryptography", "__future__"):
            bad.add(name)
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"

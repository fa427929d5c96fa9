"""installer/: the files `make dist` uses are there and well-formed; makensis compiles the setup.

The PyInstaller build itself (minutes) is `make dist`, not part of the suite; here the Windows
setup script is compiled for real with a tiny stand-in payload wherever makensis is installed
(.ci/run installs it), with warnings treated as errors.
"""
from __future__ import annotations

import ast
import configparser
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app import site_config

ROOT = Path(__file__).resolve().parents[1]
INSTALLER = ROOT / "installer"
NSI = INSTALLER / "windows" / "union-clerk.nsi"


def test_the_spec_names_both_programs_and_the_data() -> None:
    spec = (INSTALLER / "union-clerk.spec").read_text(encoding="utf-8")
    ast.parse(spec)
    for needle in ('name="union-clerk"', 'name="union-clerk-cli"', "entry_gui.py", "entry_cli.py",
                   '"resources" / "fonts"', '"resources" / "icons"', "qtbase_zh_CN.qm", "manual",
                   "QtWebEngineCore", "QtPdf", "QtQuick", "console=not WINDOWS"):
        assert needle in spec, needle
    for entry in ("entry_gui.py", "entry_cli.py"):
        ast.parse((INSTALLER / entry).read_text(encoding="utf-8"))


def test_modules_the_app_imports_by_name_are_bundled() -> None:
    """PyInstaller follows `import x` only: the CLI's command modules and the superior pages are
    imported by name (importlib), so the spec bundles every module of the app."""
    by_name = {str(path.relative_to(ROOT)) for path in (ROOT / "app").rglob("*.py")
               if "import_module(" in path.read_text(encoding="utf-8")}
    assert {"app/cli.py", "app/views/roles.py"} <= by_name
    spec = (INSTALLER / "union-clerk.spec").read_text(encoding="utf-8")
    assert 'APP_MODULES = collect_submodules("app")' in spec and "hiddenimports=APP_MODULES" in spec


def test_entry_scripts_call_the_real_mains() -> None:
    gui = (INSTALLER / "entry_gui.py").read_text(encoding="utf-8")
    cli = (INSTALLER / "entry_cli.py").read_text(encoding="utf-8")
    assert "from app.main import main" in gui and "from app.cli import main" in cli


def test_desktop_file() -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    parser.read(INSTALLER / "linux" / "union-clerk.desktop", encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application" and entry["Exec"].startswith("union-clerk")
    assert entry["Name[zh_CN]"] == "工会会员专享保障参保" and entry["Icon"] == "union-clerk"
    assert entry["Terminal"] == "false"


def test_the_site_configuration_example_is_valid() -> None:
    config = site_config.parse(INSTALLER / "union-clerk-site.ini.example")
    assert config.server_url.startswith("https://") and not config.problems and config.ca_bundle is None


def test_windows_workflow_builds_with_the_same_spec_and_script() -> None:
    workflow = (ROOT / ".github" / "workflows" / "windows-installer.yml").read_text(encoding="utf-8")
    assert "runs-on: windows-latest" in workflow
    assert "installer\\union-clerk.spec" in workflow and "installer\\windows\\union-clerk.nsi" in workflow
    assert ".[clerk,dist]" in workflow


@pytest.fixture
def payload(tmp_path: Path) -> Path:
    folder = tmp_path / "union-clerk"
    (folder / "_internal").mkdir(parents=True)
    (folder / "union-clerk.exe").write_bytes(b"MZ stand-in")
    (folder / "union-clerk-cli.exe").write_bytes(b"MZ stand-in")
    (folder / "_internal" / "python311.dll").write_bytes(b"stand-in")
    return folder


@pytest.mark.skipif(shutil.which("makensis") is None, reason="makensis (Debian package nsis) not installed")
@pytest.mark.parametrize("site", [False, True], ids=["plain", "with-site-config"])
def test_makensis_compiles_the_setup(tmp_path: Path, payload: Path, site: bool) -> None:
    out = tmp_path / "union-clerk-1.2.3-setup.exe"
    cmd = ["makensis", "-V2", "-WX", "-DVERSION=1.2.3", f"-DPAYLOAD={payload}", f"-DOUTFILE={out}"]
    if site:
        ca = tmp_path / "city-root-ca.pem"
        ca.write_text("-----BEGIN CERTIFICATE-----\n", encoding="ascii")
        cmd += [f"-DSITE_CONFIG={INSTALLER / 'union-clerk-site.ini.example'}", f"-DSITE_CA={ca}"]
    result = subprocess.run([*cmd, str(NSI)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    data = out.read_bytes()
    assert data[:2] == b"MZ" and len(data) > 50_000  # a PE executable with the NSIS stub
    # The per-user install: no elevation requested in the setup's manifest.
    assert b'level="asInvoker"' in data and b"requireAdministrator" not in data


def test_uninstaller_keeps_data_unless_asked() -> None:
    script = NSI.read_text(encoding="utf-8")
    assert "RequestExecutionLevel user" in script and "$LOCALAPPDATA\\Programs" in script
    assert "/REMOVEDATA" in script and "StrCpy $RemoveData 0" in script
    uninstall = script[script.index('Section "Uninstall"'):]
    data_removal = uninstall.index('RMDir /r "${DATA_DIR}"')
    assert uninstall.rindex("${If} $RemoveData == 1", 0, data_removal) > 0


def spec_filter():
    """The spec's keep() with the tables it reads, taken from the spec itself (the rest of the
    spec runs PyInstaller)."""
    tree = ast.parse((INSTALLER / "union-clerk.spec").read_text(encoding="utf-8"))
    wanted = {"UNUSED_QT_PLUGINS", "UNUSED_QT_LIBS", "KEEP_QT_TRANSLATIONS", "keep"}
    nodes = [n for n in tree.body if (isinstance(n, ast.FunctionDef) and n.name in wanted)
             or (isinstance(n, ast.Assign) and any(getattr(t, "id", "") in wanted for t in n.targets))]
    namespace: dict = {}
    exec(compile(ast.Module(body=nodes, type_ignores=[]), "union-clerk.spec", "exec"), namespace)  # noqa: S102 - our own spec
    return namespace["keep"]


@pytest.mark.parametrize(("dest", "kept"), [
    ("PySide6/Qt/plugins/imageformats/libqpdf.so", False),  # it links QtPdf (4.5 MB), never used
    ("PySide6/Qt/lib/libQt6Pdf.so.6", False),
    ("libQt6Pdf.so.6", False),
    ("PySide6/plugins/imageformats/qpdf.dll", False),
    ("PySide6/Qt6Pdf.dll", False),
    ("PySide6/Qt/lib/libQt6Quick.so.6", False),
    ("PySide6/Qt/plugins/imageformats/libqjpeg.so", True),
    ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
    ("PySide6/Qt/lib/libQt6Charts.so.6", True),
    ("PySide6/Qt/translations/qtbase_zh_CN.qm", True),
    ("PySide6/Qt/translations/qtbase_de.qm", False),
])
def test_the_spec_keeps_only_the_qt_the_app_uses(dest: str, kept: bool) -> None:
    assert spec_filter()((dest, "/src/" + dest.rsplit("/", 1)[-1], "BINARY")) is kept


def test_frozen_startup_bench_reports_what_its_timer_measures() -> None:
    """bench/frozen_startup.py reads the results of bench/member_list.py's process timer (it broke
    once when the timer began returning wall and CPU time together)."""
    spec = importlib.util.spec_from_file_location("frozen_startup", ROOT / "bench" / "frozen_startup.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    shows = [sys.executable, "-c", "print('shown', flush=True)"]
    frozen = [bench.time_process(shows) for _ in range(3)]
    venv = [bench.time_process(shows) for _ in range(3)]
    lines = bench.report(frozen, venv).splitlines()
    assert len(lines) == 3 and "from the venv" in lines[0] and "frozen union-clerk" in lines[1]
    assert re.fullmatch(r"ratio frozen / venv: \d+\.\d\d, by CPU \d+\.\d\d   \(target ≤ 1\.3\)", lines[2])

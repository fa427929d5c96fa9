"""Where things live: bundled resources and the per-user profile folder.

Resources are found the same way from a source checkout, an installed wheel and a frozen
(PyInstaller) build: `resources` is a package, and a frozen build unpacks it beside the
executable's modules under `sys._MEIPASS`.
"""
from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "UnionClerk"
APP_AUTHOR = "ShanghaiUnion"


def resource_path(*parts: str) -> Path:
    """Absolute path of a bundled resource, e.g. resource_path("fonts", "wqy-microhei.ttc")."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root, "resources", *parts)
    # An installed wheel and a source checkout both give a real folder (we never ship zipped):
    # the package's folder, found without importlib.resources (it brings tempfile, shutil, bz2,
    # lzma and random: ~5 ms of every start).
    spec = importlib.util.find_spec("resources")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the bundled resources package is missing")
    return Path(next(iter(spec.submodule_search_locations))).joinpath(*parts)


#: The offline manual's entry page, looked for in this order (installer/union-clerk.spec ships
#: docs/manual/ as `manual/`, or the README until a manual exists).
MANUAL_PAGES = ("index.html", "README.md")


def manual_path() -> Path | None:
    """The offline manual to open (the first-start dialog; 帮助 → 操作说明 shows the same page in the
    app): the app's own, resources/manual, shipped with it; None if none ships."""
    candidates = [resource_path("manual", "index.html")]
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidates += [Path(frozen_root, "manual", page) for page in MANUAL_PAGES]
    else:
        checkout = Path(__file__).resolve().parents[1]
        candidates += [checkout / "docs" / "manual" / page for page in MANUAL_PAGES]
        candidates.append(checkout / "README.md")
    return next((path for path in candidates if path.is_file()), None)


def qt_translation_dirs(qt_reported: str) -> list[Path]:
    """Where Qt's own translations (qtbase_zh_CN.qm) may be, in the order to try: where Qt says
    (a venv, an installed wheel), then where a frozen build keeps them under `sys._MEIPASS`
    (PyInstaller's PySide6 layout), then the app's own resources/translations."""
    dirs = [Path(qt_reported)] if qt_reported else []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        dirs += [Path(frozen_root, "PySide6", "Qt", "translations"), Path(frozen_root, "PySide6", "translations")]
    dirs.append(resource_path("translations"))
    return dirs


def default_profile_dir() -> Path:
    """The clerk's profile folder in the OS's per-user data location."""
    return Path(user_data_dir(APP_NAME, APP_AUTHOR, roaming=False)) / "profile"


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and parents) readable by the current user only."""
    path.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        os.chmod(path, 0o700)
    return path


class Profile:
    """The files of one user profile: database, backups, logs, documents."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def database(self) -> Path:
        return self.root / "union-clerk.sqlite3"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def log_file(self) -> Path:
        return self.logs / "union-clerk.log"

    @property
    def documents(self) -> Path:
        return self.root / "documents"

    def create(self) -> "Profile":
        for folder in (self.root, self.backups, self.logs, self.documents):
            ensure_private_dir(folder)
        return self

"""Suite-wide fixtures: offscreen Qt, a fresh profile (real SQLite file) per test."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from app.models import close_database, open_database  # noqa: E402
from app.paths import Profile  # noqa: E402


@pytest.fixture
def profile(tmp_path: Path) -> Iterator[Profile]:
    """A fresh profile folder whose database is open and migrated."""
    prof = Profile(tmp_path / "profile").create()
    open_database(prof.database, backup_dir=prof.backups)
    yield prof
    close_database()


@pytest.fixture
def demo_profile(profile: Profile) -> Profile:
    """A profile holding the demo union and 300 members."""
    from app.services import demo

    demo.fill_demo(300)
    return profile


@pytest.fixture(scope="session")
def qapp_args() -> list[str]:
    return ["union-clerk-tests"]


@pytest.fixture(scope="session", autouse=False)
def bundled_font(qapp):
    from app.views.fonts import register_bundled_font

    return register_bundled_font(qapp)


@pytest.fixture
def file_keyring(tmp_path: Path) -> Iterator[Path]:
    """A real keyring backend for tests: keyrings.alt's file backend in tmp_path."""
    import keyring
    from keyrings.alt.file import PlaintextKeyring

    previous = keyring.get_keyring()
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring.cfg")
    keyring.set_keyring(backend)
    yield tmp_path / "keyring.cfg"
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """The OS has no usable keyring."""
    import keyring
    from keyring.backends.fail import Keyring as FailKeyring

    previous = keyring.get_keyring()
    keyring.set_keyring(FailKeyring())
    yield
    keyring.set_keyring(previous)

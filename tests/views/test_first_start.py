"""First start of a clerk's PC: the site configuration fills the login, a first start with no
network says so and offers what works (演示, 使用手册, 关于), the first login downloads the union
with progress, and after one login the app starts offline with what it had — all against a real
server on loopback and the real `app.main.main`."""
from __future__ import annotations

import socket
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from app import __version__, site_config
from app.paths import Profile
from app.views import ops
from app.views.about_dialog import AboutDialog
from app.views.first_start import FirstStartDialog
from app.views.login_dialog import LoginDialog
from server.embedded import DEMO_CLERK, DEMO_PASSWORD, start_demo_server


def _closed_port_url() -> str:
    """A loopback address where nothing listens: 'no network' as the clerk meets it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def site(tmp_path: Path, monkeypatch) -> Callable[[str], Path]:
    """Write IT's site configuration with the given server URL and make the app read it."""
    def write(url: str, extra: str = "") -> Path:
        path = tmp_path / site_config.FILE_NAME
        path.write_text(f"[server]\nurl = {url}\n{extra}", encoding="utf-8")
        monkeypatch.setenv(site_config.ENV_VAR, str(path))
        site_config.forget()
        return path

    monkeypatch.setattr(site_config, "program_dir", lambda: tmp_path / "no-program")
    monkeypatch.setattr(site_config, "machine_config_dir", lambda: tmp_path / "no-machine")
    monkeypatch.delenv(site_config.ENV_VAR, raising=False)
    site_config.forget()
    yield write
    site_config.forget()


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[tuple[str, Callable[[], None]]]:
    url, stop = start_demo_server(tmp_path / "server.db", members_per_union=20)
    stopped = []

    def stop_once() -> None:
        if not stopped:
            ops.wait_all(10_000)
            stop()
            stopped.append(True)

    yield url, stop_once
    stop_once()


def test_site_configuration_fills_the_login_under_advanced(qtbot, site, tmp_path: Path, bundled_font) -> None:
    path = site("https://baozhang.example.org.cn/")
    dialog = LoginDialog(tmp_path / "profile", server_url="http://old.example")
    qtbot.addWidget(dialog)
    assert dialog.server.text() == "https://baozhang.example.org.cn"  # IT's address wins over the last one
    assert not dialog.advanced.isVisibleTo(dialog) and str(path) in dialog.site_note.text()
    dialog.advanced_button.click()
    assert dialog.advanced.isVisibleTo(dialog)
    dialog.server.setText("https://test.example")  # still editable under 高级

    site("not a url")
    broken = LoginDialog(tmp_path / "profile", server_url="http://last-used.example")
    qtbot.addWidget(broken)
    assert broken.server.text() == "http://last-used.example"
    assert broken.site_problems.isVisibleTo(broken) and "不是 http:// 或 https:// 开头的网址" in broken.site_problems.text()


def test_no_address_at_all_opens_advanced_and_asks_for_it(qtbot, site, tmp_path: Path, bundled_font) -> None:
    dialog = LoginDialog(tmp_path / "profile")
    qtbot.addWidget(dialog)
    assert dialog.server.text() == "" and dialog.advanced.isVisibleTo(dialog)
    assert "未设置" in dialog.site_note.text()
    dialog.username.setText("grassroots")
    dialog.password.setText("x")
    dialog.try_login()
    assert "请在“高级”中填写服务器地址" in dialog.error.text()


def test_first_start_without_network_says_so_and_offers_what_works(qtbot, site, tmp_path: Path,
                                                                  bundled_font) -> None:
    site(_closed_port_url())
    dialog = FirstStartDialog(tmp_path / "profile")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.state == "offline", timeout=15_000)
    assert "无法连接服务器" in dialog.connection.text() and "打开演示" in dialog.connection.text()
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    assert not dialog.username.isEnabled() and dialog.retry.isVisibleTo(dialog)
    for button in (dialog.demo_button, dialog.manual_button, dialog.about_button):
        assert button.isEnabled()
    dialog.resize(dialog.sizeHint())
    assert dialog.width() <= 1366 and dialog.height() <= 768
    assert dialog.grab().save(str(tmp_path / "first-start-offline.png"))
    dialog.open_about()
    about = dialog.findChild(AboutDialog)
    assert about is not None and about.isVisible()
    assert about.server.text() == dialog.server.text() and __version__ in about.version.text()
    assert about.data_folder.text() == str(tmp_path / "profile")
    assert about.grab().save(str(tmp_path / "about-first-start.png"))
    about.close()
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        dialog.demo_button.click()
    assert dialog.choice == FirstStartDialog.DEMO


def test_first_login_downloads_the_union_and_campaign_with_progress(qtbot, site, demo_server, profile: Profile,
                                                                   file_keyring, bundled_font, tmp_path: Path) -> None:
    from app.models import Member, Setting

    url, _stop = demo_server
    site(url)
    dialog = FirstStartDialog(profile.root)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.state == "online", timeout=15_000)
    assert url in dialog.connection.text() and not dialog.retry.isVisibleTo(dialog)
    dialog.username.setText(DEMO_CLERK)
    dialog.password.setText(DEMO_PASSWORD)
    assert dialog.grab().save(str(tmp_path / "first-start-online.png"))
    seen: list[int] = []
    dialog.progress.valueChanged.connect(seen.append)
    with qtbot.waitSignal(dialog.accepted, timeout=60_000):
        dialog.try_login()
    assert dialog.choice == FirstStartDialog.SIGNED_IN and dialog.signed_in is not None
    assert seen and max(seen) > 0  # the download reported its progress
    assert Member.select().count() == 20
    assert Setting.get_or_none(Setting.key == "campaign:current") is not None


def _drive(qapp: QApplication, step: Callable[[], bool], timeout_ms: int = 90_000) -> list[str]:
    """Poll `step()` every 100 ms while the real app runs; it returns True when done. Whatever is
    still open at the deadline is closed so the test ends (and fails) instead of hanging."""
    problems: list[str] = []
    elapsed = [0]

    def tick() -> None:
        elapsed[0] += 100
        try:
            finished = step()
        except Exception as exc:  # noqa: BLE001 - reported by the test
            problems.append(repr(exc))
            finished = True
        if elapsed[0] > timeout_ms:
            problems.append("timed out")
            finished = True
        if finished:
            timer.stop()
            for widget in qapp.topLevelWidgets():
                if widget.isVisible():
                    widget.close()
            qapp.exit(0)

    timer = QTimer(qapp)  # parented: alive while main() runs
    timer.timeout.connect(tick)
    timer.start(100)
    return problems


@pytest.fixture
def app_main(monkeypatch, tmp_path: Path, qapp):  # type: ignore[no-untyped-def]
    """`app.main.main` with its process-wide settings put back afterwards."""
    from app import main as app_main_module

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    name = QCoreApplication.applicationName()
    # The app's event loop ends by _drive's exit(), never by a last-window quit: that one is
    # posted, and would end whatever event loop the next test runs.
    qapp.setQuitOnLastWindowClosed(False)
    translators = set(qapp.findChildren(QTranslator))
    locale = QLocale()
    yield app_main_module.main
    QLocale.setDefault(locale)  # main() sets the Chinese locale
    qapp.setQuitOnLastWindowClosed(True)
    QCoreApplication.setApplicationName(name)
    for translator in set(qapp.findChildren(QTranslator)) - translators:  # main() loads Qt's Chinese
        qapp.removeTranslator(translator)
        translator.deleteLater()
    ops.wait_all(15_000)


def _main_window(qapp: QApplication):  # type: ignore[no-untyped-def]
    from app.views.main_window import MainWindow

    return next((w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()), None)


def test_after_one_login_the_app_starts_offline_with_what_it_had(qapp, app_main, site, demo_server,
                                                                tmp_path: Path, file_keyring, bundled_font) -> None:
    from app.models import close_database, open_database
    from app.sync import account

    url, stop = demo_server
    site(url)
    profile = Profile(tmp_path / "clerk").create()
    open_database(profile.database, backup_dir=profile.backups)
    signed = account.sign_in(url, DEMO_CLERK, DEMO_PASSWORD, profile_root=profile.root)
    signed.engine.sync()
    close_database()
    stop()  # the network is gone

    seen: dict[str, object] = {}

    def step() -> bool:
        if QApplication.activeModalWidget() is not None:
            seen["dialog"] = type(QApplication.activeModalWidget()).__name__
            return True  # a login or first-start dialog: not what must happen
        window = _main_window(qapp)
        if window is None or window.sync is None:
            return False
        status = window.sync_status
        if window.sync.resume_pending is None or window.sync.running or "离线" not in status.state.text():
            return False
        if not status.last.text().startswith("上次同步"):
            return False
        window.page("workbench")
        if window.pages["workbench"].members_card.value.text() != "20":
            return False
        seen["title"] = window.windowTitle()
        seen["error"] = status.error.toolTip()
        seen["button"] = status.button.isEnabled()
        seen["last"] = status.last.text()
        window.resize(1366, 768)
        seen["saved"] = window.grab().save(str(tmp_path / "offline-start.png"))
        return True

    problems = _drive(qapp, step)
    assert app_main(["--profile", str(profile.root)]) == 0
    assert not problems and "dialog" not in seen, (problems, seen)
    assert "上海" in str(seen["title"]) and "无法连接服务器" in str(seen["error"])
    assert seen["button"] is True and seen["saved"] is True  # 同步 stays available to try again
    assert str(seen["last"]).startswith("上次同步 ")  # when it last had the server, not 从未同步


def test_first_start_with_no_network_opens_the_demo_instead_of_closing(qapp, app_main, site, tmp_path: Path,
                                                                       bundled_font) -> None:
    site(_closed_port_url())
    seen: dict[str, object] = {}

    def step() -> bool:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, FirstStartDialog):
            if dialog.state == "offline" and "offline" not in seen:
                seen["offline"] = dialog.connection.text()
                dialog.demo_button.click()
            return False
        window = _main_window(qapp)
        if window is None:
            return False
        seen["title"] = window.windowTitle()
        return True

    problems = _drive(qapp, step)
    assert app_main(["--profile", str(tmp_path / "clerk"), "--offline-demo"]) == 0
    assert not problems, problems
    assert "offline" in seen, seen
    assert "无法连接服务器" in str(seen["offline"]) and "（演示）" in str(seen["title"])
    # The demo ran on a throwaway profile: the clerk's own stays empty for her first login.
    from app.models import close_database, open_database
    from app.services.unions import current_union

    clerk = Profile(tmp_path / "clerk")
    open_database(clerk.database, backup_dir=clerk.backups)
    try:
        assert current_union() is None
    finally:
        close_database()


def test_a_demo_start_that_fails_leaves_no_profile_folder(qapp, app_main, tmp_path: Path, monkeypatch) -> None:
    """Issue #13 item 10: the demo's throwaway profile goes however the start ended, a failed one too."""
    import tempfile

    from app import main as app_main_module

    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))

    def failing_demo(profile: Profile, **_kwargs):  # type: ignore[no-untyped-def]
        assert profile.root.parent == temp and profile.root.is_dir()
        raise RuntimeError("the demo server did not start")

    monkeypatch.setattr(app_main_module, "_start_demo", failing_demo)
    with pytest.raises(RuntimeError, match="did not start"):
        app_main(["--demo"])
    assert not list(temp.glob("union-clerk-demo-*"))


def test_a_superior_screenshot_stops_its_demo_server_before_removing_its_profile(qapp, app_main, tmp_path: Path,
                                                                                 monkeypatch) -> None:
    """The screenshot's demo server (and its job worker) stops before the throwaway profile holding
    its database goes: a worker left polling a removed database printed tracebacks on stderr."""
    import threading

    from app import main as app_main_module

    real = app_main_module._start_demo
    stopped: list[bool] = []

    def start(profile: Profile, **kwargs):  # type: ignore[no-untyped-def]
        signed_in, stop = real(profile, **kwargs)

        def recorded() -> None:
            stopped.append((profile.root / "demo-server.sqlite3").exists())
            stop()
        return signed_in, recorded

    monkeypatch.setattr(app_main_module, "_start_demo", start)
    out = tmp_path / "review_pending.png"
    assert app_main(["--demo", "--role", "district", "--screenshot", str(out), "--page", "review_pending"]) == 0
    assert out.stat().st_size > 10_000
    assert stopped == [True]  # once, while its database was still there
    assert not [t.name for t in threading.enumerate() if t.name.startswith("union-server")]

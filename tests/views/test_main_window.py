"""The main window, the bundled font and the --screenshot path."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QFontDatabase, QImage

from app.paths import Profile, resource_path
from app.views import ops
from app.views.main_window import MENU, MainWindow


def test_bundled_font_registers_and_covers_chinese(qapp, bundled_font) -> None:
    assert resource_path("fonts", "wqy-microhei.ttc").is_file()
    assert resource_path("fonts", "LICENSE-wqy-microhei.txt").is_file()
    assert bundled_font and "WenQuanYi" in bundled_font
    assert qapp.font().family() == bundled_font
    assert QFontDatabase.WritingSystem.SimplifiedChinese in QFontDatabase.writingSystems(bundled_font)


def test_main_window_pages(qtbot, demo_profile: Profile, bundled_font) -> None:
    window = MainWindow(profile=demo_profile, union_id=1, union_name="测试工会", plan_year=2027, actor="clerk",
                        remember_geometry=False)
    qtbot.addWidget(window)
    window.load_now()
    names = [name for _, items in MENU for name, _ in items]
    for name in names:
        window.show_page(name)
        assert window.stack.currentWidget() is window.pages[name]
    assert set(names) == set(window.pages)
    assert window.page("workbench").members_card.value.text() == "300"
    assert window.page("workbench").chart is not None
    assert window.page("members").model.total == 300
    ops.wait_all(5000)


def test_screenshot_command_renders_chinese(tmp_path: Path) -> None:
    out = tmp_path / "shot.png"
    result = subprocess.run([sys.executable, "-m", "app.main", "--demo", "--screenshot", str(out), "--page", "members"],
                            capture_output=True, text=True, timeout=120,
                            env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    assert image.width() > 600 and image.height() > 400
    # Not blank: many distinct colours where text and table rows are drawn.
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 20


def test_a_failed_demo_start_leaves_no_throwaway_profile(tmp_path: Path) -> None:
    """The demo's throwaway folder goes however the run ends: here the start fails (a page that
    does not exist) after the profile was made and filled."""
    env = {**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "app.main", "--demo", "--screenshot", str(tmp_path / "x.png"),
                             "--page", "no-such-page"], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode != 0
    assert not list(tmp_path.glob("union-clerk-demo-*"))
    ok = subprocess.run([sys.executable, "-m", "app.main", "--demo", "--screenshot", str(tmp_path / "y.png"),
                         "--page", "workbench"], capture_output=True, text=True, timeout=120, env=env)
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "y.png").is_file() and not list(tmp_path.glob("union-clerk-demo-*"))


FIRST_FRAME = """
import sys
from app import main
from app.views import main_window

seen = {}
original = main_window.MainWindow.paintEvent


def paint(window, event):  # the window's first frame: what start-up had done by then
    if not seen:
        from PySide6 import QtCore

        seen.update(qt_namespace="Qt" in QtCore.__dict__, outbox="app.models.outbox" in sys.modules,
                    workbench_figures=window.pages["workbench"].members_card.value.text())
    original(window, event)


main_window.MainWindow.paintEvent = paint
main.main(["--profile", sys.argv[1], "--quit-after-show"])
print(seen)
"""


def test_the_first_frame_paints_before_any_data_or_the_qt_namespace(demo_profile: Profile) -> None:
    """Start-up (issue #10): the main window's first frame is painted before the first page asks the
    database for anything, before the outbox and the wire format are imported, and without PySide6
    building the Qt namespace's ~90 enums (app.views.main_window.USER_ROLE)."""
    from app.models import close_database

    close_database()
    result = subprocess.run([sys.executable, "-c", FIRST_FRAME, str(demo_profile.root)], capture_output=True, text=True,
                            timeout=120, env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stderr
    seen = ast.literal_eval(result.stdout.strip().splitlines()[-1])  # the dict the child printed
    assert seen == {"qt_namespace": False, "outbox": False, "workbench_figures": "—"}


def test_pages_load_after_the_first_paint_and_group_headings_stay_unselectable(qtbot, demo_profile: Profile,
                                                                                bundled_font) -> None:
    from PySide6.QtCore import Qt

    window = MainWindow(profile=demo_profile, union_id=1, union_name="测试工会", plan_year=2027, actor="clerk",
                        remember_geometry=False)
    qtbot.addWidget(window)
    window.show_page("workbench")
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.page("workbench").members_card.value.text() == "300", timeout=10_000)
    heading = window._nav_items["members"].parent()
    assert heading.flags() == Qt.ItemFlag.ItemIsEnabled  # set once the first frame is up
    ops.wait_all(5000)

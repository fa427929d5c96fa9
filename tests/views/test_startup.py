"""Qt's own dialogs speak Chinese, and the window has the app icon."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from app.paths import resource_path
from app.views import startup


def test_qt_standard_buttons_are_chinese_after_prepare(qapp: QApplication) -> None:
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"
    translator = startup.install_qt_translations(qapp)
    try:
        assert translator is not None
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        assert box.button(QDialogButtonBox.StandardButton.Save).text() == "保存"
        # What Qt's catalogue lacks of its own file dialog comes from startup.QT_MISSING.
        assert QCoreApplication.translate("QFileDialog", "&Look in:") == "查找范围(&L)："
        assert QCoreApplication.translate("QAbstractFileIconProvider", "Folder") == "文件夹"
        # Everything else passes through: the app's own words, and text no catalogue knows.
        assert QCoreApplication.translate("MemberListPage", "会员信息") == "会员信息"
        assert QCoreApplication.translate("QPlatformTheme", "no such text") == "no such text"
    finally:
        qapp.removeTranslator(translator)
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"


def test_app_icon_is_bundled_and_set(qapp: QApplication) -> None:
    assert resource_path("icons", "union-clerk.png").is_file()
    assert resource_path("icons", "union-clerk.ico").is_file()
    startup.set_app_icon(qapp)
    assert not qapp.windowIcon().isNull()
    assert qapp.windowIcon().availableSizes()


def test_a_frozen_build_finds_qt_translations_in_its_own_folder(qapp: QApplication, tmp_path, monkeypatch) -> None:
    """PyInstaller unpacks qtbase_zh_CN.qm under sys._MEIPASS/PySide6/Qt/translations; where Qt's
    own path points elsewhere (no qt.conf), the app still finds it there."""
    import shutil
    import sys

    from PySide6.QtCore import QLibraryInfo

    real = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)) / "qtbase_zh_CN.qm"
    frozen = tmp_path / "PySide6" / "Qt" / "translations"
    frozen.mkdir(parents=True)
    shutil.copy(real, frozen)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    monkeypatch.setattr(startup.QLibraryInfo, "path", lambda _which: str(tmp_path / "nowhere"))
    translator = startup.install_qt_translations(qapp)
    try:
        assert translator is not None
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
    finally:
        qapp.removeTranslator(translator)


def test_calendars_name_months_and_days_in_chinese(qapp: QApplication) -> None:
    """Under the C locale (or an English Windows) a date field's calendar said "January", "Mon"."""
    from PySide6.QtCore import QLocale
    from PySide6.QtWidgets import QCalendarWidget

    before = QLocale()
    try:
        startup.use_chinese_locale()
        calendar = QCalendarWidget()
        assert calendar.locale().monthName(1) == "一月"
        assert calendar.locale().dayName(1, QLocale.FormatType.ShortFormat) == "周一"
    finally:
        QLocale.setDefault(before)

"""Walk every screen of the app (app.views.screens, plus Qt's own message box, file dialog and
text-field menu) and report on each: its visible text in English, what does not fit the screen,
and a PNG of it to look at (issue #13 items 1 and 4).

Run in a child process, so that each walk has its own screen size and scale factor:

    QT_QPA_PLATFORM=offscreen:configfile=screen.json QT_SCALE_FACTOR=1.5 \\
        python -m tests.views.screen_walk PROFILE OUTDIR

It prints one JSON object per screen: {"screen", "english": [...], "misfits": [...], "png"}.
The walk runs on a throwaway copy of PROFILE (the import and the retirement answers write). The
superior levels' screens ("district.review_pending", …) are walked over windows of their level
signed in to a loopback demo server that holds two batches to review.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from types import SimpleNamespace

from PySide6.QtCore import QModelIndex, QPoint, QRect, Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QComboBox,
    QFileDialog,
    QFileSystemModel,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QScrollArea,
    QTabBar,
    QTableView,
    QTextEdit,
    QWidget,
)

from app.views.wrapping import bad_breaks, plain

#: English a clerk may meet: format and product names, key names.
ALLOWED = frozenset({"PDF", "Excel", "ID", "WPS", "OpenDocument", "LibreOffice", "xlsx", "xlsm", "xls", "xlsb",
                     "ods", "csv", "Ctrl", "Shift", "Alt", "Tab", "Enter", "Esc", "Del", "Home", "End"})
WORD = re.compile(r"\b[A-Za-z]{2,}\b")
#: Data that is not wording: addresses, file paths and names (with a dot or a slash in them).
NOT_WORDS = re.compile(r"(?:https?://|[A-Za-z]:\\)\S*|\S*[/\\]\S*|[\w-]+\.(?:xlsx|xls|xlsb|ods|pdf|sqlite3|log|html)\b"
                       r"|\b(?:JZ|JS|BK)-?(?=[0-9A-Za-z]*\d)[0-9A-Za-z]+(?:-[0-9A-Za-z]+)*"  # batch numbers (批次编号)
                       r"|\b[0-9a-f]{4}(?: [0-9a-f]{4})+\b")  # device fingerprints, in groups of four (设备指纹)
#: Columns whose cells are names the accounts were given (data, whatever their letters).
DATA_COLUMNS = frozenset({"账号", "操作人"})
#: Columns of free text whose long values are elided on purpose (the whole text is in the tooltip
#: or the detail); every other column must show its values whole.
FREE_TEXT = frozenset({"工作单位详细地址", "地址", "说明", "校验说明", "提示", "备注", "内容", "原因", "退回原因", "详情", "错误",
                       "问题", "处理建议", "撤销原因"})
ROWS_CHECKED = 40


def _plain(text: str) -> str:
    if "<" in text and ">" in text:
        doc = QTextDocument()
        doc.setHtml(text)
        return doc.toPlainText()
    return text


def _columns(model) -> int:
    try:
        return model.columnCount(QModelIndex())
    except TypeError:  # a list model keeps columnCount to itself: one column
        return 1


def _view_texts(view: QAbstractItemView) -> list[str]:
    model = view.model()
    if model is None or isinstance(model, QFileSystemModel):  # the clerk's own folders and files
        return []
    out = [str(model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) or "") for c in range(_columns(model))
           if not (isinstance(view, QTableView) and view.isColumnHidden(c))]

    data = {c for c in range(_columns(model))
            if model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) in DATA_COLUMNS}

    def walk(parent: QModelIndex, depth: int) -> None:
        for r in range(min(model.rowCount(parent), ROWS_CHECKED)):
            for c in (c for c in range(_columns(model)) if c not in data):
                value = model.data(model.index(r, c, parent))
                if isinstance(value, str):
                    out.append(value)
            if depth < 2:
                walk(model.index(r, 0, parent), depth + 1)
    if not isinstance(view.window(), QFileDialog):  # there the cells are the clerk's own folders
        walk(QModelIndex(), 0)
    return out


def texts_of(widget: QWidget) -> list[str]:
    """What one widget shows in words."""
    if isinstance(widget, QLabel):
        return [plain(_plain(widget.text()))]
    if isinstance(widget, QAbstractButton):
        return [widget.text().replace("&", "")]
    if isinstance(widget, QGroupBox):
        return [widget.title()]
    if isinstance(widget, QTabBar):
        return [widget.tabText(i) for i in range(widget.count())]
    if isinstance(widget, QComboBox):
        return [widget.itemText(i) for i in range(widget.count())]
    if isinstance(widget, QLineEdit):
        return [widget.placeholderText()]  # its text is data (a server address, a name)
    if isinstance(widget, QTextEdit):
        return [widget.toPlainText()]
    if isinstance(widget, QAbstractItemView) and not isinstance(widget, QHeaderView):
        return _view_texts(widget)
    if isinstance(widget, QMenu):
        return [a.text().replace("&", "") for a in widget.actions()]
    return []


def visible_texts(top: QWidget) -> list[tuple[str, str]]:
    """(where, text) of everything `top` shows: its title, its visible widgets, its menus."""
    out = [("title", top.windowTitle())]
    for w in top.findChildren(QWidget):
        if w.isVisible():
            out += [(type(w).__name__, t) for t in texts_of(w) if t]
    if isinstance(top, QMainWindow):
        for action in top.menuBar().actions():
            out.append(("menu", action.text().replace("&", "")))
            if action.menu() is not None:
                out += [("menu", t) for t in texts_of(action.menu()) if t]
    return out


def english(top: QWidget) -> list[str]:
    found = []
    for where, text in visible_texts(top):
        words = [w for w in WORD.findall(NOT_WORDS.sub(" ", text)) if w not in ALLOWED]
        if words:
            found.append(f"{where}: {' '.join(words)} — “{text[:60]}”")
    return list(dict.fromkeys(found))


def _in_scroll_area(w: QWidget, top: QWidget) -> bool:
    parent = w.parentWidget()
    while parent is not None and parent is not top:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def _widget_misfits(w: QWidget, top: QWidget) -> list[str]:
    name = f"{type(w).__name__} “{(texts_of(w) or [''])[0][:24]}”"
    out = []
    if isinstance(w, QLabel) and w.text() and not w.pixmap():
        if w.wordWrap():
            if w.heightForWidth(w.width()) > w.height() + 2:
                out.append(f"{name}: needs {w.heightForWidth(w.width())} px of height, has {w.height()}")
            if w.minimumSizeHint().width() > w.width() + 2:  # a phrase kept whole is wider than the label
                out.append(f"{name}: needs {w.minimumSizeHint().width()} px of width, has {w.width()}")
            out += [f"{name}: breaks mid-phrase {where}" for where in bad_breaks(w)]
        elif w.sizeHint().width() > w.width() + 2:
            out.append(f"{name}: needs {w.sizeHint().width()} px of width, has {w.width()}")
    elif isinstance(w, QAbstractButton) and w.text() and w.sizeHint().width() > w.width() + 2:
        out.append(f"{name}: needs {w.sizeHint().width()} px of width, has {w.width()}")
    if not _in_scroll_area(w, top):
        where = QRect(w.mapTo(top, QPoint(0, 0)), w.size())
        if not top.rect().adjusted(-1, -1, 1, 1).contains(where):
            out.append(f"{name}: outside the window ({where.x()},{where.y()} {where.width()}×{where.height()})")
    return out


def _table_misfits(view: QTableView) -> list[str]:
    model, header = view.model(), view.horizontalHeader()
    if model is None:
        return []
    out = []
    metrics = view.fontMetrics()
    first, last = view.rowAt(0), view.rowAt(view.viewport().height() - 1)
    last = model.rowCount(QModelIndex()) - 1 if last < 0 else last
    for c in range(_columns(model)):
        if view.isColumnHidden(c):
            continue
        head = str(model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) or "")
        x, size = header.sectionViewportPosition(c), header.sectionSize(c)
        if head == "姓名" and (x < 0 or x + size > view.viewport().width()):
            out.append(f"table: column 姓名 out of view (at {x}, {size} px wide, viewport {view.viewport().width()})")
        if metrics.horizontalAdvance(head) > size:
            out.append(f"table: header “{head}” cut ({size} px)")
        if head in FREE_TEXT or first < 0:
            continue
        for r in range(first, min(last, first + ROWS_CHECKED) + 1):
            value = model.data(model.index(r, c))
            if isinstance(value, str) and metrics.horizontalAdvance(value) + 6 > size:  # the cell's text margins
                out.append(f"table: “{head}” cuts “{value}” ({size} px)")
                break
    return out


def misfits(top: QWidget) -> list[str]:
    """What does not fit: the window against the screen, labels and buttons cut, widgets outside
    the window, table columns that cut their values or push 姓名 out of view, a page that scrolls
    sideways inside the window."""
    screen = (top.screen() or top.window().screen()).availableGeometry()
    out = []
    frame = top.frameGeometry()
    if frame.width() > screen.width() or frame.height() > screen.height():
        out.append(f"window {frame.width()}×{frame.height()} larger than the screen {screen.width()}×{screen.height()}")
    hint = top.minimumSizeHint()
    if hint.width() > screen.width() or hint.height() > screen.height():
        out.append(f"window cannot shrink below {hint.width()}×{hint.height()}")
    for w in top.findChildren(QWidget):
        if w.isVisible() and w.isWindow() is False:
            out += _widget_misfits(w, top)
            if isinstance(w, QTableView):
                out += _table_misfits(w)
            if isinstance(w, QScrollArea) and w.horizontalScrollBar().isVisible() and w.widget() is not None:
                # A page wider than the window: its right part (filters, buttons) out of sight.
                out.append(f"scrolls sideways: the page needs {w.widget().minimumSizeHint().width()} px, "
                           f"has {w.viewport().width()}")
    return list(dict.fromkeys(out))


def _qt_own(window: QWidget, name: str) -> QWidget:
    """Qt's own dialogs and menus, with the app's translations: what a clerk meets in them."""
    if name == "qt_message_box":
        box = QMessageBox(QMessageBox.Icon.Question, "提交至上级审核", "确定提交吗？",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
                          | QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel, window)
        box.show()
        return box
    if name == "qt_file_dialog":
        dialog = QFileDialog(window, "选择会员信息文件")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.show()
        return dialog
    field = QLineEdit(window)
    menu = field.createStandardContextMenu()
    menu.setParent(window, menu.windowFlags())
    menu.popup(window.mapToGlobal(QPoint(40, 40)))
    return menu


QT_OWN = ("qt_message_box", "qt_file_dialog", "qt_text_menu")


#: The superior levels whose screens are walked too, each over a window of its level signed in to a
#: loopback demo server (their pages read the server; offline they would show only a banner).
SUPERIOR_LEVELS = ("secondary", "district", "city")


def superior_name(level: str, name: str) -> str:
    return f"{level}.{name}"


def _report(name: str, widget: QWidget, out_dir: Path) -> None:
    png = out_dir / f"{name}.png"
    widget.grab().save(str(png))
    print(json.dumps({"screen": name, "english": english(widget), "misfits": misfits(widget), "png": str(png)},
                     ensure_ascii=False), flush=True)


def _superior_world(root: Path):  # -> (url, stop)
    """A demo server with a batch from each of two grassroots unions waiting for review."""
    from server.embedded import start_demo_server
    from tests.views.test_superior_pages import _submit_as

    url, stop = start_demo_server(root / "walk-server.sqlite3", members_per_union=40)
    _submit_as(url, "grassroots", 5)
    _submit_as(url, "grassroots2", 3)
    return url, stop


def _walk_superior(app, profile, union, out_dir: Path, only: list[str] | None) -> None:
    from app.sync.client import ServerClient
    from app.sync.superior import SuperiorApi
    from app.views import screens
    from app.views.main_window import MainWindow
    from server.embedded import DEMO_LOGINS, DEMO_PASSWORD

    wanted = {level: [n for n in screens.names(level) if only is None or superior_name(level, n) in only]
              for level in SUPERIOR_LEVELS}
    if not any(wanted.values()):
        return
    url, stop = _superior_world(Path(profile.root))
    try:
        for level, names in wanted.items():
            if not names:
                continue
            client = ServerClient(url)
            client.login(DEMO_LOGINS[level], DEMO_PASSWORD)
            api = SuperiorApi(client)
            window = MainWindow(profile=profile, union_id=union.id, union_name=union.name, plan_year=2026,
                                actor=DEMO_LOGINS[level], remember_geometry=False, level=level,
                                superior_api=lambda api=api: api)
            window.load_now()
            window.show()
            app.processEvents()
            for name in names:
                widget = screens.show(window, name)
                app.processEvents()
                _report(superior_name(level, name), widget, out_dir)
                screens.close_all(window)
            window.close()
    finally:
        stop()


def walk(profile_dir: Path, out_dir: Path, only: list[str] | None = None) -> int:
    """The grassroots window's screens and Qt's own, then each superior level's screens."""
    from app import main as app_main
    from app.paths import Profile
    from app.services.unions import default_plan_year
    from app.views import ops, screens
    from app.views.main_window import MainWindow

    profile = app_main._screenshot_copy(Profile(profile_dir))
    args = SimpleNamespace(demo=False, screenshot=str(out_dir), offline_demo=True, demo_members=0)
    app = app_main._start_qt(args, profile)
    union, _signed_in, _stop = app_main._open_union(args, profile)
    from datetime import date

    window = MainWindow(profile=profile, union_id=union.id, union_name=union.name,
                        plan_year=default_plan_year(date.today()), actor="clerk", remember_geometry=False)
    window.load_now()
    window.show()
    app.processEvents()
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in [n for n in [*screens.names(), *QT_OWN] if only is None or n in only]:
        widget = _qt_own(window, name) if name in QT_OWN else screens.show(window, name)
        app.processEvents()
        _report(name, widget, out_dir)
        if name in QT_OWN:
            widget.close()
            widget.deleteLater()
        screens.close_all(window)
    window.close()
    _walk_superior(app, profile, union, out_dir, only)
    ops.wait_all()
    ops.release_database()
    import shutil

    from app.models import close_database

    close_database()
    shutil.rmtree(profile.root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("profile", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--only", nargs="*")
    a = parser.parse_args()
    sys.exit(walk(a.profile, a.out, a.only))

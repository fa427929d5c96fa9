"""Every screen of the app by name, for `union-clerk --screenshot FILE --page NAME` (`--page list`
prints the names) and for the soak: the main window's pages, each wizard step and each dialog,
filled the way the clerk sees them — the data comes through the database worker like always.

Screenshots run on a throwaway copy of the profile's database (see app.main), so steps that
write (the import, the retirement answers) never touch the clerk's own data.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication, QDialog, QWidget, QWizard

from app.views import ops
from app.views.main_window import MENU
from app.views.roles import SUPERIOR_MENUS
from app.views.windows import open_modeless

#: How long a screen waits for the database worker (a 100,000-member profile on a busy machine
#: takes more than ops.drain's default 30 s to count an enrollment).
DRAIN_MS = 300_000


def _drain() -> None:
    if not ops.drain(DRAIN_MS):
        raise TimeoutError(f"the database worker was still busy after {DRAIN_MS // 1000} s")


#: The main window's pages (a grassroots union's menu): new pages join --page list by themselves.
PAGES = tuple(name for _group, items in MENU for name, _label in items)
#: Each superior level's pages, from its menu (app.views.roles): they join --page list by themselves.
SUPERIOR_PAGES: dict[str, tuple[str, ...]] = {
    level: tuple(name for _group, items in menu for name, _label in items) for level, menu in SUPERIOR_MENUS.items()}
#: The levels in the order --page list shows them; "city" is the center (职保中心).
LEVELS = ("grassroots", *SUPERIOR_PAGES)


def _page(name: str) -> Callable[[QWidget], QWidget]:
    def show(window) -> QWidget:
        window.show_page(name)
        _drain()
        return window
    return show


def _member_detail(window) -> QWidget:
    from app.views.member_dialog import MemberDialog, open_member_dialog

    page = window.page("members")
    window.show_page("members")
    _drain()
    ids = page.model.ids()
    if not len(ids):
        return page
    open_member_dialog(page, ids[0], plan_year=window.plan_year, actor=window.actor)
    _drain()
    return page.findChild(MemberDialog)


def _conflicts(window) -> QWidget:
    from app.views.conflict_dialog import ConflictDialog

    dialog = open_modeless(ConflictDialog(window.union_id, window.actor, window))
    _drain()
    return dialog


def _login(window) -> QWidget:
    from app.views.login_dialog import LoginDialog

    dialog = LoginDialog(window.profile.root, server_url="https://union.example.cn", username="clerk01",
                         parent=window)
    dialog.show()
    return dialog


def _login_refused(window) -> QWidget:
    """登录 after the server refused it: the account locked after too many wrong passwords, the
    refusal the clerk really reads (two lines at the dialog's width; issue #13: they once
    overlapped the hint below them), the typed password cleared."""
    from app.sync.client import ServerProblem

    dialog = _login(window)
    dialog.password.setText("wrong-password")
    dialog._failed(ServerProblem("account_locked", 423, {"retry_after_minutes": 15}))
    return dialog


def _shown_page(window, name: str) -> QWidget:
    """Page `name` of the window, shown and filled."""
    page = window.page(name)
    window.show_page(name)
    _drain()
    return page


def _enrollment_page(window):
    return _shown_page(window, "card_enrollment")


def _pending(window) -> QWidget:
    dialog = _enrollment_page(window).open_pending()
    _drain()
    return dialog


def _batch_detail(window) -> QWidget:
    """批次详情 of the profile's biggest batch."""
    from app.views.enrollment_pages import BatchDetailDialog

    page = _enrollment_page(window)
    if not page._batches:
        return page
    biggest = max(page._batches, key=lambda b: b.member_count)
    dialog = open_modeless(BatchDetailDialog(biggest, page))
    _drain()
    return dialog


def _wizard(window, step: str) -> QWidget:
    from app.services import enrollment

    page = _enrollment_page(window)
    wizard = page.open_wizard(enrollment.KIND_CENTRAL)
    _drain()
    if step == "overview":
        return wizard
    wizard.next()  # to 退休人员确认 when someone is flagged, else to 参保名单
    _drain()
    if step == "roster" and wizard.currentId() == wizard.retirement_id:
        wizard.retirement.model.answer_all("working")  # a throwaway copy: the answers may be saved
        wizard.next()
        _drain()
    _drain()
    return wizard


def _card_expiry(window) -> QWidget:
    page = window.page("card_queue")
    window.show_page("card_queue")
    _drain()
    if not page.model.row_count():
        return page
    page.model.load_rows(0, 0)
    dialog = page.edit_expiry(0)
    _drain()
    return dialog or page


def _export(window) -> QWidget:
    page = window.page("members")
    window.show_page("members")
    _drain()
    dialog = page.export_members()
    _drain()
    return dialog


def _import_source(window) -> Path:
    """A small workbook to import: a few of the profile's own members, exported with full IDs on
    the database worker (on the throwaway copy, importing them again changes nothing that matters)."""
    from app.models.queries import MemberFilter
    from app.services import spreadsheets

    source = Path(window.profile.root) / "screens-import.xlsx"
    if not source.exists():
        union_id = window.union_id
        ops.run_db(window, lambda: spreadsheets.export_members(union_id, MemberFilter(text="0001"), source,
                                                               full_ids=True))
        _drain()
    return source


#: Steps whose work runs while they are shown (a progress bar), then moves on by itself.
TRANSIENT_STEPS = ("check", "write")
#: Set while a transient step is on screen: the database worker waits on it (see _hold_worker).
_held: threading.Event | None = None


def _hold_worker() -> None:
    """Keep the database worker busy until close_all, so a step that starts work on it (校验,
    导入) is seen the way the clerk sees it while the work runs, not after it moved on."""
    global _held
    gate = _held = threading.Event()
    ops.run_db(None, lambda: gate.wait(60))


def _import(window, step: str) -> QWidget:
    """The import wizard: file → category → check → preview → write → result."""
    page = window.page("members")
    window.show_page("members")
    _drain()
    wizard = page.import_members()
    wizard.ask = lambda _text: True  # the confirmations a clerk would answer 是
    _drain()
    if step == "file":
        return wizard
    wizard.file_page.path.setText(str(_import_source(window)))
    if wizard.category_page.enterprise.count() > 1:
        wizard.category_page.enterprise.setCurrentIndex(1)  # 关联企业类 names its enterprise
    target = getattr(wizard, f"{step}_page")
    for _ in range(6):
        if wizard.currentPage() is target:
            break
        if step in TRANSIENT_STEPS and wizard.page(wizard.nextId()) is target:
            _hold_worker()
            wizard.next()
            break
        wizard.next()
        _drain()
    return wizard


def _review_detail(window) -> QWidget:
    """批次详情 of the first batch in 待审批参保列表 (the server's masked roster and signature check)."""
    from app.views.superior_dialogs import BatchDetailDialog

    page = _shown_page(window, "review_pending")
    rows = page.model.rows
    dialog = open_modeless(BatchDetailDialog(page.api, rows[0]["batch_no"], page.documents, page)) if rows else page
    _drain()
    return dialog


def _district_submit(window) -> QWidget:
    """提交列表中的参保信息 over the district's 待提交参保列表 (its totals line, the final warning)."""
    dialog = _shown_page(window, "review_ready").submit_list()
    _drain()
    return dialog


#: Dialogs of the superior pages, by the level whose menu opens them.
SUPERIOR_DIALOGS: dict[str, tuple[str, ...]] = {"secondary": ("review_detail",),
                                                "district": ("review_detail", "district_submit")}


def _dialog(opener: Callable[[QWidget], QWidget | None]) -> Callable[[QWidget], QWidget]:
    """A dialog the main window opens (帮助's, a to-do list), filled."""
    def show(window) -> QWidget:
        dialog = opener(window)
        _drain()
        return dialog or window
    return show


def _on_selected_member(action: str) -> Callable[[QWidget], QWidget]:
    """会员管理's dialogs for the first member of the list: 删除, 标记退休/死亡, 已删除会员."""
    def show(window) -> QWidget:
        page = _shown_page(window, "members")
        if page.model.row_count():
            page.table.selectRow(0)
        dialog = getattr(page, action)()
        _drain()
        return dialog or page
    return show


SCREENS: dict[str, Callable[[QWidget], QWidget]] = {
    **{name: _page(name) for name in PAGES},
    "member_detail": _member_detail,
    "conflicts": _conflicts,
    "login": _login,
    "login_refused": _login_refused,
    "export": _export,
    "card_expiry": _card_expiry,
    "pending": _pending,
    "batch_detail": _batch_detail,
    "enroll_overview": lambda w: _wizard(w, "overview"),
    "enroll_retirement": lambda w: _wizard(w, "retirement"),
    "enroll_roster": lambda w: _wizard(w, "roster"),
    **{f"import_{step}": (lambda w, s=step: _import(w, s))
       for step in ("file", "category", "check", "preview", "write", "result")},
    "member_remove": _on_selected_member("remove_selected"),
    "member_life_status": _on_selected_member("mark_life_status"),
    "removed_members": _on_selected_member("show_removed"),
    "todo_list": _dialog(lambda w: w.open_todo("list:id_expiring")),
    "manual": _dialog(lambda w: w.show_manual()),
    "support": _dialog(lambda w: w.show_support()),
    "notices": _dialog(lambda w: w.show_notices()),
}
GRASSROOTS_SCREENS = tuple(SCREENS)
SCREENS.update({name: _page(name) for pages in SUPERIOR_PAGES.values() for name in pages if name not in SCREENS})
SCREENS.update(review_detail=_review_detail, district_submit=_district_submit)


def names(level: str | None = "grassroots") -> list[str]:
    """The screens of a union of `level` (its menu's pages and what they open); None: every level's."""
    if level is None:
        return list(dict.fromkeys(name for each in LEVELS for name in names(each)))
    if level == "grassroots":
        return list(GRASSROOTS_SCREENS)
    return [*SUPERIOR_PAGES.get(level, ()), *SUPERIOR_DIALOGS.get(level, ())]


def level_for(name: str, own: str, role: str | None = None) -> str | None:
    """The level whose window shows screen `name`: `role` when given, else the profile's `own`
    level, else the first level that has it (so a superior page can be shot from any profile);
    None when the chosen role has no such screen."""
    wanted = role or own
    if name in names(wanted if wanted in LEVELS else "grassroots"):
        return wanted
    if role is not None:
        return None
    return next((level for level in LEVELS if name in names(level)), None)


def show(window, name: str) -> QWidget:
    """Open screen `name` over `window` (a MainWindow whose pages load synchronously) and return
    the top-level widget to grab."""
    widget = SCREENS[name](window)
    widget = widget.window() if widget is not None else window
    if isinstance(widget, (QDialog, QWizard)) and not widget.isVisible():
        widget.show()
    if _held is None:
        _drain()
    else:  # the worker is held: paint what is shown without waiting for it
        QCoreApplication.processEvents()
    return widget


def close_all(window) -> None:
    """Close every dialog and wizard a screen opened (the soak opens them again and again)."""
    global _held
    held, _held = _held, None
    # The top-level widgets, not window.findChildren: that would make a Python wrapper for each of
    # the window's thousands of Qt-made children, and keep it after its widget is gone.
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QDialog):
            if hasattr(widget, "ask"):
                widget.ask = lambda _text: True
            if widget.isVisible():
                widget.reject()
            widget.deleteLater()
    if held is not None:  # after the wizard was cancelled: its work finds the cancel
        held.set()
    _drain()
    # Closed dialogs delete themselves (WA_DeleteOnClose) once control is back in an event loop;
    # with none running here, deliver those deletions now.
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

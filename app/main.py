"""union-clerk: start the desktop application.

    union-clerk [--profile DIR] [--demo] [--screenshot FILE.png [--page NAME]]
"""
from __future__ import annotations

import argparse
import gc
import logging
import sys
import time
import traceback
from datetime import date
from pathlib import Path

from app import __version__
from app.paths import Profile, default_profile_dir

log = logging.getLogger("app")


def build_parser() -> argparse.ArgumentParser:
    from app.rules.argparse_zh import ChineseArgumentParser  # --help in Chinese

    parser = ChineseArgumentParser(prog="union-clerk", description="工会会员专享保障参保客户端")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--profile", metavar="DIR", help="档案文件夹（默认：本用户的应用数据目录）")
    parser.add_argument("--demo", action="store_true", help="用一次性的演示档案打开（含演示会员）")
    parser.add_argument("--screenshot", metavar="FILE", help="把主窗口画到 PNG 文件后退出（可离屏运行）")
    parser.add_argument("--page", default="workbench",
                        help="截图时显示的页面、向导步骤或对话框；--page list 列出全部名称")
    parser.add_argument("--role", choices=("grassroots", "secondary", "district", "city"),
                        help="演示或截图时的工会级别：基层、二级工会、区局(产业)、市总(职保中心)；"
                             "--page list --role 级别 只列出该级别的页面")
    parser.add_argument("--demo-members", type=int, default=300, help=argparse.SUPPRESS)
    parser.add_argument("--offline-demo", action="store_true", help="演示时不启动内置服务器，只用本机演示数据")
    parser.add_argument("--allow-insecure", action="store_true",
                        help="允许用不加密的 http:// 登录其他电脑上的服务器（仅限测试环境，由电脑管理员使用；"
                             "也可在站点配置中写 allow_insecure = yes）")
    # For bench/member_list.py: quit as soon as the main window has been shown and painted.
    parser.add_argument("--quit-after-show", action="store_true", help=argparse.SUPPRESS)
    return parser


def _prepare_profile(args: argparse.Namespace) -> tuple[Profile, bool]:
    """The profile to open; a demo gets a throwaway folder removed at exit."""
    if args.demo and not args.profile:
        import tempfile  # (with shutil, below: ~5 ms of a clerk's start-up that needs neither)

        return Profile(Path(tempfile.mkdtemp(prefix="union-clerk-demo-"))).create(), True
    return Profile(Path(args.profile) if args.profile else default_profile_dir()).create(), False


def _skip_postgres_driver_probe() -> None:
    """peewee probes for PostgreSQL drivers when imported; the clerk app never uses one, and
    where a developer's venv has psycopg (the server's extra) the probe costs ~90 ms of start-up."""
    if "peewee" not in sys.modules:
        for name in ("psycopg", "psycopg2", "psycopg2cffi"):
            sys.modules.setdefault(name, None)  # type: ignore[arg-type]


def _start_demo(profile: Profile, *, offline: bool, members: int, role: str | None = None):
    """The demo: an embedded central server on loopback, logged in as the demo account of `role`
    (the grassroots clerk by default), with the first pull done. Offline (a grassroots screenshot)
    or without the server's packages: local demo data."""
    if not offline:
        try:
            from server.embedded import DEMO_LOGINS, DEMO_PASSWORD, start_demo_server
        except ImportError:
            log.info("server packages not installed: demo without a server")
        else:
            from app.sync.account import sign_in

            url, stop = start_demo_server(profile.root / "demo-server.sqlite3")
            try:
                signed_in = sign_in(url, DEMO_LOGINS[role or "grassroots"], DEMO_PASSWORD, profile_root=profile.root)
                signed_in.engine.sync()
            except BaseException:
                stop()
                raise
            return signed_in, stop
    from app.services import demo as demo_service

    demo_service.fill_demo(members)
    return None, None


def _screenshot_copy(profile: Profile) -> Profile:
    """A throwaway copy of the profile for screenshots (SQLite's backup API): screens that write —
    an import, the retirement answers — never touch the clerk's own data."""
    import tempfile

    from app.models import close_database, open_database
    from app.models.db import backup_to, db

    copy = Profile(Path(tempfile.mkdtemp(prefix="union-clerk-screens-"))).create()
    open_database(profile.database, backup_dir=profile.backups)
    backup_to(db, copy.database)
    close_database()
    return copy


def _screenshot(window, app, name: str, path: str) -> bool:
    """Show screen `name` (app.views.screens) over the window, filled, and save it as a PNG."""
    from app.views import screens

    window.load_now()
    window.show()
    app.processEvents()
    widget = screens.show(window, name)
    app.processEvents()
    ok = widget.grab().save(path)
    screens.close_all(window)
    return ok


def _start_qt(args: argparse.Namespace, profile: Profile):
    """The QApplication with the bundled font, the style, and errors shown to the clerk."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setOrganizationName("ShanghaiUnion")
    QCoreApplication.setApplicationName("UnionClerk" + ("-demo" if args.demo else ""))
    app = QApplication.instance() or QApplication(sys.argv[:1])

    from app.views import errors as error_views
    from app.views import startup
    from app.views.fonts import register_bundled_font

    error_views.LOG_FILE = profile.log_file
    error_views.INTERACTIVE = not args.screenshot
    register_bundled_font(app)
    startup.prepare(app)

    def excepthook(exc_type, exc, tb) -> None:
        log.error("uncaught exception:\n%s", "".join(traceback.format_exception(exc_type, exc, tb)))
        error_views.show_error(None, exc)

    sys.excepthook = excepthook
    return app


def _open_union(args: argparse.Namespace, profile: Profile):
    """Open the profile's database (start-up: the one place the UI thread reads it) and find its
    union: the demo's, or a login's. Returns (union, signed_in, stop_server), or an exit code."""
    from app.models import open_database
    from app.services.unions import current_union
    from app.views import errors as error_views

    try:
        open_database(profile.database, backup_dir=profile.backups)
    except Exception as exc:  # noqa: BLE001 - shown to the clerk, then exit
        error_views.show_error(None, exc, "无法打开数据库")
        return 2
    union, signed_in, stop_server = current_union(), None, None
    if union is None and args.demo:
        superior = args.role not in (None, "grassroots")  # superior pages need the server, in screenshots too
        signed_in, stop_server = _start_demo(profile, offline=(bool(args.screenshot) and not superior) or args.offline_demo,
                                             members=args.demo_members, role=args.role)
        union = current_union()
    if union is None:
        from app.views.first_start import FirstStartDialog

        dialog = FirstStartDialog(profile.root)
        dialog.exec()
        if dialog.choice == FirstStartDialog.DEMO:  # on a throwaway profile, never the clerk's own
            from app.models import close_database

            close_database()
            return main(["--demo", *(["--offline-demo"] if args.offline_demo else [])])
        if dialog.choice != FirstStartDialog.SIGNED_IN:
            return 0  # the clerk pressed 退出
        signed_in = dialog.signed_in
        union = current_union()
    return union, signed_in, stop_server


def _shut_down(stop_server=None) -> None:
    """Let the workers finish, close the worker's database connection (before the main thread's,
    so the last one to close checkpoints the WAL), stop the demo server."""
    from app.views import ops

    ops.wait_all()
    ops.release_database()
    if stop_server is not None:
        stop_server()


def _window_level(args: argparse.Namespace, own: str) -> str | None:
    """The menu the window gets: the union's own level; for a screenshot, the level whose screen
    was asked for (--role, else the union's own, else the first level that has it). None (said on
    stderr) when no such screen exists for it."""
    if not args.screenshot:
        return own
    from app.views.screens import level_for

    level = level_for(args.page, own, args.role)
    if level is None:
        listing = f"--page list --role {args.role}" if args.role else "--page list"
        print(f"{args.role + ' 级别' if args.role else ''}没有名为 {args.page} 的页面；{listing} 列出可用名称",
              file=sys.stderr)
    return level


def _screenshot_api(args: argparse.Namespace, signed_in):
    """A screenshot's superior pages ask the demo server the signed-in account reached (no sync runs)."""
    if not args.screenshot or signed_in is None:
        return None
    from app.sync.superior import SuperiorApi

    api = SuperiorApi(signed_in.engine.client)
    return lambda: api


def _remove_profile(profile: Profile) -> None:
    """Close what holds files in the throwaway profile (database work still in flight after a
    failed start, the database, the log file: Windows will not delete an open file), remove it."""
    from app.models import close_database

    if "app.views.ops" in sys.modules:
        _shut_down()
    close_database()
    import shutil

    root = str(profile.root)
    for handler in list(logging.getLogger().handlers):
        if str(getattr(handler, "baseFilename", "")).startswith(root):
            logging.getLogger().removeHandler(handler)
            handler.close()
    shutil.rmtree(profile.root, ignore_errors=True)


def _run_screenshot(window, app, args: argparse.Namespace) -> int:
    from app.views import errors as error_views
    from app.views.screens import SCREENS

    if args.page not in SCREENS:
        print(f"没有名为 {args.page} 的页面；--page list 列出全部名称", file=sys.stderr)
        return 2
    try:
        ok = _screenshot(window, app, args.page, args.screenshot)
    except Exception as exc:  # noqa: BLE001
        error_views.show_error(None, exc)
        return 1
    window.close()
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.page == "list":
        from app.views.screens import names

        print("\n".join(names(args.role)))
        return 0
    _skip_postgres_driver_probe()
    if args.allow_insecure:
        from app import site_config

        site_config.permit_insecure()  # the login dialog and the saved login's resume both follow it
    profile, throwaway = _prepare_profile(args)
    if args.screenshot and not throwaway:
        profile, throwaway = _screenshot_copy(profile), True
    gc.disable()  # see _started: no collection while the start-up builds its objects
    try:
        return _run(args, profile)
    finally:
        gc.enable()
        if throwaway:  # a demo's or a screenshot's folder goes however the run ended, a failed start too
            _remove_profile(profile)


def _started() -> None:
    """Once the main window is up: collect again (start-up ran ~70 collections otherwise, 30-70 ms
    of a start on a busy PC), with what start-up built (modules, classes, Qt wrappers, the
    window) frozen out of the collector's scans, so no later collection walks it again while the
    clerk works. Frozen without a collection first (one would cost ~30 ms right after the window
    shows): the few hundred objects start-up left as cyclic garbage stay, a few KB."""
    if not gc.isenabled():
        gc.enable()
        gc.freeze()


def _run(args: argparse.Namespace, profile: Profile) -> int:
    from app.logs import setup_logging

    setup_logging(profile.log_file)
    app = _start_qt(args, profile)
    opened = _open_union(args, profile)
    if isinstance(opened, int):
        return opened
    union, signed_in, stop_server = opened

    from app.services.unions import default_plan_year
    from app.views.main_window import MainWindow
    from app.views.sync_controller import SyncController

    level = _window_level(args, union.level)
    if level is None:
        _shut_down(stop_server)
        return 2
    sync = None if args.screenshot else SyncController()
    window = MainWindow(profile=profile, union_id=union.id, union_name=union.name,
                        plan_year=default_plan_year(date.today()), actor=signed_in.username if signed_in else "clerk",
                        demo=args.demo, remember_geometry=not args.screenshot, sync=sync, level=level,
                        superior_api=_screenshot_api(args, signed_in))
    if args.screenshot:
        code = _run_screenshot(window, app, args)
        # The demo server goes before its folder does: its job worker, polling a removed database,
        # would print "no such table" tracebacks on stderr until the process ends.
        _shut_down(stop_server)
        return code
    window.show_page("workbench")
    window.show()
    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, _started)
    if sync is not None:  # the sync's workers start once the window has painted
        if signed_in is not None:
            sync.set_signed_in(signed_in)
            window.after_first_paint(sync.sync_now)
        elif not args.quit_after_show:
            from app import site_config

            ca_bundle = site_config.current().ca_bundle
            window.after_first_paint(lambda: sync.resume(profile.root, ca_bundle))
    if args.quit_after_show:
        app.processEvents()
        window.repaint()
        # The CPU time of every thread so far, for the bench: the process goes on to shut down.
        print(f"shown {time.perf_counter():.6f} cpu {time.process_time():.6f}", flush=True)
        _shut_down(stop_server)
        return 0
    code = app.exec()
    _shut_down(stop_server)
    return code


if __name__ == "__main__":
    sys.exit(main())

"""`union-server`: run and administer the central server.

    union-server serve [--db URL] [--host H] [--port P] [--workers N]
    union-server init-demo [--db URL] [--password P] [--members N]
    union-server create-union --name … --org-code … --type … --level … [--parent ORG_CODE]
    union-server create-user --username … --union ORG_CODE [--role …]
    union-server reset-password --actor USERNAME --username USERNAME
    union-server account list|create|reset|lock|unlock [USERNAME] [--union ORG_CODE] [--actor USERNAME]
    union-server fees show|set --actor USERNAME [--plan-type T] [--fee X --city X] [--district X --grassroots X]
    union-server load-registry FILE
    union-server load-payouts FILE              (the center's payout export: server/payouts.py)
    union-server review approve|return BATCH --actor USERNAME [--reason …]
    union-server campaign create --file F.toml | campaign show [--plan-year Y]
    union-server notice --title … --body …|--body-file FILE [--union ORG_CODE]
    union-server worker [--once]
    union-server migrate [--db URL]
    union-server backup OUT [--keep N]          (OUT: a file, or a folder for timestamped backups)
    union-server restore FILE [--yes] [--no-safety-backup]
    union-server prune [--db URL]

Passwords made here are printed once and never stored in clear; a reset is done by an account of a
superior union (its password is asked for, or read from UNION_SERVER_ACTOR_PASSWORD). `account`
(server/cli_accounts.py) is IT's account management: as IT, or `--actor` as a superior's account.
"""
from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
import time
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from server.db import DEFAULT_URL

log = logging.getLogger("union_server.cli")


def _context(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from server.db import open_database
    from server.migrations import migrate
    from server.settings import ServerContext

    open_database(args.db)
    migrate()
    return ServerContext()


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from server.app import create_app
    from server.db import is_postgres_url
    from server.settings import Settings

    settings = Settings(ss_check_delay_seconds=args.ss_check_delay, run_worker=not args.no_worker,
                        latest_client_version=args.latest_client, client_download_url=args.client_download_url,
                        min_client_version=args.min_client)
    if args.workers < 1:
        print("--workers 至少为 1。", file=sys.stderr)
        return 2
    if args.workers > 1:
        if not is_postgres_url(args.db):
            print(f"--workers {args.workers} 需要 PostgreSQL 数据库：SQLite 只有一个写入者，适合一个区的试点"
                  "（单进程，不加 --workers）；全市请使用 PostgreSQL（postgresql://…，见 installer/server/README.md）。",
                  file=sys.stderr)
            return 2
        return _serve_workers(args, settings)
    app = create_app(args.db, settings=settings)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, proxy_headers=True)
    return 0


def _serve_workers(args: argparse.Namespace, settings) -> int:  # type: ignore[no-untyped-def]
    """N uvicorn worker processes, each made by `server.app:app_from_env` with no job worker of its
    own; this (supervising) process migrates the schema once and runs the one job worker."""
    import dataclasses

    import uvicorn

    from server import workers
    from server.app import ENV_DB, ENV_SETTINGS, settings_to_env
    from server.jobs import JobWorker

    ctx = _context(args)
    ctx.settings = settings
    os.environ[ENV_DB] = args.db
    os.environ[ENV_SETTINGS] = settings_to_env(dataclasses.replace(settings, run_worker=False))
    worker = JobWorker(ctx) if settings.run_worker else None
    if worker is not None:
        worker.start()
    try:
        if workers.supported():  # a listening socket per process: connections spread evenly (server/workers.py)
            try:
                return workers.run(args.workers, args.host, args.port, args.log_level)
            except OSError as error:
                print(f"无法监听 {args.host}:{args.port}：{error.strerror or error}（端口是否已被占用？）", file=sys.stderr)
                return 1
        uvicorn.run("server.app:app_from_env", factory=True, workers=args.workers, host=args.host,
                    port=args.port, log_level=args.log_level, proxy_headers=True)
    finally:
        if worker is not None:
            worker.stop()
    return 0


def cmd_init_demo(args: argparse.Namespace) -> int:
    from server.db import session
    from server.demo import DEMO_ACCOUNTS, init_demo, is_initialised

    ctx = _context(args)
    with session():
        if is_initialised():
            print("数据库中已有演示数据，未做任何修改。", file=sys.stderr)
            return 1
        result = init_demo(ctx, password=args.password, members_per_union=args.members)
    print(f"演示数据已创建：保障年度 {result.plan_year}，会员 {result.members} 人。")
    print("账号和密码（只显示这一次，请妥善保存）：")
    for username, _, role, display in DEMO_ACCOUNTS:
        print(f"  {username:<12} {result.accounts[username]:<14} {role:<9} {display}")
    return 0


def cmd_create_union(args: argparse.Namespace) -> int:
    from server import accounts
    from server.db import session
    from server.models import Union
    from server.problems import ProblemError

    ctx = _context(args)
    with session():
        parent = None
        if args.parent:
            parent = Union.get_or_none(Union.org_code == args.parent)
            if parent is None:
                print(f"上级工会 {args.parent} 不存在。", file=sys.stderr)
                return 1
        try:
            union = accounts.create_union(ctx, name=args.name, org_code=args.org_code, union_type=args.type,
                                          level=args.level, parent=parent)
        except ProblemError as error:
            print(error.message, error.detail or "", file=sys.stderr)
            return 1
        for enterprise in args.enterprise or []:
            accounts.add_enterprise(union, enterprise)
    print(f"已创建工会：{args.name}（{args.org_code}）")
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    from server import accounts
    from server.db import session
    from server.models import Union
    from server.problems import ProblemError
    from server.security import generate_password

    ctx = _context(args)
    password = os.environ.get("UNION_SERVER_NEW_PASSWORD") or generate_password()
    with session():
        union = Union.get_or_none(Union.org_code == args.union)
        if union is None:
            print(f"工会 {args.union} 不存在。", file=sys.stderr)
            return 1
        try:
            accounts.create_user(ctx, username=args.username, password=password, union=union,
                                 role=args.role or "", display_name=args.display_name)
        except ProblemError as error:
            print(error.message, error.detail or "", file=sys.stderr)
            return 1
    print(f"已创建账号 {args.username}，初始密码（只显示这一次）：{password}")
    return 0


def cmd_reset_password(args: argparse.Namespace) -> int:
    from server import account_admin
    from server.db import session
    from server.models import User
    from server.problems import ProblemError
    from server.security import generate_password, verify_password

    ctx = _context(args)
    actor_password = os.environ.get("UNION_SERVER_ACTOR_PASSWORD")
    if actor_password is None:
        actor_password = getpass.getpass(f"请输入上级工会账号 {args.actor} 的密码：")
    new_password = os.environ.get("UNION_SERVER_NEW_PASSWORD") or generate_password()
    with session():
        actor = User.get_or_none(User.username == args.actor)
        if actor is None or not verify_password(actor_password, actor.password_hash):
            print("上级工会账号或密码不正确。", file=sys.stderr)
            return 1
        try:
            account_admin.reset_password(ctx, actor, args.username, new_password)
        except ProblemError as error:
            print(error.message, error.detail or "", file=sys.stderr)
            return 1
    print(f"账号 {args.username} 的密码已重置，新密码（只显示这一次）：{new_password}")
    return 0


def cmd_load_registry(args: argparse.Namespace) -> int:
    from server.jobs import load_registry

    ctx = _context(args)
    from server.db import session

    with session():
        try:
            count, problems = load_registry(ctx, args.file)
        except (OSError, ValueError) as error:
            print(f"无法读取文件：{error}", file=sys.stderr)
            return 1
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"已载入社保卡和就业状态 {count} 条。")
    return 0 if not problems else 2


def cmd_load_payouts(args: argparse.Namespace) -> int:
    from server.db import session
    from server.payouts import load_payouts

    ctx = _context(args)
    with session():
        try:
            result = load_payouts(ctx, args.file)
        except (OSError, ValueError) as error:
            print(f"无法读取文件：{error}", file=sys.stderr)
            return 1
    for problem in result.errors:
        print(problem, file=sys.stderr)
    if result.errors:
        print("给付记录未载入：请按上面的行号和列名改正文件后重新载入（整个文件一起载入）。", file=sys.stderr)
        return 2
    print(f"已载入给付记录 {result.loaded} 条。")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from server.jobs import run_pending, worker_name

    from server.pruning import prune_when_due

    ctx = _context(args)
    pruned_at = None
    while True:
        done = run_pending(ctx)
        from server import card_jobs

        done += card_jobs.run_pending(ctx, worker_name())
        pruned_at = prune_when_due(ctx, pruned_at)
        if done:
            log.info("ran %d ss check jobs", done)
        if args.once:
            print(f"已处理校验任务 {done} 个。")
            return 0
        time.sleep(args.poll)


def cmd_migrate(args: argparse.Namespace) -> int:
    from server.db import open_database
    from server.migrations import LATEST, current_version, migrate

    open_database(args.db)
    before = current_version()
    after = migrate()
    print(f"数据库结构版本：{'无' if before is None else before} → {after}（当前程序的最新版本为 {LATEST}）。")
    return 0


def cmd_prune(args: argparse.Namespace) -> int:
    from server.pruning import prune

    counts = prune(_context(args))
    print(f"已清理过期的幂等记录 {counts['idempotency_records']} 条、提交随机数 {counts['nonces']} 个，"
          f"压缩变更记录 {counts['changes']} 条。")
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    """A superior union approves or returns a batch — until the review screens exist."""
    from server import submissions
    from server.db import session
    from server.models import Submission, User
    from server.problems import ProblemError
    from server.security import verify_password

    ctx = _context(args)
    password = os.environ.get("UNION_SERVER_ACTOR_PASSWORD")
    if password is None:
        password = getpass.getpass(f"请输入审核账号 {args.actor} 的密码：")
    if args.decision == "return" and not args.reason:
        print("退回批次必须填写退回原因（--reason）。", file=sys.stderr)
        return 2
    with session():
        actor = User.get_or_none(User.username == args.actor)
        if actor is None or not verify_password(password, actor.password_hash):
            print("审核账号或密码不正确。", file=sys.stderr)
            return 1
        sub = Submission.get_or_none(Submission.batch_no == args.batch)
        if sub is None:
            print(f"没有批次 {args.batch}。", file=sys.stderr)
            return 1
        try:
            result = submissions.decide(ctx, actor, sub.id, args.decision, args.reason)
        except ProblemError as error:
            print(error.message, error.detail or "", file=sys.stderr)
            return 1
    print(f"批次 {args.batch}：{result.get('status')}")
    return 0


def cmd_campaign(args: argparse.Namespace) -> int:
    """The center's campaign set-up: create (or replace before it opens) from a TOML file, or show."""
    import json
    from pathlib import Path

    from server.db import session
    from server.problems import ProblemError
    from server.superior import campaign_file

    ctx = _context(args)
    try:
        with session():
            if args.action == "create":
                if not args.file:
                    raise ProblemError("validation", "campaign create 需要 --file F.toml")
                config = campaign_file.create_campaign(ctx, campaign_file.load(Path(args.file)))
            else:
                config = campaign_file.show_campaign(ctx, args.plan_year)
    except ProblemError as error:
        print(f"{error.message}", file=sys.stderr)
        return 2
    print(json.dumps(config, ensure_ascii=False, indent=None if args.json else 2))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from server.backup import BackupError, backup, prune

    try:
        result = backup(args.db, args.out)
    except BackupError as error:
        print(f"备份失败：{error}", file=sys.stderr)
        return 1
    print(f"已备份到 {result.path}（{result.size / 2**20:.1f} MB，{result.backend}）")
    if args.keep:
        for old in prune(result.path.parent, args.keep):
            print(f"已删除旧备份 {old}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from server.backup import BackupError, restore
    from server.migrations import current_version

    if not args.yes:
        if not sys.stdin.isatty():
            print("恢复会替换数据库的全部内容：请先停止服务器和 worker，再加 --yes 运行。", file=sys.stderr)
            return 2
        answer = input(f"用 {args.file} 替换数据库 {_redacted(args.db)} 的全部内容？已停止服务器和 worker 请输入 yes：")
        if answer.strip().lower() != "yes":
            print("未恢复。", file=sys.stderr)
            return 1
    try:
        safety = restore(args.db, args.file, safety_backup=not args.no_safety_backup)
    except BackupError as error:
        print(f"恢复失败：{error}", file=sys.stderr)
        return 1
    if safety is not None:
        print(f"恢复前的数据库已另存为 {safety}")
    print(f"已从 {args.file} 恢复数据库（数据库结构版本 {current_version()}）。")
    return 0


def _redacted(url: str) -> str:
    """The database URL without its password, for messages."""
    from urllib.parse import urlparse

    parsed = urlparse(url)
    if parsed.password:
        return url.replace(f":{parsed.password}@", ":***@", 1)
    return url


def _add_database_commands(add) -> None:  # type: ignore[no-untyped-def]
    """`migrate` (server/migrations.py), `backup` and `restore` (server/backup.py), `prune`
    (server/pruning.py), with build_parser's `add`."""
    add("migrate", "Bring the database's schema up to date (serve and every command also do it as they "
        "start); prints the version before and after.", cmd_migrate)

    p = add("backup", "Back the database up while the server runs (SQLite: backup API; PostgreSQL: pg_dump).",
            cmd_backup)
    p.add_argument("out", type=Path, help="the backup file, or a folder for a timestamped union-server-….sqlite3|.pgdump")
    p.add_argument("--keep", type=int, default=0, metavar="N",
                   help="with a folder: keep only the newest N timestamped backups there")

    p = add("restore", "Replace the database with a backup (stop the server and workers first); the current "
            "database is first saved beside the backup file.", cmd_restore)
    p.add_argument("file", type=Path, help="a file made by `union-server backup`")
    p.add_argument("--yes", action="store_true", help="do not ask (scripts); the server must be stopped")
    p.add_argument("--no-safety-backup", action="store_true", help="do not save the current database first")

    add("prune", "Delete idempotency records and submission nonces past their replay windows now (job "
        "workers — serve's and `union-server worker` — do it hourly).", cmd_prune)


def _add_serve(add) -> None:  # type: ignore[no-untyped-def]
    """`serve`: the HTTP API, its SS-check worker and what it announces to older clerk apps."""
    p = add("serve", "Run the HTTP API (and the SS-check worker) with uvicorn.", cmd_serve)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    p.add_argument("--ss-check-delay", type=int, default=0, metavar="SECONDS",
                   help="how long an SS check waits before a worker answers it (default 0)")
    p.add_argument("--no-worker", action="store_true", help="do not run the SS-check worker in this process")
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="HTTP worker processes (default 1; N>1 needs PostgreSQL — SQLite serves a district's "
                   "pilot with one process, PostgreSQL the city); the SS-check worker runs once, in the "
                   "supervising process")
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    p.add_argument("--latest-client", default=os.environ.get("UNION_SERVER_LATEST_CLIENT", ""), metavar="VERSION",
                   help="the newest clerk app version, announced to older apps as 有新版本 "
                        "(env UNION_SERVER_LATEST_CLIENT)")
    p.add_argument("--client-download-url", default=os.environ.get("UNION_SERVER_CLIENT_DOWNLOAD_URL", ""),
                   metavar="URL", help="where clerks download it (env UNION_SERVER_CLIENT_DOWNLOAD_URL)")
    p.add_argument("--min-client", default=os.environ.get("UNION_SERVER_MIN_CLIENT", ""), metavar="VERSION",
                   help="the oldest clerk app version that may still sync; older ones are told to update "
                        "(env UNION_SERVER_MIN_CLIENT)")


def cmd_notice(args: argparse.Namespace) -> int:
    """Publish a notice (帮助 → 查看通知) to every union, or to one union and everything under it."""
    from pathlib import Path

    from server import notices
    from server.db import session, write_tx
    from server.models import Union
    from server.problems import ProblemError

    ctx = _context(args)
    body = Path(args.body_file).read_text(encoding="utf-8") if args.body_file else (args.body or "")
    with session():
        union = None
        if args.union:
            union = Union.get_or_none(Union.org_code == args.union)
            if union is None:
                print(f"没有组织代码为 {args.union} 的工会。", file=sys.stderr)
                return 1
        try:
            with write_tx():
                notice = notices.publish(ctx, args.title, body, union=union, publisher=args.publisher or "")
        except ProblemError as error:
            print(error.message, error.detail or "", file=sys.stderr)
            return 2
    print(f"已发布通知 {notice.id}：{notice.title}")
    return 0


def _add_notice(add) -> None:  # type: ignore[no-untyped-def]
    """`notice` (server/notices.py), with build_parser's `add`."""
    p = add("notice", "Publish a notice the clerks read under 帮助 → 查看通知 (every union, or --union and "
            "everything under it).", cmd_notice)
    p.add_argument("--title", required=True, help="the notice's title")
    p.add_argument("--body", help="the notice's text")
    p.add_argument("--body-file", help="read the notice's text from this UTF-8 file")
    p.add_argument("--union", help="org code of the union whose subtree receives it (default: every union)")
    p.add_argument("--publisher", help="who publishes it, as the clerks read it (default: 上海市总工会 or the union)")


def build_parser() -> argparse.ArgumentParser:
    from app.rules.argparse_zh import ChineseArgumentParser  # --help in Chinese (its subcommands too)

    parser = ChineseArgumentParser(prog="union-server", description="上海市工会会员专享保障 中心服务器")
    # The distribution's version (app.__version__, read from the installed metadata: the server imports
    # nothing of app but the rules and the protocol kernel).
    parser.add_argument("--version", action="version", version=f"%(prog)s {metadata.version('union-clerk')}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help_text: str, func) -> argparse.ArgumentParser:  # type: ignore[no-untyped-def]
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--db", default=os.environ.get("UNION_SERVER_DB", DEFAULT_URL),
                       help=f"database URL: sqlite:///FILE or postgresql://USER:PW@HOST/DB (default {DEFAULT_URL})")
        p.set_defaults(func=func)
        return p

    _add_serve(add)

    p = add("init-demo", "Create the demo hierarchy, accounts, campaign, members and registry.", cmd_init_demo)
    p.add_argument("--password", help="one password for every demo account (default: random, printed once)")
    p.add_argument("--members", type=int, default=150, help="demo members per grassroots union (default 150)")

    p = add("create-union", "Create a union under an existing parent union.", cmd_create_union)
    p.add_argument("--name", required=True, help="full name, e.g. 上海某某有限公司工会委员会")
    p.add_argument("--org-code", required=True, help="unified social credit code / organisation code")
    p.add_argument("--type", required=True, help="union type, e.g. 联合工会, 工会委员会, 区总工会")
    p.add_argument("--level", required=True, choices=["city", "district", "secondary", "grassroots"])
    p.add_argument("--parent", help="the parent union's org code (omit only for the city union)")
    p.add_argument("--enterprise", action="append", help="a linked enterprise's name (repeatable)")

    p = add("create-user", "Create an account for a union; the initial password is printed once.", cmd_create_user)
    p.add_argument("--username", required=True)
    p.add_argument("--union", required=True, help="the union's org code")
    p.add_argument("--role", choices=["clerk", "reviewer", "center"],
                   help="default: clerk for grassroots unions, reviewer otherwise")
    p.add_argument("--display-name", default="")

    p = add("reset-password", "Reset a subordinate union's account password (by a superior union's account).",
            cmd_reset_password)
    p.add_argument("--actor", required=True, help="username of the superior union's account doing the reset")
    p.add_argument("--username", required=True, help="the account whose password is reset")

    from server.cli_accounts import add_parser as add_account

    add_account(add)
    from server.cli_fees import add_parser as add_fees  # 保障金额设置

    add_fees(add)

    p = add("load-registry", "Load the SS-card/employment registry export (CSV or xlsx with columns "
            "证件号码, 社保卡状态, 就业状态).", cmd_load_registry)
    p.add_argument("file", help="the .csv or .xlsx file")

    p = add("load-payouts", "Load the center's payout export (CSV or xlsx with columns 理赔编号, 证件号码, 姓名, "
            "保障年度, 给付类型, 给付金额, 给付日期); every row checked, nothing loaded if one is bad.", cmd_load_payouts)
    p.add_argument("file", help="the .csv or .xlsx file")

    p = add("review", "Approve or return a batch as a superior union's account (password from "
            "UNION_SERVER_ACTOR_PASSWORD or asked).", cmd_review)
    p.add_argument("decision", choices=["approve", "return"])
    p.add_argument("batch", help="the batch number (批次编号)")
    p.add_argument("--actor", required=True, help="username of the reviewing (superior union's) account")
    p.add_argument("--reason", help="the return reason the clerk will read (required for return)")

    p = add("campaign", "The center's campaign set-up: create from a TOML file (validated; replaced only "
            "before its enrollment opens) or show the current one.", cmd_campaign)
    p.add_argument("action", choices=["create", "show"])
    p.add_argument("--file", help="the campaign's TOML file (create)")
    p.add_argument("--plan-year", type=int, help="which plan year to show (default: the current one)")
    p.add_argument("--json", action="store_true", help="one line of JSON")

    _add_database_commands(add)

    _add_notice(add)

    p = add("worker", "Run SS-check jobs (as many workers as you like, on PostgreSQL).", cmd_worker)
    p.add_argument("--once", action="store_true", help="run the jobs that are due, then exit")
    p.add_argument("--poll", type=float, default=2.0, help="seconds between looks for new jobs")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())

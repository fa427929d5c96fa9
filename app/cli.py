"""union-clerk-cli: headless commands for IT staff, a thin layer over the services.

Every command takes `--profile DIR` (default: the per-user profile folder).
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from app import __version__
from app.paths import Profile, default_profile_dir
from app.rules.argparse_zh import ChineseArgumentParser, argparse_message_zh
from app.rules.errors import ClerkFacingError


def _open(args: argparse.Namespace) -> Profile:
    from app.logs import setup_logging
    from app.models import open_database

    profile = Profile(Path(args.profile) if args.profile else default_profile_dir()).create()
    setup_logging(profile.log_file)
    open_database(profile.database, backup_dir=profile.backups)
    return profile


def _union_id() -> int:
    from app.services.errors import ClerkError
    from app.services.members import current_union

    union = current_union()
    if union is None:
        raise ClerkError("档案中还没有工会数据。", "请先登录同步（sync --server URL --username 账号），"
                         "或运行 demo-data 生成演示数据。")
    return int(union.id)


def _emit(args: argparse.Namespace, payload: dict[str, object], text: str) -> None:
    """A command's outcome: one JSON object on stdout with --json, else the sentence for a person."""
    if getattr(args, "json", False):
        print(json.dumps(payload, ensure_ascii=False, default=str))
    else:
        print(text)


def cmd_check(args: argparse.Namespace) -> int:
    from app.services import maintenance

    _open(args)
    report = maintenance.check()
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        print(f"数据库：{report.path}")
        print(f"结构版本：{report.schema_version}（最新 {report.latest_version}）")
        print("完整性检查：正常" if not report.problems else "完整性检查发现问题：")
        for problem in report.problems:
            print(f"  - {problem}")
    return 0 if report.healthy else 1


def cmd_backup(args: argparse.Namespace) -> int:
    from app.services import maintenance

    _open(args)
    out = maintenance.backup(Path(args.out))
    _emit(args, {"backup": str(out)}, f"已备份到 {out}")
    return 0


def cmd_demo_data(args: argparse.Namespace) -> int:
    from app.services import demo

    _open(args)
    summary = demo.fill_demo(args.count, seed=args.seed)
    _emit(args, {"union_id": summary.union_id, "members": summary.members},
          f"演示数据已生成：工会 {summary.union_id}，会员 {summary.members} 人。")
    return 0


def cmd_members(args: argparse.Namespace) -> int:
    from app.models.answers import retirement_answers
    from app.models.queries import MemberFilter, iter_member_rows
    from app.services.members import default_plan_year, member_flags, retirement_dates_of

    _open(args)
    union_id = _union_id()
    today = date.today()
    plan_year = args.plan_year or default_plan_year(today)
    answers = retirement_answers(union_id, plan_year)
    out = sys.stdout
    # Keyset pages in member-number order (not OFFSET): linear however many members there are.
    for r in iter_member_rows(union_id, MemberFilter(), "member_no", False):
        record = {
            "member_no": r["member_no"], "name": r["name"], "id_type": r["id_type"],
            "id_number": r["id_number"], "gender": r["gender"],
            "birth_date": r["birth_date"].isoformat() if r["birth_date"] else None,
            "retirement_dates": [d.isoformat() for d in retirement_dates_of(
                r["gender"], r["birth_date"], r["post_type"])],
            "flags": member_flags(r, plan_year, today, answers),
            "category": r["category"], "enterprise": r["enterprise_name"],
            "life_status": r["life_status"], "card_no": r["card_no"], "id_expiry": r["id_expiry"],
            "phone": r["phone"], "join_date": r["join_date"].isoformat() if r["join_date"] else None,
        }
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from app.services import stats

    if getattr(args, "action", None) == "download":  # 下载集中参保统计表 (app/cli_fees.py)
        from app.cli_fees import cmd_stats_download

        return cmd_stats_download(args)
    _open(args)
    figures = stats.workbench_figures(_union_id())
    if args.json:
        print(json.dumps(figures.as_dict(), ensure_ascii=False))
    else:
        print(f"{figures.union_name}：会员数 {figures.members}，基层工会组织数 {figures.grassroots_unions}，"
              f"覆盖企业数 {figures.enterprises}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Import members from an .xlsx: one JSON object (or a summary) on stdout; exit 0 when the
    file was read (even with row errors), 2 when the file itself was refused."""
    from app.services import importer
    from app.services.errors import ClerkError

    profile = _open(args)

    try:
        union_id = _union_id()
        enterprise_id = importer.enterprise_by_name(union_id, args.enterprise) if args.enterprise else None
        options = importer.ImportOptions(union_id=union_id, category=args.category, enterprise_id=enterprise_id,
                                         actor=args.actor)
        plan, result = importer.import_file(Path(args.file), options, backup_dir=profile.backups,
                                            dry_run=args.dry_run)
    except ClerkError as exc:
        return refuse(args, exc, imported=0, updated=0, unchanged=0, failed=0, errors=[])
    report = None
    if args.report and plan.errors:
        report = str(importer.write_report(plan, Path(args.report)))
    if args.json:
        print(json.dumps({**result.as_dict(), "report": report}, ensure_ascii=False))
    else:
        verb = "将" if args.dry_run else "已"
        print(f"{'（试运行，未写入）' if args.dry_run else ''}{verb}新增 {result.imported} 人，更新 {result.updated} 人，"
              f"无变化 {result.unchanged} 人；有错误未导入 {result.failed} 行。")
        for e in result.errors:
            print(f"  第 {e.row} 行 {e.column}：{e.message}")
        if report:
            print(f"错误报告：{report}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from app.models.queries import MemberFilter
    from app.services import spreadsheets

    _open(args)
    result = spreadsheets.export_members(_union_id(), MemberFilter(), Path(args.out), full_ids=args.full_ids)
    shown = "含完整证件号码和手机号码" if result.full_ids else "证件号码和手机号码已隐去中间几位"
    _emit(args, {"rows": result.rows, "path": str(result.path), "full_ids": result.full_ids},
          f"已导出 {result.rows} 名会员到 {result.path}（{shown}）。")
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from app.services import spreadsheets

    out = spreadsheets.write_template(Path(args.out))
    _emit(args, {"template": str(out)}, f"会员导入模板已保存到 {out}")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    import getpass
    import os

    from app.services.errors import ClerkError
    from app.sync import account

    profile = _open(args)
    # Offline (exit 3) and the other SyncErrors (exit 2) are refused by main().
    if args.username:
        if not args.server:
            raise ClerkError("首次登录需要服务器地址。", "请用 --server URL 指定服务器地址。")
        password = os.environ.get("UNION_CLERK_PASSWORD") or getpass.getpass("密码：")
        signed = account.sign_in(args.server, args.username, password, profile_root=profile.root,
                                 new_password=os.environ.get("UNION_CLERK_NEW_PASSWORD") or None,
                                 allow_insecure=args.allow_insecure)
        if not signed.keyring_ok:
            print("提示：系统凭据管理不可用，登录信息不会保存，下次需重新登录。", file=sys.stderr)
    else:
        signed = account.resume(profile.root, allow_insecure=args.allow_insecure)
        if signed is None:
            raise ClerkError("本档案尚未登录或登录已失效。", "请加 --server URL --username 账号 登录。")
    from app.services.enrollment_send import reprice_for_send

    signed.engine.prepare_submission = reprice_for_send  # offline batches priced by the server's date
    report = signed.engine.sync()
    if args.json:
        print(json.dumps({"pushed": report.pushed, "refused": report.refused, "conflicts": report.conflicts,
                          "pulled": report.pulled, "cursor": report.cursor, "errors": report.errors,
                          "notices": report.notices}, ensure_ascii=False))
    else:
        print(f"同步完成：{report.summary()}。")
        for error in report.errors:
            print(f"  - {error}")
    return 0


def cmd_devices(args: argparse.Namespace) -> int:
    """The PCs registered for the signed-in account (本机 marked); --revoke stops one of the others."""
    from app.services.errors import ClerkError
    from app.sync import account

    profile = _open(args)
    signed = account.resume(profile.root, allow_insecure=args.allow_insecure)
    if signed is None:
        raise ClerkError("本档案尚未登录或登录已失效。", "请先用 sync --server URL --username 账号 登录。")
    if args.revoke:
        account.revoke_device(signed, args.revoke)
    listed = account.devices(signed)
    if args.json:
        print(json.dumps({"username": signed.username, "revoked": args.revoke, "devices": listed}, ensure_ascii=False))
        return 0
    if args.revoke:
        print(f"已停用设备 {args.revoke}：服务器不再接受它签名的提交。")
    for d in listed:
        state = f"已停用 {d['revoked'][:16].replace('T', ' ')}" if d["revoked"] else "使用中"
        mark = "（本机）" if d["this_pc"] else ""
        print(f"{d['fingerprint']}  {d['label']}{mark}  登记于 {d['registered'][:16].replace('T', ' ')}  {state}")
    return 0


def _member_id(union_id: int, id_number: str) -> int:
    from app.models import Member
    from app.services.errors import NotFound

    member = Member.get_or_none((Member.union == union_id) & (Member.id_number == id_number.strip().upper()))
    if member is None:
        raise NotFound(f"本工会没有证件号码为 {id_number} 的会员。", "请核对证件号码（可用 members --json 查看）。")
    return int(member.id)


def cmd_member_remove(args: argparse.Namespace) -> int:
    """删除会员 with a reason (audited, synced; refused while enrolled)."""
    from app.services import member_status

    _open(args)
    union_id = _union_id()
    ids = [_member_id(union_id, n) for n in args.id_number]
    removed = member_status.remove_members(union_id, ids, args.reason, actor=args.actor, today=date.today())
    _emit(args, {"removed": removed, "reason": args.reason},
          f"已删除 {removed} 名会员（原因：{args.reason}），联网同步后通知服务器。")
    return 0


def cmd_member_status(args: argparse.Namespace) -> int:
    """标记退休 / 标记死亡 / 恢复在职."""
    from app.services import member_status
    from app.services.errors import ClerkError

    _open(args)
    union_id = _union_id()
    try:
        on = date.fromisoformat(args.on) if args.on else None
    except ValueError:
        raise ClerkError(f"日期“{args.on}”的格式不对。", "请写成 2026-06-30 这样的格式。") from None
    ids = [_member_id(union_id, n) for n in args.id_number]
    changed = member_status.set_life_status(union_id, ids, args.status, on, actor=args.actor, today=date.today())
    _emit(args, {"changed": changed, "life_status": args.status, "on": on.isoformat() if on else None},
          f"已更新 {changed} 名会员的状态，联网同步后通知服务器。")
    return 0


def cmd_todo(args: argparse.Namespace) -> int:
    """业务工作台 → 待办事项: what is left, and the days left to each deadline."""
    from app.services import todo
    from app.services.members import default_plan_year

    _open(args)
    today = date.today()
    plan_year = args.plan_year or default_plan_year(today)
    data = todo.todo(_union_id(), plan_year, today)
    lines = [f"{plan_year}年度待办事项："] + [f"  {i.label}：{i.count}（{i.hint}）" for i in data.items]
    lines += [f"  {d.text}" for d in data.deadlines] or ["  本机还没有参保活动日程，请先同步。"]
    _emit(args, {"plan_year": plan_year,
                 "items": [{"key": i.key, "label": i.label, "count": i.count, "hint": i.hint} for i in data.items],
                 "deadlines": [{"label": d.label, "day": d.day.isoformat(), "days_left": d.days_left}
                               for d in data.deadlines]},
          "\n".join(lines))
    return 0


class JsonArgumentParser(ChineseArgumentParser):
    """An argument parser in Chinese (app/rules/argparse_zh.py) whose usage errors are one JSON
    refusal (exit 2) when --json was asked."""

    def error(self, message: str) -> NoReturn:
        message = argparse_message_zh(message)
        if "--json" in _ARGV:
            print(json.dumps({"error": f"命令参数不正确：{message}", "action": f"请运行 {self.prog} --help 查看用法。"},
                             ensure_ascii=False))
            self.exit(2)
        super().error(message)


#: The arguments main() was given (tests call main(argv) without touching sys.argv).
_ARGV: list[str] = []


def _add_member_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("member-remove", help="删除会员（须填写原因；已参加本年度保障的会员在保障期内不能删除）")
    p.add_argument("id_number", nargs="+", metavar="证件号码", help="要删除的会员的证件号码（可多个）")
    p.add_argument("--reason", required=True, help="删除原因，如 调离本单位、已离职、重复录入")
    p.add_argument("--actor", default="cli", help=argparse.SUPPRESS)
    p.add_argument("--json", action="store_true", help="以一个 JSON 对象输出结果")
    p.set_defaults(func=cmd_member_remove)

    p = sub.add_parser("member-status", help="标记会员退休、死亡，或恢复在职")
    p.add_argument("id_number", nargs="+", metavar="证件号码", help="会员的证件号码（可多个）")
    p.add_argument("--status", required=True, choices=["retired", "deceased", "in_service"],
                   help="retired 退休、deceased 死亡、in_service 恢复在职")
    p.add_argument("--on", metavar="YYYY-MM-DD", help="退休或死亡的日期（恢复在职不填）")
    p.add_argument("--actor", default="cli", help=argparse.SUPPRESS)
    p.add_argument("--json", action="store_true", help="以一个 JSON 对象输出结果")
    p.set_defaults(func=cmd_member_status)

    p = sub.add_parser("todo", help="业务工作台的待办事项和各截止日期的剩余天数")
    p.add_argument("--plan-year", type=int, help="保障年度（默认：正在准备的年度）")
    p.add_argument("--json", action="store_true", help="以一个 JSON 对象输出")
    p.set_defaults(func=cmd_todo)


def _add_server_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """sync and devices: the commands that talk to the server as the signed-in clerk."""
    p = sub.add_parser("sync", help="与服务器同步：上传本机修改，下载服务器的变化（离线时退出码为 3）")
    p.add_argument("--server", metavar="URL", help="服务器地址（首次登录时需要）")
    p.add_argument("--username", metavar="账号", help="登录账号；密码取自环境变量 UNION_CLERK_PASSWORD 或提示输入"
                   "（上级工会重置密码后，新密码取自 UNION_CLERK_NEW_PASSWORD）")
    p.add_argument("--allow-insecure", action="store_true",
                   help="允许用不加密的 http:// 连接其他电脑上的服务器（仅限测试环境）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    p.set_defaults(func=cmd_sync)

    p = sub.add_parser("devices", help="列出本账号登记过的电脑；--revoke 停用其中不认识或不再使用的一台")
    p.add_argument("--revoke", metavar="FINGERPRINT", help="要停用的电脑的指纹（见列表第一列；不能停用本机）")
    p.add_argument("--allow-insecure", action="store_true",
                   help="允许用不加密的 http:// 连接其他电脑上的服务器（仅限测试环境）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=cmd_devices)


#: Commands defined in modules of their own: (module, the function that adds its sub-commands).
_COMMAND_MODULES = (
    ("app.cli_superior", "add_parsers"),  # review …, district …
    ("app.cli_accounts", "add_parsers"),  # account list|create|reset|lock|unlock
    ("app.cli_enrollment", "add_commands"),  # enroll, ss-check, confirm, retirement, batches, notice
    ("app.cli_transfer", "add_parsers"),  # transfer out (批量转移)
    ("app.cli_query", "add_parsers"),  # query enrollment|coverage|payouts
    ("app.cli_withdrawal", "add_parsers"),  # withdrawal request|list|approve|refuse
    ("app.cli_monitor", "add_parsers"),  # 集中参保实时监控
)


def _add_module_commands(sub: Any) -> None:
    for module, function in _COMMAND_MODULES:
        getattr(importlib.import_module(module), function)(sub)


def build_parser() -> argparse.ArgumentParser:
    parser = JsonArgumentParser(prog="union-clerk-cli", description="工会会员专享保障参保客户端：命令行工具")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--profile", metavar="DIR", help="档案文件夹（默认：本用户的应用数据目录）")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=JsonArgumentParser)

    p = sub.add_parser("check", help="检查数据库完整性和结构版本（正常时退出码为 0）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("backup", help="把数据库备份到文件 OUT")
    p.add_argument("out", metavar="OUT", help="备份文件的路径（已有同名文件时覆盖）")
    p.add_argument("--json", action="store_true", help="以一个 JSON 对象输出结果")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("demo-data", help="生成演示工会和会员")
    p.add_argument("--count", type=int, default=300, help="会员人数（默认 300）")
    p.add_argument("--seed", type=int, default=2025, help="随机种子：同一种子生成同样的会员（默认 2025）")
    p.add_argument("--json", action="store_true", help="以一个 JSON 对象输出结果")
    p.set_defaults(func=cmd_demo_data)

    p = sub.add_parser("members", help="输出会员（每行一个 JSON，含完整证件号码）")
    p.add_argument("--json", action="store_true", required=True, help="以 JSON Lines 输出")
    p.add_argument("--plan-year", type=int, help="计算标记所用的保障年度（默认：正在准备的年度）")
    p.set_defaults(func=cmd_members)

    p = sub.add_parser("import", help="从 .xlsx 文件批量导入会员（按证件号码新增或更新）")
    p.add_argument("file", metavar="FILE", help="填好的会员 Excel 文件（.xlsx）")
    p.add_argument("--category", required=True, choices=["linked_enterprise", "flexible", "outside_enterprise"],
                   help="会员类型：关联企业类、灵活就业类、企业外入会类")
    p.add_argument("--enterprise", metavar="NAME", help="关联企业名称（关联企业类必填）")
    p.add_argument("--dry-run", action="store_true", help="只校验、统计，不写入数据库")
    p.add_argument("--report", metavar="OUT.xlsx", help="有错误时把错误报告（原文件副本，标出错误单元格）存到此处")
    p.add_argument("--actor", default="cli", help=argparse.SUPPRESS)
    p.add_argument("--json", action="store_true", help="以一个 JSON 对象输出结果")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="把全部会员导出到 .xlsx（默认隐去证件号码和手机号码的中间几位）")
    p.add_argument("out", metavar="OUT.xlsx", help="导出文件的路径")
    p.add_argument("--full-ids", action="store_true", help="导出完整的证件号码和手机号码（请妥善保管文件）")
    p.add_argument("--json", action="store_true", help="以一个 JSON 对象输出结果")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("template", help="保存会员导入模板（.xlsx）")
    p.add_argument("out", metavar="OUT.xlsx", help="模板文件的路径")
    p.add_argument("--json", action="store_true", help="以一个 JSON 对象输出结果")
    p.set_defaults(func=cmd_template)

    _add_server_commands(sub)

    p = sub.add_parser("stats", help="业务工作台统计数字")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=cmd_stats)
    from app import cli_fees  # fees show|set, stats download, district notice

    cli_fees.add_stats_download(p)
    cli_fees.add_parsers(sub)
    _add_member_commands(sub)

    _add_module_commands(sub)
    return parser


def refuse(args: argparse.Namespace, exc: ClerkFacingError, **extra: object) -> int:
    """Tell the clerk why a command did not run: {"error", "action"} on stdout with --json, else a
    line on stderr. Exit 3 when no server answered, 2 for every other refusal."""
    if getattr(args, "json", False):
        print(json.dumps({**exc.as_dict(), **extra}, ensure_ascii=False))
    else:
        print(f"错误：{exc.message} {exc.action}".rstrip(), file=sys.stderr)
    return 3 if exc.offline else 2


def main(argv: list[str] | None = None) -> int:
    """Exit 0 done, 2 refused (a reason the clerk can fix), 3 offline, 1 a bug (logged); with
    --json every outcome is one JSON object, refusals and bugs as {"error", "action"}."""
    from app.services.errors import clerk_facing

    _ARGV[:] = list(argv if argv is not None else sys.argv[1:])
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:
        return 0
    except Exception as exc:
        known = clerk_facing(exc)
        if known is not None:
            return refuse(args, known)
        if not getattr(args, "json", False):
            raise
        import logging

        logging.getLogger("app.cli").error("unexpected error", exc_info=exc)
        print(json.dumps({"error": "程序出现意外错误，刚才的操作没有完成。",
                          "action": "请重试；如果问题重复出现，请把日志文件发给技术支持（12351）。"}, ensure_ascii=False))
        return 1


if __name__ == "__main__":
    sys.exit(main())

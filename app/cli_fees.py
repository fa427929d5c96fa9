"""union-clerk-cli fees show|set, stats download and district notice: 保障金额设置 and 参保批次管理's
downloads for IT staff. The profile must be signed in (`union-clerk-cli sync --server … --username …`)
with a district reviewer's or the center's account. With --json: one JSON object per line; exit 0
done, 2 refused (`error`, `action`, `problem`), 3 when no server answered.
"""
from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.protocol.fees import fee_line

#: What to do when the server refuses, by problem code.
ACTIONS: dict[str, str] = {
    "fee_window_closed": "区局(产业)工会只能在活动规定的调整时间内修改（fees show 的 window 给出起止日期）；"
                         "已过调整时间的，请联系市总工会（职保中心）。",
    "validation": "请改正金额：市总统一划拨＋区局/各级工会缴纳＋基层单位缴纳须等于参保费用，金额最多两位小数。",
    "union_scope": "保障金额设置、集中参保统计表和告知书只有区局(产业)工会或市总工会（职保中心）的账号可以办理。请用这样的账号登录。",
    "no_campaign": "请先由职保中心发布该保障年度的参保活动（union-server campaign create --file …）。",
    "auth_failed": "请重新运行 union-clerk-cli sync --server URL --username 账号 登录。",
    "token_expired": "请重新运行 union-clerk-cli sync --server URL --username 账号 登录。",
}


def _call(args: argparse.Namespace, fn: Callable[[Any], Any]) -> Any:
    from app.cli_accounts import call_server
    from app.sync.fees import FeesApi

    return call_server(args, FeesApi, fn, ACTIONS)


def _emit(args: argparse.Namespace, record: dict[str, Any], text: str) -> None:
    print(json.dumps(record, ensure_ascii=False) if args.json else text)


def cmd_fees_show(args: argparse.Namespace) -> int:
    table = _call(args, lambda api: api.fees(args.plan_year))
    for row in table["plan_types"]:
        record = {**row, "plan_year": table["plan_year"], "scope": table["scope"], "editable": table["editable"],
                  "window": table["window"]}
        _emit(args, record, fee_line(row))
    return 0


def cmd_fees_set(args: argparse.Namespace) -> int:
    values = {"fee": args.fee, "city": args.city, "district": args.district, "grassroots": args.grassroots,
              "valid_from": args.valid_from, "valid_to": args.valid_to}
    answer = _call(args, lambda api: api.set_fees(args.plan_type, args.plan_year, **values))
    row = next(p for p in answer["plan_types"] if p["plan_type"] == args.plan_type)
    record = {**row, "plan_year": answer["plan_year"], "scope": answer["scope"],
              "dropped_districts": answer.get("dropped_districts", [])}
    _emit(args, record, "已保存设置：" + fee_line(row))
    return 0


def cmd_stats_download(args: argparse.Namespace) -> int:
    from app.services.spreadsheets.statistics import save_statistics

    if not args.out:
        from app.rules.errors import ClerkFacingError

        raise ClerkFacingError("没有指定统计表的保存位置。", "请加 --out 文件名.xlsx 后重试。")
    table = _call(args, lambda api: api.statistics(args.plan_year))
    done = save_statistics(table, Path(args.out))
    t = done["totals"]
    _emit(args, done, f"集中参保统计表已保存到 {done['path']}：{done['rows']} 个基层工会，合计参保 {t['count']} 人"
                      f"（会员卡 {t['card']} 人，社保卡 {t['ss']} 人），保障费用 {t['fee']} 元")
    return 0


def cmd_district_notice(args: argparse.Namespace) -> int:
    from app.services.district import save_district_notice

    receipt = _call(args, lambda api: api.district_notice(args.batch))
    path = save_district_notice(receipt, Path(args.out))
    _emit(args, {**receipt, "notice": str(path)}, f"集中参保告知书（批次 {receipt['batch_no']}）已保存到 {path}")
    return 0


def _flags(p: argparse.ArgumentParser) -> None:
    from app.cli_superior import _json_flag

    p.add_argument("--plan-year", type=int, help="保障年度（默认：当前活动）")
    _json_flag(p)


def add_parsers(sub: Any) -> None:
    """Register `fees show|set` on union-clerk-cli's subcommands."""
    fees = sub.add_parser("fees", help="保障金额设置（区局(产业)工会：调整时间内的分担；职保中心：全市标准）").add_subparsers(
        dest="fees_command", required=True, metavar="ACTION", help="show | set")
    p = fees.add_parser("show", help="各保障类型的参保费用、市总统一划拨、区局/基层默认缴纳和有效期")
    _flags(p)
    p.set_defaults(func=cmd_fees_show)
    p = fees.add_parser("set", help="保存设置：一个保障类型的费用分担（三项之和须等于参保费用）")
    p.add_argument("--plan-type", required=True, choices=["A", "B", "A_PLUS", "B_PLUS"], help="保障类型")
    for flag, text in (("--district", "区局/各级工会默认缴纳（元/人）"), ("--grassroots", "基层单位默认缴纳（元/人）"),
                       ("--fee", "参保费用（元/人，仅职保中心）"), ("--city", "市总统一划拨（元/人，仅职保中心）"),
                       ("--valid-from", "有效期开始 YYYY-MM-DD（仅职保中心）"), ("--valid-to", "有效期结束 YYYY-MM-DD（仅职保中心）")):
        p.add_argument(flag, help=text)
    _flags(p)
    p.set_defaults(func=cmd_fees_set)


def add_stats_download(p: argparse.ArgumentParser) -> None:
    """`stats download --out F.xlsx`: the `stats` command's optional action (plain `stats` stays the
    workbench figures)."""
    p.add_argument("action", nargs="?", choices=["download"], help="download：下载集中参保统计表（.xlsx，需联网）")
    p.add_argument("--out", metavar="FILE.xlsx", help="统计表保存路径（download）")
    p.add_argument("--plan-year", type=int, help="保障年度（download；默认：当前活动）")
    p.add_argument("--allow-insecure", action="store_true", help=argparse.SUPPRESS)


def add_notice_parser(district: Any) -> None:
    """`district notice DISTRICT_BATCH --out F.pdf`: 下载集中参保告知书 again."""
    p = district.add_parser("notice", help="再次下载区局批次的集中参保告知书（PDF）")
    p.add_argument("batch", metavar="DISTRICT_BATCH")
    p.add_argument("--out", required=True, metavar="NOTICE.pdf", help="告知书保存路径")
    from app.cli_superior import _json_flag

    _json_flag(p)
    p.set_defaults(func=cmd_district_notice)

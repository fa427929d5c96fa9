"""union-clerk-cli query enrollment|coverage|payouts: 参保信息查询, 保障信息查询, 给付信息查询 on the
server, within the signed-in account's scope (a superior's subtree, a clerk's own union). One JSON
object a line per row with --json (document numbers masked, as in the app); --out saves the rows as
.xlsx and then prints {"exported", "count"}. Exit 2 refused, 3 offline."""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from app.rules.errors import ClerkFacingError
from app.services.queries import QUERIES


class OneOf(ClerkFacingError):
    message = "请给出 --id 证件号码 或 --batch 批次编号（二者选一）。"
    action = "例如：union-clerk-cli query coverage --batch 批次编号 --json"


def _api(args: argparse.Namespace) -> Any:
    from app.cli import _open
    from app.cli_superior import NotSignedIn
    from app.sync import account
    from app.sync.queries import QueryApi

    signed = account.resume(_open(args).root, allow_insecure=getattr(args, "allow_insecure", False))
    if signed is None:
        raise NotSignedIn()
    return QueryApi(signed.engine.client)


def _rows(args: argparse.Namespace) -> list[dict[str, Any]]:
    api = _api(args)
    if args.query_command == "enrollment":
        return list(api.enrollments(args.id_number, args.plan_year)["rows"])
    if args.query_command == "coverage":
        if bool(args.id) == bool(args.batch):
            raise OneOf()
        return list(api.coverage(id_number=args.id, batch_no=args.batch)["rows"])
    rows: list[dict[str, Any]] = []
    while True:
        page = api.payouts(args.id, args.plan_year, offset=len(rows), limit=5000)
        rows += page["rows"]
        if not page["rows"] or len(rows) >= page["total"]:
            return rows


def cmd_query(args: argparse.Namespace) -> int:
    from app.services.queries import export_query, table_rows

    rows = _rows(args)
    for row, cells in zip(rows, table_rows(args.query_command, rows)):
        print(json.dumps(row, ensure_ascii=False) if args.json else "\t".join(cells))
    if not rows and not args.json:
        print("没有查到记录（或不在本单位的查询范围内）。")
    if args.out:
        count = export_query(args.query_command, rows, Path(args.out))
        record = {"exported": str(args.out), "count": count}
        print(json.dumps(record, ensure_ascii=False) if args.json else f"已导出 {count} 行：{args.out}")
    return 0


def add_parsers(sub: Any) -> None:
    """Register `query enrollment|coverage|payouts` on union-clerk-cli's subcommands."""
    query = sub.add_parser("query", help="参保信息查询、保障信息查询、给付信息查询（需联网）").add_subparsers(
        dest="query_command", required=True, metavar="QUERY", help=" | ".join(QUERIES))
    p = query.add_parser("enrollment", help="参保信息查询：按证件号码查一个人历年的参保")
    p.add_argument("id_number", metavar="ID_NUMBER", help="证件号码")
    p.add_argument("--plan-year", type=int, help="只查这一保障年度")
    p = query.add_parser("coverage", help="保障信息查询：一个人（--id）或一个批次（--batch）的保障")
    p.add_argument("--id", metavar="ID_NUMBER", help="证件号码")
    p.add_argument("--batch", metavar="BATCH_NO", help="批次编号")
    p = query.add_parser("payouts", help="给付信息查询：本单位范围内已给付的理赔")
    p.add_argument("--id", metavar="ID_NUMBER", help="只查这个证件号码")
    p.add_argument("--plan-year", type=int, help="只查这一保障年度")
    for p in query.choices.values():
        p.add_argument("--out", metavar="FILE.xlsx", help="同时导出为 .xlsx（证件号码已隐去中间位）")
        p.add_argument("--json", action="store_true", help="每行输出一个 JSON 对象")
        p.add_argument("--allow-insecure", action="store_true", help=argparse.SUPPRESS)
        p.set_defaults(func=cmd_query)

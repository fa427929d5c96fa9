"""`union-server fees show|set --actor USERNAME`: 保障金额设置 on the server host, as the app's page does
it — the center's account sets the city-wide figures, a district's reviewer its own split (only
inside the campaign's fee window, by this server's clock). The actor's password comes from
UNION_SERVER_ACTOR_PASSWORD or is asked. Every change is audited as the actor's. `--json`: one JSON
object per line. Exit 0 done, 1 the actor's password is wrong, 2 refused (error, action, problem).
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

ACTION = "市总统一划拨＋区局/各级工会缴纳＋基层单位缴纳须等于参保费用；区局只能在调整时间内修改，过期请联系职保中心。"


def _print(args: argparse.Namespace, record: dict[str, Any], text: str) -> None:
    print(json.dumps(record, ensure_ascii=False) if args.json else text)


def cmd_fees(args: argparse.Namespace) -> int:
    from app.protocol.fees import fee_line
    from server.cli import _context
    from server.cli_accounts import WrongActor, _actor
    from server.db import session
    from server.problems import ProblemError
    from server.superior import fees

    ctx = _context(args)
    with session():
        try:
            actor = _actor(args)
            if args.action == "show":
                table = fees.show(ctx, actor, args.plan_year)
            else:
                if not args.plan_type:
                    print("fees set 需要 --plan-type。", file=sys.stderr)
                    return 2
                values = {k: v for k in ("fee", "city", "district", "grassroots", "valid_from", "valid_to")
                          if (v := getattr(args, k)) not in (None, "")}
                table = fees.set_split(ctx, actor, args.plan_type, values, args.plan_year)
        except WrongActor:
            print("账号或密码不正确。", file=sys.stderr)
            return 1
        except ProblemError as error:
            record = {"error": error.message, "action": ACTION, "problem": error.code}
            _print(args, record, f"错误：{error.message}")
            return 2
    for row in table["plan_types"]:
        if args.action == "show" or row["plan_type"] == args.plan_type:
            _print(args, {**row, "plan_year": table["plan_year"], "scope": table["scope"],
                          "editable": table["editable"]}, fee_line(row))
    return 0


def add_parser(add) -> None:  # type: ignore[no-untyped-def]
    """Register `fees` with server/cli.py's `add(name, help, func)`."""
    p = add("fees", "保障金额设置: show the fee table, or set a plan type's split (the center: city-wide; a "
            "district: its own, inside the fee window).", cmd_fees)
    p.add_argument("action", choices=["show", "set"])
    p.add_argument("--actor", required=True, help="the center's account or a district reviewer's account")
    p.add_argument("--plan-type", choices=["A", "B", "A_PLUS", "B_PLUS"], help="set: the plan type")
    for flag in ("--fee", "--city", "--district", "--grassroots"):
        p.add_argument(flag, help="set: yuan per person")
    p.add_argument("--valid-from", help="set (center): 有效期开始 YYYY-MM-DD")
    p.add_argument("--valid-to", help="set (center): 有效期结束 YYYY-MM-DD")
    p.add_argument("--plan-year", type=int, help="default: the current campaign")
    p.add_argument("--json", action="store_true", help="one JSON object per line")

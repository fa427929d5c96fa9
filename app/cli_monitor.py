"""union-clerk-cli monitor: 集中参保实时监控 for IT staff and scripted checks — the figures over the
signed-in superior account's scope (a district its subtree, the center the city), the unions behind
one figure, and the .xlsx export. Needs the server and a profile signed in by a reviewer or center
account. With --json one JSON object per line: the figures ({"kind": "figures", …}), one per day
({"kind": "day", …}) and per deadline ({"kind": "deadline", …}), then with --unions one per union
({"kind": "union", …}); exit 0 done, 2 refused (`error`, `action`), 3 no server answered.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from app.protocol.monitor import Figure


def _emit(args: argparse.Namespace, kind: str, record: dict[str, Any], text: str) -> None:
    print(json.dumps({"kind": kind, **record}, ensure_ascii=False) if args.json else text)


def cmd_monitor(args: argparse.Namespace) -> int:
    from app.cli_superior import _api
    from app.services import monitor as words

    from app.rules.errors import ClerkFacingError

    if (args.unions == Figure.DAY) != bool(args.day):
        raise ClerkFacingError("--day 只与 --unions day 一起使用，--unions day 也必须给出 --day。",
                               "例如：union-clerk-cli monitor --unions day --day 2025-12-01 --json")
    api = _api(args)
    data = api.monitor(args.plan_year)
    _emit(args, "figures", {k: v for k, v in data.items() if k not in ("days", "deadlines")}, words.heading(data))
    if not args.json:
        for tile in words.tiles(data):
            print(f"{tile.label}\t{tile.value}\t{tile.against}")
    for day in data["days"]:
        _emit(args, "day", day, f"{day['day']}\t{day['unions']}家\t会员卡 {day['enrolled_card']}人\t"
                                f"社保卡 {day['enrolled_ss']}人\t{day['fee']}元")
    for deadline in data["deadlines"]:
        _emit(args, "deadline", deadline, words.deadline_text(deadline))
    if args.unions or args.export:
        figure = args.unions or Figure.ALL
        behind = api.monitor_unions(figure, day=args.day, plan_year=data["plan_year"])
        if args.unions:
            for row in behind["unions"]:
                _emit(args, "union", row, "\t".join(str(words.union_cell(row, k)) for _, k in words.UNION_COLUMNS))
        if args.export:
            unions = behind["unions"] if figure == Figure.ALL and not args.day else api.monitor_unions(
                Figure.ALL, plan_year=data["plan_year"])["unions"]
            out = words.export_xlsx(data, unions, Path(args.export))
            _emit(args, "export", {"path": str(out), "unions": len(unions)}, f"已导出到 {out}")
    return 0


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("monitor", help="集中参保实时监控（区局(产业)工会：本区；职保中心：全市）")
    p.add_argument("--plan-year", type=int, help="保障年度（默认：当前活动）")
    p.add_argument("--unions", choices=[str(f) for f in Figure], metavar="FIGURE",
                   help="列出该指标背后的基层工会：" + " | ".join(str(f) for f in Figure))
    p.add_argument("--day", metavar="YYYY-MM-DD", help="与 --unions day 一起：当日提交的基层工会")
    p.add_argument("--export", metavar="FILE.xlsx", help="导出监控画面（概况、每日进度、截止日期、基层工会）")
    p.add_argument("--json", action="store_true", help="每行输出一个 JSON 对象")
    p.add_argument("--allow-insecure", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_monitor)

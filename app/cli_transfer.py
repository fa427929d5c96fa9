"""union-clerk-cli transfer out: 批量转移 (SPEC §5.10) from the command line.

    union-clerk-cli transfer out --to ORG --reason R MEMBER_ID… [--from ORG] [--json]

MEMBER_ID is a member's ID number or member number (会员编号) on this PC; with --from (a superior
union moving members between its grassroots unions) the ID numbers as given. The server moves the
members at once; this PC then pulls, so members transferred out of its union leave its list.
Output with --json: one object per member moved; exit 0 when done, 2 when refused (`error`,
`action`, `problem`, `detail`), 3 when no server answered.
"""
from __future__ import annotations

import argparse
import json
from typing import Any

from app.rules.errors import ClerkFacingError

#: What to do about each refusal a transfer can meet (the message says what happened).
ACTIONS: dict[str, str] = {
    "transfer_target": "请核对接收工会的组织代码（统一社会信用代码）后重试。",
    "transfer_under_review": "请等审核完成、批次退回或会员卡办好后再转移。",
    "not_found": "请先同步，并核对证件号码是否为转出工会的会员。",
    "union_scope": "请用转出工会或其共同上级工会的账号操作。",
    "member_elsewhere": "请联系其原工会办理转移（批量转移）。",
    "validation": "请按提示改正后重试。",
}


class NotSignedIn(ClerkFacingError):
    message = "本档案尚未登录或登录已失效，批量转移需要联网。"
    action = "请先运行 union-clerk-cli sync --server URL --username 账号 登录。"


def _id_numbers(union_id: int | None, given: list[str]) -> list[str]:
    """Each MEMBER_ID as an ID number: a local member's (by ID number or 会员编号), else as given."""
    from app.models import Member

    out = []
    for raw in given:
        text = raw.strip()
        member = None
        if union_id is not None:
            member = Member.get_or_none((Member.union == union_id)
                                        & ((Member.id_number == text.upper()) | (Member.member_no == text)))
        out.append(member.id_number if member is not None else text.upper())
    return out


def _refused(args: argparse.Namespace, exc: Any) -> int:
    from app.cli import refuse

    error = ClerkFacingError(exc.message, ACTIONS.get(exc.problem, "请按提示处理后重试。"))
    return refuse(args, error, problem=exc.problem, detail=exc.detail)


def cmd_transfer_out(args: argparse.Namespace) -> int:
    from app.cli import _open
    from app.sync import account
    from app.sync.client import ServerProblem
    from app.sync.engine import SyncReport
    from app.sync.transfers import request_transfer

    profile = _open(args)
    signed = account.resume(profile.root, allow_insecure=args.allow_insecure)
    if signed is None:
        raise NotSignedIn()
    numbers = _id_numbers(None if args.source else signed.engine.union_id, args.members)
    try:
        answer = request_transfer(signed.engine.client, to_union=args.to, reason=args.reason, id_numbers=numbers,
                                  from_union=args.source)
    except ServerProblem as exc:
        return _refused(args, exc)
    pulled = True
    try:
        signed.engine.pull(SyncReport())  # members transferred out leave this PC now
    except ClerkFacingError:
        pulled = False  # the transfer is done; the next sync removes them
    for number in answer["transferred"]:
        record = {"id_number": number, "status": "transferred", "from_union": answer["from_union"],
                  "to_union": answer["to_union"], "pulled": pulled}
        text = f"{number}：已转移至 {answer['to_union']}"
        print(json.dumps(record, ensure_ascii=False) if args.json else text)
    if answer.get("phone_cleared") and not args.json:
        print(f"其中 {answer['phone_cleared']} 人的手机号码与接收工会其他会员重复，已在接收工会清空，需由接收工会补填。")
    return 0


def add_parsers(sub: Any) -> None:
    """Register `transfer out` on union-clerk-cli's subcommands."""
    transfer = sub.add_parser("transfer", help="批量转移：把会员转到其他基层工会（需联网）").add_subparsers(
        dest="transfer_command", required=True, metavar="ACTION", help="out")
    p = transfer.add_parser("out", help="把会员转出到组织代码为 ORG 的基层工会（参保审核中的会员不能转移）")
    p.add_argument("--to", required=True, metavar="ORG", help="接收工会的组织代码")
    p.add_argument("--reason", required=True, metavar="R", help="转移原因")
    p.add_argument("--from", dest="source", metavar="ORG", help="转出工会的组织代码（上级工会在所辖工会之间转移时用）")
    p.add_argument("members", nargs="+", metavar="MEMBER_ID", help="证件号码或会员编号")
    p.add_argument("--json", action="store_true", help="每行输出一个 JSON 对象")
    p.add_argument("--allow-insecure", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_transfer_out)

"""union-clerk-cli withdrawal request|list|approve|refuse|local: 撤销办卡批次 (a grassroots clerk asks
to withdraw a card batch whose cards are not made yet) and 撤销办卡批次审核 (its district approves or
refuses). Online only, except `local` (what this PC kept from the last sync); one JSON object a
line with --json; exit 2 refused, 3 offline."""
from __future__ import annotations

import argparse
import json
from typing import Any


def _api(args: argparse.Namespace) -> Any:
    from app.cli import _open
    from app.cli_superior import NotSignedIn
    from app.sync import account
    from app.sync.withdrawals import WithdrawalApi

    signed = account.resume(_open(args).root, allow_insecure=getattr(args, "allow_insecure", False))
    if signed is None:
        raise NotSignedIn()
    return signed, WithdrawalApi(signed.engine.client)


def _line(args: argparse.Namespace, w: dict[str, Any]) -> None:
    text = (f"{w['id']}\t{w['batch_no']}\t{w['union']['name']}\t{w['member_count']}人\t{w['status_label']}\t"
            f"{w['reason']}{'；' + w['decision_reason'] if w.get('decision_reason') else ''}")
    print(json.dumps(w, ensure_ascii=False) if args.json else text)


def cmd_local(args: argparse.Namespace) -> int:
    """What this PC knows of its 申请撤销 since the last sync (offline): each card batch asked for."""
    from app.cli import _open, _union_id
    from app.services import cards

    _open(args)
    for b in cards.card_batches(_union_id()):
        if b.withdrawal:
            row = {"batch_no": b.batch_no, "batch_status": b.status, "status": b.withdrawal,
                   "status_label": b.withdrawal_label, "reason": b.withdrawal_reason,
                   "decision_reason": b.withdrawal_answer or None}
            print(json.dumps(row, ensure_ascii=False) if args.json
                  else f"{b.batch_no}\t{b.status_label}\t{b.withdrawal_text}")
    return 0


def cmd_withdrawal(args: argparse.Namespace) -> int:
    if args.withdrawal_command == "local":
        return cmd_local(args)
    signed, api = _api(args)
    action = args.withdrawal_command
    if action == "list":
        for w in api.listing("" if args.status == "all" else args.status)["withdrawals"]:
            _line(args, w)
        return 0
    if action == "request":
        answer = api.request(args.batch, args.reason)
    elif action == "approve":
        answer = api.approve(args.id)
    else:
        answer = api.refuse(args.id, args.reason)
    if action == "request":
        from app.rules.errors import ClerkFacingError
        from app.sync.engine import SyncReport

        try:
            signed.engine.pull(SyncReport())  # the batch's state on this PC now
        except ClerkFacingError:
            pass  # the request is made; the next sync brings the state
    _line(args, answer)
    return 0


def add_parsers(sub: Any) -> None:
    """Register `withdrawal request|list|approve|refuse` on union-clerk-cli's subcommands."""
    top = sub.add_parser("withdrawal", help="撤销办卡批次（基层）与撤销办卡批次审核（区局）（需联网）").add_subparsers(
        dest="withdrawal_command", required=True, metavar="ACTION", help="request | list | approve | refuse | local")
    p = top.add_parser("request", help="申请撤销尚未发卡的办卡批次（由区局(产业)工会审核）")
    p.add_argument("batch", metavar="BATCH_NO", help="办卡批次编号")
    p.add_argument("--reason", required=True, help="撤销原因")
    p = top.add_parser("list", help="区局：待审核的撤销申请；基层：本单位的撤销申请")
    p.add_argument("--status", choices=["pending", "approved", "refused", "all"], default="pending")
    p = top.add_parser("approve", help="同意撤销：批次撤销，其中会员可重新申请办卡")
    p.add_argument("id", type=int, metavar="ID", help="撤销申请的编号（list 的第一列）")
    p = top.add_parser("refuse", help="不同意撤销（写明原因，基层可见），照常制卡")
    p.add_argument("id", type=int, metavar="ID", help="撤销申请的编号")
    p.add_argument("--reason", required=True, help="不同意的原因")
    top.add_parser("local", help="基层：本机上次同步所知的撤销申请（撤销审核中、已撤销、不同意撤销及原因；无需联网）")
    for p in top.choices.values():
        p.add_argument("--json", action="store_true", help="每行输出一个 JSON 对象")
        p.add_argument("--allow-insecure", action="store_true", help=argparse.SUPPRESS)
        p.set_defaults(func=cmd_withdrawal)

"""`union-server account list|create|reset|lock|unlock`: IT staff manage accounts on the server host.

Without `--actor` the command acts as IT (`union-server` in the audit) on any union; with
`--actor USERNAME` it acts as that superior union's account — its password from
UNION_SERVER_ACTOR_PASSWORD or asked — and only on the unions below it, like the app's
账号管理 page. A password the server generates is printed once (UNION_SERVER_NEW_PASSWORD sets one
instead); the account must choose its own at its next login. `--json`: one JSON object per line.
Exit 0 done, 1 the actor's password is wrong, 2 refused (with the reason).
"""
from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from typing import Any

from app.protocol.accounts import DONE_LABELS, MAX_ACCOUNTS_PAGE, account_line, changed_text


class WrongActor(Exception):
    """The --actor account's password did not match."""


def _actor(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The acting superior account (None: IT), its password checked (WrongActor)."""
    from server.models import User
    from server.security import verify_password

    if not args.actor:
        return None
    password = os.environ.get("UNION_SERVER_ACTOR_PASSWORD")
    if password is None:
        password = getpass.getpass(f"请输入上级工会账号 {args.actor} 的密码：")
    actor = User.get_or_none(User.username == args.actor)
    if actor is None or not verify_password(password, actor.password_hash):
        raise WrongActor()
    return actor


def _line(args: argparse.Namespace, record: dict[str, Any], text: str) -> None:
    print(json.dumps(record, ensure_ascii=False) if args.json else text)


def _run(args: argparse.Namespace, ctx, actor) -> int:  # type: ignore[no-untyped-def]
    from server import account_admin as admin

    given = os.environ.get("UNION_SERVER_NEW_PASSWORD") or None
    if args.action == "list":
        offset = 0
        while True:
            page = admin.list_accounts(ctx, actor, union=args.union, text=args.query or "", offset=offset,
                                       limit=MAX_ACCOUNTS_PAGE)
            for row in page["accounts"]:
                _line(args, row, account_line(row))
            offset += len(page["accounts"])
            if not page["accounts"] or offset >= page["total"]:
                return 0
    if args.action == "create":
        answer = admin.create_account(ctx, actor, union=args.union or "", username=args.username,
                                      display_name=args.display_name, role=args.role or "", password=given)
    elif args.action == "reset":
        answer = admin.reset_password(ctx, actor, args.username, given)
    elif args.action == "lock":
        answer = admin.lock(ctx, actor, args.username, args.reason or "")
    else:
        answer = admin.unlock(ctx, actor, args.username)
    _line(args, answer, changed_text(answer, DONE_LABELS[args.action]))
    return 0


def cmd_account(args: argparse.Namespace) -> int:
    from server.cli import _context
    from server.db import session
    from server.problems import ProblemError

    ctx = _context(args)
    if args.action == "create" and not args.union:
        print("新建账号需要 --union（下级工会的组织机构代码）。", file=sys.stderr)
        return 2
    if args.action != "list" and not args.username:
        print(f"account {args.action} 需要账号名。", file=sys.stderr)
        return 2
    with session():
        try:
            return _run(args, ctx, _actor(args))
        except WrongActor:
            print("上级工会账号或密码不正确。", file=sys.stderr)
            return 1
        except ProblemError as error:
            record = {"error": error.message, "action": "请核对账号或组织机构代码；只能管理本工会下级工会的账号。",
                      "problem": error.code}
            if args.json:
                print(json.dumps(record, ensure_ascii=False))
            else:
                print(f"错误：{error.message}", file=sys.stderr)
            return 2


def add_parser(add) -> None:  # type: ignore[no-untyped-def]
    """Register `account` with server/cli.py's `add(name, help, func)`."""
    p = add("account", "Manage subordinate unions' accounts: list, create, reset a password (generated and "
            "printed once), lock, unlock (also clears the failed-login throttling).", cmd_account)
    p.add_argument("action", choices=["list", "create", "reset", "lock", "unlock"])
    p.add_argument("username", nargs="?", help="the account (create, reset, lock, unlock)")
    p.add_argument("--union", help="org code: the union to list, or the union of a new account")
    p.add_argument("--query", help="list: match account, name, union name or org code")
    p.add_argument("--display-name", default="", help="create: the person's name")
    p.add_argument("--role", choices=["clerk", "reviewer"], help="create: default clerk (grassroots) or reviewer")
    p.add_argument("--reason", help="lock: why (kept in the audit)")
    p.add_argument("--actor", help="act as this superior union's account (default: IT on the server host)")
    p.add_argument("--json", action="store_true", help="one JSON object per line")

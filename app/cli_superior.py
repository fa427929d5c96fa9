"""union-clerk-cli's superior-side commands (IT staff, scripted checks): review, district, voucher,
center. They need the server: a profile signed in with `union-clerk-cli sync --server … --username …`
by a reviewer or center account. Output with --json is one JSON object per line; exit 0 when done,
2 when refused (`error` and `action`), 3 when no server answered.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from app.rules.errors import ClerkFacingError


class NotSignedIn(ClerkFacingError):
    message = "本档案尚未登录或登录已失效。"
    action = "请先运行 union-clerk-cli sync --server URL --username 账号 登录上级工会或职保中心的账号。"


def _api(args: argparse.Namespace) -> Any:
    from app.cli import _open
    from app.sync import account
    from app.sync.superior import SuperiorApi

    profile = _open(args)
    signed = account.resume(profile.root, allow_insecure=getattr(args, "allow_insecure", False))
    if signed is None:
        raise NotSignedIn()
    return SuperiorApi(signed.engine.client)


def _emit(args: argparse.Namespace, record: dict[str, Any], text: str) -> None:
    print(json.dumps(record, ensure_ascii=False) if args.json else text)


def cmd_review_list(args: argparse.Namespace) -> int:
    api = _api(args)
    filters = {"name": args.name, "org_code": args.org_code, "plan_type": args.plan_type, "channel": args.channel,
               "kind": args.kind,
               "received_from": args.received_from, "received_to": args.received_to, "parent": args.parent}
    offset = 0
    while True:
        page = api.review_list(args.status, offset=offset, limit=1000, **filters)
        for row in page["batches"]:
            _emit(args, row, f"{row['batch_no']}\t{row['union']['name']}\t{row['plan_type']}\t{row['member_count']}人\t"
                             f"{row['channel']}\t{row['totals']['fee']}元\t{row.get('review_mark_label') or ''}")
        offset += len(page["batches"])
        if not page["batches"] or offset >= page["total"]:
            return 0


def cmd_review_approve(args: argparse.Namespace) -> int:
    answer = _api(args).approve(args.batches)
    for result in answer["results"]:
        text = (f"{result['batch_no']}：已审核通过" if result["status"] == "ok"
                else f"{result['batch_no']}：未通过——{result['message']}")
        _emit(args, result, text)
    return 0 if answer["approved"] == len(answer["results"]) else 2


def cmd_review_return(args: argparse.Namespace) -> int:
    record = _api(args).return_batch(args.batch, args.reason)
    _emit(args, record, f"{record['batch_no']}：已退回（{record['return_reason']}）")
    return 0


def cmd_review_remove(args: argparse.Namespace) -> int:
    record = _api(args).remove(args.batch)
    _emit(args, record, f"{record['batch_no']}：已移出待提交列表")
    return 0


def cmd_district_totals(args: argparse.Namespace) -> int:
    totals = _api(args).district_totals(args.plan_year)
    _emit(args, totals, totals["line"])
    return 0


def cmd_district_submit(args: argparse.Namespace) -> int:
    from app.services.district import save_district_notice

    api = _api(args)
    receipt = api.district_submit(args.handler_name, args.handler_phone, args.plan_year)
    path = save_district_notice(receipt, Path(args.out))
    _emit(args, {**receipt, "notice": str(path)},
          f"已提交至职保中心：批次 {receipt['batch_no']}，参保资金总额 {receipt['amount']} 元；告知书已保存到 {path}")
    return 0


def cmd_voucher_upload(args: argparse.Namespace) -> int:
    record = _api(args).voucher_upload(args.batch, Path(args.file))
    _emit(args, record, f"缴费凭证已上传到批次 {args.batch}，等待职保中心审核")
    return 0


def cmd_center_vouchers(args: argparse.Namespace) -> int:
    for row in _api(args).center_batches(args.status):
        _emit(args, row, f"{row['batch_no']}\t{row['union']['name']}\t{row['status_label']}\t"
                         f"{row['amount']}元\t凭证 {len(row['vouchers'])} 张")
    return 0


def cmd_center_decide(args: argparse.Namespace) -> int:
    api = _api(args)
    if args.decision == "accept":
        record = api.center_accept(args.batch)
    else:
        if not (args.reason or "").strip():
            raise ClerkFacingError("驳回缴费凭证必须填写原因。", "请加 --reason 原因 后重试。")
        record = api.center_reject(args.batch, args.reason)
    _emit(args, record, f"{record['batch_no']}：{record['status_label']}")
    return 0


def _json_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="每行输出一个 JSON 对象")
    p.add_argument("--allow-insecure", action="store_true", help=argparse.SUPPRESS)


def _review_parsers(sub: Any) -> None:
    review = sub.add_parser("review", help="集中参保审核（二级工会、区局(产业)工会）").add_subparsers(
        dest="review_command", required=True, metavar="ACTION", help="list | approve | return | remove")
    p = review.add_parser("list", help="待审批参保列表（--status ready：区局的待提交参保列表）")
    p.add_argument("--status", choices=["pending", "ready"], default="pending", help="pending 待审批（默认）或 ready 待提交")
    for flag, text in (("--name", "单位名称包含"), ("--org-code", "组织机构代码"), ("--plan-type", "保障类型 A/B/A_PLUS/B_PLUS"),
                       ("--channel", "参保通道 card/ss"), ("--received-from", "提交时间起 YYYY-MM-DD"),
                       ("--received-to", "提交时间止 YYYY-MM-DD"), ("--parent", "上级工会的组织机构代码")):
        p.add_argument(flag, help=text)
    p.add_argument("--kind", choices=["central", "instant"], help="central 集中参保 / instant 即时参保审核（两类即时参保）")
    _json_flag(p)
    p.set_defaults(func=cmd_review_list)
    p = review.add_parser("approve", help="审核通过 / 添加至待提交（可一次多个批次）")
    p.add_argument("batches", nargs="+", metavar="BATCH", help="批次编号")
    _json_flag(p)
    p.set_defaults(func=cmd_review_approve)
    p = review.add_parser("return", help="退回批次（必须填写原因，基层经办人同步后可见）")
    p.add_argument("batch", metavar="BATCH")
    p.add_argument("--reason", required=True, help="退回原因")
    _json_flag(p)
    p.set_defaults(func=cmd_review_return)
    p = review.add_parser("remove", help="从待提交列表移除，回到待审批（区局）")
    p.add_argument("batch", metavar="BATCH")
    _json_flag(p)
    p.set_defaults(func=cmd_review_remove)


def _district_parsers(sub: Any) -> None:
    district = sub.add_parser("district", help="区局(产业)工会：待提交合计、提交至职保中心").add_subparsers(
        dest="district_command", required=True, metavar="ACTION", help="totals | submit | notice")
    p = district.add_parser("totals", help="待提交参保列表的合计行")
    p.add_argument("--plan-year", type=int, help="保障年度（默认：当前活动）")
    _json_flag(p)
    p.set_defaults(func=cmd_district_totals)
    p = district.add_parser("submit", help="提交列表中的参保信息至职保中心（仅在提交时间段内；提交后不能修改）")
    p.add_argument("--handler-name", required=True, help="经办人姓名")
    p.add_argument("--handler-phone", required=True, help="经办人手机号码")
    p.add_argument("--out", required=True, metavar="NOTICE.pdf", help="区局告知书保存路径")
    p.add_argument("--plan-year", type=int, help="保障年度（默认：当前活动）")
    _json_flag(p)
    p.set_defaults(func=cmd_district_submit)
    from app.cli_fees import add_notice_parser

    add_notice_parser(district)
    voucher = sub.add_parser("voucher", help="缴费凭证（区局(产业)工会）").add_subparsers(
        dest="voucher_command", required=True, metavar="ACTION", help="upload")
    p = voucher.add_parser("upload", help="上传缴费凭证照片（JPEG/PNG）到区局批次")
    p.add_argument("batch", metavar="DISTRICT_BATCH")
    p.add_argument("file", metavar="FILE")
    _json_flag(p)
    p.set_defaults(func=cmd_voucher_upload)


def _center_parsers(sub: Any) -> None:
    center = sub.add_parser("center", help="职保中心：区局批次与缴费凭证审核").add_subparsers(
        dest="center_command", required=True, metavar="ACTION", help="vouchers | accept | reject")
    p = center.add_parser("vouchers", help="区局批次及其缴费凭证")
    p.add_argument("--status", choices=["center_review", "completed", "not_accepted"], help="只列出该状态")
    _json_flag(p)
    p.set_defaults(func=cmd_center_vouchers)
    for decision, text in (("accept", "确认缴费凭证：区局批次已完成"), ("reject", "驳回缴费凭证（须填写原因）")):
        p = center.add_parser(decision, help=text)
        p.add_argument("batch", metavar="DISTRICT_BATCH")
        p.add_argument("--reason", help="驳回原因（reject 必填）")
        _json_flag(p)
        p.set_defaults(func=cmd_center_decide, decision=decision)


def add_parsers(sub: Any) -> None:
    """Register review, district, voucher and center on union-clerk-cli's subcommands."""
    _review_parsers(sub)
    _district_parsers(sub)
    _center_parsers(sub)


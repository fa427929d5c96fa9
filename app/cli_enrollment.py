"""The enrollment workflow as union-clerk-cli commands, for both channels (issue #14):
`enroll`, `ss-check`, `confirm`, `retirement`, `batches`, `notice`.

A thin layer over the services, like the rest of the CLI. With --json each command prints one JSON
object per line (a line per batch for `batches`); exit 0 done, 2 refused (`error` + `action`), 3 no
server answered. Commands that make something for the server (a submission, a check request,
confirmations) keep it in the outbox first and then send it at once: offline, the answer says it
is queued (exit 3) and the next `sync` sends it.
"""
from __future__ import annotations

import argparse
import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.paths import Profile
from app.rules.errors import ClerkFacingError

#: The CLI's names of the enrollment kinds (issue #14) → the services' codes.
KINDS = {"central": "central", "carded_unprotected": "instant_carded", "newly_carded": "instant_new_card"}
KIND_NAMES = {code: name for name, code in KINDS.items()}
PLAN_TYPES = ("A", "B", "A_PLUS", "B_PLUS")
COUNT_NAMES = ("submitted", "retired", "deceased", "pending", "awaiting_check", "flagged")


def _cli():  # the base CLI (profile, union, refusals); imported late: it imports this module
    from app import cli

    return cli


def _print(args: argparse.Namespace, payload: dict[str, Any], text: str) -> None:
    if args.json:
        print(json.dumps(payload, ensure_ascii=False, default=str))
    else:
        print(text)


def _money(amount: Decimal) -> str:
    from app.protocol import money

    return money(amount)


def _send(profile: Profile) -> ClerkFacingError | None:
    """Send what waits in the outbox and pull the answers; the reason it could not, or None."""
    from app.services.errors import ClerkError, clerk_facing
    from app.sync import account

    try:
        signed = account.resume(profile.root)
        if signed is None:
            return ClerkError("已保存在本机，但本档案尚未登录，未能发送。",
                              "请运行 sync --server URL --username 账号 登录后发送。")
        signed.engine.sync()
    except Exception as exc:  # a bug is re-raised below
        known = clerk_facing(exc)
        if known is None:
            raise
        return known
    return None


def _finish(args: argparse.Namespace, payload: dict[str, Any], text: str, problem: ClerkFacingError | None) -> int:
    """The answer of a command whose work was kept locally and then sent (or not)."""
    payload["sent"] = problem is None
    if problem is not None:
        payload.update(problem.as_dict())
        text = f"{text}\n{problem.message} {problem.action}".rstrip()
    _print(args, payload, text)
    if problem is None:
        return 0
    return 3 if problem.offline else 2


def _member_ids(union_id: int, given: list[str]) -> list[int]:
    """Members by ID number or member number; an unknown one is refused by name."""
    from app.models import Member
    from app.services.errors import NotFound

    out = []
    for raw in given:
        text = raw.strip()
        m = Member.get_or_none((Member.union == union_id)
                               & ((Member.id_number == text.upper()) | (Member.member_no == text)))
        if m is None:
            raise NotFound(f"本工会没有证件号码或会员编号为 {text} 的会员。", "请核对后重试（可用 members --json 查看）。")
        out.append(int(m.id))
    return out


def _plan_year(args: argparse.Namespace) -> int:
    from app.services.campaign import require_campaign

    return args.plan_year or require_campaign().plan_year


# ---- enroll -------------------------------------------------------------------------------------

def _chosen_blocked(union_id: int, year: int, channel: str, ids: list[int], listed: set[int]) -> list[dict[str, str]]:
    """Why members named with --members are not in the roster (each by name)."""
    from app.services.enrollment import candidates

    missing = set(ids) - listed
    if not missing:
        return []
    return [{"code": c.reason or c.retirement or "not_listed", "message": f"{c.name}：{c.reason_text or '不在本名单中'}"}
            for c in candidates(union_id, year, channel) if c.id in missing]


def _draft_answer(args: argparse.Namespace, d: Any, counts: Any, blocked: list[dict[str, str]]) -> dict[str, Any]:
    t = d.totals
    return {"plan_year": d.plan_year, "channel": d.channel, "kind": args.kind, "plan_type": d.plan_type,
            "eligible": t.count, "fee": _money(t.fee), "city_share": _money(t.city),
            "district_share": _money(t.district), "grassroots_share": _money(t.grassroots),
            "counts": {name: getattr(counts, name) for name in COUNT_NAMES}, "blocked": blocked}


def cmd_enroll(args: argparse.Namespace) -> int:
    from app.models import Batch, Setting
    from app.services import enrollment
    from app.services.enrollment_batches import STATUS_LABELS
    from app.services.errors import ClerkError

    cli = _cli()
    profile = cli._open(args)
    union_id = cli._union_id()
    year = _plan_year(args)
    ids = None if args.members in (None, "all") else _member_ids(union_id, args.members.split(","))
    d = enrollment.draft(union_id, year, args.plan_type, channel=args.channel, kind=KINDS[args.kind], member_ids=ids)
    blocked = [{"code": p.code, "message": p.message} for p in d.blocking]
    if ids is not None:
        blocked += _chosen_blocked(union_id, year, args.channel, ids, {r.member_id for r in d.rows})
    answer = _draft_answer(args, d, enrollment.count(union_id, year, args.channel), blocked)
    if args.dry_run:
        _print(args, {**answer, "dry_run": True}, f"{d.header}\n" + "\n".join(f"  - {b['message']}" for b in blocked))
        return 0
    if blocked:
        raise ClerkError(blocked[0]["message"], "请处理后重试（先用 --dry-run 查看 blocked）。")
    fingerprint = Setting.get_or_none(Setting.key == "device_fingerprint")
    sent = enrollment.submit(d, actor=args.actor, documents=profile.documents,
                             fingerprint=fingerprint.value if fingerprint else "")
    problem = _send(profile)
    batch = Batch.get(Batch.batch_no == sent.batch_no)
    payload = {**answer, "batch_no": sent.batch_no, "count": sent.count, "notice": str(sent.notice_path),
               "status": batch.status, "status_label": STATUS_LABELS.get(batch.status, batch.status)}
    if problem is None and batch.status == "refused":
        problem = ClerkError(f"上级工会服务器未受理批次 {sent.batch_no}：{batch.problem}", "请按提示改正后重新提交。")
    return _finish(args, payload, f"已提交批次 {sent.batch_no}，{sent.count} 人，告知书：{sent.notice_path}", problem)


# ---- ss-check, confirm, retirement --------------------------------------------------------------

def cmd_ss_check(args: argparse.Namespace) -> int:
    from app.services import ss_channel

    cli = _cli()
    profile = cli._open(args)
    asked = ss_channel.request_check(cli._union_id(), _plan_year(args), actor=args.actor)
    problem = _send(profile) if asked.count else None
    text = (f"已申请获取 {asked.count} 人的社保卡和就业状态（{asked.asked_text}）。{ss_channel.CHECKING_TEXT}"
            if asked.count else "没有需要校验的会员。")
    return _finish(args, {"queued": asked.count, "asked_at": asked.asked_at.isoformat() + "Z",
                          "message": ss_channel.CHECKING_TEXT if asked.count else text}, text, problem)


def cmd_confirm(args: argparse.Namespace) -> int:
    from app.services import confirmations

    cli = _cli()
    profile = cli._open(args)
    union_id = cli._union_id()
    year = _plan_year(args)
    ids = None if args.all else _member_ids(union_id, args.id)
    done = confirmations.confirm(union_id, ids, actor=args.actor, plan_year=year)
    supplementary = bool(done) and confirmations.needs_supplementary(union_id, year)
    problem = _send(profile) if done else None
    text = f"已确认 {done} 人。" + ("本年度已提交过集中参保，请再提交一次（补充提交）。" if supplementary else "")
    return _finish(args, {"confirmed": done, "supplementary": supplementary}, text, problem)


def cmd_retirement(args: argparse.Namespace) -> int:
    from app.services import enrollment
    from app.services.errors import ClerkError

    cli = _cli()
    cli._open(args)
    union_id = cli._union_id()
    year = _plan_year(args)
    try:
        retired_on = date.fromisoformat(args.retired_on) if args.retired_on else None
    except ValueError:
        raise ClerkError(f"退休日期“{args.retired_on}”的格式不对。", "请写成 2025-10-31 这样的格式。") from None
    answer = "retired" if retired_on else "working"
    ids = _member_ids(union_id, args.id)
    settled = enrollment.settle_retirements([(i, answer, retired_on) for i in ids], plan_year=year, actor=args.actor)
    _print(args, {"settled": settled, "plan_year": year, "answer": answer,
                  "retired_on": retired_on.isoformat() if retired_on else None},
           f"已为 {settled} 人记录{year}年度的回答：" + (f"已退休（{retired_on}）" if retired_on else "仍在职"))
    return 0


# ---- batches, notice ----------------------------------------------------------------------------

def cmd_batches(args: argparse.Namespace) -> int:
    from app.services.enrollment_batches import batches

    cli = _cli()
    cli._open(args)
    for b in batches(cli._union_id(), channel=args.channel):
        record = {"batch_no": b.batch_no, "channel": b.channel, "kind": KIND_NAMES.get(b.kind, b.kind),
                  "plan_year": b.plan_year, "plan_type": b.plan_type, "count": b.member_count, "status": b.status,
                  "status_label": b.status_label, "review_mark": b.review_mark,
                  "review_mark_label": b.review_mark_label, "reason": b.return_reason or b.problem,
                  "submitted_at": b.submitted_at, "updated_at": b.updated_at, "replaces": b.replaces}
        _print(args, record, f"{b.batch_no}  {b.kind_label}  {b.channel}  {b.member_count}人  {b.status_label}"
                             + (f"  审核标识：{b.review_mark_label}" if b.review_mark_label else "")
                             + (f"（{record['reason']}）" if record["reason"] else ""))
    return 0


def cmd_notice(args: argparse.Namespace) -> int:
    from app.models import Batch
    from app.services.errors import NotFound

    cli = _cli()
    cli._open(args)
    b = Batch.get_or_none((Batch.union == cli._union_id()) & (Batch.batch_no == args.batch_no))
    if b is None:
        raise NotFound(f"没有批次 {args.batch_no}。", "请用 batches --json 查看本工会的批次编号。")
    if not b.notice_path or not Path(b.notice_path).is_file():
        raise NotFound(f"批次 {args.batch_no} 的告知书文件不在本机（{b.notice_path or '未保存'}）。",
                       "请在“参保批次管理”中重新下载告知书，或从备份中恢复。")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(b.notice_path, out)
    _print(args, {"batch_no": b.batch_no, "notice": str(out)}, f"告知书已保存到 {out}")
    return 0


# ---- the parser ---------------------------------------------------------------------------------

def _common(p: argparse.ArgumentParser, *, plan_year: bool = True) -> None:
    if plan_year:
        p.add_argument("--plan-year", type=int, help="保障年度（默认：本机缓存的参保活动的年度）")
    p.add_argument("--actor", default="cli", help=argparse.SUPPRESS)
    p.add_argument("--json", action="store_true", help="以 JSON 输出（每行一个对象）")


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("enroll", help="集中参保/即时参保：--dry-run 查看名单人数、费用和阻碍，否则提交至上级审核")
    p.add_argument("--channel", required=True, choices=["card", "ss"], help="card 会员卡参保，ss 社保卡参保")
    p.add_argument("--kind", default="central", choices=list(KINDS), help="central 集中参保（默认），"
                   "carded_unprotected 有卡无保即时参保，newly_carded 新办卡即时参保")
    p.add_argument("--plan-type", required=True, choices=PLAN_TYPES, help="保障类型（同一保障年度只能选一个）")
    p.add_argument("--members", metavar="all|ID,ID…", help="提交哪些会员：all（默认）或逗号分隔的证件号码/会员编号")
    p.add_argument("--dry-run", action="store_true", help="只计算，不提交")
    _common(p)
    p.set_defaults(func=cmd_enroll)

    p = sub.add_parser("ss-check", help="获取社保卡和就业状态：为待校验的会员申请校验（离线时排队，退出码 3）")
    _common(p)
    p.set_defaults(func=cmd_ss_check)

    p = sub.add_parser("confirm", help="集中参保待确认名单：确认（确认后不能撤销）")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--all", action="store_true", help="全部确认")
    group.add_argument("--id", nargs="+", metavar="ID", help="要确认的会员的证件号码或会员编号")
    _common(p)
    p.set_defaults(func=cmd_confirm)

    p = sub.add_parser("retirement", help="回答退休标记：仍在职，或已退休及退休日期（只对该保障年度有效）")
    p.add_argument("--id", nargs="+", required=True, metavar="ID", help="会员的证件号码或会员编号")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--still-working", action="store_true", help="仍在职")
    group.add_argument("--retired-on", metavar="YYYY-MM-DD", help="已退休，退休日期")
    _common(p)
    p.set_defaults(func=cmd_retirement)

    p = sub.add_parser("batches", help="参保批次：批次编号、通道、类型、人数、状态、退回原因（每行一个 JSON）")
    p.add_argument("--channel", choices=["card", "ss"], help="只列出一个通道的批次")
    _common(p, plan_year=False)
    p.set_defaults(func=cmd_batches)

    p = sub.add_parser("notice", help="把批次的告知书（PDF）保存到文件")
    p.add_argument("batch_no", metavar="BATCH_NO", help="批次编号")
    p.add_argument("--out", required=True, metavar="FILE.pdf", help="保存到的文件")
    _common(p, plan_year=False)
    p.set_defaults(func=cmd_notice)

"""Stable problem codes and the Chinese sentence a clerk reads for each.

The server sends the code (and its own copy of the message); the client shows message_for(code),
so it can be translated and stays meaningful offline.
"""
from __future__ import annotations

PROBLEMS: dict[str, str] = {
    "auth_failed": "用户名或密码不正确，或登录已失效。请核对后重新登录；忘记密码请联系上级工会重置。",
    "account_locked": "密码连续输错次数过多，账号已被暂时锁定。请15分钟后再试，或联系上级工会重置密码。",
    "token_expired": "登录已过期。请重新登录后再同步，未发送的数据仍保存在本机。",
    "union_type_unsupported": "本工会的组织类型（工会联合会、分工会或工会小组）不能使用工作台。请由上级工会办理。",
    "union_scope": "无权查看或修改其他工会的数据。请使用本工会的账号操作，或联系上级工会。",
    "unknown_device": "本机的签名密钥尚未登记或已被停用。请重新登录，系统会重新登记本机后再提交。",
    "bad_signature": "提交内容的签名校验不通过，数据可能在传输中被改动。请重新生成并提交；如反复出现请联系上级工会。",
    "replayed_nonce": "这份提交已经被服务器收到过，不能重复提交。请到批次管理中查看该批次的状态。",
    "stale_timestamp": "提交的时间与服务器时间相差过大。请把电脑的日期和时间调准后重新提交。",
    "clock_skew": "本机时钟与服务器相差超过5分钟，暂不能同步。请把电脑的日期和时间调准后再试。",
    "idempotency_conflict": "同一编号的记录已用不同内容提交过。请重新生成这份提交后再发送。",
    "conflict": "这条会员信息在您上次同步后已被他人修改。请选择保留本机的修改，或采用服务器上的内容。",
    "plan_type_mismatch": "本工会本保障年度已选定其他保障类型，每个工会每年只能选一种。请改用已选定的保障类型。",
    "window_closed": "当前不在办理时间内（以服务器时间为准），本次提交未被受理。请查看活动日程或联系上级工会。",
    "fee_window_closed": "现在不在保障金额设置的调整时间内（以服务器时间为准），费用分担没有修改。"
                         "请在调整时间内修改，或联系市总工会（职保中心）。",
    "ineligible": "名单中有会员不符合参保条件（如未办卡、已退休、已死亡或本年度已参保）。请按提示移出后重新提交。",
    "coverage_mismatch": "名单中的保障日期或全年/半年与服务器按收到日期核定的不一致（以服务器收到之日为办理参保日）。"
                         "请同步后重新发送，本机会按服务器日期重新计算。",
    "price_mismatch": "提交的人数或费用合计与服务器按费用标准核算的结果不一致。请同步最新的费用标准后重新生成名单。",
    "validation": "提交的数据不完整或格式不对。请按提示修改后重新提交。",
    "not_found": "要找的记录不存在，可能已被删除或尚未同步。请先同步后再试。",
    "no_campaign": "服务器上没有该保障年度的参保活动。请同步最新的活动配置，或联系上级工会。",
    "rate_limited": "请求过于频繁。请稍候片刻再试。",
    "password_weak": "新密码不够安全。请换一个更长、不常见的密码后重试。",
    "password_change_required": "上级工会已重置您的密码。请先设置一个只有您自己知道的新密码，然后再登录。",
    "account_disabled": "这个账号已被上级工会锁定，暂不能登录。请联系上级工会解除锁定。",
    "device_limit": "这个账号登记的电脑已达上限。请在常用的电脑上打开“同步 → 设备管理”停用不再使用的电脑，或联系上级工会。",
    "card_batch_exists": "这个办卡批次编号已经提交过，不能重复提交。请到办卡批次管理中查看该批次的状态。",
    "card_members_unknown": "办卡名单中有会员在服务器上还没有记录。请先同步上传会员信息，再重新校验后提交办卡。",
    "batch_state": "该批次的状态已变化（可能已被他人审核、退回或提交），不能做这项操作。请刷新列表后再试。",
    "voucher_invalid": "上传的文件不是可用的缴费凭证照片。请上传 JPEG 或 PNG 格式、不超过 8 MB 的照片。",
    "member_elsewhere": "该职工已是其他工会的会员，一名职工同一时间只能属于一个工会。本工会不能为其登记会员信息、办卡、"
                        "获取社保卡状态或参保。请联系其原工会办理转移（批量转移），转入本工会后再办理。",
    "transfer_target": "接收工会的组织代码不正确：没有这个组织代码的基层工会，或不能转给原工会本身。请核对接收工会的组织代码后重试。",
    "transfer_under_review": "名单中有会员的参保批次正在审核中（已提交，尚未退回或完成），或会员卡正在办理中，暂不能转移。"
                             "请等审核完成或批次退回、会员卡办好后再转移。",
    "member_enrolled": "该会员已参加本保障年度的保障，保障期内不能删除。如确需处理，请在保障期结束后再删除，或联系上级工会。",
    "internal": "服务器处理时出错，本次操作未生效。请稍后重试；如反复出现请联系管理员。",
}


def message_for(code: str, detail: object = None) -> str:
    """The Chinese sentence for a problem code, with a short detail appended when given.

    Unknown codes (a newer server) still give a sentence that says what to do.
    """
    message = PROBLEMS.get(code) or "服务器拒绝了这次操作（代码：%s）。请同步后重试，或联系上级工会。" % code
    if detail is None or detail == "" or isinstance(detail, (dict, list)):
        return message
    return f"{message}（{detail}）"

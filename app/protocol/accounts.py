"""Subordinate accounts (manual §1 "忘记密码请联系上级工会"; issue #16): the wire names of a superior
union's account management — list, create, reset a password, lock, unlock — and what each state
reads as in Chinese.

Both the server and the client import these. The server checks the request bodies with the limits
below; its answers are plain JSON objects whose keys are named here once:

- an account row (`GET /users`): username, display_name, role, role_label, union {org_code, name,
  level}, state, state_label, must_change_password, last_login, created (timestamps "…Z" or null);
- `POST /users`, `POST /users/{u}/reset-password`: {"account": row, "password": the generated
  password — present only when the server made it, shown once and never stored in clear}.
"""
from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

#: Usernames: letters, digits and . _ - (what a clerk can type and read back over the phone).
USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$"
MAX_USERNAME = 64
MAX_DISPLAY_NAME = 100
MAX_PASSWORD = 256
#: The reason a superior may give for a lock (kept in the audit entry).
MAX_LOCK_REASON = 200
#: Most accounts one page of the list holds.
MAX_ACCOUNTS_PAGE = 1000


class AccountState(StrEnum):
    """An account's state as its superior sees it (worst first when several hold)."""

    LOCKED = "locked"  # 已锁定: a superior locked it; no login until unlocked
    THROTTLED = "throttled"  # 暂时锁定: too many wrong passwords (issue #18); a superior's unlock clears it
    MUST_CHANGE = "must_change"  # 待改密码: reset or created by a superior; the next login sets its own
    ACTIVE = "active"  # 正常


ACCOUNT_STATE_LABELS: dict[str, str] = {
    AccountState.LOCKED: "已锁定",
    AccountState.THROTTLED: "密码输错次数过多，暂时锁定",
    AccountState.MUST_CHANGE: "待本人修改密码",
    AccountState.ACTIVE: "正常",
}

ROLE_LABELS: dict[str, str] = {"clerk": "经办人", "reviewer": "审核人", "center": "职保中心管理员"}

LEVEL_LABELS: dict[str, str] = {"city": "市总工会", "district": "区局(产业)工会", "secondary": "二级工会",
                                "grassroots": "基层工会"}


class AccountAction(StrEnum):
    """What a superior did to an account: the audit entry's `action`."""

    CREATE = "create_user"
    RESET = "reset_password"
    LOCK = "lock"
    UNLOCK = "unlock"


ACTION_LABELS: dict[str, str] = {
    AccountAction.CREATE: "新建账号",
    AccountAction.RESET: "重置密码",
    AccountAction.LOCK: "锁定",
    AccountAction.UNLOCK: "解除锁定",
}


def account_line(row: dict[str, Any]) -> str:
    """An account row as one line of text (both CLIs)."""
    return (f"{row['username']}\t{row['display_name']}\t{row['role_label']}\t{row['union']['name']}"
            f"（{row['union']['org_code']}）\t{row['state_label']}")


def changed_text(answer: dict[str, Any], done: str) -> str:
    """What a creation, reset, lock or unlock did, with a generated password once (both CLIs)."""
    row = answer["account"]
    text = f"{done}：{row['username']}（{row['union']['name']}），状态：{row['state_label']}"
    if answer.get("password"):
        text += f"\n新密码（只显示这一次，请当面或电话告知本人；首次登录须修改）：{answer['password']}"
    return text


#: What each action reads as when done.
DONE_LABELS: dict[str, str] = {"create": "已创建账号", "reset": "已重置密码", "lock": "已锁定账号",
                               "unlock": "已解除锁定"}


def username_problem(username: str) -> str | None:
    """Why `username` cannot name a new account (a Chinese sentence), or None."""
    if not re.match(USERNAME_PATTERN, username or ""):
        return "账号应为 3–64 位英文字母、数字或 . _ -，并以字母或数字开头。"
    return None


__all__ = [
    "ACCOUNT_STATE_LABELS", "ACTION_LABELS", "LEVEL_LABELS", "MAX_ACCOUNTS_PAGE", "MAX_DISPLAY_NAME",
    "MAX_LOCK_REASON", "MAX_PASSWORD", "MAX_USERNAME", "ROLE_LABELS", "USERNAME_PATTERN", "AccountAction",
    "AccountState", "DONE_LABELS", "account_line", "changed_text", "username_problem",
]

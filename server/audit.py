"""The audit as stored: a push request's member entries packed into one row (issue #19).

Every clerk action is an audit entry (`AuditEntry`: when, who, which union, what, on which entity,
details) and every entry is kept — the audit is the record. A push request's member upserts were a
row each (`member_created` / `member_updated`, the masked ID number, `{"fields": [...]}`), about 200
bytes with the row's own time, user, union, action and index entries repeated for each of the
request's 500 members: the fourth largest table after the December wave. So a batch's member
entries of one user, union and action are stored as one row (`pack`):

    entity "members", entity_key "", at: the first entry's time,
    detail {"m": [[masked ID number, changed fields, µs after the row's time], ...]}

the masked number of an 18-digit ID ("3101 **** **** 2013") as its 8 shown characters, the changed fields as one letter each (server/receipts.py FIELD_CODES; a field without a letter by
its name, in a list), the time offset left out when 0. `entries(rows)` gives every entry back as
it was written — the packed ones one by one, rows stored before (one entry each) as they are — so
a reader never sees the packing. About 25 bytes an entry instead of about 200.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from server.models import AuditEntry
from server.receipts import FIELD_CODES

#: The actions a push request writes per member, packed.
MEMBER_ACTIONS = ("member_created", "member_updated")
#: The entity of a packed row.
PACKED = "members"

_LONG_MASK = " **** **** "  # app.rules.idcard.mask_id of a number of 15 characters or more
_CODE = {name: chr(ord("a") + i) for i, name in enumerate(FIELD_CODES)}
_NAME = {code: name for name, code in _CODE.items()}


def _fields(names: list[str]) -> str | list[str]:
    return "".join(_CODE[n] for n in names) if all(n in _CODE for n in names) else names


def _short(masked: str) -> str:
    if len(masked) == 19 and masked[4:15] == _LONG_MASK:
        return masked[:4] + masked[15:]
    return masked


def _masked(short: str) -> str:
    return short[:4] + _LONG_MASK + short[4:] if len(short) == 8 and "*" not in short else short


def pack(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows to insert for these buffered audit rows (dicts as `AuditEntry` fields): the member
    entries of each (user, union, action) as one row; another row between them closes the groups,
    so the rows keep their order. A group of one stays a plain row."""
    runs: list[list[dict[str, Any]]] = []
    open_runs: dict[tuple[Any, Any, str], list[dict[str, Any]]] = {}
    for row in rows:
        detail = row.get("detail") or {}
        if (row["action"] in MEMBER_ACTIONS and row.get("entity") == "member" and set(detail) == {"fields"}
                and isinstance(row["at"], datetime) and "*" in str(row.get("entity_key"))):
            key = (row.get("username"), row.get("union"), row["action"])
            if key not in open_runs:
                open_runs[key] = []
                runs.append(open_runs[key])
            open_runs[key].append(row)
        else:
            open_runs.clear()
            runs.append([row])
    return [run[0] if len(run) == 1 else _packed(run) for run in runs]


def _packed(members: list[dict[str, Any]]) -> dict[str, Any]:
    first = members[0]
    entries = []
    for member in members:
        entry: list[Any] = [_short(member["entity_key"]), _fields(list(member["detail"]["fields"]))]
        offset = (member["at"] - first["at"]) // timedelta(microseconds=1)
        if offset:
            entry.append(offset)
        entries.append(entry)
    return {"at": first["at"], "username": first.get("username"), "union": first.get("union"),
            "action": first["action"], "entity": PACKED, "entity_key": "", "detail": {"m": entries}}


def entries(rows: Iterable[AuditEntry]) -> list[dict[str, Any]]:
    """Every audit entry of these rows as written: {at, username, union (id), action, entity,
    entity_key, detail}; a packed row gives its members' entries in their order."""
    out: list[dict[str, Any]] = []
    for row in rows:
        base = {"at": row.at, "username": row.username, "union": row.union_id, "action": row.action}
        if row.entity != PACKED or not isinstance(row.detail, dict) or "m" not in row.detail:
            out.append({**base, "entity": row.entity, "entity_key": row.entity_key, "detail": row.detail})
            continue
        for entry in row.detail["m"]:
            key, fields = entry[0], entry[1]
            names = [_NAME[c] for c in fields] if isinstance(fields, str) else list(fields)
            at = row.at + timedelta(microseconds=entry[2]) if len(entry) > 2 else row.at
            out.append({**base, "at": at, "entity": "member", "entity_key": _masked(key), "detail": {"fields": names}})
    return out


def member_entries(union_id: int) -> list[dict[str, Any]]:
    """The union's member entries (created, updated), oldest first."""
    rows = (AuditEntry.select().where((AuditEntry.union == union_id) & AuditEntry.action.in_(MEMBER_ACTIONS))
            .order_by(AuditEntry.id))
    return entries(rows)


__all__ = ["MEMBER_ACTIONS", "PACKED", "entries", "member_entries", "pack"]

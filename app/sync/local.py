"""The local side of sync outside a round: member fields as the wire carries them, conflicts
listed and settled field by field (audited), the account's union and enterprises linked.
"""
from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from app.models import Enterprise, Member, Union, audit, db
from app.models.tables import UNSENT


# ---- local ↔ wire member fields ------------------------------------------------------------

def _iso(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, (date, datetime)):
        return value.isoformat()[:10]
    return str(value)[:10]


def wire_fields(member: Member, names: list[str]) -> dict[str, Any]:
    """Clerk-owned field values of a local member as the protocol carries them."""
    return {name: stored_wire_value(name, (member.enterprise.name if member.enterprise_id else None)
                                    if name == "enterprise_name" else getattr(member, name))
            for name in names}


def stored_wire_value(name: str, value: Any) -> Any:
    """A clerk-owned field as the protocol carries it, from the member's value as peewee gives it or
    as SQLite stores it (dates as ISO text); enterprise_name is the enterprise's name, or None."""
    if name == "enterprise_name":
        return value
    if name in ("birth_date", "join_date"):
        return _iso(value)
    return None if value in ("", None) else str(value)


def _local_value(name: str, value: Any) -> Any:
    if name in ("birth_date", "join_date"):
        return date.fromisoformat(value) if value else None
    if name in ("work_address", "label", "member_no"):
        return value or ""
    return value


def enterprise_id_for(union_id: int, name: str | None) -> int | None:
    """The local enterprise called `name`, created when the server names a new one."""
    if not name:
        return None
    ent = Enterprise.get_or_none((Enterprise.union == union_id) & (Enterprise.name == name))
    return (ent or Enterprise.create(union=union_id, name=name)).id


def resolve_conflict(member_id: int, choices: dict[str, str], *, actor: str) -> None:
    """Settle a member's conflict field by field: "mine" keeps the local value and pushes it over
    the server's version; "server" takes the server's value. Everything is audited."""
    with db.atomic("IMMEDIATE"):
        m = Member.get_by_id(member_id)
        conflict = json.loads(m.conflict or "{}")
        versions = json.loads(m.field_versions or "{}")
        dirty = set(json.loads(m.dirty_fields or "[]"))
        for name, info in conflict.items():
            choice = choices.get(name)
            if choice not in ("mine", "server"):
                raise ValueError(f"no choice for {name}")
            versions[name] = int(info.get("server_version", 0))
            if choice == "server":
                old = wire_fields(m, [name])[name]
                if name == "enterprise_name":
                    m.enterprise = enterprise_id_for(m.union_id, info.get("server"))
                else:
                    setattr(m, name, _local_value(name, info.get("server")))
                dirty.discard(name)
                audit.record(actor, "sync.conflict.take_server", member_id=m.id, field=name, old=old, new=info.get("server"))
            else:
                dirty.add(name)
                audit.record(actor, "sync.conflict.keep_mine", member_id=m.id, field=name,
                             old=info.get("server"), new=info.get("mine"))
        m.field_versions = json.dumps(versions)
        m.dirty_fields = json.dumps(sorted(dirty))
        m.conflict = None
        m.sync_error = None
        m.sync_state = "to_send" if dirty else "sent"
        m.save()


def conflicts(union_id: int) -> list[dict[str, Any]]:
    """Members in conflict, with both values per field, for the conflict dialog."""
    rows = Member.select().where(UNSENT & (Member.union == union_id) & (Member.sync_state == "conflict")).order_by(Member.id)
    return [{"member_id": m.id, "name": m.name, "member_no": m.member_no, "id_number": m.id_number,
             "fields": json.loads(m.conflict or "{}")} for m in rows]


def link_union(info: dict[str, Any], enterprises: list[dict[str, Any]]) -> int:
    """Make (or find) the local union for the account's union; returns its id."""
    with db.atomic("IMMEDIATE"):
        union = Union.get_or_none(Union.org_code == info["org_code"]) or Union.select().order_by(Union.id).first()
        if union is None:
            union = Union.create(name=info["name"], org_code=info["org_code"], union_type=info.get("union_type") or "",
                                 level=info.get("level") or "grassroots", server_id=str(info.get("id")))
        else:
            union.name, union.org_code = info["name"], info["org_code"]
            union.union_type = info.get("union_type") or union.union_type
            union.level = info.get("level") or union.level
            union.server_id = str(info.get("id"))
            union.save()
        for e in enterprises:
            Enterprise.get_or_create(union=union, name=e["name"], defaults={"credit_code": e.get("credit_code") or ""})
    return union.id

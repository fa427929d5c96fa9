"""Idempotency answers stored compactly (issue #19: the stored answers were the second largest table).

A push record that took effect is remembered with its first answer (`IdempotencyRecord.response`,
server/push.py). A member upsert's answer is `{"key", "status": "ok", "receipt": {"id_number",
"created", "changed", "version", "versions"}}`; all of it but the ID number follows from far less:
the key is the row's own, the status is "ok", and every changed field has the new version. So it
is stored as `{"m": [id_number, created, version, changed, other_versions]}` — `changed` as one
letter per field (FIELD_CODES), `other_versions` the versions of the fields it did not change —
about 50 bytes instead of about 480, and expanded to the same answer when the key comes again.
Other answers (and member upsert answers stored before) are kept and returned as they are.
"""
from __future__ import annotations

from typing import Any

#: Append only, never reorder: a stored answer names a changed field by its letter (a + position).
FIELD_CODES: tuple[str, ...] = (
    "member_no", "name", "id_type", "gender", "birth_date", "phone", "work_address", "id_expiry", "label",
    "category", "post_type", "join_date", "enterprise_name",
)
_CODE = {name: chr(ord("a") + i) for i, name in enumerate(FIELD_CODES)}
_NAME = {code: name for name, code in _CODE.items()}
_RECEIPT_KEYS = {"id_number", "created", "changed", "version", "versions"}


def compact(answer: dict[str, Any]) -> dict[str, Any]:
    """The form to store of a record's first answer (see the module's note)."""
    receipt = answer.get("receipt")
    if answer.get("status") != "ok" or not isinstance(receipt, dict) or set(receipt) != _RECEIPT_KEYS:
        return answer
    changed, version, versions = receipt["changed"], receipt["version"], receipt["versions"]
    if not all(name in _CODE and versions.get(name) == version for name in changed):
        return answer
    others = {name: v for name, v in versions.items() if name not in changed}
    return {"m": [receipt["id_number"], bool(receipt["created"]), version,
                  "".join(_CODE[name] for name in changed), others]}


def expand(key: str, stored: dict[str, Any]) -> dict[str, Any]:
    """The answer `compact` stored under `key`, as first given."""
    if "m" not in stored:
        return stored
    id_number, created, version, codes, others = stored["m"]
    changed = [_NAME[code] for code in codes]
    versions = {**others, **{name: version for name in changed}}
    return {"key": key, "status": "ok",
            "receipt": {"id_number": id_number, "created": created, "changed": changed, "version": version,
                        "versions": dict(sorted(versions.items()))}}


__all__ = ["FIELD_CODES", "compact", "expand"]

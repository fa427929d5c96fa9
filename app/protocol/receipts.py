"""A member upsert's receipt in its packed form: what the server stores of it (server/receipts.py)
and, when the push asked for it, what it answers with.

A member upsert's receipt is `{"id_number", "created", "changed", "version", "versions"}`: every
changed field has the new version. Packed, it is the JSON list `[version, created, changed,
other_versions, id_number]` — `created` 0 or 1, `changed` one letter per field (FIELD_CODES),
`other_versions` the versions of the fields it did not change — with the trailing defaults (`{}`,
null) left out. The ID number may be left out too when the reader has the payload the receipt
answers (`number_sent`, the payload's number trimmed and upper-cased, equal to the receipt's):
an idempotency record keeps a new member's answer as `[1,1,"edcbf"]`. On the wire it is always
kept: a new member's receipt is `[1,1,"ejmdhcliabfkg",{},"31010119900307001X"]`, 45 bytes
instead of about 400.

The wire (POST /push, issue #13 item 8): a request whose body has `"receipts": "packed"` is answered
with each member upsert's receipt that packs as that list (`{"key", "status": "ok", "receipt":
[…]}`); every other answer as before. A request without it (a client older than this) gets every
receipt whole, and a server older than this ignores the field and answers whole receipts, which a
client that asked reads as well (ServerClient.push unpacks what is packed).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

#: Append only, never reorder: a stored answer names a changed field by its letter (a + position).
FIELD_CODES: tuple[str, ...] = (
    "member_no", "name", "id_type", "gender", "birth_date", "phone", "work_address", "id_expiry", "label",
    "category", "post_type", "join_date", "enterprise_name",
)
_CODE = {name: chr(ord("a") + i) for i, name in enumerate(FIELD_CODES)}
_NAME = {code: name for name, code in _CODE.items()}
_RECEIPT_KEYS = {"id_number", "created", "changed", "version", "versions"}

#: The value of a push body's "receipts" that asks for packed receipts.
PACKED = "packed"


@lru_cache(maxsize=1024)
def _codes(changed: tuple[str, ...]) -> str | None:
    """The letters of these changed fields (None: one has none). Remembered: the members of a push
    mostly change the same fields (a first push, every one)."""
    if not all(name in _CODE for name in changed):
        return None
    return "".join(_CODE[name] for name in changed)


def pack_receipt(receipt: Any, number_sent: str | None = None) -> list[Any] | None:
    """`receipt` packed (see the module's note; None: it is not a member upsert's receipt that
    packs). The ID number is left out when it is `number_sent`."""
    if not isinstance(receipt, dict) or receipt.keys() != _RECEIPT_KEYS:
        return None
    changed, version, versions = receipt["changed"], receipt["version"], receipt["versions"]
    codes = _codes(tuple(changed)) if type(changed) is list and type(versions) is dict else None
    if codes is None:
        return None
    if len(versions) == len(changed) and versions == dict.fromkeys(changed, version):
        others = {}  # every field changed (a new member): nothing else to keep
    elif all(versions.get(name) == version for name in changed):
        others = {name: v for name, v in versions.items() if name not in changed}
    else:
        return None
    number = receipt["id_number"]
    packed: list[Any] = [version, int(bool(receipt["created"])), codes, others,
                         None if number == number_sent else number]
    while packed[-1] in (None, {}):
        packed.pop()
    return packed


def unpack_receipt(packed: list[Any], number_sent: str | None = None) -> dict[str, Any]:
    """The receipt `pack_receipt` packed (its ID number `number_sent` when it was left out)."""
    version, created, codes, others, number = packed + [{}, None][len(packed) - 3:]
    return receipt_of(number if number is not None else number_sent, created, version, codes, others)


def receipt_of(number: str | None, created: Any, version: int, codes: str, others: dict[str, int]) -> dict[str, Any]:
    changed = [_NAME[code] for code in codes]
    versions = {**others, **{name: version for name in changed}}
    return {"id_number": number, "created": bool(created), "changed": changed, "version": version,
            "versions": dict(sorted(versions.items()))}


def unpack_answers(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A push's answers with every packed receipt unpacked (a whole one is left as it is)."""
    return [{**result, "receipt": unpack_receipt(result["receipt"])} if type(result.get("receipt")) is list else result
            for result in results]


__all__ = ["FIELD_CODES", "PACKED", "pack_receipt", "receipt_of", "unpack_answers", "unpack_receipt"]

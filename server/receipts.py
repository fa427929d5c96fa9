"""Idempotency records stored compactly (issue #19: they were as big as the member table).

A push record that took effect is remembered under its key (`IdempotencyRecord`, server/push.py)
with a digest of its payload and its first answer; a replay needs nothing else.

- A key that is a UUID as the client makes it (lower-case, with hyphens: the outbox row's) is
  stored as "~" and its 16 bytes in base64url (`stored_key`), 23 characters instead of 36, in the
  row and in the unique index; any other key as it is ("~" is no key's character). Records stored
  before step 13 had their keys as sent: step 16 rewrote them into this form, so a replay looks up
  one form (server/migrations.py).
- The digest is the first 128 bits of the payload's SHA-256 (32 hex digits, `digest`): it tells the
  same payload from another sent under the same key, for which 128 bits are plenty (records stored
  before step 13 keep their first 32 digits too).
- A member upsert's answer is `{"key", "status": "ok", "receipt": {"id_number", "created",
  "changed", "version", "versions"}}`. The key is the row's own, the status "ok", every changed field
  has the new version, and the ID number is the payload's own (a replay carries the same payload,
  or it is idempotency_conflict). So it is stored packed (app/protocol/receipts.py, the form a push
  that asks for it is answered with): the JSON list `[version, created, changed,
  other_versions, id_number]` — `created` 0 or 1, `changed` one letter per field (FIELD_CODES),
  `other_versions` the versions of the fields it did not change, `id_number` only when the answer's
  differs from the payload's as trimmed and upper-cased — with the trailing defaults (`{}`, null)
  left out: a new member's answer is `[1,1,"edcbf"]`, 15 bytes instead of about 480.
- Other answers are kept as they are, and so is the `{"m": [...]}` form stored before step 13.
"""
from __future__ import annotations

import re
from base64 import urlsafe_b64encode
from functools import lru_cache
from typing import Any

from app.protocol.receipts import FIELD_CODES, pack_receipt, receipt_of, unpack_receipt

#: Hex digits of the payload's SHA-256 an idempotency record keeps.
DIGEST_HEX = 32


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@lru_cache(maxsize=4096)
def stored_key(key: str) -> str:
    """The form an idempotency record stores `key` in (see the module's note): its 16 bytes read
    from the hex digits as uuid.UUID would, base64url without padding (22 characters). Remembered:
    a push request needs each record's form three times (its stored answer looked up before the
    union's lock and under it, then its idempotency record)."""
    if _UUID.fullmatch(key):
        return "~" + urlsafe_b64encode(bytes.fromhex(key.replace("-", "")))[:22].decode("ascii")
    return key


def digest(sha256_hex: str) -> str:
    """What an idempotency record stores of a payload's hex SHA-256."""
    return sha256_hex[:DIGEST_HEX]


def payload_number(payload: Any) -> str | None:
    """The ID number a member upsert's payload names, as trimmed and upper-cased (None: none)."""
    number = payload.get("id_number") if isinstance(payload, dict) else None
    return number.strip().upper() if isinstance(number, str) else None


def compact(answer: dict[str, Any], payload: Any = None) -> Any:
    """The form to store of a record's first answer to `payload` (see the module's note)."""
    if answer.get("status") != "ok":
        return answer
    packed = pack_receipt(answer.get("receipt"), payload_number(payload))
    return answer if packed is None else packed


def expand(key: str, stored: Any, payload: Any = None) -> dict[str, Any]:
    """The answer `compact` stored under `key` for `payload`, as first given."""
    if isinstance(stored, list):
        receipt = unpack_receipt(stored, payload_number(payload))
    elif "m" in stored:  # stored before step 13
        number, created, version, codes, others = stored["m"]
        receipt = receipt_of(number, created, version, codes, others)
    else:
        return dict(stored)
    return {"key": key, "status": "ok", "receipt": receipt}


__all__ = ["DIGEST_HEX", "FIELD_CODES", "compact", "digest", "expand", "payload_number", "stored_key"]

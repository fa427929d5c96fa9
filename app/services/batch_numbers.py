"""Batch numbers (批次编号) for card and enrollment batches alike, unique by construction.

`{prefix}{Shanghai date YYYYMMDD}{device tag}{sequence}`: the device tag is this PC's device key
fingerprint (16 hex digits; the server keeps one key per device), the sequence a counter kept in the
profile and advanced inside a write transaction. Two PCs of one union differ in the tag; one PC
never repeats a sequence — so no two batches of a union share a number, whatever the clock says.
(The old card scheme, BK + time + 2 random digits, collided 1 in 100 per second across PCs.)

Prefixes: BK 办卡, JZ 集中参保, JS 即时参保.
"""
from __future__ import annotations

import secrets
from datetime import date

from app.models import Setting, db

PREFIX_CARD = "BK"
PREFIX_CENTRAL = "JZ"
PREFIX_INSTANT = "JS"

_SEQUENCE_KEY = "batch_no:sequence"
_LOCAL_TAG_KEY = "batch_no:local_tag"


def device_tag() -> str:
    """The device key's fingerprint as 16 upper-case hex digits; before the first sign-in (no key
    yet) a random tag made once for this profile, starting with "L" so it never equals a key's."""
    row = Setting.get_or_none(Setting.key == "device_fingerprint")
    tag = "".join((row.value if row else "").split()).upper()
    if len(tag) == 16:
        return tag
    local = Setting.get_or_none(Setting.key == _LOCAL_TAG_KEY)
    if local is None:
        local = Setting.create(key=_LOCAL_TAG_KEY, value="L" + secrets.token_hex(8).upper()[:15])
    return local.value


def next_batch_no(prefix: str, today: date) -> str:
    """A new batch number; call inside the transaction that stores the batch (or on its own)."""
    with db.atomic("IMMEDIATE") if not db.in_transaction() else db.atomic():
        row = Setting.get_or_none(Setting.key == _SEQUENCE_KEY)
        sequence = int(row.value) + 1 if row else 1
        Setting.replace(key=_SEQUENCE_KEY, value=str(sequence)).execute()
        return f"{prefix}{today:%Y%m%d}{device_tag()}{sequence:04d}"

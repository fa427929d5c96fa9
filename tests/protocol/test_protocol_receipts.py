"""Packed receipts (app/protocol/receipts.py): on the wire a member upsert's receipt packs with its
ID number always kept, unpacks to the receipt the server made, and a push's answers are unpacked
only where packed."""
from __future__ import annotations

from app.protocol import CLERK_OWNED_FIELDS
from app.protocol.receipts import FIELD_CODES, pack_receipt, unpack_answers, unpack_receipt

NUMBER = "31010119900307001X"


def test_a_receipt_packs_with_its_number_and_unpacks_whole() -> None:
    every = sorted(CLERK_OWNED_FIELDS)
    assert set(FIELD_CODES) == set(CLERK_OWNED_FIELDS)  # every field a member upsert may change has a letter
    new = {"id_number": NUMBER, "created": True, "changed": every, "version": 1, "versions": dict.fromkeys(every, 1)}
    packed = pack_receipt(new)
    assert packed is not None and packed[:2] == [1, 1] and packed[3:] == [{}, NUMBER]
    assert unpack_receipt(packed) == new
    update = {"id_number": NUMBER, "created": False, "changed": ["phone"], "version": 4,
              "versions": {"label": 2, "name": 1, "phone": 4}}
    assert pack_receipt(update) == [4, 0, "f", {"label": 2, "name": 1}, NUMBER]
    assert unpack_receipt(pack_receipt(update) or []) == update
    assert pack_receipt(update, NUMBER) == [4, 0, "f", {"label": 2, "name": 1}]  # as stored: the payload has it
    assert pack_receipt({"job_id": 3, "count": 1}) is None and pack_receipt(None) is None


def test_answers_are_unpacked_only_where_packed() -> None:
    whole = {"key": "k-1", "status": "ok", "receipt": {"job_id": 3, "count": 1}}
    refused = {"key": "k-2", "status": "error", "problem": "validation", "message": "m", "detail": None}
    packed = {"key": "k-3", "status": "ok", "receipt": [2, 0, "b", {"phone": 1}, NUMBER]}
    answers = unpack_answers([whole, refused, packed])
    assert answers[:2] == [whole, refused]
    assert answers[2] == {"key": "k-3", "status": "ok", "receipt": {
        "id_number": NUMBER, "created": False, "changed": ["name"], "version": 2, "versions": {"name": 2, "phone": 1}}}
    assert packed["receipt"] == [2, 0, "b", {"phone": 1}, NUMBER]  # what was read is left as it was

"""Stored first answers (server/receipts.py, issue #19): a member upsert's answer is stored as a
short list and given back whole for the same payload; everything else is stored as it is."""
from __future__ import annotations

from server.receipts import compact, digest, expand, stored_key

NUMBER = "31010119900101123X"


def _answer(number: str, created: bool, changed: list[str], version: int, versions: dict[str, int]) -> dict[str, object]:
    return {"key": "k-1", "status": "ok", "receipt": {"id_number": number, "created": created, "changed": changed,
                                                     "version": version, "versions": versions}}


def test_a_new_members_answer_is_a_few_bytes_and_comes_back_whole() -> None:
    payload = {"id_number": " 31010119900101123x ", "fields": {"name": "甲"}}  # trimmed and upper-cased: the answer's
    answer = _answer(NUMBER, True, ["birth_date", "gender", "name"], 1, {"birth_date": 1, "gender": 1, "name": 1})
    stored = compact(answer, payload)
    assert stored == [1, 1, "edb"]
    assert expand("k-1", stored, payload) == answer


def test_an_updates_other_versions_and_a_normalised_number_are_kept() -> None:
    payload = {"id_number": "３１０１０１１９９００１０１１２３X", "fields": {"phone": "13800000000"}}  # full-width digits
    answer = _answer(NUMBER, False, ["phone"], 3, {"name": 1, "phone": 3, "label": 2})
    stored = compact(answer, payload)
    assert stored == [3, 0, "f", {"name": 1, "label": 2}, NUMBER]
    assert expand("k-1", stored, payload) == {**answer, "receipt": {**answer["receipt"],  # type: ignore[dict-item]
                                                                   "versions": {"label": 2, "name": 1, "phone": 3}}}


def test_other_answers_and_the_form_stored_before_step_13_are_given_back() -> None:
    transfer = {"key": "k-2", "from_union": "A", "to_union": "B", "count": 1}
    assert compact(transfer) == transfer and expand("k-2", transfer) == transfer
    unknown = _answer(NUMBER, False, ["not_a_field"], 2, {"not_a_field": 2})
    assert compact(unknown, {"id_number": NUMBER}) == unknown
    old = {"m": [NUMBER, True, 1, "b", {}]}
    assert expand("k-1", old) == _answer(NUMBER, True, ["name"], 1, {"name": 1})
    assert digest("ab" * 32) == "ab" * 16


def test_a_uuid_key_is_stored_in_23_characters_other_keys_as_sent() -> None:
    key = "0b6c1a1e-7f3d-4a52-9a86-2f1d3c4b5a69"
    packed = stored_key(key)
    assert packed.startswith("~") and len(packed) == 23 and stored_key(packed) == packed
    assert stored_key(key.upper()) == key.upper() and stored_key("batch-rows-0001") == "batch-rows-0001"
    assert len({stored_key(f"{k:08x}-7f3d-4a52-9a86-2f1d3c4b5a69") for k in range(1000)}) == 1000


def test_every_field_of_a_new_member_and_answers_that_do_not_fit_the_short_form() -> None:
    from server.receipts import FIELD_CODES

    every = sorted(FIELD_CODES)
    payload = {"id_number": NUMBER}
    answer = _answer(NUMBER, True, every, 1, dict.fromkeys(every, 1))
    stored = compact(answer, payload)
    assert stored == [1, 1, "".join(chr(ord("a") + FIELD_CODES.index(name)) for name in every)]
    assert expand("k-1", stored, payload) == answer
    # A changed field not at the answer's version has no short form: the answer is stored as it is.
    odd = _answer(NUMBER, False, ["name", "phone"], 3, {"name": 3, "phone": 2})
    assert compact(odd, payload) == odd
    missing = _answer(NUMBER, False, ["name", "phone"], 3, {"name": 3})
    assert compact(missing, payload) == missing
    refused = {"key": "k-1", "status": "error", "problem": "validation", "message": "m", "detail": None}
    assert compact(refused, payload) == refused

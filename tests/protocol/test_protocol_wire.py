"""The shared protocol: canonical JSON, hashes, Ed25519 helpers and problem messages."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app import protocol

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


def test_canonical_json_is_sorted_compact_utf8() -> None:
    data = {"b": 1, "a": "工会", "c": [True, None, "26.00"]}
    assert protocol.canonical_json(data) == '{"a":"工会","b":1,"c":[true,null,"26.00"]}'.encode()


@pytest.mark.parametrize("bad", [1.5, {"x": 0.1}, [Decimal("1")], {1: "a"}, {"s": {1, 2}}])
def test_canonical_json_rejects_values_without_one_spelling(bad: object) -> None:
    with pytest.raises(protocol.CanonicalJsonError):
        protocol.canonical_json(bad)


@given(json_values)
def test_canonical_json_round_trips_and_is_stable(value: object) -> None:
    encoded = protocol.canonical_json(value)
    assert protocol.canonical_json(json.loads(encoded.decode("utf-8"))) == encoded


class _Label(str):
    """A str subclass (as a StrEnum value is): not plain, so the full check decides."""


any_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**60), 2**60) | st.text() | st.floats(allow_nan=False)
    | st.builds(_Label, st.text(max_size=4)) | st.sets(st.integers(0, 3), max_size=2),
    lambda children: st.lists(children, max_size=4) | st.tuples(children)
    | st.dictionaries(st.text(max_size=8) | st.integers(0, 3), children, max_size=4),
    max_leaves=20,
)


@given(any_values)
def test_canonical_json_fast_path_answers_as_the_full_check(value: object) -> None:
    # canonical_json skips the path-naming walk for plain values: it must accept and refuse
    # exactly what the walk does, and spell what it accepts the same.
    from app.protocol.wire import _check

    try:
        _check(value, "$")
    except protocol.CanonicalJsonError:
        with pytest.raises(protocol.CanonicalJsonError):
            protocol.canonical_json(value)
        return
    expected = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    try:
        text = expected.encode("utf-8")
    except UnicodeEncodeError:
        with pytest.raises(protocol.CanonicalJsonError):
            protocol.canonical_json(value)
        return
    assert protocol.canonical_json(value) == text


def test_payload_hash_ignores_key_order() -> None:
    assert protocol.payload_sha256({"a": 1, "b": 2}) == protocol.payload_sha256({"b": 2, "a": 1})
    assert protocol.payload_sha256({"a": 1}) != protocol.payload_sha256({"a": 2})


def test_sign_and_verify() -> None:
    key = protocol.generate_device_key()
    public = protocol.public_key_b64(key)
    payload = {"union": "X1", "totals": {"fee": "1378.00"}}
    signature = protocol.sign(key, payload)
    assert protocol.verify(public, payload, signature)
    assert not protocol.verify(public, {**payload, "union": "X2"}, signature)
    other = protocol.public_key_b64(protocol.generate_device_key())
    assert not protocol.verify(other, payload, signature)
    assert not protocol.verify("not base64!", payload, signature)
    assert not protocol.verify(public, payload, "AAAA")
    restored = protocol.private_key_from_b64(protocol.private_key_b64(key))
    assert protocol.public_key_b64(restored) == public


def test_fingerprint_is_grouped_hex() -> None:
    public = protocol.public_key_b64(protocol.generate_device_key())
    fingerprint = protocol.key_fingerprint(public)
    groups = fingerprint.split(" ")
    assert len(groups) == 4 and all(len(g) == 4 for g in groups)
    int("".join(groups), 16)


def test_every_problem_says_what_to_do_in_chinese() -> None:
    for code in [
        "bad_signature", "unknown_device", "replayed_nonce", "stale_timestamp", "union_scope",
        "idempotency_conflict", "clock_skew", "plan_type_mismatch", "window_closed",
        "validation", "not_found", "auth_failed", "account_locked", "token_expired", "conflict",
    ]:
        message = protocol.message_for(code)
        assert "。" in message and any("\u4e00" <= ch <= "\u9fff" for ch in message)
    assert protocol.message_for("validation", "缺少字段 union").endswith("（缺少字段 union）")
    assert "something_new" in protocol.message_for("something_new")


def test_timestamps_round_trip() -> None:
    from datetime import datetime, timezone

    moment = datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    text = protocol.format_timestamp(moment)
    assert text == "2025-01-02T03:04:05Z"
    assert protocol.parse_timestamp(text) == moment
    assert protocol.parse_timestamp("2025-01-02T11:04:05+08:00") == moment
    with pytest.raises(ValueError):
        protocol.parse_timestamp("2025-01-02T03:04:05")



json_texts = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**60), 2**60) | st.text() | st.floats(allow_nan=True),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@given(json_texts, st.booleans())
def test_a_value_read_with_plain_numbers_encodes_as_canonical_json_does(value: object, ascii_only: bool) -> None:
    # The server skips the canonical check of a payload read with plain numbers: every such value
    # must encode exactly as canonical_json does, which refuses floats and large integers.
    from app.protocol.wire import canonical_json_read, loads_noting_numbers

    text = json.dumps(value, ensure_ascii=ascii_only)
    parsed, plain = loads_noting_numbers(text.encode())
    assert json.dumps(parsed, ensure_ascii=ascii_only) == text  # read as json.loads reads it
    try:
        expected = protocol.canonical_json(parsed)
    except protocol.CanonicalJsonError:
        if plain:  # only a lone surrogate: no UTF-8 form either way
            with pytest.raises(protocol.CanonicalJsonError):
                canonical_json_read(parsed)
        return
    if plain:
        assert canonical_json_read(parsed) == expected


@pytest.mark.parametrize("text", [b'{"x":1.5}', b'{"x": -2E3}', b'[1,9007199254740993]', b'[-9007199254740993]',
                                  b'{"x":NaN}', b'[-Infinity]'])
def test_floats_and_large_integers_are_not_plain_numbers(text: bytes) -> None:
    from app.protocol.wire import loads_noting_numbers

    assert loads_noting_numbers(text)[1] is False


def test_a_member_upsert_body_has_plain_numbers() -> None:
    from app.protocol.wire import loads_noting_numbers

    body = ('{"device_fingerprint":"ab12","records":[{"key":"k-0001","kind":"member_upsert","payload":'
            '{"base_versions":{"label":3},"fields":{"name":"张三","phone":"13800001234"},'
            '"id_number":"310101199001011234"}}],"n":[9007199254740992,-9007199254740992,0]}').encode()
    value, plain = loads_noting_numbers(body)
    assert plain and value["records"][0]["payload"]["base_versions"] == {"label": 3}

"""Canonical JSON and money on the wire: the bytes both sides hash, sign and store.

Canonical JSON: keys sorted, UTF-8 (Chinese is not escaped), no insignificant whitespace, and no
floats at all — amounts travel as strings of `Decimal` ("26.00", see `money`), counts as integers.
"""
from __future__ import annotations

import hashlib
import json
import json.encoder as json_encoder
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")


class CanonicalJsonError(TypeError):
    """A value that has no canonical JSON form (a float, a set, a non-string key, …)."""


class WireError(ValueError):
    """A payload that does not have the protocol's shape. `detail` is what the server answers
    with problem "validation": a Chinese sentence, or an object naming the field."""

    def __init__(self, detail: str | dict[str, Any]) -> None:
        super().__init__(detail if isinstance(detail, str) else detail.get("message", "payload"))
        self.detail = detail


#: The largest integer magnitude JSON readers keep exactly.
_MAX_INT = 2**53


def _check(value: Any, path: str) -> None:
    # bool is an int subclass, so it is accepted with int; float is refused because a binary
    # fraction has no single decimal spelling — money must travel as a Decimal string.
    if value is None or isinstance(value, (str, bool, int)):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _MAX_INT:
            raise CanonicalJsonError(f"{path}: integer {value} is too large for JSON readers")
        return
    if isinstance(value, float):
        raise CanonicalJsonError(f"{path}: floats are not allowed; send amounts as Decimal strings")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalJsonError(f"{path}: object keys must be strings, got {key!r}")
            _check(item, f"{path}.{key}")
        return
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _check(item, f"{path}[{index}]")
        return
    raise CanonicalJsonError(f"{path}: {type(value).__name__} has no canonical JSON form")


def _plain(value: Any) -> bool:
    """Whether `value` is made of nothing but dicts with text keys, lists, text, bool, None and
    integers within ±2**53, by exact type: then it has a canonical form and `_check`, which walks
    it with a path for its message, need not (its walk cost more than the encoding). Anything else
    (a subclass, a tuple, a float …) goes to `_check`, which accepts or refuses it."""
    kind = type(value)
    if kind is dict:
        if not all(type(key) is str for key in value):
            return False
        items = value.values()
    elif kind is list:
        items = value
    else:
        items = (value,)
    for item in items:  # the leaves checked here, without a call each
        kind = type(item)
        if kind is str or item is None or kind is bool:
            continue
        if kind is int:
            if -_MAX_INT <= item <= _MAX_INT:
                continue
            return False
        if (kind is dict or kind is list) and _plain(item):
            continue
        return False
    return True


_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
#: json's C encoder for these options, made once: json.dumps makes an encoder and a C encoder per
#: call, which cost more than encoding a small record. No cycle markers: `_plain` or `_check` has
#: walked the value first (a cycle fails there), floats and other types are refused there.
_MAKE_C_ENCODER = getattr(json_encoder, "c_make_encoder", None)
_C_ENCODER = (None if _MAKE_C_ENCODER is None else _MAKE_C_ENCODER(
    None, _ENCODER.default, json_encoder.encode_basestring, None, ":", ",", True, False, False))


def _dumps(obj: Any) -> str:
    if not _plain(obj):
        _check(obj, "$")
    if _C_ENCODER is None:  # pragma: no cover - CPython always has it
        return _ENCODER.encode(obj)
    return "".join(_C_ENCODER(obj, 0))


def _utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as error:
        # A lone UTF-16 surrogate ("\ud800" in the JSON) is not a character: it has no UTF-8 form.
        code = ord(text[error.start])
        raise CanonicalJsonError(f"text holds U+{code:04X}, a lone surrogate that is not a character") from None


def canonical_text(obj: Any) -> str:
    """The one text that represents `obj` (CanonicalJsonError when it has none)."""
    text = _dumps(obj)
    _utf8(text)
    return text


def canonical_json(obj: Any) -> bytes:
    """The one byte string that represents `obj`: what is hashed, signed and stored verbatim."""
    return _utf8(_dumps(obj))


class _Numbers:
    """json.loads' number hooks that note a number without a canonical form (a float, NaN,
    Infinity, an integer past _MAX_INT) as they make it."""

    __slots__ = ("plain",)

    def __init__(self) -> None:
        self.plain = True

    def integer(self, text: str) -> int:
        value = int(text)
        if len(text) > 15 and abs(value) > _MAX_INT:
            self.plain = False
        return value

    def other(self, text: str) -> float:
        self.plain = False
        return float(text)


def loads_noting_numbers(text: bytes | str) -> tuple[Any, bool]:
    """json.loads(text), and whether every number in it has a canonical form (no float, NaN,
    Infinity or integer too large): then `canonical_json_read` may encode what it made."""
    numbers = _Numbers()
    value = json.loads(text, parse_int=numbers.integer, parse_float=numbers.other, parse_constant=numbers.other)
    return value, numbers.plain


def canonical_json_read(obj: Any) -> bytes:
    """canonical_json of (part of) a value `loads_noting_numbers` made with every number plain:
    made only of dicts with text keys, lists, text, small integers, bool and None, so the walk that
    checks for anything else is skipped (a lone surrogate is still refused)."""
    if _C_ENCODER is None:  # pragma: no cover - CPython always has it
        return canonical_json(obj)
    return _utf8("".join(_C_ENCODER(obj, 0)))


def payload_sha256(obj: Any) -> str:
    """Hex SHA-256 of the canonical JSON of `obj` (the idempotency hash of a push record)."""
    return hashlib.sha256(canonical_json(obj)).hexdigest()


def money(amount: Decimal | int | str) -> str:
    """An amount as the wire spells it: yuan with exactly two decimals ("1378.00")."""
    return f"{Decimal(amount).quantize(CENT)}"


def read_money(value: object, field: str) -> Decimal:
    """An amount from the wire: a decimal string ("26.00", "26") or an integer."""
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            amount = Decimal("NaN")
        if amount.is_finite():
            return amount
    raise WireError(f"{field} 应为金额（如 \"26.00\"）")

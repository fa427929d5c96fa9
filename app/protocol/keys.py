"""Ed25519 device keys: made at the first login on a PC, the public half registered with the
server, every signed record signed over its canonical JSON."""
from __future__ import annotations

import base64
import binascii
import hashlib
from typing import TYPE_CHECKING, Any

from app.protocol.wire import canonical_json

# cryptography is imported where a key is used, not with the protocol: the desktop app imports
# the protocol at start-up (its outbox) and needs a key only when it signs or checks a record
# (importing cryptography costs ~30 ms of every start).
if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


def generate_device_key() -> Ed25519PrivateKey:
    """A fresh device key, made at the first login on a PC."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.generate()


def private_key_b64(private_key: Ed25519PrivateKey) -> str:
    """The raw 32-byte private key as base64 — for the OS keyring only, never a file or a log."""
    from cryptography.hazmat.primitives import serialization

    raw = private_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return base64.b64encode(raw).decode("ascii")


def private_key_from_b64(text: str) -> Ed25519PrivateKey:
    """Load a private key saved with private_key_b64."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(text, validate=True))


def public_key_b64(private_key: Ed25519PrivateKey) -> str:
    """The raw 32-byte public key as base64: what is registered with the server."""
    from cryptography.hazmat.primitives import serialization

    raw = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def _load_public(public_b64: str) -> Ed25519PublicKey:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    raw = base64.b64decode(public_b64, validate=True)
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def is_valid_public_key(public_b64: str) -> bool:
    """Whether `public_b64` is a base64 Ed25519 public key."""
    try:
        _load_public(public_b64)
    except (ValueError, TypeError, binascii.Error):
        return False
    return True


def sign(private_key: Ed25519PrivateKey, obj: Any) -> str:
    """Base64 Ed25519 signature over the canonical JSON of `obj`."""
    return base64.b64encode(private_key.sign(canonical_json(obj))).decode("ascii")


def verify(public_b64: str, obj: Any, signature_b64: str) -> bool:
    """Whether `signature_b64` is the device key's signature over the canonical JSON of `obj`
    (`obj` given as bytes is that canonical JSON already: a big payload is encoded once).

    Any malformed input (bad base64, wrong length, a float in `obj`) is simply "not verified".
    """
    from cryptography.exceptions import InvalidSignature

    try:
        key = _load_public(public_b64)
        signature = base64.b64decode(signature_b64, validate=True)
        key.verify(signature, obj if isinstance(obj, bytes) else canonical_json(obj))
    except (InvalidSignature, ValueError, TypeError, binascii.Error):
        return False
    return True


def key_fingerprint(public_b64: str) -> str:
    """A short, human-comparable name of a public key: the first 16 hex digits of its SHA-256,
    in groups of four ("3f2a 9c01 77de 4b10"). Printed on notices and shown at registration."""
    raw = base64.b64decode(public_b64, validate=True)
    digest = hashlib.sha256(raw).hexdigest()[:16]
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))

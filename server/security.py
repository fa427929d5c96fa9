"""Passwords (scrypt, memory-hard) and opaque bearer tokens (only their SHA-256 is stored)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SCRYPT_R = 8
SCRYPT_P = 1
SCRYPT_DKLEN = 32
_MAXMEM = 128 * 1024 * 1024


def hash_password(password: str, n: int = 2**14) -> str:
    """"scrypt$n$r$p$salt$hash" with a fresh 16-byte salt (base64 parts)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=SCRYPT_R, p=SCRYPT_P, maxmem=_MAXMEM, dklen=SCRYPT_DKLEN
    )
    return "scrypt${}${}${}${}${}".format(
        n, SCRYPT_R, SCRYPT_P, base64.b64encode(salt).decode(), base64.b64encode(digest).decode()
    )


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_b64, hash_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(hash_b64)
        digest = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt_b64),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=_MAXMEM,
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, expected)


# A hash to verify against when the username does not exist, so both cases cost the same time.
_DUMMY_HASH: str | None = None


def burn_password_check(password: str, n: int = 2**14) -> None:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password("not a real password", n)
    verify_password(password, _DUMMY_HASH)


def new_token() -> str:
    """A fresh opaque token (256 bits)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def generate_password() -> str:
    """A readable random password for a new account (printed once)."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))

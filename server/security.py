"""Passwords (scrypt, memory-hard; a policy checked with zxcvbn) and opaque bearer tokens (only
their SHA-256 is stored)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import io
import secrets
from collections.abc import Iterable

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


def burn_password_check(password: str, n: int = 2**14) -> None:
    """The work of checking a password against an account that does not exist: one scrypt of the
    same cost as a real account's check. The hash it is compared with is random bytes in the stored
    format — making it needs no scrypt, so even the first unknown name costs exactly one check
    (a dummy hashed on first use cost two, telling that name apart)."""
    dummy = "scrypt${}${}${}${}${}".format(n, SCRYPT_R, SCRYPT_P, base64.b64encode(secrets.token_bytes(16)).decode(),
                                          base64.b64encode(secrets.token_bytes(SCRYPT_DKLEN)).decode())
    verify_password(password, dummy)


# --- Password policy ----------------------------------------------------------------------------

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
# zxcvbn's score 3: about 10^8 guesses or more ("safely unguessable" against throttled online
# guessing, and costly offline against scrypt). Its lists hold the common and leaked passwords,
# words, names, dates, keyboard walks and sequences it penalises.
MIN_PASSWORD_SCORE = 3

POLICY_TEXT = (f"密码至少{MIN_PASSWORD_LENGTH}位，不能是常见密码，也不要用账号名、单位名、生日、"
               "键盘顺序（如 qwerty、123456）或重复的字符；可用几个不相关的词加数字和符号。")


def password_problem(password: str, user_inputs: Iterable[str] = ()) -> str | None:
    """Why `password` is refused (a Chinese sentence), or None when it meets the policy.

    The same check runs on every path that sets a password: create-user, a superior's reset and
    the user's own change."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"密码太短（{len(password)}位）。" + POLICY_TEXT
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"密码不能超过{MAX_PASSWORD_LENGTH}位。"
    from zxcvbn import zxcvbn

    hints = [hint for hint in user_inputs if hint]
    # zxcvbn's cost grows fast with length; its own limit is 72 characters, and a longer
    # password's first 72 characters already decide whether it is guessable.
    if zxcvbn(password[:72], user_inputs=hints)["score"] < MIN_PASSWORD_SCORE:
        return "密码太容易被猜到。" + POLICY_TEXT
    return None


def new_token() -> str:
    """A fresh opaque token (256 bits)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def generate_password() -> str:
    """A readable random password for a new account (printed once) that meets the policy."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(12))
        if password_problem(password) is None:
            return password


# --- The notice PDF ------------------------------------------------------------------------------


def pdf_problem(data: bytes) -> str | None:
    """Why `data` is not an acceptable notice PDF (a Chinese sentence), or None.

    It must parse as a PDF (pypdf) with at least one page, and carry no JavaScript or automatic
    action (a notice made by the app has none): reviewers open what is stored."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if not data.startswith(b"%PDF-"):
        return "告知书不是 PDF 文件"
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if len(reader.pages) < 1:
            return "告知书 PDF 没有页面"
        root = reader.trailer["/Root"]
        names = root.get("/Names")
        if "/OpenAction" in root or "/AA" in root or (names is not None and "/JavaScript" in names):
            return "告知书 PDF 含有脚本或自动动作"
    except (PyPdfError, ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError):
        return "告知书 PDF 无法解析"
    return None

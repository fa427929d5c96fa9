"""Logins that resist guessing: counted attempts, device cookies, bounded password hashing.

POST /auth/login (and /auth/change-password, which checks the current password the same way):

1. **Admission.** At most `password_workers + password_queue` logins of this process are in
   flight; one more is refused at once with rate_limited (429) — before any database work or
   hashing — so a login flood costs the server little and signed-in users keep their threads, CPU
   and memory (scrypt takes ~16 MiB per check). The admitted wait for a turn (2 per hashing
   thread) before the steps below, so a queue of logins holds no thread, no database work and no
   scrypt buffer (`PasswordGate`). Hashing runs on its own small thread pool.
2. **Reservation** (one write transaction): the attempt is counted as a failure *before* the
   password is checked, on the guards that apply (`LoginGuard`), and refused if one is locked. So
   however many guesses arrive at once, at most `max_failed_logins` of them are ever checked.
   Guards: the account name ("user:<name>", kept for unknown names too, so a name that does not
   exist answers exactly like a wrong password), the client address ("addr:<ip>", slows spraying
   many names), or — for a PC presenting a valid device cookie of that account — the cookie
   ("cookie:<hash>") *instead of* the account name and address, so strangers who lock the account
   do not lock the clerk out of her own PC.
3. **The check** (scrypt) on the hashing pool; an unknown name is checked against a dummy hash.
4. **The outcome** (one write transaction): success clears the account's (or cookie's) count and
   gives back the address's reserved failure; a failure keeps its reservation. Nothing but a
   success or a superior's unlock ever clears a lock.

The design and its limits are explained in docs/security.md.
"""
from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool

from server import accounts
from server.db import is_sqlite, session, write_tx
from server.models import UNSUPPORTED_UNION_TYPES, LoginGuard, Token, Union, User
from server.problems import ProblemError
from server.security import burn_password_check, hash_password, new_token, token_hash, verify_password
from server.settings import ServerContext

log = logging.getLogger("union_server.logins")

T = TypeVar("T")


class PasswordGate:
    """Admission, turns and a small thread pool for password hashing (one per app).

    A login is admitted while fewer than `workers + queue` are in flight (else rate_limited at
    once), then waits for one of `2 × workers` turns before it does anything: reservation, the
    check, the outcome. Waiting costs a coroutine, no thread, no database work, no scrypt buffer;
    and since the reservation comes after the turn, the logins waiting from one address (a whole
    office behind one NAT) are not yet counted on its address guard — only the few with a turn
    are, far below `max_failed_per_address`. Two turns per hashing thread keep it busy while the
    other login of its pair is in the database."""

    def __init__(self, workers: int, queue: int) -> None:
        self.workers = max(1, workers)
        self.queue = max(0, queue)
        self.pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="password-hash",
                                       initializer=_lower_priority)
        self.turns = asyncio.Semaphore(2 * self.workers)
        self.in_flight = 0  # only touched on the event loop's thread

    @property
    def capacity(self) -> int:
        return self.workers + self.queue

    @asynccontextmanager
    async def admit(self) -> AsyncIterator[None]:
        if self.in_flight >= self.capacity:
            raise ProblemError("rate_limited", {"retry_after_seconds": 1})
        self.in_flight += 1
        try:
            async with self.turns:
                yield
        finally:
            self.in_flight -= 1

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.pool, fn, *args)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


def _lower_priority() -> None:
    """Run this hashing thread at a lower CPU priority (Linux: per thread), so that under a flood
    the kernel serves signed-in users' requests first."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):  # not Linux, or not allowed: equal priority then
        pass


@dataclass
class Attempt:
    """A reserved login attempt: what to check the password against and which guards count it."""

    username: str
    user_id: int | None  # None: unknown account (checked against a dummy hash)
    password_hash: str | None
    guard_key: str  # "user:<name>" or "cookie:<hash>"
    address_key: str | None  # None for a trusted (device cookie) attempt
    failures: int  # on guard_key, this attempt included
    cookie_id: int | None


def _guard(key: str, now: datetime) -> LoginGuard:
    """The guard row for `key`, created if missing and row-locked on PostgreSQL (call inside a
    write transaction; SQLite's IMMEDIATE transaction already serialises writers)."""
    LoginGuard.insert(key=key, failures=0, window_start=now, updated=now).on_conflict_ignore().execute()
    query = LoginGuard.select().where(LoginGuard.key == key)
    if not is_sqlite():
        query = query.for_update()
    row = query.get()
    if row.locked_until is not None and row.locked_until <= now:
        row.failures, row.locked_until, row.window_start = 0, None, now  # the lock ran out
    return row


def _count(row: LoginGuard, now: datetime, window: timedelta, limit: int, lockout: timedelta) -> None:
    if row.locked_until is None and now - row.window_start > window:
        row.failures, row.window_start = 0, now  # old failures are forgotten
    row.failures += 1
    if row.failures >= limit:
        row.locked_until = now + lockout
    row.updated = now
    row.save()


def _minutes_left(until: datetime, now: datetime) -> int:
    return max(1, int((until - now).total_seconds() + 59) // 60)


def _valid_cookie(cookie: str | None, user: User | None, now: datetime) -> Token | None:
    if not cookie or user is None or len(cookie) > 256:
        return None
    return Token.get_or_none((Token.token_hash == token_hash(cookie)) & (Token.kind == "login_cookie")
                             & (Token.user == user) & (Token.expires > now))


def reserve(ctx: ServerContext, username: str, address: str, cookie: str | None) -> Attempt:
    """Count the attempt on its guards before the password is checked (see the module doc)."""
    s = ctx.settings
    now = ctx.now_naive()
    lockout = timedelta(seconds=s.lockout_seconds)
    with write_tx():
        user = User.get_or_none(User.username == username)
        trusted = _valid_cookie(cookie, user, now)
        address_key = None
        if trusted is None:
            address_key = f"addr:{address}"
            at_address = _guard(address_key, now)
            if at_address.locked_until is not None:
                seconds = int((at_address.locked_until - now).total_seconds()) + 1
                raise ProblemError("rate_limited", {"retry_after_seconds": seconds})
            _count(at_address, now, timedelta(seconds=s.address_window_seconds), s.max_failed_per_address,
                   timedelta(seconds=s.address_lockout_seconds))
        guard_key = f"cookie:{trusted.token_hash}" if trusted is not None else f"user:{username}"
        guard = _guard(guard_key, now)
        if guard.locked_until is not None:
            minutes = _minutes_left(guard.locked_until, now)
            raise ProblemError("account_locked", {"retry_after_minutes": minutes}, delay=_delay(ctx, s.max_failed_logins))
        _count(guard, now, lockout, s.max_failed_logins, lockout)
    # A superior's lock (`disabled`) is told only after the right password (admit_user).
    return Attempt(username=username, user_id=user.id if user is not None else None,
                   password_hash=user.password_hash if user is not None else None, guard_key=guard_key,
                   address_key=address_key, failures=guard.failures,
                   cookie_id=trusted.id if trusted is not None else None)


def _delay(ctx: ServerContext, failures: int) -> float:
    s = ctx.settings
    return min(s.failure_delay_max_seconds, s.failure_delay_seconds * max(failures, 1))


def check_password(ctx: ServerContext, attempt: Attempt, password: str) -> bool:
    """The scrypt check (run on the hashing pool); an unknown account costs the same."""
    if attempt.password_hash is None:
        burn_password_check(password, ctx.settings.scrypt_n)
        return False
    return verify_password(password, attempt.password_hash)


def refuse(ctx: ServerContext, attempt: Attempt) -> ProblemError:
    """A failed attempt: its reservation stands; the same answer for a known and an unknown name."""
    s = ctx.settings
    with write_tx():
        if attempt.cookie_id is not None and attempt.failures >= s.max_failed_logins:
            # A device cookie that keeps failing stops being trusted.
            Token.delete().where(Token.id == attempt.cookie_id).execute()
        accounts.audit(ctx, "login_failed", entity="user", entity_key=attempt.username[:64],
                       detail={"failures": attempt.failures})
    log.info("login failed (%d consecutive)", attempt.failures)
    delay = _delay(ctx, attempt.failures)
    if attempt.failures >= s.max_failed_logins:
        return ProblemError("account_locked", {"retry_after_minutes": _minutes_left(
            ctx.now_naive() + timedelta(seconds=s.lockout_seconds), ctx.now_naive())}, delay=delay)
    return ProblemError("auth_failed", {"attempts_left": s.max_failed_logins - attempt.failures}, delay=delay)


def _clear(ctx: ServerContext, attempt: Attempt) -> None:
    """A right password: the account's (or cookie's) count starts again; the address gets its
    reserved failure back (inside a write transaction)."""
    now = ctx.now_naive()
    LoginGuard.update(failures=0, locked_until=None, window_start=now, updated=now).where(
        LoginGuard.key == attempt.guard_key).execute()
    if attempt.address_key is not None:
        LoginGuard.update(failures=LoginGuard.failures - 1, updated=now).where(
            (LoginGuard.key == attempt.address_key) & (LoginGuard.failures > 0)).execute()


def _issue_device_cookie(ctx: ServerContext, user: User, used: int | None) -> str:
    now = ctx.now_naive()
    if used is not None:
        Token.delete().where(Token.id == used).execute()
    cookie = new_token()
    Token.create(token_hash=token_hash(cookie), kind="login_cookie", user=user, created=now,
                 expires=now + timedelta(seconds=ctx.settings.device_cookie_ttl_seconds))
    keep = (Token.select(Token.id).where((Token.user == user) & (Token.kind == "login_cookie"))
            .order_by(Token.created.desc(), Token.id.desc()).limit(ctx.settings.max_device_cookies))
    Token.delete().where((Token.user == user) & (Token.kind == "login_cookie") & Token.id.not_in(keep)).execute()
    return cookie


def admit_user(ctx: ServerContext, attempt: Attempt, *, new_hash: str | None = None) -> dict[str, Any]:
    """A right password: clear the guards; with `new_hash`, change the password first (every other
    session of the account ends); then tokens, a fresh device cookie and the profile."""
    now = ctx.now_naive()
    with write_tx():
        _clear(ctx, attempt)
        user = User.get_by_id(attempt.user_id)
        if new_hash is not None and not user.disabled:
            user.password_hash = new_hash
            user.must_change_password = False
            user.save()
            Token.delete().where((Token.user == user) & (Token.kind != "login_cookie")).execute()
            accounts.audit(ctx, "change_password", user=user, entity="user", entity_key=user.username)
    # Refusals after a right password keep the cleared count (they are not guesses).
    if user.disabled:
        raise ProblemError("account_disabled")
    if user.must_change_password:
        raise ProblemError("password_change_required", {"must_change_password": True})
    union = Union.get_by_id(user.union_id)
    if union.union_type in UNSUPPORTED_UNION_TYPES:
        raise ProblemError("union_type_unsupported", union.union_type)
    accounts.check_role(user, union)
    with write_tx():
        user.last_login = now
        user.save()
        Token.delete().where((Token.user == user) & (Token.expires < now)).execute()
        _forget_old_guards(ctx)
        tokens = accounts.issue_tokens(ctx, user)
        tokens["device_cookie"] = _issue_device_cookie(ctx, user, attempt.cookie_id)
        accounts.audit(ctx, "login", user=user, entity="user", entity_key=user.username)
    log.info("login ok for %s", user.username)
    return {**tokens, "user": accounts.user_info(user)}


async def _in_session(fn: Callable[..., T], *args: Any) -> T:
    def run() -> T:
        with session():
            return fn(*args)

    return await run_in_threadpool(run)


async def _checked(ctx: ServerContext, gate: PasswordGate, username: str, password: str, address: str,
                   cookie: str | None) -> Attempt:
    """Reserve, check the password on the hashing pool; the attempt, or the ProblemError to answer."""
    attempt = await _in_session(reserve, ctx, username, address, cookie)
    if await gate.run(check_password, ctx, attempt, password) and attempt.user_id is not None:
        return attempt
    raise await _in_session(refuse, ctx, attempt)


async def login(ctx: ServerContext, gate: PasswordGate, username: str, password: str, address: str,
                cookie: str | None) -> dict[str, Any]:
    """Tokens, a device cookie and the profile; or auth_failed / account_locked / rate_limited /
    password_change_required (ProblemError, with the delay to wait before answering)."""
    async with gate.admit():
        attempt = await _checked(ctx, gate, username, password, address, cookie)
        return await _in_session(admit_user, ctx, attempt)


async def change_password(ctx: ServerContext, gate: PasswordGate, username: str, password: str,
                          new_password: str, address: str, cookie: str | None) -> dict[str, Any]:
    """The account's own change of password (forced after a superior's reset, or by choice),
    checked like a login; answers like a login with the new password."""
    problem = await _in_session(accounts.password_problem_for, username, new_password)
    if problem is not None or new_password == password:
        raise ProblemError("password_weak", problem or "新密码不能与原密码相同。")
    async with gate.admit():
        attempt = await _checked(ctx, gate, username, password, address, cookie)
        new_hash = await gate.run(hash_password, new_password, ctx.settings.scrypt_n)
        return await _in_session(lambda: admit_user(ctx, attempt, new_hash=new_hash))


def _forget_old_guards(ctx: ServerContext) -> None:
    """Delete guards with nothing left to remember (inside a write transaction; each successful
    login tidies up, so names sprayed by a guesser do not pile up)."""
    s = ctx.settings
    horizon = ctx.now_naive() - timedelta(
        seconds=2 * max(s.lockout_seconds, s.address_window_seconds, s.address_lockout_seconds))
    (LoginGuard.delete()
     .where((LoginGuard.updated < horizon) & (LoginGuard.locked_until.is_null() | (LoginGuard.locked_until < horizon)))
     .execute())

"""Logins that resist guessing (issue #18, findings 1, 2, 6, 11 and 12), over HTTP on a real server.

Concurrent bursts of wrong passwords are checked at most `max_failed_logins` times and the right
password is then refused; an unknown name answers like a wrong password; the client address and
the account are throttled, but a PC holding a device cookie is not locked out by strangers; a
superior can unlock; the password-hashing work of a flood is bounded; the password policy holds
on every path; a superior's reset forces a change; refreshed access tokens die and a reused
refresh token revokes its family.
"""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
from union_server_testkit import PASSWORD, Server, Session

from server.db import session
from server.models import AuditEntry


def _login(http: httpx.Client, username: str, password: str, **extra: str) -> httpx.Response:
    return http.post("/auth/login", json={"username": username, "password": password, **extra})


def _checked_failures(username: str) -> int:
    """How many wrong passwords of `username` the server actually checked (each is audited)."""
    with session():
        return AuditEntry.select().where((AuditEntry.action == "login_failed")
                                         & (AuditEntry.entity_key == username)).count()


_UNUSED_COSTS = iter(2**e for e in range(12, 4, -1))


def _burst(server: Server, username: str, guesses: int = 40, threads: int = 16) -> list[int]:
    clients = [server.client() for _ in range(threads)]

    def guess(n: int) -> int:
        return _login(clients[n % threads], username, f"wrong-guess-{n}").status_code

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(guess, range(guesses)))


def test_concurrent_guessing_does_not_beat_the_lockout(server: Server) -> None:
    superior = Session(server, "secondary")
    for burst in range(3):
        statuses = _burst(server, "grassroots")
        assert set(statuses) <= {401, 423, 429}, statuses  # 429: more than the hashing queue holds
        # At most five of the forty guesses were checked against the password ...
        assert _checked_failures("grassroots") <= 5 * (burst + 1)
        assert statuses.count(401) <= 4
        # ... and the right password is refused while the lock holds.
        r = _login(server.client(), "grassroots", PASSWORD)
        assert r.status_code == 423 and r.json()["problem"] == "account_locked", r.text
        assert superior.post("/users/grassroots/unlock", {}).status_code == 200
    assert _login(server.client(), "grassroots", PASSWORD).status_code == 200


def test_unknown_user_answers_exactly_like_a_wrong_password(server: Server) -> None:
    http = server.client()
    for attempt in range(1, 6):
        known = _login(http, "grassroots", "wrong-password-x")
        unknown = _login(http, "no-such-clerk", "wrong-password-x")
        assert known.status_code == unknown.status_code
        assert known.json() == unknown.json(), attempt
    assert known.status_code == 423 and known.json()["problem"] == "account_locked"
    assert known.json()["detail"] == {"retry_after_minutes": 15}


def test_unknown_user_costs_the_same_password_work(server: Server, monkeypatch) -> None:
    """The timing half of finding 2, without a clock: an unknown name's login does exactly the
    password work of a wrong password for a real account — the same scrypt calls, with the same
    cost parameters — and waits the same delay (a function of the answer's count of failures).
    The first unknown name after start-up included: its dummy hash once cost a second scrypt."""
    import hashlib
    import threading

    calls: list[tuple[int, int, int, int, int]] = []
    lock = threading.Lock()
    real = hashlib.scrypt

    def counted(password: bytes, *, salt: bytes, n: int, r: int, p: int, maxmem: int = 0, dklen: int = 64) -> bytes:
        with lock:
            calls.append((n, r, p, len(salt), dklen))
        return real(password, salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=dklen)

    # A hashing cost no other test (or backend) uses, so this server's first unknown name is the
    # process's first of that cost.
    cost = server.ctx.settings.scrypt_n = next(_UNUSED_COSTS)
    from server import accounts
    from server.models import Union

    with session():
        grassroots = Union.get(Union.org_code == server.union("grassroots"))
        accounts.create_user(server.ctx, username="clerk-n12", password=PASSWORD, union=grassroots)
    monkeypatch.setattr(hashlib, "scrypt", counted)
    http = server.client()
    work = []
    for name in ("first-unknown-name", "clerk-n12", "another-unknown-name"):
        calls.clear()
        r = _login(http, name, "wrong-password-x")
        work.append((r.status_code, r.json(), list(calls)))
    assert work[0] == work[1] == work[2], work
    assert len(work[0][2]) == 1 and work[0][2][0][0] == cost and work[0][0] == 401


def test_a_stranger_cannot_lock_the_clerk_out_of_her_own_pc(server: Server) -> None:
    first = _login(server.client(), "grassroots", PASSWORD)
    assert first.status_code == 200
    cookie = first.json()["device_cookie"]
    for _ in range(5):
        _login(server.client(), "grassroots", "a-stranger-guess")
    r = _login(server.client(), "grassroots", PASSWORD)
    assert r.status_code == 423  # a PC without the cookie waits out the lock ...
    r = _login(server.client(), "grassroots", PASSWORD, device_cookie=cookie)
    assert r.status_code == 200, r.text  # ... the clerk's own PC does not
    # The cookie is rotated at each login; a stolen old one no longer helps.
    assert r.json()["device_cookie"] != cookie
    assert _login(server.client(), "grassroots", PASSWORD, device_cookie=cookie).status_code == 423
    # Guessing with a device cookie is limited by the cookie's own count, which then dies.
    fresh = r.json()["device_cookie"]
    statuses = [_login(server.client(), "grassroots", f"typo-{n}", device_cookie=fresh).status_code for n in range(6)]
    assert statuses == [401, 401, 401, 401, 423, 423]


def test_one_address_spraying_many_names_is_slowed(server: Server) -> None:
    server.ctx.settings.max_failed_per_address = 6
    trusted = _login(server.client(), "grassroots2", PASSWORD).json()["device_cookie"]
    http = server.client()
    statuses = [_login(http, name, "spray-password-1").status_code
                for name in ("district", "secondary", "grassroots", "center", "city", "nobody")]
    assert statuses == [401] * 6
    r = _login(http, "grassroots", PASSWORD)
    assert r.status_code == 429 and r.json()["problem"] == "rate_limited"
    assert r.json()["detail"]["retry_after_seconds"] > 0
    # No account was locked by it, and a PC with its device cookie still signs in.
    assert _login(http, "grassroots2", PASSWORD, device_cookie=trusted).status_code == 200
    from server.models import LoginGuard

    with session():
        assert not LoginGuard.select().where(LoginGuard.key.startswith("user:")
                                             & LoginGuard.locked_until.is_null(False)).exists()


def test_a_login_flood_is_refused_not_queued_without_bound(server: Server) -> None:
    """More concurrent password checks than the hashing pool and its queue: the excess is refused
    at once (429), no account is locked by it and signed-in users go on working."""
    server.ctx.password_gate.queue = 0  # the app's gate, made with the settings at start
    server.ctx.settings.max_failed_per_address = 10_000
    server.ctx.settings.scrypt_n = 2**16  # a slower check keeps the flood overlapping
    clerk = Session(server, "grassroots")
    # A long read timeout: the claim is that the excess is refused, not how fast the admitted checks
    # finish — on a loaded machine the low-priority hashing threads may take tens of seconds.
    clients = [server.client() for _ in range(12)]
    for client in clients:
        client.timeout = httpx.Timeout(180)

    def flood(n: int) -> int:
        return _login(clients[n % 12], f"ghost-{uuid.uuid4().hex[:8]}", "flood-password-1").status_code

    with ThreadPoolExecutor(12) as pool:
        statuses = list(pool.map(flood, range(48)))
    assert set(statuses) <= {401, 429}
    assert statuses.count(429) > 0
    assert clerk.get("/me").status_code == 200


def test_concurrent_logins_queue_and_all_succeed_from_one_address(server: Server) -> None:
    """24 clerks of an office behind one address log in at once: every login is admitted, waits
    for its turn and succeeds — none refused, none counted against the address while waiting
    (its limit is lowered below the crowd here: reserved all at once they would lock it)."""
    from server import accounts
    from server.models import LoginGuard, Union

    server.ctx.settings.max_failed_per_address = 5
    with session():
        union = Union.get(Union.org_code == server.union("grassroots"))
        names = [f"crowd{n:02d}" for n in range(24)]
        for name in names:
            accounts.create_user(server.ctx, username=name, password=PASSWORD, union=union, role="clerk")
    clients = [server.client() for _ in names]
    for client in clients:
        client.timeout = httpx.Timeout(180)
    with ThreadPoolExecutor(len(names)) as pool:
        answers = list(pool.map(lambda n: _login(clients[n], names[n], PASSWORD), range(len(names))))
    assert [r.status_code for r in answers] == [200] * len(names), [r.text for r in answers if r.status_code != 200]
    assert len({r.json()["access_token"] for r in answers}) == len(names)
    with session():
        assert not LoginGuard.select().where(LoginGuard.locked_until.is_null(False)).exists()
        assert {g.failures for g in LoginGuard.select().where(LoginGuard.key.startswith("addr:"))} <= {0}


def test_password_policy_on_reset_and_change(server: Server) -> None:
    secondary = Session(server, "secondary")
    for weak in ("12345678", "password123", "qwertyuiop", "grassroots1", "short-1"):
        r = secondary.post("/users/grassroots/reset-password", {"new_password": weak})
        assert r.status_code == 422 and r.json()["problem"] == "password_weak", weak
        assert "密码" in r.json()["detail"]
    r = server.client().post("/auth/change-password", json={
        "username": "grassroots", "password": PASSWORD, "new_password": "12345678"})
    assert r.status_code == 422 and r.json()["problem"] == "password_weak"
    assert _login(server.client(), "grassroots", PASSWORD).status_code == 200  # unchanged


def test_reset_password_answers_alike_for_unknown_and_forbidden(server: Server) -> None:
    peer = Session(server, "grassroots2")
    forbidden = peer.post("/users/grassroots/reset-password", {"new_password": "Ocean-lantern-93"})
    unknown = peer.post("/users/nobody-here/reset-password", {"new_password": "Ocean-lantern-93"})
    assert forbidden.status_code == unknown.status_code == 403
    assert forbidden.json() == unknown.json()
    assert peer.post("/users/nobody-here/unlock", {}).json() == peer.post("/users/grassroots/unlock", {}).json()


def test_after_a_reset_the_superior_cannot_become_the_clerk(server: Server) -> None:
    clerk = Session(server, "grassroots")
    secondary = Session(server, "secondary")
    assert secondary.post("/users/grassroots/reset-password", {"new_password": "Superior-knows-77"}).status_code == 200
    assert clerk.get("/me").status_code == 401  # every session of the clerk ended
    r = _login(server.client(), "grassroots", "Superior-knows-77")
    assert r.status_code == 403 and r.json()["problem"] == "password_change_required"
    assert "access_token" not in r.json() and "device_cookie" not in r.text
    r = server.client().post("/auth/change-password", json={
        "username": "grassroots", "password": "Superior-knows-77", "new_password": "Clerk-only-tulip-58"})
    assert r.status_code == 200 and r.json()["access_token"]
    assert _login(server.client(), "grassroots", "Superior-knows-77").status_code == 401
    assert _login(server.client(), "grassroots", "Clerk-only-tulip-58").status_code == 200


def test_devices_are_limited_listed_announced_and_revocable(server: Server) -> None:
    clerk = Session(server, "grassroots")
    fingerprints = [clerk.register_device() for _ in range(5)]
    from app import protocol

    r = clerk.post("/devices", {"public_key": protocol.public_key_b64(protocol.generate_device_key()), "label": "陌生电脑"})
    assert r.status_code == 409 and r.json()["problem"] == "device_limit"
    listed = clerk.get("/devices")
    assert listed.headers["cache-control"] == "no-store"
    assert [d["fingerprint"] for d in listed.json()["devices"]] == fingerprints[::-1]
    announced = [c for c in clerk.changes()["changes"] if c["entity"] == "device"]
    assert [c["key"] for c in announced] == fingerprints
    assert announced[0]["data"]["username"] == "grassroots" and announced[0]["data"]["label"] == "测试电脑"
    assert clerk.post(f"/devices/{fingerprints[0]}/revoke", {}).status_code == 200
    assert clerk.get("/devices").json()["devices"][-1]["revoked"] is not None
    assert clerk.register_device()  # a slot is free again


def test_a_refresh_kills_the_old_access_token(server: Server) -> None:
    s = Session(server, "grassroots")
    old_access = s.headers
    r = server.client().post("/auth/refresh", json={"refresh_token": s.tokens["refresh_token"]})
    assert r.status_code == 200
    assert s.http.get("/me", headers=old_access).status_code == 401
    assert s.http.get("/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"}).status_code == 200


def test_reusing_a_rotated_refresh_token_revokes_the_family(server: Server) -> None:
    s = Session(server, "grassroots")
    other_login = Session(server, "grassroots")
    stolen = s.tokens["refresh_token"]
    fresh = server.client().post("/auth/refresh", json={"refresh_token": stolen}).json()
    reuse = server.client().post("/auth/refresh", json={"refresh_token": stolen})
    assert reuse.status_code == 401 and reuse.json()["problem"] == "auth_failed"
    # Everything of that login is gone: the new access token and the new refresh token ...
    assert s.http.get("/me", headers={"Authorization": f"Bearer {fresh['access_token']}"}).status_code == 401
    assert server.client().post("/auth/refresh", json={"refresh_token": fresh["refresh_token"]}).status_code == 401
    # ... while another login of the same account goes on.
    assert other_login.get("/me").status_code == 200


def test_roles_are_valid_only_at_their_level(server: Server) -> None:
    import pytest

    from server import accounts
    from server.models import Union, User
    from server.problems import ProblemError
    from server.security import hash_password

    with session():
        district = Union.get(Union.org_code == server.union("district"))
        grassroots = Union.get(Union.org_code == server.union("grassroots"))
        for role, union in (("clerk", district), ("center", grassroots), ("center", district)):
            with pytest.raises(ProblemError) as refused:
                accounts.create_user(server.ctx, username=f"x-{role}-{union.id}", password=PASSWORD, union=union, role=role)
            assert refused.value.code == "validation"
        with pytest.raises(ProblemError) as weak:
            accounts.create_user(server.ctx, username="weakling", password="12345678", union=grassroots)
        assert weak.value.code == "password_weak"
        # Accounts an older server let through (or a hand-edited database) have no rights at all.
        for name, role, union in (("odd-clerk", "clerk", district), ("odd-center", "center", grassroots)):
            User.create(username=name, union=union, role=role, password_hash=hash_password(PASSWORD),
                        created=server.ctx.now_naive())
    for name in ("odd-clerk", "odd-center"):
        r = _login(server.client(), name, PASSWORD)
        assert r.status_code == 403 and r.json()["problem"] == "union_scope", r.text
    # A token such an account got before is refused too.
    with session():
        User.update(role="reviewer").where(User.username == "odd-clerk").execute()
    reviewer = Session(server, "odd-clerk")
    assert reviewer.get("/submissions", union=server.union("grassroots")).status_code == 200
    with session():
        User.update(role="clerk").where(User.username == "odd-clerk").execute()
    r = reviewer.get("/submissions", union=server.union("grassroots"))
    assert r.status_code == 403 and r.json()["problem"] == "union_scope"
    assert reviewer.get("/unions").status_code == 403

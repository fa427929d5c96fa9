"""Accounts over real HTTP: login, lockout, refresh, expiry, password reset, union types."""
from __future__ import annotations

from datetime import timedelta

from union_server_testkit import PASSWORD, Server, Session

from server.db import session
from server.models import Union, User


def test_login_returns_tokens_and_profile(server: Server) -> None:
    s = Session(server, "grassroots")
    assert s.tokens["expires_in"] == 900
    assert s.tokens["refresh_expires_in"] == 30 * 24 * 3600
    assert s.user["union"]["level"] == "grassroots"
    assert s.user["enterprises"] == [{"name": "上海示范科技有限公司", "credit_code": None}]
    me = s.get("/me")
    assert me.status_code == 200 and me.json()["username"] == "grassroots"


def test_wrong_password_then_lockout_after_five(server: Server) -> None:
    http = server.client()
    for attempt in range(1, 5):
        r = http.post("/auth/login", json={"username": "grassroots", "password": "wrong-password"})
        assert r.status_code == 401
        assert r.json()["problem"] == "auth_failed"
        assert r.json()["detail"] == {"attempts_left": 5 - attempt}
        assert "密码" in r.json()["message"]
    r = http.post("/auth/login", json={"username": "grassroots", "password": "wrong-password"})
    assert r.status_code == 423 and r.json()["problem"] == "account_locked"
    # Locked: even the right password is refused, with the same problem.
    r = http.post("/auth/login", json={"username": "grassroots", "password": PASSWORD})
    assert r.status_code == 423 and r.json()["problem"] == "account_locked"
    server.clock.offset = timedelta(minutes=16)
    r = http.post("/auth/login", json={"username": "grassroots", "password": PASSWORD})
    assert r.status_code == 200


def test_unknown_user_looks_like_a_wrong_password(server: Server) -> None:
    r = server.client().post("/auth/login", json={"username": "nobody", "password": "whatever1"})
    assert r.status_code == 401 and r.json()["problem"] == "auth_failed"


def test_refresh_rotates_the_pair(server: Server) -> None:
    s = Session(server, "grassroots")
    http = server.client()
    r = http.post("/auth/refresh", json={"refresh_token": s.tokens["refresh_token"]})
    assert r.status_code == 200
    fresh = r.json()
    assert fresh["access_token"] != s.tokens["access_token"]
    assert http.get("/me", headers={"Authorization": f"Bearer {fresh['access_token']}"}).status_code == 200
    again = http.post("/auth/refresh", json={"refresh_token": s.tokens["refresh_token"]})
    assert again.status_code == 401 and again.json()["problem"] == "auth_failed"


def test_access_token_expires_after_15_minutes(server: Server) -> None:
    s = Session(server, "grassroots")
    server.clock.offset = timedelta(minutes=16)
    r = s.get("/changes")
    assert r.status_code == 401 and r.json()["problem"] == "token_expired"
    r = server.client().post("/auth/refresh", json={"refresh_token": s.tokens["refresh_token"]})
    assert r.status_code == 200


def test_endpoints_need_a_token(server: Server) -> None:
    http = server.client()
    for path in ("/changes", "/me", "/campaigns/current", "/submissions", "/unions"):
        r = http.get(path)
        assert r.status_code == 401, path
        assert r.json()["problem"] == "auth_failed"
    r = http.get("/changes", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401


def test_superior_resets_a_subordinate_password(server: Server) -> None:
    secondary = Session(server, "secondary")
    r = secondary.post("/users/grassroots/reset-password", {"new_password": "brand-new-pass"})
    assert r.status_code == 200, r.text
    # The reset password opens no session: the clerk must choose her own first.
    r = server.client().post("/auth/login", json={"username": "grassroots", "password": "brand-new-pass"})
    assert r.status_code == 403 and r.json()["problem"] == "password_change_required"
    assert "access_token" not in r.text
    r = server.client().post("/auth/change-password", json={
        "username": "grassroots", "password": "brand-new-pass", "new_password": "only-mine-41-river"})
    assert r.status_code == 200, r.text
    Session(server, "grassroots", "only-mine-41-river")
    # A peer (another grassroots union) and the account itself may not.
    peer = Session(server, "grassroots2")
    r = peer.post("/users/grassroots/reset-password", {"new_password": "peer-choice-1x"})
    assert r.status_code == 403 and r.json()["problem"] == "union_scope"
    me = Session(server, "grassroots", "only-mine-41-river")
    r = me.post("/users/grassroots/reset-password", {"new_password": "self-choice-1x"})
    assert r.status_code == 403


def test_unsupported_union_type_gets_a_clear_message(server: Server) -> None:
    from server import accounts

    with session():
        parent = Union.get(Union.org_code == "813101010000000033")
        union = accounts.create_union(server.ctx, name="某某分工会", org_code="X-SUB-1", union_type="分工会",
                                      level="grassroots", parent=parent)
        accounts.create_user(server.ctx, username="subunion", password=PASSWORD, union=union)
        assert User.get(User.username == "subunion").role == "clerk"
    r = server.client().post("/auth/login", json={"username": "subunion", "password": PASSWORD})
    assert r.status_code == 403
    assert r.json()["problem"] == "union_type_unsupported"
    assert "分工会" in r.json()["message"]


def test_validation_errors_do_not_echo_the_password(server: Server) -> None:
    r = server.client().post("/auth/login", json={"username": "", "password": "secret-pass-echo"})
    assert r.status_code == 422
    assert r.json()["problem"] == "validation"
    assert "secret-pass-echo" not in r.text

"""A superior union manages its subordinate unions' accounts (issue #16, manual §1 "忘记密码请联系上级
工会"), over HTTP on a real loopback server, SQLite and PostgreSQL: a reset (generated or given)
forces a change at the next login and no route takes a token until then; the superior's scope is
its subtree only, a grassroots clerk has none, and an unknown account answers like a forbidden one;
lock and unlock (which also clears the #18 throttling); every act audited without a password.
"""
from __future__ import annotations

import httpx
import pytest
from union_server_testkit import PASSWORD, Server, Session

from server import accounts
from server.db import session
from server.models import AuditEntry, Union, User

G1, G2 = "813101010000000041", "81310101000000005X"
SECONDARY, DISTRICT = "813101010000000033", "813101010000000025"
OTHER_DISTRICT, OTHER_GRASSROOTS = "813101050000000011", "813101050000000029"


def _login(server: Server, username: str, password: str) -> httpx.Response:
    return server.client().post("/auth/login", json={"username": username, "password": password})


def _audit(action: str, username: str) -> list[AuditEntry]:
    with session():
        return list(AuditEntry.select().where((AuditEntry.action == action) & (AuditEntry.entity_key == username))
                    .order_by(AuditEntry.id))


@pytest.fixture
def other_district(server: Server) -> None:
    """A second district (静安) with a grassroots union and its clerk: outside the demo district."""
    with session():
        city = Union.get(Union.level == "city")
        district = accounts.create_union(server.ctx, name="上海市静安区总工会", org_code=OTHER_DISTRICT,
                                         union_type="区总工会", level="district", parent=city)
        grassroots = accounts.create_union(server.ctx, name="上海静安某某公司工会委员会", org_code=OTHER_GRASSROOTS,
                                           union_type="工会委员会", level="grassroots", parent=district)
        accounts.create_user(server.ctx, username="jingan", password=PASSWORD, union=district)
        accounts.create_user(server.ctx, username="jingan-clerk", password=PASSWORD, union=grassroots)


def test_a_generated_reset_forces_a_change_and_is_audited(server: Server) -> None:
    clerk = Session(server, "grassroots")
    district = Session(server, "district")
    r = district.post("/users/grassroots/reset-password", {})
    assert r.status_code == 200, r.text
    answer = r.json()
    generated = answer["password"]
    assert answer["generated"] is True and len(generated) >= 12
    assert answer["account"]["state"] == "must_change" and answer["account"]["state_label"] == "待本人修改密码"
    assert r.headers["cache-control"] == "no-store"
    assert clerk.get("/me").status_code == 401  # every session of the clerk ended
    # The login answers the flag and no token; the clerk sets her own password.
    r = _login(server, "grassroots", generated)
    assert r.status_code == 403 and r.json()["problem"] == "password_change_required"
    assert r.json()["detail"] == {"must_change_password": True} and "access_token" not in r.text
    r = server.client().post("/auth/change-password", json={
        "username": "grassroots", "password": generated, "new_password": "Clerk-own-maple-63"})
    assert r.status_code == 200 and r.json()["access_token"]
    assert _login(server, "grassroots", generated).status_code == 401
    listed = district.get("/users", union=G1).json()["accounts"]
    assert [(a["username"], a["state"]) for a in listed] == [("grassroots", "active")]
    # Audited: who, whose, which union, when — never the password (nor in the server's log).
    [entry] = _audit("reset_password", "grassroots")
    assert entry.username == "district" and entry.detail == {"generated": True} and entry.at is not None
    with session():
        assert Union.get_by_id(entry.union_id).org_code == G1
        texts = [str(e.detail) for e in AuditEntry.select()]
    assert not any(generated in t for t in texts)
    assert not any(generated in line for line in server.logs.lines)
    trail = district.get("/users/grassroots/audit").json()["entries"]
    assert [(e["action"], e["actor"]) for e in trail] == [("reset_password", "district"), ("create_user", None)]


def test_no_route_takes_a_token_while_a_change_is_required(server: Server) -> None:
    clerk = Session(server, "grassroots")
    clerk.register_device()
    with session():  # e.g. flagged while this PC was signed in: its token no longer opens anything
        User.update(must_change_password=True).where(User.username == "grassroots").execute()
    for path in ("/me", "/changes", "/unions", "/campaigns/current", "/devices", "/submissions"):
        r = clerk.get(path)
        assert r.status_code == 403 and r.json()["problem"] == "password_change_required", path
        assert "新密码" in r.json()["message"]
    r = clerk.post("/push", {"device_fingerprint": clerk.fingerprint, "records": []})
    assert r.status_code == 403 and r.json()["problem"] == "password_change_required"
    r = server.client().post("/auth/refresh", json={"refresh_token": clerk.tokens["refresh_token"]})
    assert r.status_code == 403 and r.json()["problem"] == "password_change_required"


def test_a_superior_creates_an_account_that_sets_its_own_password(server: Server) -> None:
    secondary = Session(server, "secondary")
    r = secondary.post("/users", {"union": G2, "username": "g2-second", "display_name": "王静",
                                  "password": "Given-by-boss-24"})
    assert r.status_code == 200, r.text
    account = r.json()["account"]
    assert "password" not in r.json() and r.json()["generated"] is False  # the superior typed it
    assert (account["role"], account["role_label"], account["union"]["org_code"]) == ("clerk", "经办人", G2)
    assert _login(server, "g2-second", "Given-by-boss-24").json()["problem"] == "password_change_required"
    r = server.client().post("/auth/change-password", json={
        "username": "g2-second", "password": "Given-by-boss-24", "new_password": "Wang-own-harbor-85"})
    assert r.status_code == 200 and r.json()["user"]["union"]["org_code"] == G2
    [entry] = _audit("create_user", "g2-second")
    assert entry.username == "secondary" and entry.detail == {"generated": False}
    # Generated, for the district's secondary union: a reviewer there.
    r = Session(server, "district").post("/users", {"union": SECONDARY, "username": "sec-two"})
    assert r.status_code == 200 and r.json()["account"]["role"] == "reviewer" and r.json()["password"]
    refusals = [({"union": G2, "username": "x"}, "validation"),  # too short a name
                ({"union": G2, "username": "grassroots2"}, "validation"),  # taken
                ({"union": G2, "username": "g2-third", "role": "center"}, "validation"),
                ({"union": G2, "username": "g2-third", "password": "12345678"}, "password_weak")]
    for body, problem in refusals:
        r = secondary.post("/users", body)
        assert r.status_code == 422 and r.json()["problem"] == problem, (body, r.text)
    assert "g2-third" not in {a["username"] for a in secondary.get("/users").json()["accounts"]}


def test_each_superior_reaches_only_its_subtree(server: Server, other_district: None) -> None:
    secondary, district, center = Session(server, "secondary"), Session(server, "district"), Session(server, "center")
    names = {s: {a["username"] for a in s.get("/users").json()["accounts"]} for s in (secondary, district, center)}
    assert names[secondary] == {"grassroots", "grassroots2"}
    assert names[district] == {"secondary", "grassroots", "grassroots2"}
    assert names[center] == {"district", "secondary", "grassroots", "grassroots2", "jingan", "jingan-clerk"}
    forbidden = [(secondary, "district", DISTRICT), (secondary, "secondary", SECONDARY),
                 (district, "jingan-clerk", OTHER_GRASSROOTS), (district, "district", DISTRICT),
                 (district, "center", "813100000000000017"), (secondary, "jingan", OTHER_DISTRICT)]
    for actor, username, org_code in forbidden:
        answers = [actor.get("/users", union=org_code),
                   actor.post("/users", {"union": org_code, "username": "intruder-1"}),
                   actor.post(f"/users/{username}/reset-password", {"new_password": "Sneaky-reset-91"}),
                   actor.post(f"/users/{username}/lock", {}), actor.post(f"/users/{username}/unlock", {}),
                   actor.get(f"/users/{username}/audit")]
        for r in answers:
            assert r.status_code == 403 and r.json()["problem"] == "union_scope", (actor.user["username"], username, r.text)
    # An unknown account or union answers exactly like a forbidden one.
    assert (district.post("/users/nobody-here/lock", {}).json()
            == district.post("/users/jingan-clerk/lock", {}).json())
    assert district.get("/users", union="999999999999999999").json() == district.get("/users", union=OTHER_GRASSROOTS).json()
    # Nothing of it happened.
    assert _login(server, "jingan-clerk", PASSWORD).status_code == 200
    assert _login(server, "district", PASSWORD).status_code == 200
    with session():
        assert not User.select().where(User.username == "intruder-1").exists()
        assert not AuditEntry.select().where(AuditEntry.action.in_(["lock", "unlock", "reset_password"])).exists()


def test_a_grassroots_account_can_touch_no_account(server: Server) -> None:
    clerk = Session(server, "grassroots")
    for r in (clerk.get("/users"), clerk.get("/users", union=G1), clerk.get("/users", union=G2),
              clerk.post("/users", {"union": G1, "username": "my-helper"}),
              clerk.post("/users/grassroots2/reset-password", {}), clerk.post("/users/grassroots/reset-password", {}),
              clerk.post("/users/grassroots2/lock", {}), clerk.post("/users/grassroots/unlock", {})):
        assert r.status_code == 403 and r.json()["problem"] == "union_scope", r.text
    assert _login(server, "grassroots2", PASSWORD).status_code == 200


def test_lock_and_unlock(server: Server) -> None:
    clerk = Session(server, "grassroots2")
    secondary = Session(server, "secondary")
    r = secondary.post("/users/grassroots2/lock", {"reason": "人员调离"})
    assert r.status_code == 200 and r.json()["account"]["state"] == "locked"
    assert clerk.get("/me").status_code == 401  # its sessions ended at once
    r = _login(server, "grassroots2", PASSWORD)
    assert r.status_code == 403 and r.json()["problem"] == "account_disabled" and "上级工会" in r.json()["message"]
    wrong = _login(server, "grassroots2", "not-the-password")
    assert wrong.status_code == 401 and wrong.json()["problem"] == "auth_failed"  # as for any wrong password
    r = server.client().post("/auth/change-password", json={
        "username": "grassroots2", "password": PASSWORD, "new_password": "Locked-out-fern-47"})
    assert r.status_code == 403 and r.json()["problem"] == "account_disabled"
    assert secondary.post("/users/grassroots2/unlock", {}).json()["account"]["state"] == "active"
    assert _login(server, "grassroots2", PASSWORD).status_code == 200  # the password was not changed
    [locked] = _audit("lock", "grassroots2")
    [unlocked] = _audit("unlock", "grassroots2")
    assert (locked.username, locked.detail) == ("secondary", {"reason": "人员调离"})
    assert unlocked.username == "secondary" and unlocked.at >= locked.at


def test_unlock_clears_the_failed_login_throttling(server: Server) -> None:
    district = Session(server, "district")
    for n in range(5):
        _login(server, "grassroots", f"wrong-guess-{n}")
    assert _login(server, "grassroots", PASSWORD).json()["problem"] == "account_locked"
    [row] = district.get("/users", union=G1).json()["accounts"]
    assert row["state"] == "throttled"
    assert district.post("/users/grassroots/unlock", {}).status_code == 200
    assert _login(server, "grassroots", PASSWORD).status_code == 200
    assert district.get("/users", union=G1).json()["accounts"][0]["state"] == "active"


def test_the_list_pages_and_searches(server: Server) -> None:
    district = Session(server, "district")
    page = district.get("/users", limit=2).json()
    assert page["total"] == 3 and len(page["accounts"]) == 2
    rest = district.get("/users", limit=2, offset=2).json()["accounts"]
    assert {a["username"] for a in page["accounts"] + rest} == {"secondary", "grassroots", "grassroots2"}
    found = district.get("/users", q="联合工会").json()
    assert [a["username"] for a in found["accounts"]] == ["grassroots2"]
    row = found["accounts"][0]
    assert set(row) == {"username", "display_name", "role", "role_label", "union", "state", "state_label",
                        "must_change_password", "last_login", "created"}

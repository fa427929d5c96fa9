"""Honest files and responses (issue #18, findings 10 and 12): the server's SQLite database is
owner-only, answers holding personal data are never cached, and a superior union's reviewer reads a
subordinate's feed without members' phones, addresses or full ID numbers."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from union_server_testkit import G1_CARDED, PASSWORD, Server, Session, member_upsert, submission_payload, submission_record

from server.app import create_app
from server.embedded import serve_in_thread


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_the_sqlite_database_is_owner_only(tmp_path: Path) -> None:
    import httpx

    from server.db import session
    from server.demo import init_demo
    from server.models import User

    folder = tmp_path / "union-data"
    db = folder / "server.db"
    old_umask = os.umask(0o022)  # a usual umask: files 0644, folders 0755 unless the server says otherwise
    try:
        app = create_app(f"sqlite:///{db}")
        with session():
            init_demo(app.state.ctx, password=PASSWORD, members_per_union=3)
        url, stop = serve_in_thread(app)
        try:
            with httpx.Client(base_url=url) as http:
                assert http.post("/auth/login", json={"username": "grassroots", "password": PASSWORD}).status_code == 200
            with session():  # while a connection is open the WAL and shared-memory files exist
                assert User.select().count() > 0
                modes = {p.name: _mode(p) for p in folder.iterdir() if p.name.startswith("server.db")}
            assert set(modes) == {"server.db", "server.db-wal", "server.db-shm"}, modes
            assert set(modes.values()) == {0o600}, modes
            assert _mode(folder) == 0o700
        finally:
            stop()
    finally:
        os.umask(old_umask)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_an_existing_world_readable_database_is_made_owner_only(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    db.write_bytes(b"")
    os.chmod(db, 0o644)
    create_app(f"sqlite:///{db}")
    assert _mode(db) == 0o600


def test_answers_with_personal_data_are_never_cached(server: Server, clerk: Session) -> None:
    [receipt] = clerk.push(submission_record(clerk, submission_payload(clerk, G1_CARDED[:1])))
    sub = receipt["receipt"]["submission_id"]
    reviewer = Session(server, "secondary")
    answers = {
        "GET /me": clerk.get("/me"),
        "GET /changes": clerk.get("/changes"),
        "GET /unions": clerk.get("/unions"),
        "GET /campaigns/current": clerk.get("/campaigns/current"),
        "GET /submissions": reviewer.get("/submissions"),
        "GET /submissions/{id}": reviewer.get(f"/submissions/{sub}"),
        "GET /submissions/{id}/pdf": reviewer.get(f"/submissions/{sub}/pdf"),
        "POST /push": clerk.post("/push", {"device_fingerprint": clerk.fingerprint,
                                           "records": [member_upsert(G1_CARDED[1], {"label": "劳模"})]}),
        "POST /auth/refresh": server.client().post("/auth/refresh", json={"refresh_token": clerk.tokens["refresh_token"]}),
        "refused": clerk.get("/submissions/999999"),
    }
    for label, response in answers.items():
        assert response.status_code < 500, label
        assert response.headers.get("cache-control") == "no-store", label
        assert response.headers.get("x-content-type-options") == "nosniff", label


def test_a_reviewer_reads_only_what_the_review_needs(server: Server, clerk: Session) -> None:
    clerk.push(member_upsert(G1_CARDED[0], {"phone": "13912345678", "work_address": "上海市黄浦区南京东路200号三楼"},
                             {"phone": 1, "work_address": 1}))
    own = clerk.changes()["changes"]
    assert any(c["entity"] == "device" for c in own)
    assert any(c["entity"] == "member" and c["data"].get("phone") == "13912345678" for c in own)

    for superior in ("secondary", "district"):
        feed = Session(server, superior).changes(union=clerk.org_code)
        assert feed["latest"] == clerk.changes()["latest"]  # the same feed, the same cursor
        text = str(feed)
        for number in G1_CARDED:
            assert number not in text
        for private in ("13912345678", "南京东路200号", "1380000", "phone", "work_address", "birth_date"):
            assert private not in text, (superior, private)
        members = [c for c in feed["changes"] if c["entity"] == "member"]
        assert members and all("*" in c["key"] and "*" in c["data"]["id_number"] for c in members)
        assert {"name", "card_status", "insurance_status", "life_status"} <= set(members[0]["data"])
        assert not [c for c in feed["changes"] if c["entity"] == "device"]

"""Make the "database from before schema versions" fixtures: server_v1[_<commit>].sqlite.sql and
….postgresql.sql, the dumps of what main's server code made with `create_tables` (before
server/migrations.py) and then stored while clerks worked:
- server_v1.*: commit 7d423a9, the first wave's tables;
- server_v1_88514b6.*: commit 88514b6, whose create_tables also added the login-security table and
  columns (migration step 3 must find them there and add them to the older databases);
- server_v1_569fa16.*: commit 569fa16, the last main before migrations landed, whose create_tables
  also made the superior side's tables and campaign columns (step 4).

Run once per commit, with that checkout first on the path (it needs its create_app, which did not
migrate), the stem of the files to write, and an empty PostgreSQL database:

    mkdir /tmp/main-v1 && git archive 7d423a9 | tar -x -C /tmp/main-v1
    PYTHONPATH=/tmp/main-v1 .venv/bin/python tests/server/data/make_server_v1.py server_v1 postgresql://…/empty_db

It builds the demo world (a few members per union), then through the HTTP API: a member edit, an
SS check and a confirmation, a signed submission that the district returns and its replacement,
a card verification and a card batch that is issued — so every table holds rows — and dumps both
databases.
"""
from __future__ import annotations

import base64
import re
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

from fastapi.testclient import TestClient

HERE = Path(__file__).resolve().parent
PASSWORD = "fixture-password-1"
PDF = b"%PDF-1.4\n% fixture notice\n%%EOF\n"


def _pdf() -> bytes:
    """The notice PDF: a real one where the server parses it (272060c on), else a token one."""
    try:
        from server.demo import demo_notice_pdf
    except ImportError:
        return PDF
    return demo_notice_pdf("fixture notice")


def _work(url: str) -> None:
    try:
        import app.protocol as protocol
    except ImportError:  # before the protocol kernel
        from app.sync import protocol  # type: ignore[no-redef]
    from server import card_jobs, jobs
    from server.app import create_app
    from server.db import session
    from server.demo import init_demo
    from server.models import Member, Union

    app = create_app(url)
    ctx = app.state.ctx
    ctx.settings.run_worker = False
    with session():
        result = init_demo(ctx, password=PASSWORD, members_per_union=12, seed=7)
        plan_year = result.plan_year
    http = TestClient(app)
    login = http.post("/auth/login", json={"username": "grassroots", "password": PASSWORD}).json()
    auth = {"Authorization": f"Bearer {login['access_token']}"}
    org = login["user"]["union"]["org_code"]
    key = protocol.generate_device_key()
    fingerprint = http.post("/devices", json={"public_key": protocol.public_key_b64(key), "label": "fixture"},
                            headers=auth).json()["fingerprint"]

    def push(kind: str, payload: dict, signed: bool = False, pdf: bytes | None = None) -> dict:
        record = {"key": str(uuid.uuid4()), "kind": kind, "payload": payload}
        if signed:
            record["signature"] = protocol.sign(key, payload)
        if pdf is not None:
            record["pdf_b64"] = base64.b64encode(pdf).decode("ascii")
        answer = http.post("/push", json={"device_fingerprint": fingerprint, "records": [record]}, headers=auth)
        [result] = answer.json()["results"]
        assert result["status"] == "ok", result
        return result

    with session():
        members = list(Member.select().join(Union).where(Union.org_code == org).order_by(Member.id))
        carded = [m for m in members if m.card_no and m.life_status == "in_service" and m.id_type == "mainland"
                  and m.insurance_status != "pending"]
        no_card = [m for m in members if not m.card_no and m.life_status == "in_service" and m.id_type == "mainland"]
    jobs.save_registry(ctx, [(m.id_number, ("normal", "unknown")) for m in no_card])
    first = carded[0]
    push("member_upsert", {"union": org, "id_number": first.id_number, "fields": {"label": "组长"},
                           "base_versions": dict(first.versions)})
    push("ss_check_request", {"union": org, "id_numbers": [m.id_number for m in no_card]})
    jobs.run_pending(ctx)
    with session():
        pending = [m.id_number for m in Member.select().where(Member.id_number.in_([m.id_number for m in no_card])
                                                              & (Member.insurance_status == "pending"))]
    if pending:
        push("confirmation", {"union": org, "id_numbers": pending})
    import hashlib
    import secrets

    n = len(carded)
    pdf = _pdf()
    payload = {
        "protocol": 1, "union": org, "batch_no": "JZ-FIXTURE-1", "kind": "central", "plan_year": plan_year,
        "channel": "card", "plan_type": "A",
        "members": [{"id_number": m.id_number, "name": m.name, "card_no": m.card_no,
                     "coverage_start": f"{plan_year}-01-01", "coverage_end": f"{plan_year}-12-31",
                     "period": "full"} for m in carded],
        "totals": {"count": n, "fee": f"{26 * n}.00", "city": f"{13 * n}.00", "district": f"{13 * n}.00",
                   "grassroots": "0.00"},
        "fee_split": {"fee": "26.00", "city": "13.00", "district": "13.00", "grassroots": "0.00"},
        "notice_pdf_sha256": hashlib.sha256(pdf).hexdigest(), "replaces": None,
        "nonce": secrets.token_hex(16), "timestamp": protocol.format_timestamp(ctx.now()),
    }
    try:  # where the server prices and dates each row itself (#12), as its demo client does
        from server.demo import demo_submission
    except ImportError:
        pass
    else:
        carded = [m for m in carded if m.category == "linked_enterprise"]
        payload = demo_submission(org, plan_year, [m.id_number for m in carded], pdf, batch_no="JZ-FIXTURE-1",
                                  nonce=payload["nonce"], timestamp=payload["timestamp"]).to_wire()
    receipt = push("submission", payload, signed=True, pdf=pdf)["receipt"]
    district = http.post("/auth/login", json={"username": "district", "password": PASSWORD}).json()
    decided = http.post(f"/submissions/{receipt['submission_id']}/decision",
                        json={"decision": "return", "reason": "名单需补充"},
                        headers={"Authorization": f"Bearer {district['access_token']}"})
    assert decided.status_code == 200, decided.text
    again = dict(payload, batch_no="JZ-FIXTURE-2", replaces="JZ-FIXTURE-1", nonce=secrets.token_hex(16))
    push("submission", again, signed=True, pdf=pdf)  # stays under review: its members are enrolled
    with session():
        applicants = list(Member.select().join(Union).where(
            (Union.org_code == org) & Member.card_no.is_null() & (Member.life_status == "in_service")
            & (Member.category == "linked_enterprise") & (Member.card_status == "none")).order_by(Member.id))
    push("card_verification", {"union": org, "request_id": uuid.uuid4().hex,
                               "id_numbers": [m.id_number for m in applicants]})
    push("card_batch", {"union": org, "batch_no": "BK-FIXTURE-1",
                        "members": [{"id_number": m.id_number, "name": m.name} for m in applicants]}, signed=True)
    card_jobs.run_pending(ctx, "fixture")
    http.close()


def _sqlite(tmp: Path, stem: str) -> None:
    db_file = tmp / f"{stem}.db"
    db_file.unlink(missing_ok=True)
    _work(f"sqlite:///{db_file}")
    from server.db import database

    database.obj.close()
    con = sqlite3.connect(db_file)
    text = "\n".join(con.iterdump()) + "\n"
    con.close()
    (HERE / f"{stem}.sqlite.sql").write_text(text, encoding="utf-8")


def _postgresql(url: str, stem: str) -> None:
    _work(url)
    from server.db import database

    database.obj.close_all()
    dump = subprocess.run(["pg_dump", "--inserts", "--no-owner", "--no-privileges", "--no-comments", url],
                          check=True, capture_output=True, text=True).stdout
    lines = []
    for line in dump.splitlines():
        # Session settings, comments and psql's \restrict guard go; names lose their "public." so the
        # dump loads into whatever schema the connection's search_path names.
        if line.startswith(("SET ", "SELECT pg_catalog.set_config", "--", "\\restrict", "\\unrestrict")) \
                or not line.strip():
            continue
        lines.append(line.replace("public.", ""))
    text = "\n".join(lines) + "\n"
    assert not re.search(r"^\\", text, re.M), "psql meta-commands left in the dump"
    (HERE / f"{stem}.postgresql.sql").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    import tempfile

    _sqlite(Path(tempfile.mkdtemp()), sys.argv[1])
    if len(sys.argv) > 2:
        _postgresql(sys.argv[2], sys.argv[1])

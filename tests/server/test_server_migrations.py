"""Versioned server migrations: a database made by the server before schema versions existed
(tests/server/data/server_v1*.sql, dumped from what commits 7d423a9, 88514b6 and 569fa16 stored —
the first wave's tables; those plus the login-security table and columns; those plus the superior
side's — the last main before versions) upgrades in place on SQLite and PostgreSQL (later steps
add the notices), keeps every row, ends with exactly the schema a fresh database gets, and serves
its old data; a second start changes nothing."""
from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from datetime import datetime
from urllib.parse import quote, urlencode, urlparse, urlunparse

import httpx
import pytest
from peewee import AutoField, CharField, DateTimeField, ForeignKeyField, fn
from playhouse.migrate import SchemaMigrator

from server import notices
from server.app import create_app
from server.db import database, is_sqlite, open_database, session, write_tx
from server.embedded import serve_in_thread
from server.migrations import BASELINE, LATEST, STEPS, current_version, migrate
from app.protocol import canonical_json
from server.models import (
    ALL_MODELS,
    CLAIMED,
    Change,
    BaseModel,
    IdempotencyRecord,
    JSONText,
    Member,
    SchemaVersion,
    Submission,
    Union,
    User,
)
from server.settings import ServerContext
from union_server_testkit import Server, Session, mainland_id, member_upsert

DATA = Path(__file__).resolve().parent / "data"
PASSWORD = "fixture-password-1"  # what make_server_v1.py gave every demo account
# The tables version 1 had (later steps add the others).
LATER_TABLES = ("schema_version", "login_guard", "district_batch", "batch_review", "voucher", "member_claim",
                "member_transfer", "notice", "payout_record", "card_withdrawal",
                "feed_cursor", "feed_mark")
TABLES = [m._meta.table_name for m in ALL_MODELS if m._meta.table_name not in LATER_TABLES]


def _pg_place(base: str, schema: str) -> str:
    """A URL of `base`'s database whose connections work in their own new schema."""
    import psycopg

    parsed = urlparse(base)
    plain = urlunparse(parsed._replace(scheme="postgresql", query=""))
    with psycopg.connect(urlunparse(parsed._replace(scheme="postgresql")), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return f"{plain}?{urlencode({'options': f'-c search_path={schema}'}, quote_via=quote)}"


@pytest.fixture(params=["sqlite", "postgresql"])
def places(request: pytest.FixtureRequest, tmp_path: Path, pg_session_url: str | None) -> Iterator[tuple[str, str, str]]:
    """(backend, an empty database for the old dump, an empty one to create fresh)."""
    if request.param == "sqlite":
        yield "sqlite", f"sqlite:///{tmp_path / 'old.db'}", f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    if pg_session_url is None:
        pytest.skip("UNION_TEST_PG_URL is not set")
    tag = secrets.token_hex(3)
    yield "postgresql", _pg_place(pg_session_url, f"old_{tag}"), _pg_place(pg_session_url, f"fresh_{tag}")
    import psycopg

    close_all = getattr(database.obj, "close_all", None)
    if close_all is not None:
        close_all()
    with psycopg.connect(urlunparse(urlparse(pg_session_url)._replace(scheme="postgresql")), autocommit=True) as conn:
        for schema in (f"old_{tag}", f"fresh_{tag}"):
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


#: Dumps of databases the server made before versions, by the commit whose code made them.
DUMPS = {"7d423a9": "server_v1", "88514b6": "server_v1_88514b6", "569fa16": "server_v1_569fa16"}


def _load_v1(backend: str, url: str, made_by: str = "7d423a9") -> None:
    """The old server's database, as its own code left it."""
    script = (DATA / f"{DUMPS[made_by]}.{backend}.sql").read_text(encoding="utf-8")
    if backend == "sqlite":
        con = sqlite3.connect(urlparse(url).path)
        con.executescript(script)
        con.close()
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(script)


def _row_counts() -> dict[str, int]:
    with session():
        return {m._meta.table_name: m.select().count() for m in ALL_MODELS if m._meta.table_name in TABLES}


def _indexes(table: str) -> list[tuple[str, tuple[str, ...], bool]]:
    db = database.obj
    if is_sqlite():
        return sorted((i.name, tuple(i.columns), i.unique) for i in db.get_indexes(table))
    # Not peewee's get_indexes: it matches tables by name across schemas.
    rows = db.execute_sql(
        "SELECT i.relname, array_to_string(ARRAY(SELECT pg_get_indexdef(x.indexrelid, k + 1, TRUE) "
        "FROM generate_subscripts(x.indkey, 1) AS k ORDER BY k), ','), x.indisunique "
        "FROM pg_index AS x JOIN pg_class AS i ON i.oid = x.indexrelid WHERE x.indrelid = to_regclass(%s)",
        (table,)).fetchall()
    return sorted((name, tuple(columns.split(",")), unique) for name, columns, unique in rows)


def _schema() -> dict[str, object]:
    """Every table's columns (name, type, null), indexes (name, columns, unique) and foreign keys,
    as the database reports them."""
    db = database.obj
    with session():
        schema = "main" if is_sqlite() else db.execute_sql("SELECT current_schema()").fetchone()[0]
        out: dict[str, object] = {}
        for model in ALL_MODELS:
            table = model._meta.table_name
            out[table] = (
                sorted((c.name, c.data_type.lower(), c.null) for c in db.get_columns(table, schema)),
                _indexes(table),
                sorted((k.column, k.dest_table, k.dest_column) for k in db.get_foreign_keys(table, schema)),
            )
        return out


@pytest.mark.parametrize("made_by", sorted(DUMPS))
def test_an_unversioned_database_upgrades_in_place_and_keeps_its_data(places: tuple[str, str, str],
                                                                       made_by: str) -> None:
    backend, old_url, fresh_url = places
    create_app(fresh_url)
    assert current_version() == LATEST
    fresh = _schema()

    _load_v1(backend, old_url, made_by)
    open_database(old_url)
    before = _row_counts()
    assert all(before.values()), f"the fixture should fill every table: {before}"
    assert current_version() is None
    with session():  # the columns version 1 has (a later step adds others)
        stored = {s.batch_no: (s.payload, s.signature, bytes(s.pdf)) for s in Submission.select(
            Submission.batch_no, Submission.payload, Submission.signature, Submission.pdf)}

    app = create_app(old_url)  # migrates at start
    assert current_version() == LATEST > BASELINE
    assert _row_counts() == before
    assert _schema() == fresh
    with session():
        assert {s.batch_no: (s.payload, s.signature, bytes(s.pdf)) for s in Submission.select()} == stored
        # Step 7: each batch's per-person split, from its signed payload.
        assert all(s.fee_split == json.loads(s.payload)["fee_split"] for s in Submission.select())
        versions = [row.version for row in SchemaVersion.select().order_by(SchemaVersion.version)]
    assert versions == [BASELINE] + [step.version for step in STEPS]
    with session():
        # Every person got one claim, by the union that had them first (version 5), kept as the
        # member row's mark (version 13).
        people = Member.select(Member.id_number).distinct().count()
        claimed = list(Member.select(Member.id, Member.id_number).where(CLAIMED))
        assert len(claimed) == len({m.id_number for m in claimed}) == people > 0
        first = Member.select(fn.MIN(Member.id)).group_by(Member.id_number)
        assert {m.id for m in claimed} == {row[0] for row in first.tuples()}

    # The upgraded server serves what the old one stored, and takes new work.
    url, stop = serve_in_thread(app)
    with httpx.Client(base_url=url, timeout=30) as http:
        login = http.post("/auth/login", json={"username": "grassroots", "password": PASSWORD})
        assert login.status_code == 200, login.text
        auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
        feed = http.get("/changes", params={"limit": 1000}, headers=auth).json()
        assert feed["latest"] == len(feed["changes"]) > 0
        listed = http.get("/submissions", headers=auth).json()["submissions"]
        assert {s["batch_no"]: s["status"] for s in listed} == {"JZ-FIXTURE-1": "returned",
                                                                  "JZ-FIXTURE-2": "under_review"}
        latest = {c["key"]: c["data"] for c in feed["changes"] if c["entity"] == "member"}  # the last wins
        member = next(iter(latest.values()))
        record = {"key": secrets.token_hex(16), "kind": "member_upsert",
                  "payload": {"id_number": member["id_number"], "fields": {"label": "升级后"},
                              "base_versions": member["versions"]}}
        [result] = http.post("/push", json={"records": [record]}, headers=auth).json()["results"]
        assert result["status"] == "ok", result
        # The notices table the upgrade added (version 6) serves what is published into it.
        with session(), write_tx():
            notices.publish(ServerContext(), "升级后的通知", "正文", publisher="上海市总工会")
        assert [n["title"] for n in http.get("/notices", headers=auth).json()["notices"]] == ["升级后的通知"]
    stop()

    # Starting again finds nothing to do.
    assert migrate() == LATEST
    assert current_version() == LATEST


def test_a_step_that_fails_leaves_the_version_before_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from server import migrations

    url = f"sqlite:///{tmp_path / 'old.db'}"
    _load_v1("sqlite", url)
    open_database(url)

    def broken(migrator: object) -> None:
        database.obj.execute_sql("CREATE TABLE half_done (x INTEGER)")
        raise RuntimeError("disk unplugged")

    monkeypatch.setattr(migrations, "STEPS", (migrations.Step(BASELINE + 1, "broken", broken),))
    with pytest.raises(RuntimeError, match="disk unplugged"):
        migrate()
    assert current_version() == BASELINE
    with session():
        assert not database.obj.table_exists("half_done")


def test_restoring_an_older_servers_backup_upgrades_it_through_the_steps(places: tuple[str, str, str],
                                                                        tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """`union-server restore` of a backup an older server made, over today's database (which has
    tables and a schema version the backup lacks), goes through the same steps as a start: nothing
    of the newer database is left behind to make the backup look already upgraded."""
    from server import cli as server_cli

    backend, old_url, fresh_url = places
    create_app(fresh_url)
    fresh = _schema()

    _load_v1(backend, old_url)
    open_database(old_url)
    before = _row_counts()
    backup_file = tmp_path / f"old-server{'.sqlite3' if backend == 'sqlite' else '.pgdump'}"
    assert server_cli.main(["backup", "--db", old_url, str(backup_file)]) == 0
    assert current_version() is None  # backing up changes nothing

    create_app(old_url)  # today's server starts on it: version LATEST, the later tables made
    assert current_version() == LATEST
    with session():
        Member.delete().execute()  # a mistake made after the backup

    assert server_cli.main(["restore", "--db", old_url, str(backup_file), "--yes"]) == 0
    assert f"数据库结构版本 {LATEST}" in capsys.readouterr().out
    open_database(old_url)
    assert current_version() == LATEST
    with session():
        versions = [row.version for row in SchemaVersion.select().order_by(SchemaVersion.version)]
    assert versions == [BASELINE] + [step.version for step in STEPS]
    assert _row_counts() == before
    assert _schema() == fresh


#: A key as a client makes it (a UUID): stored as sent before step 13, packed after (server/receipts.py).
OLD_KEY = "0b6c1a1e-7f3d-4a52-9a86-2f1d3c4b5a69"


class _IdempotencyRecordV12(BaseModel):
    """idempotency_record as steps 1–12 left it (step 13 made it again without user and kind)."""

    id = AutoField()
    key = CharField(max_length=64, unique=True)
    union = ForeignKeyField(Union, on_delete="CASCADE", index=False)
    user = ForeignKeyField(User, on_delete="CASCADE", index=False)
    kind = CharField()
    payload_sha256 = CharField(max_length=64)
    response = JSONText()
    created = DateTimeField()

    class Meta:
        table_name = "idempotency_record"


def test_step_13_slims_the_idempotency_records_and_folds_the_claims(places: tuple[str, str, str]) -> None:
    """A database at step 12 with idempotency records (a member upsert's answer in step 12's compact
    form, a transfer's whole) and claims upgrades to step 13: every record kept in order, its digest
    cut to 128 bits, its time in seconds; the same key and payload then get the first answers back,
    another payload idempotency_conflict; the claimed member rows are marked, a legacy copy whose
    person another union holds is not, and its union's upsert is refused member_elsewhere."""
    from server import receipts
    from server.migrations import _MemberClaim
    from server.push import push

    _, _, url = places
    ctx = create_app(url).state.ctx
    at = datetime(2026, 11, 30, 8, 15, 42, 123456)
    number = "310101199001011237"
    upsert = {"id_number": number, "fields": {"name": "升级前"}, "base_versions": {}}
    moved = {"from_union": "813101010000000041", "to_union": "81310101000000005X", "id_numbers": [number]}
    digests = {name: hashlib.sha256(canonical_json(p)).hexdigest() for name, p in (("upsert", upsert), ("moved", moved))}
    with session(), write_tx():
        union = Union.create(name="上海某某有限公司工会委员会", org_code="813101010000000041", union_type="工会委员会",
                             level="grassroots", created=at)
        user = User.create(username="clerk", password_hash="x", union=union, role="clerk", created=at)
        database.obj.drop_tables([IdempotencyRecord])
        database.obj.create_tables([_IdempotencyRecordV12])
        # member as step 12 had it: no claimed column or its index, the claims a table of their own.
        database.obj.execute_sql('DROP INDEX "member_id_number"')
        database.obj.execute_sql('ALTER TABLE "member" DROP COLUMN "claimed"')
        database.obj.create_tables([_MemberClaim])
        elsewhere = Union.create(name="上海另一公司工会委员会", org_code="81310101000000005X", union_type="工会委员会",
                             level="grassroots", created=at)
        held = "310101199001011253"
        for n, (owner, person) in enumerate(((union, held), (elsewhere, held), (elsewhere, "310101199001011261"))):
            database.obj.execute_sql('INSERT INTO "member" ("union_id", "id_number", "name", "life_status", '
                                     '"card_status", "versions", "version", "updated") VALUES '
                                     f"({owner.id}, '{person}', '甲{n}', 'in_service', 'none', '{{}}', 0, "
                                     f"'{at.isoformat(sep=' ')}')")
        ids = [row[0] for row in database.obj.execute_sql('SELECT "id" FROM "member" ORDER BY "id"').fetchall()]
        _MemberClaim.create(id_number=held, union=union, member=ids[0], since=at)
        _MemberClaim.create(id_number="310101199001011261", union=elsewhere, member=ids[2], since=at)
        SchemaVersion.delete().execute()
        SchemaVersion.create(version=12, name="at step 12", applied=at)
        _IdempotencyRecordV12.create(key=OLD_KEY, union=union, user=user, kind="member_upsert",
                                     payload_sha256=digests["upsert"], created=at,
                                     response={"m": [number, True, 1, "b", {}]})
        _IdempotencyRecordV12.create(key="moved-key-1", union=union, user=user, kind="transfer",
                                     payload_sha256=digests["moved"], created=at, response={"key": "moved-key-1", "count": 1})
    assert migrate() == LATEST
    with session():
        rows = [(r.key, r.union_id, r.digest, r.created, r.response)
                for r in IdempotencyRecord.select().order_by(IdempotencyRecord.id)]
        user = User.get(User.username == "clerk")
    assert rows == [  # the UUID key in step 13's form since step 16
        (receipts.stored_key(OLD_KEY), union.id, digests["upsert"][:32], at.replace(microsecond=0), {"m": [number, True, 1, "b", {}]}),
        ("moved-key-1", union.id, digests["moved"][:32], at.replace(microsecond=0), {"key": "moved-key-1", "count": 1}),
    ]
    first = {"key": OLD_KEY, "status": "ok", "receipt": {"id_number": number, "created": True, "changed": ["name"],
                                                               "version": 1, "versions": {"name": 1}}}
    again = {"key": OLD_KEY, "kind": "member_upsert", "payload": upsert}
    other = {**again, "payload": {**upsert, "fields": {"name": "另一个"}}}
    with session():
        answers = push(ctx, user, None, [again, other])["results"]
    assert answers[0] == first
    assert answers[1]["status"] == "error" and answers[1]["problem"] == "idempotency_conflict"
    # Pruning reads the seconds as the time they were stored.
    with session():
        assert IdempotencyRecord.select().where(IdempotencyRecord.created < at).count() == 0
        assert IdempotencyRecord.select().where(IdempotencyRecord.created <= at).count() == 2
    assert receipts.digest(digests["upsert"]) == digests["upsert"][:32]
    with session():
        assert [(m.id, m.claimed) for m in Member.select().order_by(Member.id)] == [(ids[0], 1), (ids[1], 0), (ids[2], 1)]
        assert not database.obj.table_exists("member_claim")
        other_clerk = User.create(username="clerk2", password_hash="x", union=elsewhere, role="clerk", created=at)
        legacy = {"key": "legacy-copy-1", "kind": "member_upsert",
                  "payload": {"id_number": held, "fields": {"label": "旧副本"}, "base_versions": {}}}
        [refused] = push(ctx, other_clerk, None, [legacy])["results"]
    assert refused["status"] == "error" and refused["problem"] == "member_elsewhere", refused


def test_step_14_puts_the_members_feed_on_their_rows(places: tuple[str, str, str]) -> None:
    """A database at step 13 whose feed holds members' reference changes (a bare version, and the
    older {"member_row": version}), a member change kept whole and other kinds upgrades to step 14:
    each member's row takes the place of its latest reference (and its origin), the references go,
    every other change stays, and a page serves the same members in sequence order."""
    from server.changes import changes_since

    _, _, url = places
    create_app(url)
    at = datetime(2026, 12, 1, 9, 30, 0)
    numbers = ["310101199001011237", "310101199001011253", "310101199001011261"]
    with session(), write_tx():
        union = Union.create(name="上海某某有限公司工会委员会", org_code="813101010000000041", union_type="工会委员会",
                             level="grassroots", created=at, change_seq=7)
        # member as step 13 had it: no place in the feed.
        database.obj.execute_sql('DROP INDEX "member_union_id_feed_seq"')
        for column in ("feed_seq", "feed_origin"):
            database.obj.execute_sql(f'ALTER TABLE "member" DROP COLUMN "{column}"')
        for k, number in enumerate(numbers):
            database.obj.execute_sql('INSERT INTO "member" ("union_id", "id_number", "name", "life_status", '
                                     '"card_status", "versions", "version", "updated", "claimed") VALUES '
                                     f"({union.id}, '{number}', '甲{k}', 'in_service', 'none', '{{}}', 1, "
                                     f"'{at.isoformat(sep=' ')}', 1)")
        SchemaVersion.delete().execute()
        SchemaVersion.create(version=13, name="at step 13", applied=at)
        feed = [(1, "member", numbers[0], "1", 41), (2, "member", numbers[1], '{"member_row":1}', None),
                (3, "campaign", "2027", '{"plan_year":2027}', None), (4, "member", numbers[0], "2", None),
                (5, "member", numbers[2], '{"id_number":"' + numbers[2] + '","version":1}', None),
                (6, "member", numbers[1], "12", 42), (7, "member_removal", "310101199001011245", '{"reason":"x"}', None)]
        for seq, entity, key, payload, origin in feed:
            database.obj.execute_sql(
                'INSERT INTO "change" ("union_id", "seq", "entity", "entity_key", "payload", "created", "origin") '
                f"VALUES ({union.id}, {seq}, '{entity}', '{key}', '{payload}', '{at.isoformat(sep=' ')}', "
                f"{'NULL' if origin is None else origin})")
    assert migrate() == LATEST
    with session():
        places_ = {m.id_number: (m.feed_seq, m.feed_origin) for m in Member.select()}
        left = [(c.seq, c.entity) for c in Change.select().order_by(Change.seq)]
        page = changes_since(Union.get(Union.id == union.id), 0, 100)
        own = changes_since(Union.get(Union.id == union.id), 0, 100, device=42)
    assert places_ == {numbers[0]: (4, None), numbers[1]: (6, 42), numbers[2]: (None, None)}
    assert left == [(3, "campaign"), (5, "member"), (7, "member_removal")]
    assert [(c["seq"], c["entity"], c["key"]) for c in page["changes"]] == [
        (3, "campaign", "2027"), (4, "member", numbers[0]), (5, "member", numbers[2]), (6, "member", numbers[1]),
        (7, "member_removal", "310101199001011245")]
    assert page["changes"][1]["data"]["name"] == "甲0" and page["next"] == 7 and not page["more"]
    assert [c["seq"] for c in own["changes"]] == [3, 4, 5, 7]  # device 42's own push left out
    # Paged two at a time, the same changes in the same order.
    seen, since = [], 0
    while True:
        with session():
            part = changes_since(Union.get(Union.id == union.id), since, 2)
        seen += [c["seq"] for c in part["changes"]]
        since = part["next"]
        if not part["more"]:
            break
    assert seen == [3, 4, 5, 6, 7]


def test_step_15_drops_the_members_index_by_union_alone(places: tuple[str, str, str]) -> None:
    """A database at step 14 (member indexed by union_id alone, as the foreign key made it)
    upgrades to step 15: that index is gone, (union_id, id_number) still there, the members kept
    and a union's members still read and deleted with it (the cascade)."""
    _, _, url = places
    create_app(url)
    at = datetime(2026, 12, 1, 9, 30, 0)
    with session(), write_tx():
        union = Union.create(name="上海某某有限公司工会委员会", org_code="813101010000000041", union_type="工会委员会",
                             level="grassroots", created=at)
        database.obj.execute_sql('CREATE INDEX "member_union_id" ON "member" ("union_id")')
        for k in range(3):
            Member.create(union=union, id_number=f"31010119900101{k:04d}", name=f"乙{k}", versions={}, updated=at)
        SchemaVersion.delete().execute()
        SchemaVersion.create(version=14, name="at step 14", applied=at)
    assert migrate() == LATEST
    with session():
        names = [name for name, _, _ in _indexes("member")]
        assert "member_union_id" not in names and "member_union_id_id_number" in names
        assert Member.select().where(Member.union == union.id).count() == 3
        with write_tx():
            Union.delete().where(Union.id == union.id).execute()
        assert Member.select().count() == 0


def test_step_16_stores_every_key_in_one_form(server: Server, clerk: Session) -> None:
    """A database at step 14 whose idempotency records stored before step 13 have UUID keys as sent
    (a clerk's member upserts among them), others in step 13's form or not UUIDs, and one key in both
    forms, upgrades to step 16: every UUID key in the stored form (PostgreSQL's SQL gives stored_key's
    exact text), every record kept with its answer but the clash's later one, and a replay of an old
    key through POST /push gets its first answer; run again, the step changes nothing."""
    from server.migrations import _v16_one_key_form
    from server.receipts import stored_key

    sent = [member_upsert(mainland_id("19950505", n), {"name": f"升级前{n}", "id_type": "身份证"}) for n in (1, 2)]
    first = clerk.push(*sent)
    assert [a["status"] for a in first] == ["ok", "ok"], first
    olds = [str(uuid.uuid4()) for _ in range(1200)] + ["ffffffff-ffff-ffff-ffff-ffffffffffff", "fbefbefb-0000-4000-8000-000000000000"]
    kept = ["moved-key-1", olds[0].upper(), stored_key(str(uuid.uuid4()))]
    with session(), write_tx():
        union = Union.get(Union.org_code == clerk.org_code).id
        for record in sent:  # stored before step 13: as sent
            IdempotencyRecord.update(key=record["key"]).where(IdempotencyRecord.key == stored_key(record["key"])).execute()
        rows = [{"key": k, "union": union, "digest": "0" * 32, "response": {"key": k, "count": n}, "created": datetime(2026, 11, 1)}
                for n, k in enumerate(olds + kept)]
        # The clash: the second upsert's key in step 13's form too, stored later with another answer.
        rows.append({**rows[0], "key": stored_key(sent[1]["key"]), "response": {"later": True}})
        IdempotencyRecord.insert_many(rows).execute()
        SchemaVersion.delete().execute()
        SchemaVersion.create(version=14, name="at step 14", applied=datetime(2026, 12, 1))
        before = {r.id: (r.key, r.response) for r in IdempotencyRecord.select()}
    assert migrate() == LATEST
    with session():
        after = {r.id: (r.key, r.response) for r in IdempotencyRecord.select()}
    later = next(i for i, (_, response) in before.items() if response == {"later": True})
    assert after == {i: (stored_key(key), response) for i, (key, response) in before.items() if i != later}
    assert {key for key, _ in after.values()} >= {stored_key(k) for k in olds} | set(kept)
    assert not any(len(key) == 36 and key == key.lower() for key, _ in after.values())
    assert clerk.push(*sent) == first  # the first answers, looked up in one form
    other = {**sent[0], "payload": {**sent[0]["payload"], "fields": {"label": "另一个"}}}
    [conflict] = clerk.push(other)
    assert conflict["problem"] == "idempotency_conflict", conflict
    with session(), write_tx():
        _v16_one_key_form(SchemaMigrator.from_database(database.obj))
    with session():
        assert {r.id: (r.key, r.response) for r in IdempotencyRecord.select()} == after

"""Fixtures for the central server: a real uvicorn server on a loopback port per test.

The database is a fresh SQLite file in tmp_path, and — when UNION_TEST_PG_URL is set — also a
fresh PostgreSQL database made for this test session (dropped at its end; tables dropped between
tests). Each server holds the demo hierarchy and accounts (no demo members) plus a few members
the tests name, and a clock the test can move.
"""
from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Iterator
from datetime import date
from urllib.parse import urlencode, urlparse, urlunparse

import pytest

from server.app import create_app
from server.campaigns import shanghai_today
from server.db import drop_tables, open_database, session
from server.demo import init_demo, insert_members
from server.embedded import serve_in_thread
from server.models import Union
from server.settings import ServerContext, Settings
from union_server_testkit import G1_CARDED, G1_NO_CARD, G2_CARDED, PASSWORD, LogCapture, MovableClock, Server, Session, member_row

PG_ENV = "UNION_TEST_PG_URL"


@pytest.fixture(scope="session")
def pg_session_url() -> Iterator[str | None]:
    """A fresh PostgreSQL database for this session, made from UNION_TEST_PG_URL — or, when the
    role may not create databases, a fresh schema in the given one (dropped at the end)."""
    base = os.environ.get(PG_ENV)
    if not base:
        yield None
        return
    import psycopg

    name = f"union_test_{secrets.token_hex(4)}"
    parsed = urlparse(base)
    admin_url = urlunparse(parsed._replace(scheme="postgresql"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        try:
            conn.execute(f'CREATE DATABASE "{name}"')
            mode = "database"
        except psycopg.errors.InsufficientPrivilege:
            conn.execute(f'CREATE SCHEMA "{name}"')
            mode = "schema"
    if mode == "database":
        url = urlunparse(parsed._replace(scheme="postgresql", path=f"/{name}"))
    else:
        url = urlunparse(parsed._replace(scheme="postgresql", query=urlencode({"options": f"-c search_path={name}"})))
    try:
        yield url
    finally:
        from server.db import database

        close_all = getattr(database.obj, "close_all", None)
        if close_all is not None:
            close_all()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            if mode == "database":
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            else:
                conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get(PG_ENV) else [])


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path, pg_session_url: str | None) -> str:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'server.db'}"
    assert pg_session_url is not None
    open_database(pg_session_url)
    drop_tables()
    return pg_session_url


@pytest.fixture
def server(db_url: str) -> Iterator[Server]:
    clock = MovableClock()
    settings = Settings(failure_delay_seconds=0.01, failure_delay_max_seconds=0.05, worker_poll_seconds=0.05)
    capture = LogCapture()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    app = create_app(db_url, clock=clock, settings=settings)
    ctx: ServerContext = app.state.ctx
    with session():
        init_demo(ctx, password=PASSWORD, members_per_union=0)
        g1 = Union.get(Union.org_code == "813101010000000041")
        g2 = Union.get(Union.org_code == "81310101000000005X")
        rows = [member_row(n, f"甲{i}", phone=f"1380000{i:04d}") for i, n in enumerate(G1_CARDED)]
        rows += [member_row(n, f"乙{i}", card=False, phone=f"1390000{i:04d}") for i, n in enumerate(G1_NO_CARD)]
        insert_members(ctx, g1, rows)
        insert_members(ctx, g2, [member_row(n, f"丙{i}", phone=f"1370000{i:04d}") for i, n in enumerate(G2_CARDED)])
        plan_year = shanghai_today(ctx).year + 1
    url, stop = serve_in_thread(app, access_log=True)
    handle = Server(url=url, ctx=ctx, clock=clock, db_url=db_url, logs=capture, plan_year=plan_year)
    try:
        yield handle
    finally:
        for client in handle.clients:
            client.close()
        stop()
        root.removeHandler(capture)
        root.setLevel(old_level)


@pytest.fixture
def clerk(server: Server) -> Session:
    session = Session(server, "grassroots")
    session.register_device()
    return session


@pytest.fixture
def clerk2(server: Server) -> Session:
    """The second grassroots union's clerk (the same secondary union), with a device key."""
    session = Session(server, "grassroots2")
    session.register_device()
    return session


@pytest.fixture
def today(server: Server) -> date:
    return shanghai_today(server.ctx)

"""The central server's HTTP API: a FastAPI app factory.

`create_app(db_url)` binds the tables to the database, brings its schema up to date
(server/migrations.py) and returns the app; the job worker runs in a background thread for the
app's lifetime (unless `Settings.run_worker` is off). Processes keep no state of their own — the
database is the one source of truth — so any number of them may run behind a load balancer.

The routes live by concern in server/routes/ (each module's `router(ctx)`); every error is
`{"problem": code, "message": Chinese sentence, "detail": …}` with an HTTP status
(server/errors.py). Every endpoint but /time and /auth/* needs `Authorization: Bearer <access
token>` and checks the caller's union scope. Each request's database work runs on one worker
thread inside one `session()` (server/api.py). Nothing logs a password, token, key or full ID number.
"""
from __future__ import annotations

import gc

import dataclasses
import json
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from typing import Any

from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool

from app.protocol.superior import MAX_VOUCHER_BYTES
from server import accounts, errors, logins
from server.api import CHECKED_USER
from server.db import open_database, session
from server.jobs import JobWorker
from server.middleware import RequestLimits, SecurityHeaders
from server.migrations import migrate
from server.models import User
from server.problems import ProblemError
from server.routes import accounts as account_routes
from server.routes import auth, client_versions, district, organisation, review, submissions, sync, transfers
from server.routes import fees as fee_routes
from server.routes import queries as query_routes
from server.routes import withdrawals as withdrawal_routes
from server.routes import monitor
from server.settings import Clock, ServerContext, Settings, system_clock

API_VERSION = "1.0"

ROUTERS = (auth, account_routes, organisation, sync, submissions, review, district, client_versions, transfers,
           fee_routes)
ROUTERS += (query_routes, withdrawal_routes)  # 参保/保障/给付信息查询, 撤销办卡批次审核
ROUTERS += (monitor,)  # 集中参保实时监控


def _freeze_start_up() -> None:
    """Once a process: what start-up made (modules, routes, schemas) lives as long as the process,
    so it is moved out of the collector's full passes, which a big push set off over and over
    (measured: about a tenth of its CPU). Garbage is collected first, so none is kept for good."""
    if gc.get_freeze_count() == 0:
        gc.collect()
        gc.freeze()


def create_app(db_url: str, *, clock: Clock | None = None, settings: Settings | None = None) -> FastAPI:
    ctx = ServerContext(settings=settings or Settings(), clock=clock or system_clock)
    # peewee's DEBUG log prints every query's parameters: ID numbers, token hashes. Never let it.
    logging.getLogger("peewee").setLevel(max(logging.INFO, logging.getLogger("peewee").level))
    open_database(db_url)
    migrate()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        _freeze_start_up()
        worker = JobWorker(ctx) if ctx.settings.run_worker else None
        if worker is not None:
            worker.start()
        try:
            yield
        finally:
            ctx.password_gate.close()
            if worker is not None:
                await run_in_threadpool(worker.stop)

    app = FastAPI(
        title="上海市工会会员专享保障 中心服务器",
        version=API_VERSION,
        description="Central server for the union clerks' desktop client: accounts, device keys, "
        "signed submissions, sync (push with idempotency keys, pull by per-union sequence).",
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    ctx.password_gate = logins.PasswordGate(ctx.settings.password_workers, ctx.settings.password_queue)
    errors.install(app)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestLimits, precheck=_push_precheck(ctx), checked_paths=frozenset({"/push"}),
                       limit_for=lambda path: _body_limit(ctx, path))
    for module in ROUTERS:
        app.include_router(module.router(ctx))
    return app


#: What `union-server serve --workers N` hands each of its HTTP worker processes (they are
#: started by uvicorn from an import string, so they read their configuration from the environment).
ENV_DB = "UNION_SERVER_DB"
ENV_SETTINGS = "UNION_SERVER_SETTINGS"


def settings_to_env(settings: Settings) -> str:
    return json.dumps(dataclasses.asdict(settings))


def app_from_env() -> FastAPI:
    """The app factory of a multi-process server (`uvicorn server.app:app_from_env --factory`):
    the database URL from UNION_SERVER_DB, the settings from UNION_SERVER_SETTINGS (JSON of
    `Settings` fields; unknown fields are an error). Every process is stateless."""
    url = os.environ.get(ENV_DB)
    if not url:
        raise RuntimeError(f"{ENV_DB} is not set: the database URL the server processes share")
    fields = json.loads(os.environ.get(ENV_SETTINGS) or "{}")
    return create_app(url, settings=Settings(**fields))


def _body_limit(ctx: ServerContext, path: str) -> int:
    """A route's request-body limit: a push carries PDFs, a voucher a photo, the rest small forms."""
    if path == "/push":
        return ctx.settings.max_push_bytes
    if path.startswith("/district/batches/") and path.endswith("/vouchers"):
        return MAX_VOUCHER_BYTES
    return ctx.settings.max_body_bytes


def _push_precheck(ctx: ServerContext):  # type: ignore[no-untyped-def]
    """The bearer token of a push, checked before its body is read (RequestLimits)."""

    async def check(scope: Any) -> ProblemError | None:
        header = Request(scope).headers.get("authorization", "")
        scheme, _, credentials = header.partition(" ")

        def run() -> User:
            with session():
                return accounts.authenticate(ctx, credentials.strip() if scheme.lower() == "bearer" else None)

        try:
            user = await run_in_threadpool(run)
        except ProblemError as error:
            return error
        scope.setdefault("state", {})[CHECKED_USER] = user  # the route need not check the token again
        return None

    return check

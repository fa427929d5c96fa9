"""The central server's HTTP API: a FastAPI app factory.

`create_app(db_url)` binds the tables to the database, creates missing tables and returns the
app; the SS-check worker runs in a background thread for the app's lifetime (unless
`Settings.run_worker` is off). Processes keep no state of their own — the database is the one
source of truth — so any number of them may run behind a load balancer.

Every error is `{"problem": code, "message": Chinese sentence, "detail": …}` with an HTTP status
(server/problems.py). Every endpoint but /time and /auth/* needs `Authorization: Bearer <access
token>` and checks the caller's union scope. Each request's database work runs on one worker
thread inside one `session()`. Nothing logs a password, token, key or full ID number.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from peewee import DataError
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.protocol import MAX_CLOCK_SKEW, PROTOCOL_VERSION, RecordKind, format_timestamp, message_for
from server import accounts, campaigns, changes, push, submissions
from server.db import create_tables, open_database, session
from server.jobs import JobWorker
from server.models import Union, User
from server.problems import ProblemError
from server.settings import Clock, ServerContext, Settings, system_clock

log = logging.getLogger("union_server")

T = TypeVar("T")

API_VERSION = "1.0"


# --- Request bodies ------------------------------------------------------------------------------


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class RefreshIn(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=256)


class DeviceIn(BaseModel):
    public_key: str = Field(min_length=1, max_length=128, description="base64 raw Ed25519 public key")
    label: str = Field(default="", max_length=100, description="e.g. the PC's name")


class PushRecord(BaseModel):
    key: str = Field(description="the outbox row's uuid: the idempotency key")
    kind: str = Field(description=" | ".join(RecordKind))
    payload: dict[str, Any]
    signature: str | None = Field(default=None, description="base64 Ed25519 signature (submissions)")
    nonce: str | None = Field(default=None, description="informational; the signed nonce is in the payload")
    timestamp: str | None = Field(default=None, description="informational; the signed one is in the payload")
    pdf_b64: str | None = Field(default=None, description="the notice PDF (submissions)")


class PushIn(BaseModel):
    device_fingerprint: str | None = None
    records: list[PushRecord] = Field(max_length=5000)


class ResetPasswordIn(BaseModel):
    new_password: str = Field(min_length=8, max_length=256)


class DecisionIn(BaseModel):
    decision: str = Field(description="approve | return")
    reason: str | None = Field(default=None, max_length=500)


# --- The factory -----------------------------------------------------------------------------------


def create_app(db_url: str, *, clock: Clock | None = None, settings: Settings | None = None) -> FastAPI:
    ctx = ServerContext(settings=settings or Settings(), clock=clock or system_clock)
    # peewee's DEBUG log prints every query's parameters: ID numbers, token hashes. Never let it.
    logging.getLogger("peewee").setLevel(max(logging.INFO, logging.getLogger("peewee").level))
    open_database(db_url)
    create_tables()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        worker = JobWorker(ctx) if ctx.settings.run_worker else None
        if worker is not None:
            worker.start()
        try:
            yield
        finally:
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
    bearer = HTTPBearer(auto_error=False)

    async def call(fn: Callable[..., T], *args: Any) -> T:
        def run() -> T:
            with session():
                return fn(*args)

        return await run_in_threadpool(run)

    async def token(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> str | None:
        return credentials.credentials if credentials is not None else None

    def as_user(access_token: str | None, fn: Callable[..., T], *args: Any) -> Callable[[], T]:
        """fn(user, *args) after the uniform token check, on the same thread and session."""

        def run() -> T:
            user = accounts.authenticate(ctx, access_token)
            return fn(user, *args)

        return run

    # --- error envelopes ---

    @app.exception_handler(ProblemError)
    async def problem_handler(request: Request, error: ProblemError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
        return JSONResponse(error.body(), status_code=error.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_handler(request: Request, error: RequestValidationError) -> JSONResponse:
        # Only where and what: pydantic's "input" would echo the body (a password, say).
        detail = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
                  for e in error.errors()]
        body = {"problem": "validation", "message": message_for("validation"), "detail": detail}
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_handler(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = "not_found" if error.status_code in (404, 405) else "validation"
        if error.status_code >= 500:
            code = "internal"
        body = {"problem": code, "message": message_for(code), "detail": str(error.detail)}
        return JSONResponse(body, status_code=error.status_code)

    @app.exception_handler(DataError)
    @app.exception_handler(OverflowError)
    async def data_error_handler(request: Request, error: Exception) -> JSONResponse:
        # A value the database cannot hold (a NUL character, an over-long text): the caller's fault.
        body = {"problem": "validation", "message": message_for("validation"), "detail": "数据中含有无法保存的字符或过长的文字"}
        return JSONResponse(body, status_code=422)

    @app.exception_handler(Exception)
    async def internal_handler(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error in %s %s", request.method, request.url.path)
        body = {"problem": "internal", "message": message_for("internal"), "detail": None}
        return JSONResponse(body, status_code=500)

    # --- endpoints ---

    @app.get("/time", tags=["sync"], summary="Server time, for the client's clock-skew check")
    async def get_time() -> dict[str, Any]:
        now = ctx.now()
        return {
            "server_time": format_timestamp(now),
            "epoch_ms": int(now.timestamp() * 1000),
            "max_clock_skew": MAX_CLOCK_SKEW,
            "protocol": PROTOCOL_VERSION,
        }

    @app.post("/auth/login", tags=["auth"], summary="Username + password → access and refresh tokens")
    async def login(body: LoginIn, response: Response) -> dict[str, Any]:
        response.headers["Cache-Control"] = "no-store"
        try:
            return await call(accounts.login, ctx, body.username, body.password)
        except ProblemError as error:
            if error.delay > 0:
                await asyncio.sleep(error.delay)
            raise

    @app.post("/auth/refresh", tags=["auth"], summary="Swap a refresh token for a new token pair")
    async def refresh(body: RefreshIn, response: Response) -> dict[str, Any]:
        response.headers["Cache-Control"] = "no-store"
        return await call(accounts.refresh, ctx, body.refresh_token)

    @app.post("/auth/logout", tags=["auth"], summary="Revoke every token of the caller")
    async def logout(access_token: str | None = Depends(token)) -> dict[str, Any]:
        await call(as_user(access_token, lambda user: accounts.logout(ctx, user)))
        return {"ok": True}

    @app.get("/me", tags=["auth"], summary="The caller's account and union")
    async def me(access_token: str | None = Depends(token)) -> dict[str, Any]:
        return await call(as_user(access_token, accounts.user_info))

    @app.post("/devices", tags=["auth"], summary="Register this PC's Ed25519 public key")
    async def register_device(body: DeviceIn, access_token: str | None = Depends(token)) -> dict[str, Any]:
        return await call(as_user(access_token, lambda user: accounts.register_device(ctx, user, body.public_key, body.label)))

    @app.post("/devices/{fingerprint}/revoke", tags=["auth"], summary="Stop accepting a device key")
    async def revoke_device(fingerprint: str, access_token: str | None = Depends(token)) -> dict[str, Any]:
        await call(as_user(access_token, lambda user: accounts.revoke_device(ctx, user, fingerprint)))
        return {"ok": True}

    @app.post("/users/{username}/reset-password", tags=["auth"],
              summary="A superior union resets a subordinate account's password")
    async def reset_password(username: str, body: ResetPasswordIn, access_token: str | None = Depends(token)) -> dict[str, Any]:
        await call(as_user(access_token, lambda user: accounts.reset_password(
            ctx, actor=user, username=username, new_password=body.new_password)))
        return {"ok": True}

    @app.get("/unions", tags=["organisation"], summary="The caller's union and its subordinates")
    async def list_unions(access_token: str | None = Depends(token)) -> dict[str, Any]:
        def run(user: User) -> dict[str, Any]:
            own = Union.get_by_id(user.union_id)
            query = Union.select().order_by(Union.path)
            if user.role != "center":
                query = query.where(Union.path.startswith(own.path))
            return {"unions": [accounts.union_info(u) for u in query.limit(10_000)]}

        return await call(as_user(access_token, run))

    @app.get("/campaigns/current", tags=["campaign"], summary="Plan types, fee split, windows, bank account")
    async def current_campaign(
        plan_year: int | None = Query(default=None, ge=2000, le=2100),
        union: str | None = Query(default=None, description="org code; default the caller's union"),
        access_token: str | None = Depends(token),
    ) -> dict[str, Any]:
        def run(user: User) -> dict[str, Any]:
            target = accounts.union_for(user, union)
            campaign = campaigns.current_campaign(ctx, plan_year)
            config = campaigns.campaign_config(campaign, target)
            config["server_time"] = format_timestamp(ctx.now())
            return config

        return await call(as_user(access_token, run))

    @app.post("/push", tags=["sync"], summary="Send outbox records; each gets its own result")
    async def push_records(body: PushIn, access_token: str | None = Depends(token)) -> JSONResponse:
        records = [r.model_dump() for r in body.records]
        result = await call(as_user(access_token, lambda user: push.push(ctx, user, body.device_fingerprint, records)))
        return JSONResponse(result)

    @app.get("/changes", tags=["sync"], summary="Server-owned changes after a cursor, in sequence order")
    async def get_changes(
        since: int = Query(default=0, ge=0, le=2**62),
        limit: int = Query(default=1000, ge=1, le=ctx.settings.max_changes_page),
        union: str | None = Query(default=None, description="org code; default the caller's union"),
        access_token: str | None = Depends(token),
    ) -> JSONResponse:
        def run(user: User) -> dict[str, Any]:
            return changes.changes_since(accounts.union_for(user, union), since, limit)

        return JSONResponse(await call(as_user(access_token, run)))

    @app.get("/submissions", tags=["submissions"], summary="Batches of a union and its subordinates")
    async def list_submissions(
        union: str | None = Query(default=None),
        plan_year: int | None = Query(default=None, ge=2000, le=2100),
        status: str | None = Query(default=None, max_length=20),
        access_token: str | None = Depends(token),
    ) -> dict[str, Any]:
        def run(user: User) -> dict[str, Any]:
            target = accounts.union_for(user, union)
            return {"submissions": submissions.list_submissions(user, target, plan_year, status)}

        return await call(as_user(access_token, run))

    @app.get("/submissions/{submission_id}", tags=["submissions"], summary="One batch with its signed payload")
    async def get_submission(submission_id: int = Path(ge=1, le=2**62), access_token: str | None = Depends(token)) -> dict[str, Any]:
        def run(user: User) -> dict[str, Any]:
            sub = submissions.get_submission(user, submission_id)
            record = submissions.submission_record(sub)
            record.update(payload=sub.payload, signature=sub.signature, payload_sha256=sub.payload_sha256,
                          pdf_sha256=sub.pdf_sha256)
            return record

        return await call(as_user(access_token, run))

    @app.get("/submissions/{submission_id}/pdf", tags=["submissions"], summary="The notice PDF as submitted",
             response_class=Response)
    async def get_submission_pdf(submission_id: int = Path(ge=1, le=2**62), access_token: str | None = Depends(token)) -> Response:
        def run(user: User) -> bytes:
            return bytes(submissions.get_submission(user, submission_id).pdf)

        pdf = await call(as_user(access_token, run))
        return Response(pdf, media_type="application/pdf")

    @app.post("/submissions/{submission_id}/decision", tags=["submissions"],
              summary="A superior union approves or returns a batch")
    async def decide(body: DecisionIn, submission_id: int = Path(ge=1, le=2**62), access_token: str | None = Depends(token)) -> dict[str, Any]:
        return await call(as_user(access_token, lambda user: submissions.decide(ctx, user, submission_id, body.decision, body.reason)))

    return app

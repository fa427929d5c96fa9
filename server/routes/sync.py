"""Talking with a clerk's PC: /time, /push, /changes."""
from __future__ import annotations

import json
import json.encoder
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, ValidatorFunctionWrapHandler, WrapValidator

from app.protocol import MAX_CLOCK_SKEW, PROTOCOL_VERSION, RecordKind, format_timestamp
from app.protocol.receipts import PACKED
from app.protocol.wire import loads_noting_numbers
from server import accounts, changes, feed, push
from server.api import as_user, call, checked_user, token
from server.models import User
from server.schemas import typed_push_records
from server.settings import ServerContext


class PushRecord(BaseModel):
    """One outbox record (app.protocol.PushRecord); its payload is read by the record's kind."""

    # The spec shows one shape per kind (server/schemas.py); reading stays per record.
    model_config = ConfigDict(json_schema_extra=typed_push_records)

    key: str = Field(description="the outbox row's uuid: the idempotency key")
    kind: str = Field(description=" | ".join(RecordKind))
    payload: dict[str, Any]
    signature: str | None = Field(default=None, description="base64 Ed25519 signature (signed kinds)")
    nonce: str | None = Field(default=None, description="informational; the signed nonce is in the payload")
    timestamp: str | None = Field(default=None, description="informational; the signed one is in the payload")
    pdf_b64: str | None = Field(default=None, description="the notice PDF (submissions)")


MAX_RECORDS = 5000


class PushIn(BaseModel):
    device_fingerprint: str | None = None
    receipts: str | None = Field(default=None, max_length=32, description=(
        f'"{PACKED}": answer member upserts\' receipts packed (app/protocol/receipts.py); else, or any other '
        "value, whole"))
    records: list[PushRecord] = Field(max_length=MAX_RECORDS)


_OPTIONAL = ("signature", "nonce", "timestamp", "pdf_b64")


def _as_sent(record: Any) -> bool:
    """Whether PushIn would read the record as it is (its fields of the right types)."""
    return (type(record) is dict and type(record.get("key")) is str and type(record.get("kind")) is str
            and type(record.get("payload")) is dict
            and all((value := record.get(name)) is None or type(value) is str for name in _OPTIONAL))


def read_push(body: Any, as_model: ValidatorFunctionWrapHandler) -> dict[str, Any]:
    """The push body as the JSON parser made it, when PushIn would read it unchanged (the usual
    case: its records' dicts are what server/push.py reads, with no model made of every record and
    copied back); else as PushIn reads it (`as_model`), refused with PushIn's own errors (422)."""
    if type(body) is dict:
        records, fingerprint, form = body.get("records"), body.get("device_fingerprint"), body.get("receipts")
        if (type(records) is list and len(records) <= MAX_RECORDS and (fingerprint is None or type(fingerprint) is str)
                and (form is None or type(form) is str and len(form) <= 32) and all(_as_sent(record) for record in records)):
            return body
    model = as_model(body)
    return {"device_fingerprint": model.device_fingerprint, "receipts": model.receipts,
            "records": [{"key": r.key, "kind": r.kind, "payload": r.payload, "signature": r.signature,
                         "nonce": r.nonce, "timestamp": r.timestamp, "pdf_b64": r.pdf_b64} for r in model.records]}


#: The body of POST /push: PushIn in the spec and in its refusals, read by `read_push`.
PushBody = Annotated[PushIn, WrapValidator(read_push)]


class _PushRequest(Request):
    """A push request whose JSON body is parsed noting whether its numbers all have a canonical
    form (`plain`): then each payload is encoded canonically without the walk that looks for
    others (server/push.py _read)."""

    plain = False

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json, self.plain = loads_noting_numbers(await self.body())
        return self._json


class _PushRoute(APIRoute):
    """The route of POST /push, handed a `_PushRequest` (FastAPI's way to a custom request class)."""

    def get_route_handler(self) -> Any:
        handle = super().get_route_handler()

        async def handler(request: Request) -> Response:
            return await handle(_PushRequest(request.scope, request.receive))  # type: ignore[no-any-return]

        return handler


#: json's C encoder with JSONResponse's options (compact, UTF-8 unescaped, no NaN), made once and
#: without cycle markers (an answer is fresh dicts and lists): JSONResponse makes an encoder per
#: answer and tracks every container, a quarter of the encoding of a 500-record answer.
_MAKE_ENCODER = getattr(json.encoder, "c_make_encoder", None)
_ENCODE = None if _MAKE_ENCODER is None else _MAKE_ENCODER(
    None, json.JSONEncoder().default, json.encoder.encode_basestring, None, ":", ",", False, False, False)


class _PushAnswer(JSONResponse):
    def render(self, content: Any) -> bytes:
        if _ENCODE is None:  # pragma: no cover - CPython always has it
            return super().render(content)
        return "".join(_ENCODE(content, 0)).encode("utf-8")


def router(ctx: ServerContext) -> APIRouter:
    api = APIRouter(tags=["sync"])

    @api.get("/time", summary="Server time, for the client's clock-skew check")
    async def get_time() -> dict[str, Any]:
        now = ctx.now()
        return {
            "server_time": format_timestamp(now),
            "epoch_ms": int(now.timestamp() * 1000),
            "max_clock_skew": MAX_CLOCK_SKEW,
            "protocol": PROTOCOL_VERSION,
        }

    async def push_records(request: Request, body: PushBody, access_token: str | None = Depends(token)) -> JSONResponse:
        read: dict[str, Any] = body  # type: ignore[assignment]  # read_push gives the body's dict
        records, fingerprint, packed = read["records"], read.get("device_fingerprint"), read.get("receipts") == PACKED
        plain = isinstance(request, _PushRequest) and request.plain
        result = await call(as_user(ctx, access_token,
                                    lambda user: push.push(ctx, user, fingerprint, records, plain=plain, packed=packed),
                                    checked=checked_user(request)))
        return _PushAnswer(result)

    api.add_api_route("/push", push_records, methods=["POST"], summary="Send outbox records; each gets its own result",
                      route_class_override=_PushRoute)

    @api.get("/changes", summary="Server-owned changes after a cursor, in sequence order")
    async def get_changes(
        since: int = Query(default=0, ge=0, le=2**62),
        limit: int = Query(default=1000, ge=1, le=ctx.settings.max_changes_page),
        union: str | None = Query(default=None, description="org code; default the caller's union"),
        device: str | None = Query(default=None, max_length=128,
                                   description="the pulling PC's fingerprint: its cursor is kept, its own changes skipped"),
        access_token: str | None = Depends(token),
    ) -> JSONResponse:
        def run(user: User) -> dict[str, Any]:
            target = accounts.union_for(user, union)
            mine = feed.own_device(user, device) if target.id == user.union_id else None
            if mine is not None:
                feed.record_cursor(ctx, mine, target.id, since)
            return changes.changes_since(target, since, limit, review=target.id != user.union_id,
                                         device=None if mine is None else mine.id)

        return JSONResponse(await call(as_user(ctx, access_token, run)))

    return api

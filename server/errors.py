"""The error envelope: every refusal is `{"problem": code, "message": Chinese sentence, "detail": …}`
with an HTTP status (server/problems.py), whatever raised it."""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from peewee import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.protocol import WireError, message_for
from server.problems import ProblemError

log = logging.getLogger("union_server")


def _body(code: str, detail: object) -> dict[str, object]:
    return {"problem": code, "message": message_for(code), "detail": detail}


async def _problem(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ProblemError)
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
    return JSONResponse(error.body(), status_code=error.status, headers=headers)


async def _wire(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, WireError)
    return await _problem(request, ProblemError("validation", error.detail))


async def _request_validation(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    # Only where and what: pydantic's "input" would echo the body (a password, say).
    detail = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
              for e in error.errors()]
    return JSONResponse(_body("validation", detail), status_code=422)


async def _http(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    code = "not_found" if error.status_code in (404, 405) else "validation"
    if error.status_code >= 500:
        code = "internal"
    return JSONResponse(_body(code, str(error.detail)), status_code=error.status_code)


async def _unstorable(request: Request, error: Exception) -> JSONResponse:
    # A value the database cannot hold (a NUL character, an over-long text): the caller's fault.
    return JSONResponse(_body("validation", "数据中含有无法保存的字符或过长的文字"), status_code=422)


async def _internal(request: Request, error: Exception) -> JSONResponse:
    log.exception("unexpected error in %s %s", request.method, request.url.path)
    return JSONResponse(_body("internal", None), status_code=500)


def install(app: FastAPI) -> None:
    """Answer every error of `app` with the envelope."""
    app.add_exception_handler(ProblemError, _problem)
    app.add_exception_handler(WireError, _wire)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(DataError, _unstorable)
    app.add_exception_handler(OverflowError, _unstorable)
    app.add_exception_handler(Exception, _internal)

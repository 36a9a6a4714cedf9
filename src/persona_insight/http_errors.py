"""Every error a client sees has the same shape: `{"error": {"code", "message", "details"?}}`."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.routing import compile_path

from persona_insight.errors import AppError
from persona_insight.interviews.states import IllegalTransition

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
}


def error_response(
    status: int,
    code: str,
    message: str,
    details: object = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, object] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return JSONResponse(
        {"error": body}, status_code=status, headers=dict(headers) if headers else None
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        headers = dict(exc.headers or {})
        if exc.status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        if isinstance(exc.details, dict) and "retry_after" in exc.details:
            headers["Retry-After"] = str(exc.details["retry_after"])
        return error_response(exc.status, exc.code, exc.message, exc.details, headers or None)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        # The first few say what to fix; a body of 200,000 unknown keys made an 18 MB answer.
        details: list[dict[str, Any]] = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in errors[:MAX_VALIDATION_DETAILS]
        ]
        if len(errors) > MAX_VALIDATION_DETAILS:
            details.append({"more": len(errors) - MAX_VALIDATION_DETAILS})
        return error_response(422, "validation_error", "the request is not valid", details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            allowed = _allowed(app, request.url.path)
            if allowed:
                headers["Allow"] = ", ".join(allowed)
        return error_response(exc.status_code, code, str(exc.detail), headers=headers or None)

    @app.exception_handler(IllegalTransition)
    async def _transition(request: Request, exc: IllegalTransition) -> JSONResponse:
        return error_response(409, "invalid_transition", str(exc))

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError) -> JSONResponse:
        # SQLSTATE class 22 (data exception): a value PostgreSQL cannot take, such as a NUL
        # character in a string or a number out of range. The client's input, not our fault.
        if isinstance(exc.orig, psycopg.DataError):
            return _invalid_value()
        if exc.connection_invalidated or isinstance(exc.orig, psycopg.OperationalError):
            log.warning("database unreachable on %s %s: %s", request.method, request.url.path, exc)
            return _unavailable("database_unavailable", "the database cannot be reached")
        log.exception("database error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error", "something went wrong on our side")

    @app.exception_handler(psycopg.DataError)
    async def _driver_data(request: Request, exc: psycopg.DataError) -> JSONResponse:
        # The same, from statements run on the psycopg connection directly (db.raw_connection).
        return _invalid_value()

    @app.exception_handler(PoolTimeout)
    async def _pool_timeout(request: Request, exc: PoolTimeout) -> JSONResponse:
        # Every connection busy for the whole pool timeout: overload, not a bug. No traceback
        # (one per waiting request is what turns an overload into a stall).
        log.warning("database pool exhausted on %s %s", request.method, request.url.path)
        return _unavailable("database_busy", "the server is busy; try again in a moment")

    @app.exception_handler(ClientDisconnect)
    async def _gone(request: Request, exc: ClientDisconnect) -> JSONResponse:
        # The client left while its body was being read: no one will read this answer.
        log.info("client left during %s %s", request.method, request.url.path)
        return error_response(400, "client_disconnected", "the client closed the connection")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error", "something went wrong on our side")


_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options"})


def _allowed(app: FastAPI, path: str) -> list[str]:
    """Every method some route of this path takes. Starlette's 405 named only the methods of
    the first route whose path matched (`HEAD /api/projects`: "Allow: POST", GET exists)."""
    table: list[tuple[re.Pattern[str], set[str]]] | None = getattr(app.state, "allow_table", None)
    if table is None:
        table = [
            (compile_path(template)[0], {m.upper() for m in operations if m in _METHODS})
            for template, operations in app.openapi()["paths"].items()
        ]
        app.state.allow_table = table
    found: set[str] = set()
    for regex, methods in table:
        if regex.match(path):
            found |= methods
    return sorted(found)


def _invalid_value() -> JSONResponse:
    return error_response(
        422,
        "invalid_value",
        "a value in the request cannot be stored (for example a NUL character)",
    )


def _unavailable(code: str, message: str) -> JSONResponse:
    return error_response(503, code, message, headers={"Retry-After": str(RETRY_AFTER_S)})


RETRY_AFTER_S = 2
MAX_VALIDATION_DETAILS = 20

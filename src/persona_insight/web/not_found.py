"""Addresses no route knows: the 404 page (in the reader's language) outside `/api/`, where
FastAPI would answer its JSON; the API keeps the JSON error shape of every other answer."""

from __future__ import annotations

import inspect

from fastapi import FastAPI, Request, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from persona_insight.web.page import error_page, secured

API_PREFIX = "/api/"


def install(app: FastAPI) -> None:
    """Wrap the JSON handler `http_errors.install` registered (so call this after it)."""
    as_json = app.exception_handlers[StarletteHTTPException]

    async def not_found(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404 and not request.url.path.startswith(API_PREFIX):
            return secured(await error_page(request, 404, "not_found"))
        response = as_json(request, exc)
        return await response if inspect.isawaitable(response) else response

    app.add_exception_handler(StarletteHTTPException, not_found)

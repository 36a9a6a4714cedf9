"""`/static/…`: our CSS, module and icon, revalidated by ETag (the pages link them with a content
hash, so a changed file is a new URL anyway)."""

from __future__ import annotations

import hashlib
import mimetypes

from fastapi import APIRouter, Request, Response

from persona_insight.errors import NotFound
from persona_insight.web.page import PageRoute
from persona_insight.web.rendering import STATIC

router = APIRouter(route_class=PageRoute, include_in_schema=False)

TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}


def _load(relative: str) -> tuple[bytes, str, str]:
    root = STATIC.resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise NotFound("no such file", code="not_found")
    data = path.read_bytes()
    media = (
        TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    )
    return data, media, '"' + hashlib.sha256(data).hexdigest()[:16] + '"'


@router.get("/static/{relative:path}")
async def static_file(relative: str, request: Request) -> Response:
    data, media, etag = _load(relative)
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=media, headers=headers)

"""Pictures people upload (their avatar, a persona's picture): read from a form, typed by content.

The type comes from the bytes, never from the file name or the declared content type, so a page
that serves the picture back can name its type truthfully.
"""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import UploadFile

from persona_insight.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType


def image_type(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


async def read_image(
    request: Request, *, max_bytes: int, too_large: str, too_large_code: str
) -> tuple[bytes, str]:
    """The `file` field of a multipart form as (bytes, media type); 4xx when it is missing, larger
    than `max_bytes` (read no further than one byte past it) or not a JPEG, PNG or WebP image."""
    form = await request.form(max_files=1, max_fields=5)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInput("send the image as the `file` field", code="file_required")
        data = await upload.read(max_bytes + 1)
    finally:
        await form.close()
    if len(data) > max_bytes:
        raise PayloadTooLarge(too_large, code=too_large_code)
    media_type = image_type(data)
    if media_type is None:
        raise UnsupportedMediaType("send a JPEG, PNG or WebP image", code="unsupported_image")
    return data, media_type

"""Pictures people upload (their avatar, a persona's picture): read from a form, typed by content.

The type comes from the bytes, never from the file name or the declared content type, so a page
that serves the picture back can name its type truthfully. The picture is decoded once before it
is kept: a truncated or corrupt file would show as a broken image to everyone it is served to,
and a small file can declare a huge one (a 1 MB PNG of 20,000 × 20,000 pixels is 1.6 GB in
every colleague's browser), so its size in pixels is read from its header and bounded first.
"""

from __future__ import annotations

import asyncio
import io
import warnings

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
    await asyncio.to_thread(check_decodes, data, media_type)
    return data, media_type


# 16.8 megapixels: a phone camera's photo (12 MP) passes; more is never needed for a face.
MAX_PIXELS = 4096 * 4096


def check_decodes(data: bytes, media_type: str) -> None:
    """422 unless `data` decodes whole as the `media_type` its bytes announce, within
    MAX_PIXELS (checked from the header, before any pixel is decoded)."""
    from PIL import Image, UnidentifiedImageError

    too_large = InvalidInput(
        f"a picture has at most {MAX_PIXELS:,} pixels (4096 × 4096)",
        code="image_dimensions_too_large",
        details={"max_pixels": MAX_PIXELS},
    )
    try:
        with warnings.catch_warnings():
            # Pillow's own guard warns from 89 megapixels: a refusal here, not a warning.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise too_large
                if Image.MIME.get(image.format or "") != media_type:
                    raise UnidentifiedImageError(f"{image.format} is not {media_type}")
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        # UnidentifiedImageError is an OSError; a truncated file raises OSError on load.
        raise InvalidInput(
            "the picture cannot be read: it may be damaged or cut short", code="malformed_image"
        ) from exc

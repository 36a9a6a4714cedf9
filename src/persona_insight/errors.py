"""Errors that reach a client: an HTTP status and a machine-readable `code`.

Every route answers errors as `{"error": {"code", "message", "details"?}}` (see docs/api.md).
"""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    status: int = 400
    code: str = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            body["details"] = self.details
        return {"error": body}


class NotFound(AppError):
    status = 404
    code = "not_found"


class Unauthenticated(AppError):
    status = 401
    code = "unauthenticated"


class Forbidden(AppError):
    status = 403
    code = "forbidden"


class Conflict(AppError):
    status = 409
    code = "conflict"


class InvalidInput(AppError):
    status = 422
    code = "invalid_input"


class PayloadTooLarge(AppError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(AppError):
    status = 415
    code = "unsupported_media_type"


class RateLimited(AppError):
    status = 429
    code = "rate_limited"


def storable_text(value: str, what: str) -> str:
    """`value`, refused with `invalid_value` if PostgreSQL cannot store it (a NUL character):
    for text checked before anything is done with it, rather than when a later insert fails."""
    if "\x00" in value:
        raise InvalidInput(f"the {what} contains a NUL character", code="invalid_value")
    return value

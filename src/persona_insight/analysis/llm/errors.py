"""Provider failures as `EngineError`s the job queue knows how to treat.

Messages are built from the status, the provider's error code and a short, scrubbed excerpt of its
message: never from the request, and never with anything that looks like a key, since provider
error bodies sometimes echo part of the key they rejected.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic_ai.exceptions import (
    ContentFilterError,
    ModelAPIError,
    ModelConnectionError,
    ModelHTTPError,
    ModelQuotaExceededError,
    ModelRateLimitError,
    ModelRequestRejectedError,
    ModelRequestTimeout,
    ModelServerError,
    ModelTimeoutError,
    ModelUnavailableError,
    UnexpectedModelBehavior,
    UsageLimitExceeded,
    UserError,
)

from persona_insight.analysis.engine import EngineError

_KEYLIKE = re.compile(r"\b(?:sk|pk|rk|key|api|tok)[-_][A-Za-z0-9*_\-]{6,}|\b[A-Za-z0-9_\-]{32,}\b")


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return _KEYLIKE.sub("***", text)


def _provider_message(exc: ModelAPIError) -> str:
    body = exc.body
    message: object = None
    if isinstance(body, dict):
        error = body.get("error", body)
        message = error.get("message") if isinstance(error, dict) else error
    elif isinstance(body, str):
        message = body
    return " ".join(str(message).split())[:300] if message else ""


def _describe(exc: ModelAPIError, what: str) -> str:
    parts = [what]
    if isinstance(exc, ModelHTTPError):
        parts.append(f"HTTP {exc.status_code}")
    if exc.provider_error_code:
        parts.append(exc.provider_error_code)
    detail = _provider_message(exc)
    text = " ".join(parts) if not detail else f"{' '.join(parts)}: {detail}"
    return f"{text} (model {exc.model_name})"


def map_error(exc: BaseException, *, secrets: Iterable[str | None] = ()) -> EngineError:
    """The `EngineError` for a failure raised by a pydantic-ai run."""
    keys = list(secrets)

    def err(
        code: str, message: str, *, retryable: bool, retry_after: float | None = None
    ) -> EngineError:
        return EngineError(code, scrub(message, keys), retryable=retryable, retry_after=retry_after)

    if isinstance(exc, EngineError):
        return exc
    if isinstance(exc, ModelTimeoutError | ModelRequestTimeout | TimeoutError):
        return err("engine_timeout", "the model did not answer in time", retryable=True)
    if isinstance(exc, ModelRateLimitError):
        return err(
            "engine_rate_limited",
            _describe(exc, "rate limited"),
            retryable=True,
            retry_after=exc.retry_after,
        )
    if isinstance(exc, ModelQuotaExceededError):
        # Waiting does not refill an exhausted quota or a missing billing setup.
        return err("engine_rejected", _describe(exc, "quota exhausted"), retryable=False)
    if isinstance(exc, ModelConnectionError):
        return err("engine_unavailable", _describe(exc, "connection failed"), retryable=True)
    if isinstance(exc, ModelUnavailableError | ModelServerError):
        return err("engine_unavailable", _describe(exc, "provider error"), retryable=True)
    if isinstance(exc, ModelHTTPError):
        if exc.status_code == 429:
            return err(
                "engine_rate_limited",
                _describe(exc, "rate limited"),
                retryable=True,
                retry_after=exc.retry_after,
            )
        if exc.status_code >= 500 or exc.status_code in (408, 409):
            return err("engine_unavailable", _describe(exc, "provider error"), retryable=True)
        return err("engine_rejected", _describe(exc, "request rejected"), retryable=False)
    if isinstance(exc, ModelRequestRejectedError):
        return err("engine_rejected", _describe(exc, "request rejected"), retryable=False)
    if isinstance(exc, ModelAPIError):
        return err("engine_unavailable", _describe(exc, "provider error"), retryable=True)
    if isinstance(exc, ContentFilterError):
        return err(
            "engine_rejected",
            "the provider's content filter refused the interview",
            retryable=False,
        )
    if isinstance(exc, UnexpectedModelBehavior | UsageLimitExceeded):
        return err(
            "analysis_invalid_output",
            f"the model's answer stayed invalid after repair attempts: {exc.message[:300]}",
            retryable=False,
        )
    if isinstance(exc, UserError):
        return err(
            "engine_not_configured", f"llm engine setup: {exc.message[:300]}", retryable=False
        )
    return err(
        "engine_unavailable", f"unexpected llm failure: {type(exc).__name__}", retryable=True
    )

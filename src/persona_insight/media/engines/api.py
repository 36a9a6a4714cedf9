"""The `api` engine: any OpenAI-compatible `POST …/audio/transcriptions` (OpenAI, Groq,
faster-whisper-server, whisper.cpp's server, vLLM), asked for `verbose_json` segments.

The original file is sent as it was uploaded: audio cannot be masked, so choosing this engine
means the recording leaves the machine (the company settings page says so).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from persona_insight.errors import AppError
from persona_insight.media.engines.base import Segment

# verbose_json names the language in English ("korean") on OpenAI; others give the code.
_LANGUAGE_NAMES = {"english": "en", "korean": "ko", "japanese": "ja", "chinese": "zh"}


class SpeechApiFailed(AppError):
    status = 502
    code = "speech_api_failed"


@dataclass(frozen=True, slots=True)
class ApiOptions:
    base_url: str
    model: str
    api_key: str | None = None
    timeout_s: float = 600.0


def _url(base_url: str) -> str:
    return base_url.rstrip("/") + "/audio/transcriptions"


def transcribe(
    path: Path, options: ApiOptions, *, language: str | None
) -> tuple[list[Segment], str | None]:
    form: dict[str, Any] = {
        "model": options.model,
        "response_format": "verbose_json",
        "timestamp_granularities[]": "segment",
    }
    if language:
        form["language"] = language
    headers = {"Authorization": f"Bearer {options.api_key}"} if options.api_key else {}
    try:
        with open(path, "rb") as fh:
            response = httpx.post(
                _url(options.base_url),
                data=form,
                files={"file": (path.name, fh, "application/octet-stream")},
                headers=headers,
                timeout=options.timeout_s,
            )
    except httpx.HTTPError as exc:
        raise SpeechApiFailed(
            f"the speech API could not be reached: {type(exc).__name__}",
            details={"retryable": True},
        ) from None
    if response.status_code >= 400:
        raise SpeechApiFailed(
            f"the speech API answered {response.status_code}",
            details={
                "status": response.status_code,
                "retryable": response.status_code == 429 or response.status_code >= 500,
                "body": response.text[:300],
            },
        )
    try:
        body = response.json()
        segments = [
            Segment(int(float(s["start"]) * 1000), int(float(s["end"]) * 1000), str(s["text"]))
            for s in body.get("segments") or []
        ]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise SpeechApiFailed(
            "the speech API's answer has no verbose_json segments", details={"retryable": False}
        ) from None
    said = body.get("language")
    found = _LANGUAGE_NAMES.get(str(said).lower(), str(said)[:8]) if said else None
    return [s for s in segments if s.text.strip()], language or found

"""A fake OpenAI-compatible speech API (`POST /v1/audio/transcriptions`) on 127.0.0.1: it keeps
what each request sent and answers scripted `verbose_json` segments."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


@dataclass
class Heard:
    fields: dict[str, str]
    authorization: str | None
    file_name: str
    size: int


@dataclass
class FakeSpeech:
    segments: list[dict[str, Any]]
    language: str = "korean"
    base_url: str = ""
    stopping: threading.Event = field(default_factory=threading.Event)
    heard: list[Heard] = field(default_factory=list)
    # The first this many requests answer 503, as an overloaded speech API does.
    unavailable_first: int = 0

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/v1/audio/transcriptions", self._handle, methods=["POST"])])

    async def _handle(self, request: Request) -> Response:
        async with request.form() as form:
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                return JSONResponse({"error": {"message": "file is required"}}, status_code=400)
            data = await upload.read()
            self.heard.append(
                Heard(
                    fields={k: v for k, v in form.items() if isinstance(v, str)},
                    authorization=request.headers.get("authorization"),
                    file_name=upload.filename or "",
                    size=len(data),
                )
            )
        if len(self.heard) <= self.unavailable_first:
            return JSONResponse({"error": {"message": "overloaded"}}, status_code=503)
        text = " ".join(s["text"] for s in self.segments)
        return JSONResponse(
            {
                "task": "transcribe",
                "language": self.language,
                "duration": self.segments[-1]["end"] if self.segments else 0,
                "text": text,
                "segments": self.segments,
            }
        )

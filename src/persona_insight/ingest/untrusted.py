"""Uploaded bytes to transcript text, read in the sandbox (`ingest/sandbox.py`), never in the
server process."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from persona_insight.config import Settings
from persona_insight.ingest import Extracted, extract
from persona_insight.ingest.sandbox import Limits, sandbox

_MIB = 1024 * 1024


def limits_of(settings: Settings) -> Limits:
    # Elapsed time is a backstop for a child that waits instead of computing; twice its CPU
    # budget leaves room for a machine busy with other work.
    return Limits(
        cpu_s=settings.ingest_cpu_s,
        memory_bytes=settings.ingest_memory_mb * _MIB,
        wall_s=2.0 * settings.ingest_cpu_s + 10,
    )


async def extract_upload(
    name: str,
    data: bytes,
    settings: Settings,
    *,
    cancel: Callable[[], Awaitable[object]] | None = None,
) -> Extracted:
    """`ingest.extract` of an uploaded file, in a sandboxed child process."""
    path = await asyncio.to_thread(_spill, data, settings.data_dir / "tmp")
    try:
        return await sandbox(settings.ingest_workers).run(
            _extract_path,
            path,
            name,
            settings.max_upload_bytes,
            settings.max_text_chars,
            limits=limits_of(settings),
            cancel=cancel,
        )
    finally:
        path.unlink(missing_ok=True)


def _spill(data: bytes, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, name = tempfile.mkstemp(dir=directory, prefix="upload-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return Path(name)


def _extract_path(path: Path, name: str, max_bytes: int, max_chars: int) -> Extracted:
    """Runs in the child."""
    return extract(name, path.read_bytes(), max_bytes=max_bytes, max_chars=max_chars)

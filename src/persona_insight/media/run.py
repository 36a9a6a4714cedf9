"""One recording transcribed without the database — the `transcribe` command — through the same
sandbox, limits and pipeline as the job."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import Callable
from pathlib import Path

from persona_insight.config import Settings
from persona_insight.media import decode, pipeline, service, tasks
from persona_insight.media.engines.base import Transcription
from persona_insight.media.progress import ProgressFile


async def transcribe_file(
    path: Path,
    settings: Settings,
    *,
    engine: str | None = None,
    language: str | None = None,
    on_model: Callable[[int, int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> Transcription:
    if engine is not None:
        settings = settings.model_copy(update={"speech_engine": engine})
    if settings.speech_engine == "local":
        # Joined here, with the caller's progress bar, before the options ask for it.
        await asyncio.to_thread(service.model_dir, settings, on_model)
    options = await asyncio.to_thread(tasks.options_for, settings, service.check_language(language))
    box = tasks.media_sandbox(1)
    info = await box.run(decode.probe, path, limits=service.PROBE_LIMITS)
    if info.duration_ms > settings.media_max_duration_s * 1000:
        raise decode.MediaTooLong(
            f"the recording lasts {info.duration_ms / 3_600_000:.1f} h; the limit is "
            f"{settings.media_max_duration_s / 3600:g} h",
            details={"duration_ms": info.duration_ms},
        )
    with tempfile.TemporaryDirectory(prefix="pi-transcribe-") as folder:
        report = Path(folder) / "percent"
        watcher = asyncio.create_task(_watch(ProgressFile(report), on_progress))
        try:
            return await box.run(
                pipeline.run,
                path,
                options,
                str(report),
                limits=tasks.limits_for(settings, info.duration_ms),
            )
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher


async def _watch(source: ProgressFile, on_progress: Callable[[int], None] | None) -> None:
    while on_progress is not None:
        await asyncio.sleep(0.5)
        percent = source.read()
        if percent is not None:
            on_progress(percent)

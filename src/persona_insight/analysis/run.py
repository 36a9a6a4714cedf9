"""One file through ingestion and an engine, with no database: `persona-insight analyze`."""

from __future__ import annotations

import asyncio
from pathlib import Path

from persona_insight import ingest
from persona_insight.analysis.engine import AnalysisContext, EngineResult
from persona_insight.analysis.registry import build_engine
from persona_insight.analysis.transcript import parse
from persona_insight.config import Settings


async def analyse_file(path: Path, engine_name: str, settings: Settings) -> EngineResult:
    data = await asyncio.to_thread(path.read_bytes)
    extracted = ingest.extract(
        path.name, data, max_bytes=settings.max_upload_bytes, max_chars=settings.max_text_chars
    )
    engine = build_engine(engine_name, settings)
    context = AnalysisContext(title=path.stem, interview_date=extracted.modified)
    transcript = parse(extracted.text)
    transcript.require_speech()
    result = await engine.analyse(transcript, context)
    result.analysis = transcript.annotate(result.analysis)
    return result

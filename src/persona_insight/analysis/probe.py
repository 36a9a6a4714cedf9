"""Test connection: a tiny real analysis with the engine exactly as a company configured it, so
an admin learns at once whether the address, key and model work — before an interview fails."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from persona_insight.analysis.engine import AnalysisContext, EngineError
from persona_insight.analysis.registry import build_engine
from persona_insight.analysis.transcript import parse
from persona_insight.config import Settings

PROBE_TRANSCRIPT = (
    "Q: 오늘 장보기 앱은 어떠셨어요?\n"
    "A: 주문은 편했는데 배송 시간이 너무 늦어서 불편했어요.\n"
    "Q: What would have helped?\n"
    "A: An earlier delivery slot would help a lot, honestly.\n"
)
PROBE_TIME_LIMIT_S = 30.0


@dataclass(frozen=True, slots=True)
class ProbeResult:
    engine: str
    ok: bool
    seconds: float
    code: str | None = None
    message: str = ""


async def probe(engine_name: str, settings: Settings) -> ProbeResult:
    started = time.perf_counter()

    def took() -> float:
        return round(time.perf_counter() - started, 1)

    context = AnalysisContext(title="Persona Insight connection test", interview_date=None)
    try:
        engine = build_engine(engine_name, settings)
        async with asyncio.timeout(PROBE_TIME_LIMIT_S):
            await engine.analyse(parse(PROBE_TRANSCRIPT), context)
    except TimeoutError:
        return ProbeResult(engine_name, False, took(), "engine_timeout", "no answer in time")
    except EngineError as exc:
        return ProbeResult(engine_name, False, took(), exc.code, exc.message[:300])
    return ProbeResult(engine_name, True, took())

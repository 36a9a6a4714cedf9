"""Engine selection: the company's override, else the default from settings.

Engines are imported lazily so a process that never uses the LLM client does not load it.
"""

from __future__ import annotations

from persona_insight.analysis.engine import AnalysisEngine, EngineError
from persona_insight.config import EngineName, Settings

ENGINE_NAMES: tuple[EngineName, ...] = ("offline", "llm", "miso")


def build_engine(name: str, settings: Settings) -> AnalysisEngine:
    if name == "offline":
        from persona_insight.analysis.offline.engine import OfflineEngine

        return OfflineEngine()
    if name == "llm":
        from persona_insight.analysis.llm.engine import LlmEngine

        return LlmEngine.from_settings(settings)
    if name == "miso":
        from persona_insight.analysis.miso.engine import MisoEngine

        return MisoEngine.from_settings(settings)
    raise EngineError("engine_unknown", f"unknown analysis engine {name!r}", retryable=False)

"""The one interface every analysis engine implements, and what it is given.

`analyse(transcript, context)` returns the contract (`InterviewAnalysis`) plus bookkeeping. Engines
raise `EngineError` with a stable `code` and whether a retry may help; the job turns that into the
interview's stored failure `{code, message, retryable, engine}`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from persona_insight.analysis.contract import InterviewAnalysis
from persona_insight.analysis.transcript import Transcript


@dataclass(frozen=True, slots=True)
class GlossaryTerm:
    term: str
    definition: str


@dataclass(frozen=True, slots=True)
class PersonaRef:
    code: str
    title: str
    description: str


@dataclass(frozen=True, slots=True)
class AnalysisContext:
    """Company and project knowledge given to every engine, so vocabulary converges."""

    company_name: str = ""
    company_description: str = ""
    project_name: str = ""
    project_purpose: str = ""
    target_audience: str = ""
    title: str = ""
    interview_date: dt.date | None = None
    glossary: tuple[GlossaryTerm, ...] = ()
    section_names: tuple[str, ...] = ()
    key_takeaways: tuple[str, ...] = ()
    personas: tuple[PersonaRef, ...] = ()
    # Noun document frequencies over the company's analysed interviews (for TF-IDF keywords).
    term_document_frequency: Mapping[str, int] = field(default_factory=dict)
    document_count: int = 0


@dataclass(slots=True)
class EngineResult:
    analysis: InterviewAnalysis
    engine: str
    model: str | None = None
    usage: dict[str, Any] = field(default_factory=dict)
    repairs: list[dict[str, Any]] = field(default_factory=list)
    # Distinct normalised nouns of the interview, stored for the company's keyword statistics.
    terms: list[str] = field(default_factory=list)


class EngineError(Exception):
    """An engine failure; `retryable` ones are retried with back-off before the interview fails."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        retryable: bool,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after


class AnalysisEngine(Protocol):
    name: str

    async def analyse(self, transcript: Transcript, context: AnalysisContext) -> EngineResult: ...

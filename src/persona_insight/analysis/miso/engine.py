"""The miso engine: the interview analysed by a workflow on MISO or Dify.

The workflow gets the inputs the original product sent (`context`, `company_name`,
`company_info`, `interview_objective`, `target_audience`, `interview_sections`, `key_takeaways`)
plus the company's `glossary` and `personas` (one per line), which every engine is given.
`context` is the numbered transcript (`[id] Q|A (speaker): text`, masked when masking is on), so
a workflow that cites line ids cites ours, and evidence can be checked like any engine's.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import httpx

from persona_insight.analysis.engine import AnalysisContext, EngineError, EngineResult
from persona_insight.analysis.masking import mask_transcript
from persona_insight.analysis.miso.client import MisoClient, ResponseMode, Variant
from persona_insight.analysis.miso.mapping import to_analysis
from persona_insight.analysis.transcript import Transcript
from persona_insight.analysis.validate import validate_evidence

if TYPE_CHECKING:
    from persona_insight.config import Settings

SUCCEEDED = {"succeeded", "partial-succeeded", "partial_succeeded", "success", "completed"}


def workflow_inputs(context: AnalysisContext, numbered_transcript: str) -> dict[str, str]:
    return {
        "context": numbered_transcript,
        "company_name": context.company_name,
        "company_info": context.company_description,
        "interview_objective": context.project_purpose,
        "target_audience": context.target_audience,
        "interview_sections": ", ".join(context.section_names),
        "key_takeaways": "\n".join(context.key_takeaways),
        # Not in the original product's inputs: a workflow that declares them gets the company's
        # vocabulary and personas like the other engines; one that does not ignores them.
        "glossary": "\n".join(f"{g.term}: {g.definition}" for g in context.glossary),
        "personas": "\n".join(f"{p.code}: {p.title} — {p.description}" for p in context.personas),
    }


class MisoEngine:
    name = "miso"

    def __init__(
        self,
        base_url: str | None,
        api_key: str | None,
        *,
        variant: Variant = "dify",
        response_mode: ResponseMode = "blocking",
        timeout_s: float = 290.0,
        mask: bool = True,
        user: str = "persona-insight",
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url or None
        self._api_key = api_key or None
        self.variant: Variant = variant
        self.response_mode: ResponseMode = response_mode
        self.timeout_s = timeout_s
        self.mask = mask
        self.user = user
        self._transport = transport

    def __repr__(self) -> str:
        return (
            f"MisoEngine(base_url={self.base_url!r}, variant={self.variant!r}, "
            f"response_mode={self.response_mode!r})"
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> MisoEngine:
        key = settings.miso_api_key.get_secret_value() if settings.miso_api_key else None
        return cls(
            settings.miso_base_url,
            key,
            variant=settings.miso_variant,
            response_mode=settings.miso_response_mode,
            timeout_s=settings.miso_timeout_s,
            mask=settings.mask_personal_data,
        )

    async def analyse(self, transcript: Transcript, context: AnalysisContext) -> EngineResult:
        if not self.base_url or not self._api_key:
            raise EngineError(
                "engine_not_configured",
                "the miso engine needs a base URL and an app key",
                retryable=False,
            )
        if not self.base_url.startswith(("http://", "https://")):
            raise EngineError(
                "engine_not_configured",
                f"the miso base URL must start with http:// or https://, not {self.base_url!r}",
                retryable=False,
            )
        if not transcript.turns:
            raise EngineError(
                "analysis_invalid_input", "the transcript has no text to analyse", retryable=False
            )
        started = time.perf_counter()
        masked_counts: dict[str, int] = {}
        sent = transcript
        if self.mask:
            masked = mask_transcript(transcript)
            sent, masked_counts = masked.transcript, masked.counts

        async with MisoClient(
            self.base_url,
            self._api_key,
            variant=self.variant,
            timeout_s=self.timeout_s,
            transport=self._transport,
        ) as client:
            run = await client.run_workflow(
                workflow_inputs(context, sent.numbered()),
                user=self.user,
                response_mode=self.response_mode,
            )

        if run.status.lower() not in SUCCEEDED:
            detail = f": {' '.join(run.error.split())[:300]}" if run.error else ""
            raise EngineError(
                "engine_failed",
                f"the workflow run ended with status {run.status or 'unknown'!r}{detail}",
                retryable=False,
            )
        analysis = to_analysis(run.outputs, sent, context, text=run.text)
        analysis, repairs = validate_evidence(analysis)
        usage: dict[str, Any] = {
            "total_tokens": run.total_tokens,
            "elapsed_time": run.elapsed_time,
            "total_steps": run.total_steps,
            "latency_s": round(time.perf_counter() - started, 3),
            "workflow_run_id": run.workflow_run_id,
            "task_id": run.task_id,
            "response_mode": self.response_mode,
            "masked": masked_counts,
        }
        return EngineResult(
            analysis=analysis,
            engine=self.name,
            model=None,
            usage=usage,
            repairs=repairs,
            terms=sorted({k.term.lower() for k in analysis.keywords}),
        )

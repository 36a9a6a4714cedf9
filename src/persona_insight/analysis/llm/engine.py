"""The llm engine: any model pydantic-ai can talk to, with a typed, bounded answer.

One analysis is: mask the transcript (when enabled), split it into chunks of whole turns, ask the
model for a `ChunkAnalysis` per chunk (a few at a time), ask for one `Synthesis` of the whole
interview when there was more than one chunk, assemble the contract and validate its evidence.

Repairs stay bounded. A malformed or schema-violating answer is sent back to the model by
pydantic-ai (`output_retries` times); evidence outside the chunk is sent back too, except on the
last attempt, where it is accepted and left to `validate_evidence`. An answer cut off by the token
limit (`finish_reason: length`) or a prompt over the context window is repaired by splitting the
chunk (twice at most) and, when it cannot split, by asking once more for a brief answer. Anything
else fails at once: transient provider errors are retried by the job queue, not here.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pydantic_ai import Agent, ModelRetry, NativeOutput, RunContext, ToolOutput
from pydantic_ai import capture_run_messages as _capture_run_messages
from pydantic_ai.exceptions import ModelContextWindowExceededError, OutputTokenLimitExceeded
from pydantic_ai.messages import AgentStreamEvent, ModelMessage, ModelResponse
from pydantic_ai.models import Model
from pydantic_ai.settings import ModelSettings
from pydantic_ai.usage import RunUsage, UsageLimits

from persona_insight.analysis.engine import AnalysisContext, EngineError, EngineResult
from persona_insight.analysis.llm import prompt
from persona_insight.analysis.llm.assemble import assemble
from persona_insight.analysis.llm.chunking import Chunk, halve, split
from persona_insight.analysis.llm.errors import map_error
from persona_insight.analysis.llm.provider import ModelHandle, build_model
from persona_insight.analysis.llm.schema import (
    ChunkAnalysis,
    Synthesis,
    output_types_for,
    synthesis_type_for,
)
from persona_insight.analysis.masking import mask_transcript
from persona_insight.analysis.transcript import Transcript
from persona_insight.analysis.validate import validate_evidence

if TYPE_CHECKING:
    from persona_insight.config import Settings

OutputMode = Literal["tool", "native"]

MAX_SPLIT_DEPTH = 2
MIN_CONTEXT_CHARS = 200


@dataclass(slots=True)
class _Tally:
    input_tokens: int = 0
    output_tokens: int = 0
    requests: int = 0
    repairs: list[dict[str, Any]] = field(default_factory=list)

    def add_run(self, usage: RunUsage) -> None:
        self.input_tokens += usage.input_tokens
        self.output_tokens += usage.output_tokens
        self.requests += usage.requests

    def add_messages(self, messages: Sequence[ModelMessage]) -> None:
        """Count what a failed run spent, from the responses it received."""
        for message in messages:
            if isinstance(message, ModelResponse):
                self.input_tokens += message.usage.input_tokens
                self.output_tokens += message.usage.output_tokens
                self.requests += 1


async def _drain(_: RunContext[None], events: AsyncIterable[AgentStreamEvent]) -> None:
    # Handing pydantic-ai a handler makes it stream the response; the events themselves are not
    # needed, the streamed answer is assembled by the agent.
    async for _event in events:
        pass


class LlmEngine:
    name = "llm"

    def __init__(
        self,
        model: str | Model,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        output_mode: OutputMode = "tool",
        max_tokens: int = 4096,
        context_chars: int = 24_000,
        timeout_s: float = 120.0,
        mask: bool = True,
        output_retries: int = 2,
        stream: bool = True,
        temperature: float | None = None,
        concurrency: int = 2,
    ) -> None:
        if output_mode not in ("tool", "native"):
            raise ValueError(f"output_mode must be 'tool' or 'native', not {output_mode!r}")
        if max_tokens < 1 or timeout_s <= 0 or output_retries < 0 or concurrency < 1:
            raise ValueError("max_tokens, timeout_s and concurrency must be positive")
        self.model = model
        self.base_url = base_url or None
        self._api_key = api_key or None
        self.output_mode: OutputMode = output_mode
        self.max_tokens = max_tokens
        self.context_chars = max(context_chars, MIN_CONTEXT_CHARS)
        self.timeout_s = timeout_s
        self.mask = mask
        self.output_retries = output_retries
        self.stream = stream
        self.temperature = temperature
        self.concurrency = concurrency

    def __repr__(self) -> str:
        # The key stays out of reprs, logs and tracebacks' locals summaries.
        return (
            f"LlmEngine(model={self.model!r}, base_url={self.base_url!r}, "
            f"output_mode={self.output_mode!r})"
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> LlmEngine:
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return cls(
            settings.llm_model,
            base_url=settings.llm_base_url,
            api_key=key,
            output_mode=settings.llm_output_mode,
            max_tokens=settings.llm_max_tokens,
            context_chars=settings.llm_context_chars,
            timeout_s=settings.llm_timeout_s,
            mask=settings.mask_personal_data,
        )

    async def analyse(self, transcript: Transcript, context: AnalysisContext) -> EngineResult:
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

        try:
            handle = build_model(
                self.model, base_url=self.base_url, api_key=self._api_key, timeout_s=self.timeout_s
            )
        except EngineError:
            raise
        except Exception as exc:  # an SDK refusing the URL or the key's format
            raise EngineError(
                "engine_not_configured",
                f"cannot set up the llm client: {type(exc).__name__}",
                retryable=False,
            ) from None
        run = _Run(self, handle, context)
        try:
            async with handle.model:
                chunks = split(sent, self.context_chars)
                parts = await run.chunks(chunks)
                synthesis = await run.synthesis(parts) if len(parts) > 1 else None
        except (EngineError, asyncio.CancelledError):
            raise
        except Exception as exc:
            raise map_error(exc, secrets=[self._api_key]) from None
        finally:
            await handle.aclose()

        analysis, assembly_repairs = assemble(sent, parts, synthesis, context)
        analysis, repairs = validate_evidence(analysis)
        tally = run.tally
        usage: dict[str, Any] = {
            "input_tokens": tally.input_tokens,
            "output_tokens": tally.output_tokens,
            "total_tokens": tally.input_tokens + tally.output_tokens,
            "requests": tally.requests,
            "latency_s": round(time.perf_counter() - started, 3),
            "chunks": len(parts),
            "output_mode": self.output_mode,
            "streamed": self.stream,
            "masked": masked_counts,
        }
        return EngineResult(
            analysis=analysis,
            engine=self.name,
            model=handle.name,
            usage=usage,
            repairs=[*tally.repairs, *assembly_repairs, *repairs],
            terms=sorted({k.term.lower() for k in analysis.keywords}),
        )


class _Run:
    """The model calls of one analysis, sharing a model, a context and a usage tally."""

    def __init__(self, engine: LlmEngine, handle: ModelHandle, context: AnalysisContext) -> None:
        self.engine = engine
        self.handle = handle
        self.context = context
        self.tally = _Tally()
        self.codes = [p.code for p in context.personas[: prompt.MAX_PERSONAS]]
        self.gate = asyncio.Semaphore(engine.concurrency)
        settings = ModelSettings(max_tokens=engine.max_tokens)
        if engine.temperature is not None:
            settings["temperature"] = engine.temperature
        if handle.settings:
            settings.update(handle.settings)
            settings["timeout"] = engine.timeout_s
        self.settings = settings

    def _output(self, output_type: type[Any], name: str) -> Any:
        # The output model's docstring becomes the tool / schema description.
        if self.engine.output_mode == "native":
            return NativeOutput(output_type, name=name)
        return ToolOutput(output_type, name=name)

    async def _run(self, agent: Agent[None, Any], user_prompt: str) -> Any:
        with _capture_run_messages() as messages:
            try:
                result = await agent.run(
                    user_prompt,
                    model_settings=self.settings,
                    usage_limits=UsageLimits(request_limit=self.engine.output_retries + 2),
                    event_stream_handler=_drain if self.engine.stream else None,
                )
            except BaseException:
                self.tally.add_messages(messages)
                raise
        self.tally.add_run(result.usage)
        return result.output

    async def chunks(self, chunks: Sequence[Chunk]) -> list[tuple[Chunk, ChunkAnalysis]]:
        async def one(chunk: Chunk) -> list[tuple[Chunk, ChunkAnalysis]]:
            async with self.gate:
                return await self._chunk(chunk, depth=0, brief=False)

        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(one(c)) for c in chunks]
        except BaseExceptionGroup as failed:
            # One chunk's failure cancels the others; report that failure, not the group.
            raise _first_failure(failed) from None
        return [part for task in tasks for part in task.result()]

    async def _chunk(
        self, chunk: Chunk, *, depth: int, brief: bool
    ) -> list[tuple[Chunk, ChunkAnalysis]]:
        instructions = prompt.instructions(self.context)
        if brief:
            instructions += "\n\n" + prompt.brevity_note(chunk)
        output_type = output_types_for(chunk.ids, self.codes)
        agent: Agent[None, Any] = Agent(
            self.handle.model,
            output_type=self._output(output_type, "record_interview_analysis"),
            instructions=instructions,
            retries={"output": self.engine.output_retries},
            name="interview-analysis",
        )
        agent.output_validator(_evidence_check(chunk))
        try:
            out: ChunkAnalysis = await self._run(agent, prompt.chunk_prompt(chunk))
        except (OutputTokenLimitExceeded, ModelContextWindowExceededError) as exc:
            overflow = isinstance(exc, ModelContextWindowExceededError)
            reason = "context_window" if overflow else "length"
            halves = halve(chunk) if depth < MAX_SPLIT_DEPTH else None
            if halves is not None:
                self.tally.repairs.append(
                    {
                        "field": "chunk",
                        "action": "split",
                        "reason": reason,
                        "lines": [chunk.first_id, chunk.last_id],
                    }
                )
                first = await self._chunk(halves[0], depth=depth + 1, brief=True)
                second = await self._chunk(halves[1], depth=depth + 1, brief=True)
                return [*first, *second]
            if reason == "length" and not brief:
                self.tally.repairs.append(
                    {
                        "field": "chunk",
                        "action": "brief_retry",
                        "reason": reason,
                        "lines": [chunk.first_id, chunk.last_id],
                    }
                )
                return await self._chunk(chunk, depth=depth, brief=True)
            raise EngineError(
                "analysis_invalid_output",
                f"the model's answer for lines {chunk.first_id}-{chunk.last_id} did not fit "
                f"({reason}) even after splitting and shortening",
                retryable=False,
            ) from None
        return [(chunk, out)]

    async def synthesis(self, parts: Sequence[tuple[Chunk, ChunkAnalysis]]) -> Synthesis:
        agent: Agent[None, Any] = Agent(
            self.handle.model,
            output_type=self._output(synthesis_type_for(self.codes), "record_interview_synthesis"),
            instructions=prompt.synthesis_instructions(self.context),
            retries={"output": self.engine.output_retries},
            name="interview-synthesis",
        )
        async with self.gate:
            result: Synthesis = await self._run(agent, prompt.synthesis_prompt(parts))
        return result


def _first_failure(group: BaseExceptionGroup[BaseException]) -> BaseException:
    for exc in group.exceptions:
        if isinstance(exc, BaseExceptionGroup):
            return _first_failure(exc)
        if not isinstance(exc, asyncio.CancelledError):
            return exc
    return group.exceptions[0]


def _evidence_check(chunk: Chunk) -> Any:
    ids = set(chunk.ids)

    def check(ctx: RunContext[None], out: ChunkAnalysis) -> ChunkAnalysis:
        cited = {i for f in (*out.pain_points, *out.needs) for i in f.evidence}
        bad = sorted(cited - ids)
        # On the last attempt the answer is taken as it is; validate_evidence repairs what it can.
        if bad and ctx.retry < ctx.max_retries:
            raise ModelRetry(
                f"Evidence ids {bad[:20]} are not lines of this transcript part. Cite only the "
                f"[id]s printed in it (lines {chunk.first_id}-{chunk.last_id})."
            )
        return out

    return check

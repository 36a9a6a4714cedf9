"""`persona-insight analyze FILE --engine …` works for every engine, with no database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from persona_insight.cli import app
from persona_insight.config import get_settings

SAMPLE = Path(__file__).resolve().parents[2] / "src/persona_insight/demo/samples/en_fitness_app.txt"


@pytest.fixture
def cli() -> Iterator[CliRunner]:
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def _run(cli: CliRunner, args: list[str], env: dict[str, str]) -> dict[str, Any]:
    get_settings.cache_clear()
    result = cli.invoke(app, ["analyze", str(SAMPLE), "--json", *args], env=env)
    assert result.exit_code == 0, result.output
    body: dict[str, Any] = json.loads(result.stdout)
    ids = {i for line in body["analysis"]["cleaned_script"] for i in line["id"]}
    for finding in body["analysis"]["primary_pain_points"] + body["analysis"]["primary_needs"]:
        assert set(finding["evidence"]) <= ids
    return body


def test_offline(cli: CliRunner) -> None:
    body = _run(cli, ["--engine", "offline"], {})
    assert body["engine"] == "offline"
    assert body["analysis"]["primary_pain_points"]


def test_llm_against_an_openai_compatible_server(cli: CliRunner, openai_fake: Any) -> None:
    body = _run(
        cli,
        ["--engine", "llm"],
        {
            "PERSONA_INSIGHT_LLM_MODEL": "openai:fake-model",
            "PERSONA_INSIGHT_LLM_BASE_URL": openai_fake.base_url,
            "PERSONA_INSIGHT_LLM_API_KEY": "sk-test",
        },
    )
    assert body["engine"] == "llm"
    assert body["usage"]["total_tokens"] > 0


def test_miso_against_a_dify_server(cli: CliRunner, dify_fake: Any) -> None:
    from fakes.dify_server import Run

    outputs = {
        "cleaned_script": [
            {"id": [1], "speaker": "question", "cleaned_sentence": "How do you train?"},
            {
                "id": [2],
                "speaker": "answer",
                "category": "painpoint",
                "cleaned_sentence": "Syncing my watch keeps failing.",
            },
        ],
        "interview_quality_assessment": {"overall_quality": {"score": 4, "assessment": "ok"}},
        "primary_pain_points": [{"description": "Sync fails", "evidence": [2]}],
    }
    dify_fake.script = lambda body: Run(outputs={"result": json.dumps(outputs)})
    body = _run(
        cli,
        ["--engine", "miso"],
        {
            "PERSONA_INSIGHT_MISO_BASE_URL": dify_fake.base_url,
            "PERSONA_INSIGHT_MISO_API_KEY": "app-fake-key-1234567890",
        },
    )
    assert body["engine"] == "miso"


def test_readable_report_and_errors(cli: CliRunner, tmp_path: Path) -> None:
    result = cli.invoke(app, ["analyze", str(SAMPLE)])
    assert result.exit_code == 0
    assert "Pain points" in result.output
    empty = tmp_path / "empty.txt"
    empty.write_text("   ")
    result = cli.invoke(app, ["analyze", str(empty)])
    assert result.exit_code == 1
    assert "empty_content" in result.output
    result = cli.invoke(
        app,
        ["analyze", str(SAMPLE), "--engine", "llm"],
        env={"PERSONA_INSIGHT_LLM_MODEL": "", "PERSONA_INSIGHT_LLM_API_KEY": ""},
    )
    assert result.exit_code == 1
    assert "engine_not_configured" in result.output

"""The discovery fixture (tests/personas/data/discovery_fixture.json) as discovery members: each
file read through the product's ingestion, parser and offline analyser, its findings and answer
lines embedded as the analysis and the search index store them."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from bench import real_eval

from persona_insight.analysis.contract import InterviewAnalysis
from persona_insight.analysis.engine import AnalysisContext
from persona_insight.analysis.offline.engine import analyse_sync
from persona_insight.analysis.transcript import parse
from persona_insight.embeddings.service import finding_rows
from persona_insight.embeddings.vectors import embed_passages
from persona_insight.ingest import extract
from persona_insight.personas import discovery

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "personas" / "data" / "discovery_fixture.json"
SAMPLES = ROOT / "src" / "persona_insight" / "demo" / "samples"


def load() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


def path_of(key: str) -> Path | None:
    source, name = key.split(":", 1)
    return SAMPLES / name if source == "demo" else real_eval.find_file(name)


def missing(keys: list[str]) -> list[str]:
    return [k for k in keys if (p := path_of(k)) is None or not p.exists()]


def analyse(key: str) -> InterviewAnalysis:
    path = path_of(key)
    assert path is not None
    text = extract(path.name, path.read_bytes(), max_bytes=50_000_000, max_chars=2_000_000).text
    return analyse_sync(parse(text), AnalysisContext()).analysis


def member(key: str, analysis: InterviewAnalysis) -> discovery.Member:
    findings = {ref: vector for ref, _, vector in finding_rows(analysis)}
    lines = [line for line in analysis.cleaned_script if line.cleaned_sentence.strip()]
    vectors = embed_passages([line.cleaned_sentence for line in lines]) if lines else []
    by_line = {line.id[0]: v for line, v in zip(lines, vectors, strict=True)}
    return discovery.member_of(uuid.uuid5(uuid.NAMESPACE_URL, key), analysis, findings, by_line)

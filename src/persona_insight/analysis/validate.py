"""Evidence must point at real script lines: repair what can be repaired, refuse the rest.

Engines (especially LLMs) cite line ids that do not exist. Each bad id is dropped; a finding left
without evidence is re-anchored to the answer line that shares the most words with its
description, when one shares enough; otherwise the finding is dropped. Every change is recorded.
If most findings had to be dropped, the analysis is invalid. A persona match below the
confidence threshold loses its code, whichever engine made it: no persona is forced on an
interview.
"""

from __future__ import annotations

import re
from typing import Any

from persona_insight.analysis.contract import PERSONA_MIN_CONFIDENCE, Finding, InterviewAnalysis
from persona_insight.analysis.engine import EngineError
from persona_insight.citations import keep_known

_WORD = re.compile(r"[\w가-힣]{2,}", re.UNICODE)
MIN_OVERLAP = 0.34


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def _reanchor(finding: Finding, analysis: InterviewAnalysis) -> int | None:
    want = _words(finding.description)
    if not want:
        return None
    best: tuple[float, int] | None = None
    for line in analysis.cleaned_script:
        if line.speaker != "answer":
            continue
        have = _words(line.cleaned_sentence)
        score = len(want & have) / len(want)
        if score >= MIN_OVERLAP and (best is None or score > best[0]):
            best = (score, line.id[0])
    return best[1] if best else None


def validate_evidence(
    analysis: InterviewAnalysis,
) -> tuple[InterviewAnalysis, list[dict[str, Any]]]:
    """Return a copy whose every evidence id exists, and the list of repairs made."""
    ids = analysis.line_ids()
    repairs: list[dict[str, Any]] = []
    total = dropped = 0

    def fix(kind: str, findings: list[Finding]) -> list[Finding]:
        nonlocal total, dropped
        kept: list[Finding] = []
        for index, finding in enumerate(findings):
            total += 1
            good = keep_known(finding.evidence, ids)
            bad = [i for i in finding.evidence if i not in ids]
            if bad:
                repairs.append({"field": kind, "index": index, "action": "dropped_ids", "ids": bad})
            if not good:
                anchor = _reanchor(finding, analysis)
                if anchor is None:
                    dropped += 1
                    repairs.append(
                        {
                            "field": kind,
                            "index": index,
                            "action": "dropped_finding",
                            "description": finding.description[:200],
                        }
                    )
                    continue
                good = [anchor]
                repairs.append({"field": kind, "index": index, "action": "reanchored", "ids": good})
            kept.append(finding.model_copy(update={"evidence": good}))
        return kept

    pains = fix("primary_pain_points", analysis.primary_pain_points)
    needs = fix("primary_needs", analysis.primary_needs)
    if total and dropped * 2 > total:
        raise EngineError(
            "analysis_invalid_output",
            f"{dropped} of {total} findings cite no line of the script",
            retryable=False,
        )
    sections = []
    max_id = max(ids) if ids else 0
    for index, section in enumerate(analysis.script_sections):
        start = min(max(section.start_line, 1), max_id)
        end = min(max(section.end_line, start), max_id)
        if (start, end) != (section.start_line, section.end_line):
            repairs.append({"field": "script_sections", "index": index, "action": "clamped"})
        sections.append(section.model_copy(update={"start_line": start, "end_line": end}))
    persona = analysis.persona_match
    if persona and persona.code and persona.confidence < PERSONA_MIN_CONFIDENCE:
        repairs.append(
            {"field": "persona_match", "action": "below_threshold", "code": persona.code}
        )
        persona = persona.model_copy(update={"code": None})
    fixed = analysis.model_copy(
        update={
            "primary_pain_points": pains,
            "primary_needs": needs,
            "script_sections": sections,
            "persona_match": persona,
        }
    )
    return fixed, repairs

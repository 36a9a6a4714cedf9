"""Build the contract from the model's per-chunk answers and the transcript itself.

The script comes from the transcript's turns (one line per turn, the turn id as the line id), so a
model can neither lose nor renumber lines; the model only contributes categories, sentiment and
cleaned text for the lines it chose to note. Evidence a chunk cites outside its own lines is
dropped here (the model never saw those lines); `validate_evidence` then re-anchors or drops what
is left without support.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from persona_insight.analysis.contract import (
    Category,
    Demographics,
    Finding,
    InterviewAnalysis,
    IntervieweeProfile,
    Keyword,
    OverallQuality,
    PersonaMatch,
    QualityAssessment,
    ScriptLine,
    ScriptSection,
    SessionInfo,
)
from persona_insight.analysis.engine import AnalysisContext
from persona_insight.analysis.llm.chunking import Chunk
from persona_insight.analysis.llm.schema import (
    ChunkAnalysis,
    FindingOut,
    LineNote,
    PersonaOut,
    ProfileOut,
    QualityOut,
    Synthesis,
)
from persona_insight.analysis.transcript import Transcript

MAX_FINDINGS = 30
MAX_TAKEAWAYS = 20
MAX_HMW = 20
MAX_SECTIONS = 50
MAX_KEYWORDS = 50
SAME_FINDING = 0.7

_WORD = re.compile(r"[\w가-힣]+", re.UNICODE)


def _words(text: str) -> frozenset[str]:
    return frozenset(w.lower() for w in _WORD.findall(text))


def _similar(a: frozenset[str], b: frozenset[str]) -> bool:
    if not a or not b:
        return a == b
    return len(a & b) / len(a | b) >= SAME_FINDING


def merge_findings(findings: Iterable[tuple[str, list[int]]]) -> list[Finding]:
    """Findings in order, the near-duplicates folded into the first with their evidence joined."""
    merged: list[tuple[frozenset[str], str, list[int]]] = []
    for description, evidence in findings:
        description = description.strip()
        if not description:
            continue
        words = _words(description)
        for known_words, _, known_evidence in merged:
            if _similar(words, known_words):
                known_evidence.extend(i for i in evidence if i not in known_evidence)
                break
        else:
            merged.append((words, description, list(dict.fromkeys(evidence))))
    return [
        Finding(description=text[:2000], evidence=evidence[:30])
        for _, text, evidence in merged[:MAX_FINDINGS]
    ]


def merge_texts(texts: Iterable[str], limit: int) -> list[str]:
    seen: list[frozenset[str]] = []
    out: list[str] = []
    for text in texts:
        text = text.strip()
        words = _words(text)
        if not text or any(_similar(words, known) for known in seen):
            continue
        seen.append(words)
        out.append(text[:2000])
    return out[:limit]


def _keywords(parts: Sequence[ChunkAnalysis]) -> list[Keyword]:
    weights: dict[str, float] = defaultdict(float)
    shown: dict[str, str] = {}
    for part in parts:
        count = len(part.keywords)
        for rank, term in enumerate(part.keywords):
            key = " ".join(term.lower().split())
            if not key:
                continue
            shown.setdefault(key, term.strip())
            weights[key] += 1.0 - rank / (count + 1)
    if not weights:
        return []
    top = max(weights.values())
    ranked = sorted(weights.items(), key=lambda kv: -kv[1])[:MAX_KEYWORDS]
    return [Keyword(term=shown[k][:100], weight=round(w / top, 4)) for k, w in ranked]


def _notes(parts: Sequence[tuple[Chunk, ChunkAnalysis]]) -> dict[int, LineNote]:
    notes: dict[int, LineNote] = {}
    for chunk, out in parts:
        ids = set(chunk.ids)
        for note in out.lines:
            if note.id in ids and note.id not in notes:
                notes[note.id] = note
    return notes


def _sections(parts: Sequence[tuple[Chunk, ChunkAnalysis]]) -> list[ScriptSection]:
    found: list[ScriptSection] = []
    for chunk, out in parts:
        for section in out.sections:
            name = section.name.strip()
            if not name:
                continue
            start, end = sorted((section.start_line, section.end_line))
            start = min(max(start, chunk.first_id), chunk.last_id)
            end = min(max(end, start), chunk.last_id)
            found.append(
                ScriptSection(
                    sector_name=name[:200],
                    start_line=start,
                    end_line=end,
                    is_main_content=section.main,
                )
            )
    found.sort(key=lambda s: (s.start_line, s.end_line))
    joined: list[ScriptSection] = []
    for item in found:
        last = joined[-1] if joined else None
        # A topic that runs across a chunk boundary comes back as two sections of the same name.
        if last and last.sector_name == item.sector_name and item.start_line <= last.end_line + 1:
            joined[-1] = last.model_copy(update={"end_line": max(last.end_line, item.end_line)})
        else:
            joined.append(item)
    return joined[:MAX_SECTIONS]


def _profile(profile: ProfileOut) -> IntervieweeProfile:
    return IntervieweeProfile(
        profile_summary=profile.summary,
        demographics=Demographics(
            age_group=profile.age_group or None,
            gender=profile.gender or None,
            occupation_context=profile.occupation or None,
        ),
    )


def _quality(quality: QualityOut) -> QualityAssessment:
    return QualityAssessment(
        overall_quality=OverallQuality(score=quality.score, assessment=quality.assessment)
    )


def _persona(persona: PersonaOut | None, context: AnalysisContext) -> PersonaMatch | None:
    if not context.personas:
        return None
    codes = {p.code for p in context.personas}
    if persona is None:
        return PersonaMatch(code=None, explanation="", confidence=0.0)
    code = persona.code if persona.code in codes else None
    return PersonaMatch(
        code=code,
        explanation=persona.explanation,
        confidence=persona.confidence if code else 0.0,
    )


def _language(value: str) -> str:
    value = value.strip().replace("_", "-")
    return value[:8] if value else "und"


def assemble(
    transcript: Transcript,
    parts: Sequence[tuple[Chunk, ChunkAnalysis]],
    synthesis: Synthesis | None,
    context: AnalysisContext,
) -> tuple[InterviewAnalysis, list[dict[str, Any]]]:
    """The full analysis and the repairs made on the way.

    `synthesis` (for multi-chunk interviews) supplies the whole-interview view.
    """
    outs = [out for _, out in parts]
    notes = _notes(parts)
    repairs: list[dict[str, Any]] = []

    def kept(
        kind: str, findings: Sequence[FindingOut], chunk: Chunk
    ) -> list[tuple[str, list[int]]]:
        ids = set(chunk.ids)
        out = []
        for finding in findings:
            good = [i for i in finding.evidence if i in ids]
            if len(good) < len(finding.evidence):
                repairs.append(
                    {
                        "field": kind,
                        "action": "dropped_ids",
                        "ids": [i for i in finding.evidence if i not in ids],
                        "reason": "outside the chunk the model saw",
                    }
                )
            out.append((finding.description, good))
        return out

    pains: list[tuple[str, list[int]]] = []
    needs: list[tuple[str, list[int]]] = []
    for chunk, out in parts:
        pains += kept("primary_pain_points", out.pain_points, chunk)
        needs += kept("primary_needs", out.needs, chunk)
    pain_points = merge_findings(pains)
    primary_needs = merge_findings(needs)

    # A line cited as evidence is marked in the script too, so filtering the script by pain point
    # or need shows the lines the findings point at.
    cited: dict[int, Category] = {}
    for finding in pain_points:
        cited.update(dict.fromkeys(finding.evidence, "painpoint"))
    for finding in primary_needs:
        for line_id in finding.evidence:
            cited.setdefault(line_id, "needs")

    script: list[ScriptLine] = []
    for turn in transcript.turns:
        note = notes.get(turn.id)
        category = note.category if note and note.category else cited.get(turn.id)
        cleaned = (note.cleaned or "").strip() if note else ""
        script.append(
            ScriptLine(
                id=[turn.id],
                speaker=turn.role,
                category=category,
                cleaned_sentence=(cleaned or turn.text)[:8000],
                sentiment=note.sentiment if note else None,
            )
        )

    whole: Synthesis | ChunkAnalysis = synthesis if synthesis is not None else outs[0]
    # The synthesis already merged the parts' takeaways and questions; the parts' own lists are
    # only the fallback when it returned none.
    takeaways = merge_texts(whole.takeaways, MAX_TAKEAWAYS) or merge_texts(
        (t for o in outs for t in o.takeaways), MAX_TAKEAWAYS
    )
    hmw = merge_texts(whole.hmw_questions, MAX_HMW) or merge_texts(
        (q for o in outs for q in o.hmw_questions), MAX_HMW
    )
    session_date = whole.session_date or next(
        (o.session_date for o in outs if o.session_date), None
    )
    if not session_date and context.interview_date:
        session_date = context.interview_date.isoformat()
    topic = whole.topic or next((o.topic for o in outs if o.topic), "")

    analysis = InterviewAnalysis(
        language=_language(whole.language),
        cleaned_script=script,
        session_info=SessionInfo(session_date=session_date, interview_topic=topic),
        interviewee_profile=_profile(whole.profile),
        interview_quality_assessment=_quality(whole.quality),
        key_takeaways=takeaways,
        primary_pain_points=pain_points,
        primary_needs=primary_needs,
        hmw_questions=hmw,
        script_sections=_sections(parts),
        persona_match=_persona(whole.persona, context),
        summary=whole.summary[:4000],
        keywords=_keywords(outs),
    )
    return analysis, repairs

"""Offline persona synthesis: a profile assembled from the persona's interviews — what they
said, never invented. Every statement is a finding, placement or quote of those interviews with
the lines it rests on; the caller validates the citations (`citations.service`) and drops what
does not resolve.

Pains and needs are ranked by how many of the persona's interviews voice a similar one (e5
similarity of the finding texts), each citing the lines of every interview in its group."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from uuid import UUID

import numpy as np

from persona_insight.analysis.contract import Finding, InterviewAnalysis
from persona_insight.citations.schemas import Citation, Statement

TOP_FINDINGS = 5
# Two findings of different interviews count as the same pain or need from this similarity.
SAME_FINDING = 0.88
SECTIONS = ("summary", "context", "behaviours", "pain_points", "needs", "quote", "style")


@dataclass(frozen=True, slots=True)
class Source:
    """One interview of the persona, as synthesis reads it."""

    interview_id: UUID
    title: str
    analysis: InterviewAnalysis
    # Lines that placed it on each axis: (type name, line ids).
    placements: tuple[tuple[str, tuple[int, ...]], ...] = ()


@dataclass(slots=True)
class Profile:
    sections: dict[str, list[Statement]] = field(default_factory=dict)
    interview_ids: list[UUID] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def fingerprint(items: Sequence[tuple[UUID, str]]) -> str:
    """Of the inputs (interview id + analysis version): a profile is stale when it differs."""
    raw = "|".join(f"{i}:{v}" for i, v in sorted(items, key=lambda x: str(x[0])))
    return hashlib.sha256(raw.encode()).hexdigest()


def script_lines(analysis: InterviewAnalysis) -> dict[int, str]:
    return {i: line.cleaned_sentence for line in analysis.cleaned_script for i in line.id}


def _cite(iid: UUID, ids: Sequence[int]) -> Citation | None:
    kept = tuple(dict.fromkeys(int(i) for i in ids))[:50]
    return Citation(interview_id=iid, line_ids=kept) if kept else None


def _grouped(
    sources: Sequence[Source],
    pick: Callable[[InterviewAnalysis], list[Finding]],
    embed: Callable[[list[str]], np.ndarray],
    ko: bool,
) -> list[Statement]:
    items = [(s.interview_id, f) for s in sources for f in pick(s.analysis) if f.evidence]
    if not items:
        return []
    vectors = embed([f.description for _, f in items])
    groups: list[list[int]] = []
    for i in range(len(items)):
        for group in groups:
            if float(vectors[group[0]] @ vectors[i]) >= SAME_FINDING:
                group.append(i)
                break
        else:
            groups.append([i])
    ranked = sorted(groups, key=lambda g: (-len({items[i][0] for i in g}), g[0]))
    total = len(sources)
    statements = []
    for group in ranked[:TOP_FINDINGS]:
        interviews = {items[i][0] for i in group}
        head = items[group[0]][1].description
        share = f"{len(interviews)}/{total}명" if ko else f"{len(interviews)} of {total} interviews"
        citations = [
            c for i in group if (c := _cite(items[i][0], items[i][1].evidence)) is not None
        ]
        statements.append(Statement(text=f"{head} ({share})", citations=citations[:20]))
    return statements


def _quote(sources: Sequence[Source]) -> list[Statement]:
    """The most frequent pain's first evidence line, verbatim: it says what the group says."""
    for source in sources:
        lines = script_lines(source.analysis)
        for finding in source.analysis.primary_pain_points + source.analysis.primary_needs:
            for line_id in finding.evidence:
                text = lines.get(line_id, "")
                if 20 <= len(text) <= 300:
                    cite = _cite(source.interview_id, [line_id])
                    assert cite is not None
                    return [Statement(text=f"“{text}”", citations=[cite])]
    return []


def synthesise(
    sources: Sequence[Source],
    traits: Sequence[str],
    language: str,
    embed: Callable[[list[str]], np.ndarray],
) -> Profile:
    ko = language == "ko"
    profile = Profile(interview_ids=[s.interview_id for s in sources])
    if not sources:
        return profile
    pains = _grouped(sources, lambda a: a.primary_pain_points, embed, ko)
    needs = _grouped(sources, lambda a: a.primary_needs, embed, ko)
    context = []
    for source in sources[:6]:
        summary = source.analysis.interviewee_profile.profile_summary
        answers = [
            line.id[0] for line in source.analysis.cleaned_script if line.speaker == "answer"
        ]
        cite = _cite(source.interview_id, answers[:3])
        if summary and cite is not None:
            context.append(Statement(text=summary, citations=[cite]))
    behaviours = []
    for source in sources:
        lines = script_lines(source.analysis)
        for type_name, ids in source.placements:
            cite = _cite(source.interview_id, ids)
            if cite is None or not any(i in lines for i in ids):
                continue
            quote = next(lines[i] for i in ids if i in lines)
            behaviours.append(Statement(text=f"{type_name}: “{quote[:240]}”", citations=[cite]))
    n = len(sources)
    top = pains[0].text if pains else (needs[0].text if needs else "")
    summary_text = (
        f"{' · '.join(traits)} — 인터뷰 {n}건에서 종합했습니다. 가장 많이 말한 불편: {top}"
        if ko
        else f"{' · '.join(traits)} — synthesised from {n} interviews. Most voiced: {top}"
    )
    summary_cites = (pains or needs)[0].citations if (pains or needs) else []
    summary_statements = (
        [Statement(text=summary_text, citations=summary_cites)] if summary_cites else []
    )
    answer_lengths = [
        len(line.cleaned_sentence)
        for s in sources
        for line in s.analysis.cleaned_script
        if line.speaker == "answer"
    ]
    style = []
    if answer_lengths:
        mean = sum(answer_lengths) / len(answer_lengths)
        long_answers = mean >= 80
        first = sources[0]
        sample = [line.id[0] for line in first.analysis.cleaned_script if line.speaker == "answer"]
        cite = _cite(first.interview_id, sample[:2])
        if cite is not None:
            text = (
                ("길고 자세하게" if long_answers else "짧고 간결하게")
                + f" 답합니다 (답변 평균 {mean:.0f}자)."
                if ko
                else ("Answers at length" if long_answers else "Answers briefly")
                + f" (answers average {mean:.0f} characters)."
            )
            style.append(Statement(text=text, citations=[cite]))
    profile.sections = {
        "summary": summary_statements,
        "context": context,
        "behaviours": behaviours[:8],
        "pain_points": pains,
        "needs": needs,
        "quote": _quote(sources),
        "style": style,
    }
    profile.counts = {"interviews": n}
    return profile

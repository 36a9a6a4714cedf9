"""The words the llm engine says to the model.

The instructions carry the company and project context, plus the vocabulary already in use
(section names, key takeaways, glossary, personas) so interviews analysed months apart describe
the same thing the same way. Every list is capped so a large company cannot crowd out the
transcript.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from persona_insight.analysis.engine import AnalysisContext
from persona_insight.analysis.llm.chunking import Chunk, turn_line
from persona_insight.analysis.llm.schema import ChunkAnalysis

MAX_GLOSSARY = 30
MAX_SECTIONS = 40
MAX_TAKEAWAYS = 30
MAX_PERSONAS = 30

_TASK = """\
You analyse one customer interview for a product team. The transcript comes as numbered lines,
`[id] Q (speaker): text` for the interviewer and `[id] A (speaker): text` for the interviewee.

Work only from what the transcript says, and follow these rules:
- Write all text in the language the interview is held in (a Korean interview gets Korean text).
- pain_points are problems, frustrations, workarounds and costs the interviewee describes; needs
  are what they want, expect or would value. Each is one short sentence whose `evidence` lists the
  ids of the lines where the interviewee says it. Use only ids printed in the transcript, preferably
  answer (A) lines.
- lines: mark only lines that voice a pain point or a need (category), carry a clear feeling
  (sentiment), or are hard to read (cleaned: the same statement without fillers, repetitions and
  transcription noise, never a summary). Leave every other line out.
- sections: the topical parts of the conversation, each with its first and last line id. Reuse an
  existing section name when one fits.
- takeaways: what the product team should remember. When a point matches an existing key
  takeaway, reuse its wording.
- hmw_questions: "How might we …" questions (in the interview's language) that turn the main pain
  points into design opportunities.
- profile: who the interviewee is (role, situation, habits) without names or contact details; age
  group and gender only when stated or clearly implied.
- quality: how useful the interview is as research evidence, from 1 to 5, and why.
- keywords: the terms that matter most, in the interviewee's own vocabulary; prefer glossary terms.
- Bracketed placeholders such as [NAME] or [PHONE] stand for removed personal data. Keep them as
  they are and never guess what they hid.
Keep every text short; fill lists only with what the transcript supports."""

_SYNTHESIS_TASK = """\
You write the interview-level view of one customer interview for a product team. Earlier passes
analysed the interview in consecutive parts; their notes follow, in order. Combine them into one
account of the whole interview: one summary, one profile of the interviewee (no names or contact
details), one quality score from 1 to 5 with the reason, the key takeaways (reuse the wording of an
existing key takeaway when a point matches one; merge points the parts repeat), and "How might we …"
questions for the main pain points. Write in the language of the interview. Keep placeholders such
as [NAME] as they are."""


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def context_block(context: AnalysisContext) -> str:
    """The company/project knowledge, as plain labelled lines; empty parts are left out."""
    lines: list[str] = []
    if context.company_name or context.company_description:
        company = context.company_name or "(unnamed)"
        if context.company_description:
            company += f" — {_clip(context.company_description, 600)}"
        lines.append(f"Company: {company}")
    if context.project_name:
        lines.append(f"Project: {_clip(context.project_name, 200)}")
    if context.project_purpose:
        lines.append(f"Research purpose: {_clip(context.project_purpose, 600)}")
    if context.target_audience:
        lines.append(f"Target audience: {_clip(context.target_audience, 300)}")
    if context.title:
        lines.append(f"Interview title: {_clip(context.title, 200)}")
    if context.interview_date:
        lines.append(f"Interview date: {context.interview_date.isoformat()}")
    if context.glossary:
        lines.append("Glossary (the company's terms):")
        lines += [
            f"- {_clip(g.term, 60)}: {_clip(g.definition, 200)}"
            for g in context.glossary[:MAX_GLOSSARY]
        ]
    if context.section_names:
        names = ", ".join(_clip(n, 60) for n in context.section_names[:MAX_SECTIONS])
        lines.append(f"Existing section names: {names}")
    if context.key_takeaways:
        lines.append("Existing key takeaways:")
        lines += [f"- {_clip(t, 200)}" for t in context.key_takeaways[:MAX_TAKEAWAYS]]
    return "\n".join(lines)


def _persona_rule(context: AnalysisContext) -> str:
    if not context.personas:
        return "No personas are defined for this company: leave persona null."
    listed = "\n".join(
        f"- {p.code}: {_clip(p.title, 80)} — {_clip(p.description, 400)}"
        for p in context.personas[:MAX_PERSONAS]
    )
    return (
        "persona: pick the code of the persona below that fits the interviewee best, explain why in"
        " one sentence and give your confidence from 0 to 1; use a null code when none fits.\n"
        f"Personas:\n{listed}"
    )


def instructions(context: AnalysisContext) -> str:
    parts = [_TASK, _persona_rule(context)]
    block = context_block(context)
    if block:
        parts.append(f"Context:\n{block}")
    return "\n\n".join(parts)


def synthesis_instructions(context: AnalysisContext) -> str:
    parts = [_SYNTHESIS_TASK, _persona_rule(context)]
    block = context_block(context)
    if block:
        parts.append(f"Context:\n{block}")
    return "\n\n".join(parts)


def chunk_prompt(chunk: Chunk) -> str:
    body = "\n".join(turn_line(t) for t in chunk.turns)
    if chunk.count == 1:
        return f"Transcript:\n{body}"
    return (
        f"Transcript part {chunk.index + 1} of {chunk.count}, lines {chunk.first_id}–"
        f"{chunk.last_id}. The other parts are analysed separately: describe only this part and "
        f"cite only these lines.\n{body}"
    )


def brevity_note(chunk: Chunk) -> str:
    """Added after an answer was cut off by the token limit."""
    return (
        "Your previous answer for these lines was cut off by the length limit. Answer again much "
        f"more briefly: at most {max(len(chunk.turns) // 3, 5)} line notes, no cleaned text, "
        "three findings of each kind and one-sentence texts."
    )


def synthesis_prompt(parts: Sequence[tuple[Chunk, ChunkAnalysis]]) -> str:
    notes = []
    for chunk, out in parts:
        notes.append(
            {
                "lines": f"{chunk.first_id}-{chunk.last_id}",
                "topic": out.topic,
                "summary": out.summary,
                "profile": out.profile.model_dump(exclude_defaults=True),
                "quality": out.quality.model_dump(),
                "takeaways": out.takeaways,
                "pain_points": [f.description for f in out.pain_points],
                "needs": [f.description for f in out.needs],
                "persona": out.persona.model_dump() if out.persona else None,
                "session_date": out.session_date,
            }
        )
    return "Notes on the interview's parts, in order:\n" + json.dumps(
        notes, ensure_ascii=False, indent=1
    )

"""The offline engine: analyses an interview on this machine, with no network and no key."""

from __future__ import annotations

import time

import numpy as np

from persona_insight.analysis import isolation
from persona_insight.analysis.contract import (
    Category,
    Finding,
    InterviewAnalysis,
    OverallQuality,
    QualityAssessment,
    ScriptLine,
)
from persona_insight.analysis.engine import AnalysisContext, EngineError, EngineResult
from persona_insight.analysis.offline import (
    embedding,
    findings,
    hmw,
    keywords,
    models,
    persona,
    profile,
    quality,
    sections,
    sentences,
    sentiment,
    signals,
    summary,
    takeaways,
)
from persona_insight.analysis.offline.document import Document
from persona_insight.analysis.offline.findings import Draft
from persona_insight.analysis.offline.language import (
    interview_language,
    output_language,
    reads_as_english,
)
from persona_insight.analysis.transcript import Transcript
from persona_insight.analysis.validate import validate_evidence

MODEL = "multilingual-e5-small-q4+kiwi"
MAX_LINES = 5000


def _categories(pains: list[Draft], needs: list[Draft]) -> dict[int, Category]:
    """The category of each evidence line; a line that is both takes its stronger kind."""
    strength: dict[int, tuple[float, Category]] = {}
    kinds: tuple[tuple[list[Draft], Category], ...] = ((pains, "painpoint"), (needs, "needs"))
    for drafts, category in kinds:
        for draft in drafts:
            for turn in draft.turns:
                current = strength.get(turn)
                if current is None or draft.strength > current[0]:
                    strength[turn] = (draft.strength, category)
    return {turn: category for turn, (_, category) in strength.items()}


def _findings(drafts: list[Draft]) -> list[Finding]:
    return [
        Finding(
            description=d.description[:2000],
            evidence=d.turns[:30],
            confidence=round(d.confidence, 3),
        )
        for d in drafts
    ]


def analyse_sync(transcript: Transcript, context: AnalysisContext) -> EngineResult:
    """The whole analysis, on the calling thread (CPU-bound; `OfflineEngine` runs it off-loop)."""
    if not any(t.role == "answer" and t.text.strip() for t in transcript.turns):
        raise EngineError("empty_transcript", "the transcript has no answer text", retryable=False)
    if len(transcript.turns) > MAX_LINES:
        raise EngineError(
            "transcript_too_long",
            f"{len(transcript.turns)} speaker turns; at most {MAX_LINES} can be analysed",
            retryable=False,
        )
    # Model loading happens once per process; it is reported apart from the analysis time.
    load_seconds = models.warm_up()

    started = time.perf_counter()
    lines, sents = sentences.build(transcript)
    answers = [s for s in sents if s.role == "answer"]
    if not answers:
        raise EngineError("empty_transcript", "the transcript has no answer text", retryable=False)

    spoken = [(s.lang, len(s.text)) for s in answers]
    language = interview_language(spoken)
    if language == "en" and not reads_as_english(s.text for s in answers):
        return _other_language(transcript, lines, sents, context, load_seconds, started)

    sentence_cues = signals.sentence_cues(sents)
    invite_pain, invite_need = signals.invitations(lines, sents)
    priority = np.array(
        [c.pain + c.need for c in sentence_cues], dtype=np.float32
    ) + 0.5 * np.maximum(invite_pain, invite_need)
    chosen = embedding.choose(sents, priority)
    vectors, mask = embedding.embed_sentences(sents, chosen)

    doc = Document(
        lines=lines,
        sentences=sents,
        language=language,
        out_lang=output_language(
            language, spoken, [(s.lang, len(s.text)) for s in sents if s.role == "question"]
        ),
        vectors=vectors,
        embedded=mask,
    )
    sig = signals.compute(sents, sentence_cues, (invite_pain, invite_need), vectors, mask)

    scores = findings.exclusive_scores(doc, sig)
    pains = findings.find(doc, scores["pain"], "pain")
    needs = findings.find(doc, scores["need"], "need")
    categories = _categories(pains, needs)
    pain_sentences = {i for d in pains for i in d.sentences}
    finding_sentences = pain_sentences | {i for d in needs for i in d.sentences}

    polarity = sentiment.sentence_polarity(doc, sig, pain_sentences)
    line_sentiment = sentiment.line_sentiments(doc, polarity)
    summary_text, summary_sentences = summary.summarise(doc, finding_sentences)
    keyword_list = keywords.keywords(
        doc,
        context.term_document_frequency,
        context.document_count,
        glossary=[g.term for g in context.glossary],
    )

    interviewee = profile.profile(doc)
    analysis = InterviewAnalysis(
        language=language,
        cleaned_script=[
            ScriptLine(
                id=[line.turn_id],
                speaker=line.role,
                category=categories.get(line.turn_id),
                cleaned_sentence=line.cleaned[:8000],
                sentiment=line_sentiment.get(line.turn_id) if line.role == "answer" else None,
            )
            for line in lines
        ],
        session_info=profile.session(doc, context, [k.term for k in keyword_list]),
        interviewee_profile=interviewee,
        interview_quality_assessment=quality.assess(
            doc, transcript.role_confidence, len(pains) + len(needs)
        ),
        key_takeaways=takeaways.takeaways(
            doc, pains, needs, summary_sentences, context.key_takeaways
        ),
        primary_pain_points=_findings(pains),
        primary_needs=_findings(needs),
        hmw_questions=hmw.questions(doc, pains, needs),
        script_sections=sections.sections(doc, set(categories), context.section_names),
        persona_match=persona.match(doc, context.personas),
        summary=summary.template(doc, interviewee, pains, needs, summary_text),
        keywords=keyword_list,
    )
    analysis, repairs = validate_evidence(analysis)
    usage: dict[str, float | int] = {
        "turns": len(transcript.turns),
        "sentences": len(answers),
        "ms": round((time.perf_counter() - started) * 1000, 1),
        "embedded": int(mask.sum()),
    }
    if load_seconds > 0.05:
        usage["load_ms"] = round(load_seconds * 1000, 1)
    return EngineResult(
        analysis=analysis,
        engine="offline",
        model=MODEL,
        usage=dict(usage),
        repairs=repairs,
        terms=keywords.terms(doc),
    )


# BCP 47's "undetermined": not Korean, not English, and the analyser does not guess which.
OTHER_LANGUAGE = "und"
OTHER_LANGUAGE_NOTE = (
    "This transcript is not in Korean or English, the languages the offline analyser reads, so "
    "it made no findings, keywords or summary from it. The speakers and their lines are kept. "
    "Analyse it with the LLM engine, or upload a Korean or English version."
)


def _other_language(
    transcript: Transcript,
    lines: list[sentences.Line],
    sents: list[sentences.Sentence],
    context: AnalysisContext,
    load_seconds: float,
    started: float,
) -> EngineResult:
    """An honest result for a language the cue lists, examples and stop words do not cover:
    the script with its roles, and nothing generated from words the analyser cannot read."""
    vectors, mask = embedding.embed_sentences(sents, [])
    doc = Document(
        lines=lines,
        sentences=sents,
        language="en",
        out_lang="en",
        vectors=vectors,
        embedded=mask,
    )
    analysis = InterviewAnalysis(
        language=OTHER_LANGUAGE,
        cleaned_script=[
            ScriptLine(id=[line.turn_id], speaker=line.role, cleaned_sentence=line.cleaned[:8000])
            for line in lines
        ],
        session_info=profile.session(doc, context, []),
        interview_quality_assessment=QualityAssessment(
            overall_quality=OverallQuality(score=1, assessment=OTHER_LANGUAGE_NOTE)
        ),
        summary=OTHER_LANGUAGE_NOTE,
    )
    usage: dict[str, float | int] = {
        "turns": len(transcript.turns),
        "sentences": sum(1 for s in sents if s.role == "answer"),
        "ms": round((time.perf_counter() - started) * 1000, 1),
        "embedded": 0,
    }
    if load_seconds > 0.05:
        usage["load_ms"] = round(load_seconds * 1000, 1)
    return EngineResult(analysis=analysis, engine="offline", model=MODEL, usage=usage)


class OfflineEngine:
    """Analysis with Kiwi and a 4-bit multilingual-e5-small, CPU only."""

    name = "offline"

    def __init__(self) -> None:
        # Models load on first use (or `warm_up`), so building the engine is free.
        self.model = MODEL

    @staticmethod
    def warm_up() -> float:
        """Load the models and example embeddings now; returns the seconds spent."""
        return models.warm_up()

    async def analyse(self, transcript: Transcript, context: AnalysisContext) -> EngineResult:
        # In a pool process, not a thread: see analysis/isolation.py for why.
        return await isolation.runner().call(analyse_sync, transcript, context)


__all__ = ["MODEL", "OfflineEngine", "analyse_sync"]

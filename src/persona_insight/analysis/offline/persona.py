"""Persona match: the company persona whose description the interviewee's answers resemble most,
or "no persona fits" (a null code) when none is close enough or none clearly leads."""

from __future__ import annotations

import numpy as np

from persona_insight.analysis.contract import PERSONA_MIN_CONFIDENCE, PersonaMatch
from persona_insight.analysis.engine import PersonaRef
from persona_insight.analysis.offline import keywords, models
from persona_insight.analysis.offline.document import Document

TOP_SENTENCES = 5
TOPIC_NOUNS = 12
# Softmax temperature over persona scores: e5 similarities differ by hundredths, so a small
# temperature turns a clear lead into a confident match and a tie into an unsure one.
TEMPERATURE = 0.01
QUOTE_CHARS = 90
MIN_QUOTE_CHARS = 20
# Mean similarity (of the top sentences and of the topic nouns) at which a persona starts to fit,
# and the span over which the fit grows to certain.
FIT_FLOOR = 0.75
FIT_SPAN = 0.15


def _no_fit(doc: Document, closest: PersonaRef | None, confidence: float) -> PersonaMatch:
    """ "No persona fits": a null code, saying which one came closest and how close."""
    if closest is None:
        explanation = (
            "페르소나를 판단할 답변이 없습니다."
            if doc.out_lang == "ko"
            else "No answer to judge a persona by."
        )
    elif doc.out_lang == "ko":
        explanation = (
            f"맞는 페르소나가 없습니다. 가장 가까운 {closest.code} ({closest.title})도 "
            f"확신도 {confidence:.2f}로 기준({PERSONA_MIN_CONFIDENCE:.2f})에 못 미칩니다."
        )
    else:
        explanation = (
            f"No persona fits. The closest, {closest.code} ({closest.title}), scores "
            f"{confidence:.2f}, below the {PERSONA_MIN_CONFIDENCE:.2f} threshold."
        )
    return PersonaMatch(code=None, explanation=explanation, confidence=round(confidence, 3))


def _quote(text: str) -> str:
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"


def _evidence(doc: Document, rows: list[int], sims: np.ndarray, best: int) -> list[int]:
    """The two sentences closest to the persona that can stand alone, from different answers."""
    substantial = [k for k, i in enumerate(rows) if len(doc.sentences[i].text) >= MIN_QUOTE_CHARS]
    order = sorted(substantial or range(len(rows)), key=lambda k: -sims[k, best])
    chosen: list[int] = []
    for k in order:
        if all(doc.sentences[rows[k]].turn_id != doc.sentences[e].turn_id for e in chosen):
            chosen.append(rows[k])
        if len(chosen) == 2:
            break
    return sorted(chosen)


def match(doc: Document, personas: tuple[PersonaRef, ...]) -> PersonaMatch | None:
    """Score = similarity of the persona to the interview's topic nouns (what the interview is
    about) + mean similarity to the five answer sentences closest to it (how the interviewee
    fits). A whole-interview centroid was tried and loses to small talk and generic sentences."""
    if not personas:
        return None
    rows = doc.embedded_answers()
    if not rows:
        return _no_fit(doc, None, 0.0)
    texts = [f"{p.title}. {p.description}".strip(" .") for p in personas]
    persona_vectors = models.context_cache.embed(texts)
    nouns = [noun for noun, _ in keywords.noun_counts(doc).most_common(TOPIC_NOUNS)]
    sims = doc.sentence_vectors(rows) @ persona_vectors.T  # (sentences, personas)
    k = min(TOP_SENTENCES, len(rows))
    scores = np.sort(sims, axis=0)[-k:].mean(axis=0)
    if nouns:
        scores = scores + persona_vectors @ models.embed([" ".join(nouns)])[0]
    best = int(np.argmax(scores))
    # The absolute fit (two similarities summed, mapped to 0..1) says whether the interview is
    # about what the persona describes at all; the lead over the rivals says which one.
    fit = float(np.clip((scores[best] / 2 - FIT_FLOOR) / FIT_SPAN, 0.0, 1.0))
    if len(personas) == 1:
        confidence = fit
    else:
        weights = np.exp((scores - scores.max()) / TEMPERATURE)
        confidence = min(fit, float(weights[best] / weights.sum()))

    persona = personas[best]
    if confidence < PERSONA_MIN_CONFIDENCE:
        return _no_fit(doc, persona, confidence)
    described = f"{persona.title} {persona.description}".lower()
    shared = [n for n in nouns if len(n) > 1 and n in described][:4]
    quotes = [
        (doc.sentences[i].turn_id, _quote(doc.sentences[i].text))
        for i in _evidence(doc, rows, sims, best)
    ]
    if doc.out_lang == "ko":
        cited = ", ".join(f"{turn}번 줄 “{q}”" for turn, q in quotes)
        themes = f" 공통 주제: {', '.join(shared)}." if shared else ""
        explanation = (
            f"{persona.code} ({persona.title}) 설명과 가장 가깝습니다.{themes} 근거: {cited}"
        )
    else:
        cited = ", ".join(f"line {turn} “{q}”" for turn, q in quotes)
        themes = f" Shared themes: {', '.join(shared)}." if shared else ""
        explanation = f"Closest to {persona.code} ({persona.title}).{themes} Evidence: {cited}"
    return PersonaMatch(
        code=persona.code[:40], explanation=explanation[:2000], confidence=round(confidence, 3)
    )

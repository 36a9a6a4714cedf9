"""Persona match: the company persona whose description the interviewee's answers resemble most."""

from __future__ import annotations

import numpy as np

from persona_insight.analysis.contract import PersonaMatch
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
        return PersonaMatch(code=personas[0].code[:40], explanation="", confidence=0.0)
    texts = [f"{p.title}. {p.description}".strip(" .") for p in personas]
    persona_vectors = models.context_cache.embed(texts)
    nouns = [noun for noun, _ in keywords.noun_counts(doc).most_common(TOPIC_NOUNS)]
    sims = doc.sentence_vectors(rows) @ persona_vectors.T  # (sentences, personas)
    k = min(TOP_SENTENCES, len(rows))
    scores = np.sort(sims, axis=0)[-k:].mean(axis=0)
    if nouns:
        scores = scores + persona_vectors @ models.embed([" ".join(nouns)])[0]
    best = int(np.argmax(scores))
    if len(personas) == 1:
        # No rival to compare with: map the absolute fit (two similarities summed) to 0..1.
        confidence = float(np.clip((scores[0] / 2 - 0.75) / 0.15, 0.0, 1.0))
    else:
        weights = np.exp((scores - scores.max()) / TEMPERATURE)
        confidence = float(weights[best] / weights.sum())

    persona = personas[best]
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

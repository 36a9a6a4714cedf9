"""Summary: the most central answer sentences, by PageRank over their similarity graph."""

from __future__ import annotations

import numpy as np

from persona_insight.analysis.offline.document import Document
from persona_insight.analysis.offline.findings import clean_description

MIN_CHARS = {"ko": 15, "en": 30}
DAMPING = 0.85
ITERATIONS = 30
# A sentence that states a finding is worth more to a reader than an equally central aside.
FINDING_BONUS = 0.3
MAX_CHARS = 4000


def centrality(vectors: np.ndarray) -> np.ndarray:
    """PageRank over similarities above the interview's mean similarity (LexRank-style): only
    pairs that are more alike than usual count as links, since all sentences are somewhat alike."""
    n = vectors.shape[0]
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, 0.0)
    mean = sims.sum() / max(n * (n - 1), 1)
    weights = np.maximum(sims - mean, 0.0)
    totals = weights.sum(axis=1, keepdims=True)
    transition = np.where(totals > 0, weights / np.where(totals > 0, totals, 1.0), 1.0 / n)
    rank = np.full(n, 1.0 / n)
    for _ in range(ITERATIONS):
        rank = (1 - DAMPING) / n + DAMPING * (transition.T @ rank)
    return np.asarray(rank / rank.max(), dtype=np.float64)


def summarise(doc: Document, finding_sentences: set[int]) -> tuple[str, list[int]]:
    """The summary text and the sentence indices it is made of (in interview order)."""
    pool = [
        i
        for i in doc.embedded_answers()
        if len(doc.sentences[i].text) >= MIN_CHARS[doc.sentences[i].lang]
    ]
    if not pool:
        pool = [s.index for s in doc.answers if len(s.text) >= 8][:3]
        return " ".join(doc.sentences[i].text for i in pool)[:MAX_CHARS], pool
    count = 2 if len(pool) <= 15 else (3 if len(pool) <= 60 else 4)
    vectors = doc.sentence_vectors(pool)
    score = centrality(vectors)
    score = score + np.array([FINDING_BONUS if i in finding_sentences else 0.0 for i in pool])
    sims = vectors @ vectors.T
    chosen: list[int] = []
    used_turns: set[int] = set()
    for k in np.argsort(-score):
        i = pool[int(k)]
        turn = doc.sentences[i].turn_id
        # One sentence per turn and no near-repeats, so the summary covers several answers.
        if turn in used_turns:
            continue
        if any(sims[int(k), pool.index(j)] > 0.97 for j in chosen):
            continue
        chosen.append(i)
        used_turns.add(turn)
        if len(chosen) == count:
            break
    chosen.sort()
    # Lifted out of their answers, sentences opening with "그래서" or "But" read as fragments.
    text = " ".join(clean_description(doc.sentences[i].text, doc.sentences[i].lang) for i in chosen)
    return text[:MAX_CHARS], chosen

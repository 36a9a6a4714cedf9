"""Which answer sentences to embed, within a fixed token budget, and embedding them in one batch.

Embedding costs 0.3–0.5 ms per token on two cores, so a 10,000-word interview (15–20 thousand
tokens) cannot be embedded whole within the 3-second limit. Interviews with up to 3,200 answer
tokens (roughly 2,000 words of answers) are embedded completely. The budget was 1,600; on the real
set's tune half 3,200 raised English recall from 0.47 to 0.57 at precision 0.63 → 0.59, and 4,800
lowered precision further (0.54) for no more recall (docs/benchmarks.md). Longer ones get the budget
spent first on sentences with pain/need cues or that answer a question inviting them (where the
classifier needs embeddings most), then on sentences spread evenly over the interview so
sections, summary and persona still see every part of it. Sentences left out are judged by
their cues alone.
The budget is in tokens, not seconds, so the same transcript always gives the same analysis.
"""

from __future__ import annotations

import numpy as np

from persona_insight.analysis.offline import models
from persona_insight.analysis.offline.models import DIM, Vectors
from persona_insight.analysis.offline.sentences import Sentence

TOKEN_BUDGET = 3200
# Share of the budget for cue-ranked sentences when the interview is too long to embed whole.
CUE_SHARE = 0.7
MIN_CHARS = 6


def embeddable(sentence: Sentence) -> bool:
    """Sentences too short to mean anything on their own ("네.", "Yes!") are not embedded."""
    return sentence.role == "answer" and len(sentence.text) >= MIN_CHARS


def choose(sentences: list[Sentence], priority: np.ndarray, budget: int | None = None) -> list[int]:
    """Indices of the sentences to embed, in sentence order."""
    budget = TOKEN_BUDGET if budget is None else budget
    candidates = [s.index for s in sentences if embeddable(s)]
    if not candidates:
        return []
    cost = {i: models.token_count(sentences[i].text) for i in candidates}
    if sum(cost.values()) <= budget:
        return candidates
    chosen: set[int] = set()
    spent = 0
    cue_budget = int(budget * CUE_SHARE)
    ranked = sorted((i for i in candidates if priority[i] > 0), key=lambda i: (-priority[i], i))
    for i in ranked:
        if spent + cost[i] > cue_budget:
            continue
        chosen.add(i)
        spent += cost[i]
    rest = [i for i in candidates if i not in chosen]
    if rest:
        # Even coverage: walk the remaining sentences with a stride that fits the budget left.
        mean_cost = sum(cost[i] for i in rest) / len(rest)
        room = max(budget - spent, 0)
        count = min(len(rest), int(room / max(mean_cost, 1.0)))
        if count > 0:
            for pos in np.linspace(0, len(rest) - 1, count).round().astype(int):
                i = rest[int(pos)]
                if i not in chosen and spent + cost[i] <= budget:
                    chosen.add(i)
                    spent += cost[i]
    return sorted(chosen)


def embed_sentences(sentences: list[Sentence], chosen: list[int]) -> tuple[Vectors, np.ndarray]:
    """Vectors for every sentence (zero rows where not embedded) and the embedded mask."""
    vectors = np.zeros((len(sentences), DIM), dtype=np.float32)
    mask = np.zeros(len(sentences), dtype=bool)
    if not chosen:
        return vectors, mask
    # Repeated sentences ("맞아요.", a phrase said twice) are embedded once.
    unique = list(dict.fromkeys(sentences[i].text for i in chosen))
    rows = models.embed(unique)
    row_of = {text: r for r, text in enumerate(unique)}
    for i in chosen:
        vectors[i] = rows[row_of[sentences[i].text]]
        mask[i] = True
    return vectors, mask

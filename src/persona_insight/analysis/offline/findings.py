"""Pain points and needs: classify answer sentences, group near-duplicates, describe each group.

A sentence is a pain point (or a need) when it is closer to the pain (need) examples than to
the other example sets, helped by its cue phrases and by a question that invited one. Sentences
of one answer turn that share a kind describe one thing, so they form a unit; units merge across
turns only when they are near-duplicates — far more similar than two sentences of this interview
usually are, or similar and sharing topic nouns. Absolute similarity thresholds do not work
here: a small multilingual model puts any two Korean sentences of one interview at 0.88–0.93.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from persona_insight.analysis.offline import cues, labels, stance
from persona_insight.analysis.offline.document import Document
from persona_insight.analysis.offline.signals import Signals

Kind = Literal["pain", "need"]

CUE_WEIGHT = 0.04
# The learned classifier's margin (probability units) can join the ±0.05 similarity scale at
# this weight, and veto sentences it is sure state neither. Measured on the real set's tune half,
# both lowered precision (see data/README.md), so neither is used until a classifier trained on
# interview sentences beats the examples.
LEARNED_WEIGHT = 0.0
LEARNED_FLOOR: dict[Kind, float] = {"pain": 0.0, "need": 0.0}
LEARNED_VETO: float | None = None
INVITE_WEIGHT: dict[Kind, float] = {"pain": 0.02, "need": 0.01}
# Chosen on the real set's tune half (need was 0.02: most wishes it found were hedges and advice).
THRESHOLD: dict[Kind, float] = {"pain": 0.025, "need": 0.045}
# Without an embedding, only a strong cue counts (see embedding.py for when that happens).
CUE_ONLY_THRESHOLD = 0.8
# A sentence stays both a pain and a need only when it has a cue of each kind this strong.
BOTH_CUE = 0.8
# Logistic mapping of a finding's best sentence score to the probability that it is right.
CONFIDENCE_SLOPE = 60.0
CONFIDENCE_BIAS = 0.0
# An explicit cue of the kind ("I'd like", "불편해요") in the finding raises its log-odds this much
# per unit of cue strength: on the tune half, right findings had slightly stronger cues.
CONFIDENCE_CUE = 0.1
# A finding below this confidence is not reported: the count follows the evidence, and an
# interview with nothing clear gets few findings or none. On the real set's tune half, findings
# at 0.50–0.55 were right less than one time in three (precision 0.63 → 0.67, recall 0.48 → 0.46).
MIN_CONFIDENCE = 0.55
MERGE_Z = 4.0
MERGE_Z_WITH_NOUNS = 2.5
MERGE_NOUN_OVERLAP = 0.35
MAX_FINDINGS = 10
MAX_DESCRIPTION = 160
KIND_WEIGHT = 10.0
# Informativeness below which a sentence is an exclamation rather than a statement.
BARE = 1.0
# Informativeness below which the description also quotes the neighbouring sentence.
NEEDS_CONTEXT = 1.5

# A lead word only counts as a whole word: "예" (yes) must not eat the start of "예약한".
_KO_LEAD = re.compile(
    r"^(?:(?:그리고|근데|그런데|그래서|그러니까|그럼|솔직히|사실|진짜|아|네|예|아니요|뭐|그냥|일단|"
    r"막상|결국엔?|음|어|그게|그건)(?:\s*,\s*|\s+))+"
)
_EN_LEAD = re.compile(
    r"^(?:(?:so|and|but|honestly|well|yeah|yes|oh|like|i mean|actually|basically|okay|ok|now|"
    r"also|just|plus|anyway|right|then|i think|i guess|i feel like|you know|um|uh)\b[\s,.…]*)+",
    re.IGNORECASE,
)
_ANAPHOR = re.compile(r"^(?:그게|그건|그거|이게|이건|그래서|that's|that|it's|it|this)\b", re.I)


@dataclass(slots=True)
class Draft:
    kind: Kind
    sentences: list[int]
    turns: list[int]
    strength: float
    # The sentence the description was made from, and the neighbour quoted with it, if any.
    head: int = 0
    context: int | None = None
    description: str = ""
    nouns: list[str] = field(default_factory=list)
    confidence: float = 0.5


def learned_margin(sig: Signals, kind: Kind) -> np.ndarray:
    """The classifier's probability of `kind` over its strongest rival (NaN where not embedded)."""
    own = 1 if kind == "pain" else 2
    rival = np.maximum(sig.learned[:, 0], sig.learned[:, 3 - own])
    return np.asarray(sig.learned[:, own] - rival, dtype=np.float32)


def kind_scores(doc: Document, sig: Signals, kind: Kind) -> np.ndarray:
    """Score per sentence (NaN for questions); a sentence is of `kind` at score >= 0."""
    own, rival = (sig.pain, sig.need) if kind == "pain" else (sig.need, sig.pain)
    cue = np.array([(c.pain if kind == "pain" else c.need) for c in sig.cues], dtype=np.float32)
    invite = sig.invite_pain if kind == "pain" else sig.invite_need
    margin = own - np.maximum(sig.other, rival)
    embedded_score = margin + CUE_WEIGHT * cue + INVITE_WEIGHT[kind] * invite - THRESHOLD[kind]
    embedded_score = embedded_score + LEARNED_WEIGHT * (
        np.nan_to_num(learned_margin(sig, kind), nan=0.0) - LEARNED_FLOOR[kind]
    )
    # Scaled to the same units as the embedded score so both can be ranked together.
    cue_only = (cue - CUE_ONLY_THRESHOLD) * CUE_WEIGHT
    scores = np.where(doc.embedded, embedded_score, cue_only).astype(np.float32)
    if LEARNED_VETO is not None:
        # The classifier is sure the sentence states neither: no cue or similarity overrides it.
        vetoed = np.nan_to_num(sig.learned[:, 0], nan=0.0) > LEARNED_VETO
        scores[vetoed & doc.embedded] = np.nan
    factor = stance.pain_factor if kind == "pain" else stance.need_factor
    for i, s in enumerate(doc.sentences):
        if s.role != "answer":
            scores[i] = np.nan
            continue
        f = factor(sig.stances[i])
        if f == 0.0:
            scores[i] = np.nan
        elif scores[i] > 0:
            scores[i] *= f
        else:
            scores[i] /= f
    return scores


def _baseline(doc: Document) -> tuple[float, float]:
    """Mean and spread of the similarity of two answer sentences of this interview."""
    rows = np.flatnonzero(doc.embedded)
    if rows.size < 4:
        return 0.85, 0.03
    if rows.size > 300:
        rows = rows[np.linspace(0, rows.size - 1, 300).astype(int)]
    v = doc.vectors[rows]
    sims = v @ v.T
    upper = sims[np.triu_indices(len(rows), k=1)]
    return float(upper.mean()), max(float(upper.std()), 1e-3)


def _overlap(a: set[str], b: set[str], idf: dict[str, float] | None = None) -> float:
    """Shared nouns, weighted by how particular they are to a part of this interview: two
    findings that share only "앱" or "app" are not about the same thing."""
    if not a or not b:
        return 0.0

    def weight(nouns: set[str]) -> float:
        return sum(idf.get(n, 1.0) for n in nouns) if idf else float(len(nouns))

    return weight(a & b) / max(min(weight(a), weight(b)), 1e-6)


def noun_idf(doc: Document) -> dict[str, float]:
    answers = doc.answers
    counts: dict[str, int] = {}
    for s in answers:
        for noun in set(s.nouns):
            counts[noun] = counts.get(noun, 0) + 1
    total = len(answers)
    return {noun: math.log((total + 1) / (c + 1)) for noun, c in counts.items()}


def _units(doc: Document, chosen: list[int]) -> list[list[int]]:
    by_turn: dict[int, list[int]] = {}
    for i in chosen:
        by_turn.setdefault(doc.sentences[i].turn_id, []).append(i)
    return [by_turn[t] for t in sorted(by_turn)]


def _merge(
    doc: Document,
    units: list[list[int]],
    baseline: tuple[float, float],
    idf: dict[str, float],
) -> list[list[int]]:
    """Single-linkage merging of near-duplicate units, on a unit-by-unit link matrix."""
    mean, spread = baseline
    groups = [list(u) for u in units]
    n = len(groups)
    if n < 2:
        return groups
    nouns = [{noun for i in u for noun in doc.sentences[i].nouns} for u in groups]
    z = np.full((n, n), -np.inf, dtype=np.float32)
    has_vector = np.array([any(doc.embedded[i] for i in u) for u in groups], dtype=bool)
    flat = [i for u in groups for i in u if doc.embedded[i]]
    if flat:
        owner = np.array([k for k, u in enumerate(groups) for i in u if doc.embedded[i]])
        sims = doc.vectors[flat] @ doc.vectors[flat].T
        for a in range(n):
            rows = sims[owner == a]
            if rows.size:
                # Highest similarity of any sentence of unit a to each unit.
                best = np.full(n, -np.inf, dtype=np.float32)
                np.maximum.at(best, owner, rows.max(axis=0))
                z[a] = (best - mean) / spread
    overlap = np.zeros((n, n), dtype=np.float32)
    for a in range(n):
        for b in range(a + 1, n):
            overlap[a, b] = overlap[b, a] = _overlap(nouns[a], nouns[b], idf)
    alive = np.ones(n, dtype=bool)
    while True:
        both = np.outer(has_vector, has_vector)
        ok = (z >= MERGE_Z) | ((z >= MERGE_Z_WITH_NOUNS) & (overlap >= MERGE_NOUN_OVERLAP))
        ok |= ~both & (overlap >= 2 * MERGE_NOUN_OVERLAP)
        ok &= np.outer(alive, alive)
        np.fill_diagonal(ok, False)
        if not ok.any():
            break
        rank = np.where(ok, np.where(np.isfinite(z), z, 0.0) + overlap, -np.inf)
        a, b = divmod(int(np.argmax(rank)), n)
        groups[a].extend(groups[b])
        nouns[a] |= nouns[b]
        alive[b] = False
        has_vector[a] |= has_vector[b]
        z[a] = z[:, a] = np.maximum(z[a], z[b])
        for c in np.flatnonzero(alive):
            overlap[a, c] = overlap[c, a] = _overlap(nouns[a], nouns[c], idf) if c != a else 0.0
    return [sorted(groups[k]) for k in np.flatnonzero(alive)]


def clean_description(text: str, lang: str) -> str:
    if lang != "ko":
        text = labels.fluent(text)
    lead = _KO_LEAD if lang == "ko" else _EN_LEAD
    stripped = lead.sub("", text).strip()
    if len(stripped) >= 8:
        text = stripped
    if text and text[0].isalpha() and text[0].islower():
        text = text[0].upper() + text[1:]
    if len(text) > MAX_DESCRIPTION:
        cut = text[:MAX_DESCRIPTION]
        boundary = max(cut.rfind(", "), cut.rfind("고 "), cut.rfind("서 "), cut.rfind("; "))
        if boundary > MAX_DESCRIPTION // 2:
            cut = cut[:boundary]
        else:
            cut = cut[: cut.rfind(" ")] if " " in cut else cut
        text = cut.rstrip(" ,;") + "…"
    return text


def informative(doc: Document, index: int) -> float:
    """0..~2: names things (nouns), long enough to stand alone, not leaning on a previous
    sentence ("그게 제일 짜증나요", "That's the worst part")."""
    sentence = doc.sentences[index]
    text = clean_description(sentence.text, sentence.lang)
    length = len(text) if sentence.lang == "ko" else len(text) / 2.2
    size = 1.0 if 18 <= length <= 90 else (0.6 if length > 90 else length / 18)
    anaphoric = 0.6 if _ANAPHOR.match(sentence.text) and len(set(sentence.nouns)) <= 1 else 0.0
    return min(len(set(sentence.nouns)), 3) / 3 + size - anaphoric


def _describe(doc: Document, group: list[int], scores: np.ndarray) -> int:
    """The sentence that best states the group: clearly of the kind, central among the group's
    sentences, and informative on its own (not "그게 진짜 너무 번거로워요")."""
    turns = {doc.sentences[i].turn_id for i in group}
    # Neighbours in the same turns often carry the content the cue sentence refers to.
    candidates = sorted({i for t in turns for i in doc.line(t).sentences} | set(group))
    embedded = [i for i in group if doc.embedded[i]]
    best: tuple[float, int] | None = None
    for i in candidates:
        # Kind scores live on a ±0.05 scale; this weight lets a clearly-of-the-kind sentence
        # beat a merely wordy one, and a wordy one beat a bare exclamation.
        kind_part = KIND_WEIGHT * float(np.clip(np.nan_to_num(scores[i], nan=-0.05), -0.05, 0.05))
        central = 0.0
        if doc.embedded[i] and len(embedded) > 1:
            central = float((doc.vectors[embedded] @ doc.vectors[i]).mean())
        says = informative(doc, i)
        value = kind_part + central + 0.5 * says - (0.0 if i in group else 0.2)
        if says < BARE:
            # A bare exclamation ("I hate that.") states no problem a reader can act on.
            value -= 0.8
        if best is None or value > best[0]:
            best = (value, i)
    assert best is not None
    return best[1]


def context_sentence(doc: Document, head: int) -> int | None:
    """The neighbour (previous, else next) in the same answer that says what happened, when
    the head sentence is mostly feeling ("진짜 난감했어요") and the two stay short together."""
    sentence = doc.sentences[head]
    if informative(doc, head) >= NEEDS_CONTEXT:
        return None
    line = doc.line(sentence.turn_id)
    position = line.sentences.index(head)
    limit = MAX_DESCRIPTION if sentence.lang == "en" else MAX_DESCRIPTION // 2
    for offset in (-1, 1):
        k = position + offset
        if not 0 <= k < len(line.sentences):
            continue
        neighbour = line.sentences[k]
        combined = len(sentence.text) + len(doc.sentences[neighbour].text) + 1
        if informative(doc, neighbour) >= 1.3 and combined <= limit:
            return neighbour
    return None


_LABEL_CUES: dict[tuple[Kind, str], re.Pattern[str]] = {
    ("pain", "en"): re.compile(f"{cues.EN_PAIN_STRONG.pattern}|{cues.EN_PAIN_WEAK.pattern}", re.I),
    ("pain", "ko"): re.compile(f"{cues.KO_PAIN_STRONG.pattern}|{cues.KO_PAIN_WEAK.pattern}"),
    ("need", "en"): re.compile(f"{cues.EN_NEED_STRONG.pattern}|{cues.EN_NEED_WEAK.pattern}", re.I),
    ("need", "ko"): re.compile(f"{cues.KO_NEED_STRONG.pattern}|{cues.KO_NEED_WEAK.pattern}"),
}


def _describe_text(doc: Document, head: int, context: int | None, kind: Kind) -> str:
    """A short complete phrase from the evidence (see labels.py); the neighbour that says what
    happened joins it only when the head alone is too short to say anything."""
    sentence = doc.sentences[head]
    lang = "ko" if sentence.lang == "ko" else "en"
    text = clean_description(sentence.text, sentence.lang)
    if context is not None:
        first, second = sorted((head, context))
        both = clean_description(
            f"{doc.sentences[first].text} {doc.sentences[second].text}", sentence.lang
        )
        if len(both.split()) <= labels.MAX_WORDS:
            text = both
    return labels.short_label(text, lang, _LABEL_CUES[(kind, lang)])


def exclusive_scores(doc: Document, sig: Signals) -> dict[Kind, np.ndarray]:
    """Pain and need scores where a sentence is of one kind only, unless it really says both:
    both kinds clear the bar and each has its own cue ("it crashes all the time; I wish it
    saved my place")."""
    pain, need = kind_scores(doc, sig, "pain"), kind_scores(doc, sig, "need")
    both = np.flatnonzero(np.nan_to_num(pain, nan=-1) >= 0)
    for i in both:
        if not need[i] >= 0:
            continue
        cue = sig.cues[i]
        if cue.pain >= BOTH_CUE and cue.need >= BOTH_CUE:
            continue
        if pain[i] >= need[i]:
            need[i] = np.nan
        else:
            pain[i] = np.nan
    return {"pain": pain, "need": need}


def confidence(strength: float, cue: float = 0.0) -> float:
    """The probability that a finding of this score is right (a logistic over the score and the
    strength of its explicit cue)."""
    logit = CONFIDENCE_SLOPE * strength + CONFIDENCE_CUE * cue + CONFIDENCE_BIAS
    return float(1.0 / (1.0 + math.exp(-logit)))


def _cue(doc: Document, group: list[int], kind: Kind) -> float:
    found = (cues.sentence_cues(doc.sentences[i].text) for i in group)
    return max((c.pain if kind == "pain" else c.need for c in found), default=0.0)


def find(doc: Document, scores: np.ndarray, kind: Kind) -> list[Draft]:
    chosen = [i for i in range(len(doc.sentences)) if scores[i] >= 0]
    if not chosen:
        return []
    idf = noun_idf(doc)
    groups = _merge(doc, _units(doc, chosen), _baseline(doc), idf)
    drafts: list[Draft] = []
    for group in groups:
        per_turn: dict[int, float] = {}
        for i in group:
            t = doc.sentences[i].turn_id
            per_turn[t] = max(per_turn.get(t, 0.0), float(scores[i]))
        strength = sum(per_turn.values()) + 0.01 * len(per_turn)
        best = max(per_turn.values())
        head = _describe(doc, group, scores)
        context = context_sentence(doc, head)
        drafts.append(
            Draft(
                kind=kind,
                sentences=group,
                turns=sorted(per_turn),
                strength=strength,
                head=head,
                context=context,
                description=_describe_text(doc, head, context, kind),
                nouns=[n for i in group for n in doc.sentences[i].nouns],
                confidence=confidence(best, _cue(doc, group, kind)),
            )
        )
    drafts = [
        d
        for d in drafts
        if d.confidence >= MIN_CONFIDENCE
        and labels.is_statement(d.description, "ko" if doc.sentences[d.head].lang == "ko" else "en")
    ]
    if not drafts:
        return []
    drafts.sort(key=lambda d: -d.strength)
    kept = drafts[:MAX_FINDINGS]
    # Findings beyond the cap keep their evidence: they join the kept finding they resemble most.
    for extra in drafts[MAX_FINDINGS:]:
        target = max(kept, key=lambda d: _overlap(set(d.nouns), set(extra.nouns), idf))
        if _overlap(set(target.nouns), set(extra.nouns), idf) >= MERGE_NOUN_OVERLAP:
            target.turns = sorted(set(target.turns) | set(extra.turns))[:30]
            target.sentences = sorted(set(target.sentences) | set(extra.sentences))
    return kept

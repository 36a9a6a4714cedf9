"""Discovery: interviewees clustered by what they said, to suggest personas the framework lacks.

Pure: vectors in, suggestions out (the caller reads the stored finding and line vectors and
validates every citation). Each interviewee is one vector — the mean of their finding vectors
and the mean of their answer lines, each normalised first so a talkative interview with few
findings weighs like a terse one with many. Average-linkage clustering on cosine distance is cut
at the number of clusters with the best silhouette; the quality reported is that silhouette and
the stability of the clusters across resamples (mean adjusted Rand index of re-clustering 80 %
samples against the full result), so a researcher can see how much to trust a suggestion.
Below `MIN_INTERVIEWS` it refuses: a handful of interviews always splits into *something*."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from uuid import UUID

import numpy as np

from persona_insight.analysis.contract import InterviewAnalysis
from persona_insight.citations.schemas import Citation, Statement
from persona_insight.embeddings import centring
from persona_insight.embeddings.service import FINDING_KINDS, finding_ref

MIN_INTERVIEWS = 6
MAX_CLUSTERS = 8
# A cluster of one is an outlier, not a persona.
MIN_MEMBERS = 2
RESAMPLES = 20
RESAMPLE_SHARE = 0.8
TRAITS = 5
QUOTES = 3
# Two traits this similar say the same thing: the second is not shown.
SAME_TRAIT = 0.9
QUOTE_CHARS = (20, 300)
MIN_LINE_CHARS = 12


@dataclass(frozen=True, slots=True)
class Said:
    """One finding or answer line of an interviewee, with its stored vector."""

    text: str
    line_ids: tuple[int, ...]
    vector: np.ndarray
    quote: str = ""  # the verbatim line a quote may show (answer lines: the line itself)


@dataclass(frozen=True, slots=True)
class Member:
    interview_id: UUID
    findings: tuple[Said, ...]
    lines: tuple[Said, ...]
    persona_code: str | None = None
    language: str = ""


@dataclass(frozen=True, slots=True)
class PersonaVector:
    code: str
    title: str
    vector: np.ndarray


@dataclass(slots=True)
class Suggestion:
    interview_ids: list[UUID]
    traits: list[Statement]
    quotes: list[Statement]
    cohesion: float  # mean similarity of members to the cluster's centre
    nearest_code: str | None = None
    nearest_similarity: float | None = None
    # Share of members a researcher or the matcher already put on the nearest persona.
    nearest_share: float = 0.0
    # The traits least like the nearest persona: what the suggestion adds to it.
    differs_by: list[Statement] = field(default_factory=list)
    name: str = ""


@dataclass(slots=True)
class Result:
    status: str  # "ok" | "too_thin"
    interviews: int
    # Analysed interviews with no stored vector yet (the index job has not reached them).
    unindexed: int = 0
    clusters: int = 0
    silhouette: float | None = None
    stability: float | None = None
    labels: dict[UUID, int] = field(default_factory=dict)
    suggestions: list[Suggestion] = field(default_factory=list)
    outliers: list[UUID] = field(default_factory=list)


def member_of(
    interview_id: UUID,
    analysis: InterviewAnalysis,
    finding_vectors: dict[str, np.ndarray],
    line_vectors: dict[int, np.ndarray],
    persona_code: str | None = None,
) -> Member:
    """An interviewee as discovery reads them: findings and answer lines with the vectors the
    analysis (`finding`, by ref) and the search index (`line`, by first line id) stored."""
    text = {i: line.cleaned_sentence for line in analysis.cleaned_script for i in line.id}
    findings = []
    for kind, name in FINDING_KINDS:
        for index, finding in enumerate(getattr(analysis, name)):
            vector = finding_vectors.get(finding_ref(kind, index))
            if vector is None or not finding.evidence:
                continue
            first = next((text[i] for i in finding.evidence if i in text), "")
            findings.append(Said(finding.description, tuple(finding.evidence), vector, first))
    lines = tuple(
        Said(line.cleaned_sentence, (line.id[0],), line_vectors[line.id[0]], line.cleaned_sentence)
        for line in analysis.cleaned_script
        if line.speaker == "answer"
        and len(line.cleaned_sentence) >= MIN_LINE_CHARS
        and line.id[0] in line_vectors
    )
    return Member(interview_id, tuple(findings), lines, persona_code, analysis.language)


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return np.asarray(matrix / np.where(norms == 0, 1.0, norms), dtype=np.float64)


def member_vector(member: Member) -> np.ndarray | None:
    parts = [
        _unit(np.mean(np.stack([s.vector for s in group]), axis=0))
        for group in (member.findings, member.lines)
        if group
    ]
    return _unit(np.sum(parts, axis=0)) if parts else None


def linkage(similarity: np.ndarray) -> list[tuple[int, int]]:
    """Average-linkage merges, in order, as (kept cluster, absorbed cluster) of point indices."""
    n = len(similarity)
    sim = similarity.astype(np.float64).copy()
    np.fill_diagonal(sim, -np.inf)
    sizes = np.ones(n)
    alive = np.ones(n, dtype=bool)
    merges = []
    for _ in range(n - 1):
        masked = np.where(alive[:, None] & alive[None, :], sim, -np.inf)
        a, b = divmod(int(np.argmax(masked)), n)
        a, b = min(a, b), max(a, b)
        merged = (sim[a] * sizes[a] + sim[b] * sizes[b]) / (sizes[a] + sizes[b])
        sim[a], sim[:, a] = merged, merged
        sim[a, a] = -np.inf
        sizes[a] += sizes[b]
        alive[b] = False
        merges.append((a, b))
    return merges


def cut(merges: Sequence[tuple[int, int]], n: int, k: int) -> np.ndarray:
    """Labels 0..k-1 (by first member) after all but the last k-1 merges."""
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in merges[: n - k]:
        parent[root(b)] = root(a)
    roots: dict[int, int] = {}
    return np.array([roots.setdefault(root(i), len(roots)) for i in range(n)])


def silhouette(similarity: np.ndarray, labels: np.ndarray) -> float:
    distance = 1.0 - similarity
    clusters = np.unique(labels)
    if len(clusters) < 2:
        return 0.0
    scores = []
    for i in range(len(labels)):
        own = labels == labels[i]
        if own.sum() <= 1:
            scores.append(0.0)  # a singleton scores 0, by the usual convention
            continue
        a = distance[i, own].sum() / (own.sum() - 1)
        b = min(distance[i, labels == c].mean() for c in clusters if c != labels[i])
        scores.append((b - a) / max(a, b) if max(a, b) > 0 else 0.0)
    return float(np.mean(scores))


def adjusted_rand(left: Sequence[int] | np.ndarray, right: Sequence[int] | np.ndarray) -> float:
    """Adjusted Rand index of two labelings of the same items (1: identical, ~0: chance)."""
    a = np.unique(np.asarray(left), return_inverse=True)[1]
    b = np.unique(np.asarray(right), return_inverse=True)[1]
    table = np.zeros((a.max() + 1, b.max() + 1))
    np.add.at(table, (a, b), 1)

    def pairs(x: np.ndarray) -> float:
        return float((x * (x - 1) / 2).sum())

    index, rows, cols = pairs(table), pairs(table.sum(1)), pairs(table.sum(0))
    expected = rows * cols / max(len(a) * (len(a) - 1) / 2, 1)
    top = (rows + cols) / 2
    return 1.0 if top == expected else float((index - expected) / (top - expected))


def choose_k(similarity: np.ndarray) -> tuple[np.ndarray, float]:
    n = len(similarity)
    merges = linkage(similarity)
    best: tuple[np.ndarray, float] | None = None
    for k in range(2, min(MAX_CLUSTERS, n // MIN_MEMBERS) + 1):
        labels = cut(merges, n, k)
        score = silhouette(similarity, labels)
        if best is None or score > best[1] + 1e-9:
            best = (labels, score)
    assert best is not None
    return best


def stability(similarity: np.ndarray, labels: np.ndarray, seed: int = 14) -> float:
    n, k = len(labels), int(labels.max()) + 1
    rng = np.random.default_rng(seed)
    size = max(MIN_MEMBERS * 2, round(n * RESAMPLE_SHARE))
    scores = []
    for _ in range(RESAMPLES):
        sample = np.sort(rng.choice(n, size=min(size, n), replace=False))
        sub = similarity[np.ix_(sample, sample)]
        again = cut(linkage(sub), len(sample), min(k, len(sample)))
        scores.append(adjusted_rand(labels[sample], again))
    return float(np.mean(scores))


def _distinct(
    candidates: Sequence[tuple[float, UUID, Said]], limit: int
) -> list[tuple[UUID, Said]]:
    """Best first, skipping what repeats a kept one; one per interview while others remain."""
    kept: list[tuple[UUID, Said]] = []
    for spread_interviews in (True, False):
        for _, iid, said in candidates:
            if len(kept) >= limit:
                return kept
            if any(said is s for _, s in kept):
                continue
            if spread_interviews and any(iid == i for i, _ in kept):
                continue
            if any(float(said.vector @ s.vector) >= SAME_TRAIT for _, s in kept):
                continue
            kept.append((iid, said))
    return kept


def _statement(iid: UUID, said: Said, text: str) -> Statement | None:
    if not said.line_ids:
        return None
    return Statement(text=text, citations=[Citation(interview_id=iid, line_ids=said.line_ids[:50])])


def _describe(
    members: Sequence[Member],
    centre: np.ndarray,
    others: Sequence[np.ndarray],
    personas: Sequence[PersonaVector],
) -> Suggestion:
    def distinctiveness(vector: np.ndarray) -> float:
        own = float(vector @ centre)
        rival = max((float(vector @ c) for c in others), default=0.0)
        return own - rival

    findings = sorted(
        ((distinctiveness(s.vector), m.interview_id, s) for m in members for s in m.findings),
        key=lambda x: -x[0],
    )
    lines = sorted(
        ((distinctiveness(s.vector), m.interview_id, s) for m in members for s in m.lines),
        key=lambda x: -x[0],
    )
    # Findings name traits best; interviews that yielded few findings speak through their lines.
    trait_sources = _distinct(findings, TRAITS)
    if len(trait_sources) < TRAITS:
        trait_sources += _distinct(
            [c for c in lines if all(c[2] is not s for _, s in trait_sources)],
            TRAITS - len(trait_sources),
        )
    traits = [st for iid, s in trait_sources if (st := _statement(iid, s, s.text)) is not None]
    quotable = [c for c in findings + lines if QUOTE_CHARS[0] <= len(c[2].quote) <= QUOTE_CHARS[1]]
    quotes = [
        st
        for iid, s in _distinct(quotable, QUOTES)
        if (st := _statement(iid, s, f"“{s.quote}”")) is not None
    ]
    vectors = np.stack([v for m in members if (v := member_vector(m)) is not None])
    suggestion = Suggestion(
        interview_ids=[m.interview_id for m in members],
        traits=traits,
        quotes=quotes,
        cohesion=round(float((vectors @ centre).mean()), 3),
        name=traits[0].text[:80] if traits else "",
    )
    if personas:
        sims = [float(p.vector @ centre) for p in personas]
        best = int(np.argmax(sims))
        nearest = personas[best]
        suggestion.nearest_code = nearest.code
        suggestion.nearest_similarity = round(sims[best], 3)
        suggestion.nearest_share = round(
            sum(m.persona_code == nearest.code for m in members) / len(members), 3
        )
        by_lines = {id(s): (iid, s) for iid, s in trait_sources}
        unlike = sorted(by_lines.values(), key=lambda pair: float(pair[1].vector @ nearest.vector))
        suggestion.differs_by = [
            st for iid, s in unlike[:2] if (st := _statement(iid, s, s.text)) is not None
        ]
    return suggestion


def discover(members: Sequence[Member], personas: Sequence[PersonaVector] = ()) -> Result:
    usable = [(m, v) for m in members if (v := member_vector(m)) is not None]
    unindexed = len(members) - len(usable)
    if len(usable) < MIN_INTERVIEWS:
        return Result(status="too_thin", interviews=len(usable), unindexed=unindexed)
    raw = np.stack([v for _, v in usable])
    # Each language's mean out first: uncentred, Korean and English interviews split by
    # language before topic (seen on the discovery fixture: two clusters, one per language).
    matrix, _ = centring.centre(raw.astype(np.float64), [m.language for m, _ in usable])
    similarity = np.clip(matrix @ matrix.T, -1.0, 1.0)
    labels, score = choose_k(similarity)
    result = Result(
        status="ok",
        interviews=len(usable),
        unindexed=unindexed,
        clusters=int(labels.max()) + 1,
        silhouette=round(score, 3),
        stability=round(stability(similarity, labels), 3),
        labels={m.interview_id: int(label) for (m, _), label in zip(usable, labels, strict=True)},
    )
    # Traits, quotes and the nearest persona are judged in the vectors' own space.
    centres = [_unit(raw[labels == c].mean(axis=0)) for c in range(result.clusters)]
    for c in range(result.clusters):
        group = [m for (m, _), label in zip(usable, labels, strict=True) if label == c]
        if len(group) < MIN_MEMBERS:
            result.outliers.extend(m.interview_id for m in group)
            continue
        others = [centre for i, centre in enumerate(centres) if i != c]
        result.suggestions.append(_describe(group, centres[c], others, personas))
    result.suggestions.sort(key=lambda s: -len(s.interview_ids))
    return result

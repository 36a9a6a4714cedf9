"""Script sections by topic shifts, named from their keywords or the company's section names.

The script is cut into exchanges (a question and the answers that follow it). A greeting at the
start and a goodbye at the end become their own sections that are not main content. Between
them, the similarity of the answers in consecutive windows of exchanges is measured, and the
script is cut where it drops most relative to its surroundings (TextTiling depth scores).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from persona_insight.analysis.contract import ScriptSection
from persona_insight.analysis.offline import models
from persona_insight.analysis.offline.document import Document
from persona_insight.analysis.offline.language import Lang

WINDOW = 2
MIN_BLOCKS = 2
BLOCKS_PER_SECTION = 4
MAX_MAIN_SECTIONS = 6
SMALL_TALK_WORDS = 14
# How close a company section name must be to a section's keywords to be reused: with a shared
# term, or without one when nearly identical.
NAME_SIMILARITY = 0.9
NEAR_IDENTICAL = 0.975

_GREETING = re.compile(
    r"안녕하세요|반갑습니다|반가워요|감사합니다|고맙습니다|시작하겠습니다|시작할게요|녹음|참여해\s?주셔서|"
    r"시간\s?내|\bhi\b|\bhello\b|\bhey\b|thanks? (?:so much )?for|thank you for|nice to meet|"
    r"good (?:morning|afternoon)|welcome|ready\??$|shall we start|let's (?:get )?start",
    re.IGNORECASE,
)
_CLOSING = re.compile(
    r"감사합니다|고맙습니다|수고|마치겠습니다|마무리|덧붙이|더\s?하고\s?싶은|\bthank(?:s| you)\b|"
    r"that's great|wrap up|that's all|anything else|that covers|\bbye\b",
    re.IGNORECASE,
)
_DEFAULT_NAMES: dict[str, dict[Lang, str]] = {
    "greeting": {"ko": "인사 및 소개", "en": "Introduction"},
    "closing": {"ko": "마무리", "en": "Wrap-up"},
}


@dataclass(slots=True)
class Block:
    turn_ids: list[int] = field(default_factory=list)

    @property
    def start(self) -> int:
        return self.turn_ids[0]

    @property
    def end(self) -> int:
        return self.turn_ids[-1]


def blocks(doc: Document) -> list[Block]:
    out: list[Block] = []
    for line in doc.lines:
        starts_exchange = line.role == "question" and (
            not out or any(doc.line(t).role == "answer" for t in out[-1].turn_ids)
        )
        if starts_exchange or not out:
            out.append(Block())
        out[-1].turn_ids.append(line.turn_id)
    return out


def _words(doc: Document, block: Block, role: str) -> int:
    return sum(len(doc.line(t).cleaned.split()) for t in block.turn_ids if doc.line(t).role == role)


def _small_talk(doc: Document, block: Block, pattern: re.Pattern[str], evidence: set[int]) -> bool:
    if any(t in evidence for t in block.turn_ids):
        return False
    text = " ".join(doc.line(t).cleaned for t in block.turn_ids)
    return bool(pattern.search(text)) and _words(doc, block, "answer") <= SMALL_TALK_WORDS


def _block_vectors(doc: Document, parts: list[Block]) -> list[np.ndarray | None]:
    out: list[np.ndarray | None] = []
    for block in parts:
        rows = [
            i
            for t in block.turn_ids
            if doc.line(t).role == "answer"
            for i in doc.line(t).sentences
            if doc.embedded[i]
        ]
        if not rows:
            out.append(None)
            continue
        v = doc.vectors[rows].mean(axis=0)
        out.append(v / (np.linalg.norm(v) or 1.0))
    return out


def _window(vectors: list[np.ndarray | None], lo: int, hi: int) -> np.ndarray | None:
    present = [v for v in vectors[max(lo, 0) : hi] if v is not None]
    if not present:
        return None
    v = np.mean(present, axis=0)
    return np.asarray(v / (np.linalg.norm(v) or 1.0))


def cut_points(vectors: list[np.ndarray | None], sections: int) -> list[int]:
    """Indices i where a new section starts at block i (1..n-1), at the deepest similarity dips."""
    n = len(vectors)
    if sections <= 1 or n < 2 * MIN_BLOCKS:
        return []
    gaps = np.full(n - 1, np.nan)
    for g in range(n - 1):
        left = _window(vectors, g - WINDOW + 1, g + 1)
        right = _window(vectors, g + 1, g + 1 + WINDOW)
        if left is not None and right is not None:
            gaps[g] = float(left @ right)
    if np.all(np.isnan(gaps)):
        return []
    filled = np.where(np.isnan(gaps), np.nanmax(gaps), gaps)
    depth = np.zeros(n - 1)
    for g in range(n - 1):
        lpeak = filled[max(0, g - 2) : g + 1].max()
        rpeak = filled[g : g + 3].max()
        depth[g] = lpeak + rpeak - 2 * filled[g]
    chosen: list[int] = []
    for g in np.argsort(-depth, kind="stable"):
        start = int(g) + 1
        edges = sorted([0, *chosen, start, n])
        if any(b - a < MIN_BLOCKS for a, b in pairwise(edges)):
            continue
        chosen.append(start)
        if len(chosen) == sections - 1:
            break
    return sorted(chosen)


def _section_terms(doc: Document, groups: list[list[Block]]) -> list[list[str]]:
    counts: list[Counter[str]] = []
    for group in groups:
        c: Counter[str] = Counter()
        for block in group:
            for t in block.turn_ids:
                line = doc.line(t)
                for i in line.sentences:
                    # The question names the topic; count its nouns twice.
                    c.update(doc.sentences[i].nouns * (2 if line.role == "question" else 1))
        counts.append(c)
    spread: Counter[str] = Counter()
    for c in counts:
        spread.update(set(c))
    n = len(groups)
    ranked: list[list[str]] = []
    for c in counts:
        scored = {term: tf * math.log(1 + n / spread[term]) for term, tf in c.items()}
        ranked.append(sorted(scored, key=lambda term: -scored[term])[:5])
    return ranked


def _name_from_terms(terms: list[str], lang: Lang) -> str:
    if not terms:
        return "본론" if lang == "ko" else "Discussion"
    top = terms[:2]
    if lang == "en":
        top = [t.capitalize() if i == 0 else t for i, t in enumerate(top)]
    return " · ".join(top)


def _reuse_names(candidates: list[tuple[str, str]], known: tuple[str, ...]) -> list[str]:
    """Swap each generated name for a company section name about the same thing: one that
    names one of the section's top terms and is close in meaning, or is nearly identical.
    Short Korean phrases all score about 0.95 with each other, so meaning alone is not enough."""
    names = [c[0] for c in candidates]
    known_names = list(dict.fromkeys(k.strip() for k in known if k.strip()))
    if not known_names:
        return names
    queries = [c[1] or c[0] for c in candidates]
    sims = models.context_cache.embed(queries) @ models.context_cache.embed(known_names).T
    out: list[str] = []
    for k, name in enumerate(names):
        terms = [t for t in queries[k].lower().split()[:3] if len(t) > 1]
        lexical = [
            j
            for j, known_name in enumerate(known_names)
            if any(t in known_name.lower() for t in terms)
        ]
        choice: int | None = None
        if lexical:
            j = max(lexical, key=lambda j: sims[k, j])
            if sims[k, j] >= NAME_SIMILARITY:
                choice = j
        best = int(np.argmax(sims[k]))
        if choice is None and sims[k, best] >= NEAR_IDENTICAL:
            choice = best
        out.append(known_names[choice][:200] if choice is not None else name)
    return out


def sections(
    doc: Document, evidence: set[int], known_names: tuple[str, ...]
) -> list[ScriptSection]:
    parts = blocks(doc)
    if not parts:
        return []
    lead = 0
    while lead < min(2, len(parts) - 1) and _small_talk(doc, parts[lead], _GREETING, evidence):
        lead += 1
    tail = 0
    while tail < min(2, len(parts) - lead - 1) and _small_talk(
        doc, parts[len(parts) - 1 - tail], _CLOSING, evidence
    ):
        tail += 1
    main = parts[lead : len(parts) - tail]
    wanted = max(1, min(MAX_MAIN_SECTIONS, round(len(main) / BLOCKS_PER_SECTION)))
    if wanted == 1 and not lead and not tail and len(main) >= 2 * MIN_BLOCKS:
        wanted = 2
    cuts = cut_points(_block_vectors(doc, main), wanted)
    edges = [0, *cuts, len(main)]
    groups = [main[a:b] for a, b in pairwise(edges) if b > a]
    terms = _section_terms(doc, groups)
    lang = doc.out_lang
    candidates: list[tuple[str, str, bool, list[Block]]] = []
    if lead:
        name = _DEFAULT_NAMES["greeting"][lang]
        candidates.append((name, "", False, parts[:lead]))
    for group, group_terms in zip(groups, terms, strict=True):
        candidates.append((_name_from_terms(group_terms, lang), " ".join(group_terms), True, group))
    if tail:
        name = _DEFAULT_NAMES["closing"][lang]
        candidates.append((name, "", False, parts[len(parts) - tail :]))
    names = _reuse_names([(c[0], c[1]) for c in candidates], known_names)
    return [
        ScriptSection(
            sector_name=name[:200],
            start_line=group[0].start,
            end_line=group[-1].end,
            is_main_content=main_content,
        )
        for name, (_, _, main_content, group) in zip(names, candidates, strict=True)
    ]

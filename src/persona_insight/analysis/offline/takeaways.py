"""Key takeaways: short statements from the strongest findings and the summary, in the wording
of an existing company takeaway when one says the same thing."""

from __future__ import annotations

import re

import numpy as np

from persona_insight.analysis.offline import models
from persona_insight.analysis.offline.document import Document
from persona_insight.analysis.offline.findings import Draft

MIN_COUNT = 3
MAX_COUNT = 6
MAX_CHARS = 110
# Near-identical: this similar, or somewhat less with most words shared.
SAME_SIMILARITY = 0.95
SAME_WITH_WORDS = 0.92
SAME_WORDS = 0.5

_KO_FILLER = re.compile(r"(?<!\S)(?:진짜|정말|솔직히|그냥|완전|되게|막|좀|약간)\s+")
_EN_FILLER = re.compile(
    r"\b(?:really|honestly|just|actually|basically|kind of|sort of|literally|pretty much)\s+",
    re.IGNORECASE,
)
_WORD = re.compile(r"[\w가-힣]{2,}", re.UNICODE)


def shorten(text: str, lang: str) -> str:
    text = (_KO_FILLER if lang == "ko" else _EN_FILLER).sub("", text).strip()
    text = re.sub(r"\s+", " ", text)
    if text and text[0].islower():
        text = text[0].upper() + text[1:]
    if len(text) <= MAX_CHARS:
        return text
    cut = text[:MAX_CHARS]
    boundary = max(cut.rfind(", "), cut.rfind("; "), cut.rfind(" — "))
    cut = cut[:boundary] if boundary > MAX_CHARS // 2 else cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;") + "…"


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def _reuse(statements: list[str], known: tuple[str, ...]) -> list[str]:
    known_list = [k.strip() for k in known if k.strip()]
    if not statements or not known_list:
        return statements
    sims = models.context_cache.embed(statements) @ models.context_cache.embed(known_list).T
    out: list[str] = []
    for k, statement in enumerate(statements):
        best = int(np.argmax(sims[k]))
        mine, theirs = _words(statement), _words(known_list[best])
        shared = len(mine & theirs) / max(min(len(mine), len(theirs)), 1)
        same = sims[k, best] >= SAME_SIMILARITY or (
            sims[k, best] >= SAME_WITH_WORDS and shared >= SAME_WORDS
        )
        out.append(known_list[best][:2000] if same else statement)
    return out


def takeaways(
    doc: Document,
    pains: list[Draft],
    needs: list[Draft],
    summary_sentences: list[int],
    known: tuple[str, ...],
) -> list[str]:
    picked: list[tuple[str, str]] = []
    used: set[int] = set()

    def add(text: str, sentences: list[int]) -> None:
        lang = doc.sentences[sentences[0]].lang if sentences else doc.out_lang
        statement = shorten(text, lang)
        if statement and statement not in (p[0] for p in picked):
            picked.append((statement, lang))
            used.update(sentences)

    # Strongest pains first, then needs, alternating so both kinds are represented.
    order = [*pains[:3], *needs[:2], *pains[3:5], *needs[2:4]]
    for draft in order[:MAX_COUNT]:
        add(draft.description, draft.sentences)
        if len(picked) >= MAX_COUNT - 1:
            break
    for i in summary_sentences:
        if len(picked) >= MAX_COUNT:
            break
        if i not in used and (len(picked) < MIN_COUNT or len(picked) < MAX_COUNT - 1):
            add(doc.sentences[i].text, [i])
    return _reuse([p[0] for p in picked], known)

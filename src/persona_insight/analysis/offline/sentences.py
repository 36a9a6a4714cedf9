"""Turns into cleaned sentences with their language and nouns.

Spoken transcripts are split on sentence punctuation first; Korean stretches are then split by
Kiwi, which also finds sentence ends that speakers never punctuate ("힘들어요 그리고 …") and
gives the morphemes used for fillers and nouns. Fillers ("음", "어", "um", "you know") and
stuttered repeats are removed, whitespace is tidied.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from persona_insight.analysis.offline import models
from persona_insight.analysis.offline.language import Lang, has_hangul, sentence_language
from persona_insight.analysis.offline.stopwords import (
    EN_STOP,
    EN_VERB_FORMS,
    KO_SHORT_NOUNS,
    KO_STOP_NOUNS,
)
from persona_insight.analysis.transcript import Role, Transcript


@dataclass(slots=True)
class Sentence:
    index: int
    turn_id: int
    role: Role
    text: str
    lang: Lang
    nouns: tuple[str, ...]
    # Kiwi (form, tag) pairs of a Korean sentence, used to rebuild phrases; empty for English.
    morphs: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class Line:
    turn_id: int
    role: Role
    speaker: str
    cleaned: str
    sentences: list[int] = field(default_factory=list)


# A sentence ends at terminal punctuation followed by space, unless the next word starts in
# lower case ("at nine p.m. with …"), which in English means the sentence goes on.
_BOUNDARY = re.compile(r"(?<=[.!?…。！？])[\"'”’)\]]*\s+(?![a-z])")
_SPACES = re.compile(r"\s+")

_KO_FILLER_WORD = re.compile(r"(?<!\S)(?:음+|어+|으+음+|흠+|엄+|음음)[.…,~]*(?=\s|$)")
# Kiwi tags these as interjections (IC) when they are hesitation, and "그" as a determiner (MM)
# when it means "that", so only the interjection reading is removed.
_KO_FILLER_IC = frozenset({"음", "어", "그", "저", "으음", "흠", "엄", "저기", "뭐랄까", "어어"})
_EN_FILLER = re.compile(r"\b(?:u+m+|u+h+|uhm+|e+r+m+|er|hmm+|mm+|uh-huh)\b[,.…]*", re.IGNORECASE)
_YOU_KNOW_MID = re.compile(r",\s*you know\s*,", re.IGNORECASE)
_YOU_KNOW_START = re.compile(r"^\s*you know\s*,\s*", re.IGNORECASE)
_YOU_KNOW_END = re.compile(r",\s*you know\s*(?=[.!?]|$)", re.IGNORECASE)
_LIKE_MID = re.compile(r",\s*(?:like|i mean|sort of|kind of)\s*,", re.IGNORECASE)
# A word said twice or more ("the, the", "it's, it's, it's"), contractions included.
_REPEAT = re.compile(r"\b(\w+(?:['’]\w+)?)(?:[\s,]+\1\b)+", re.IGNORECASE | re.UNICODE)
# A false start: a word broken off and begun again ("Be, because", "con, continuously").
_FALSE_START = re.compile(r"\b([A-Za-z]{1,4})(?:-|,)\s+(?=\1[a-z]{2,}\b)", re.IGNORECASE)
_EN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_ACRONYM = re.compile(r"^[A-Z]{2,5}s?$")
_ONLY_PUNCT = re.compile(r"^[\W_]*$", re.UNICODE)

NOUN_TAGS = frozenset({"NNG", "NNP"})


def _tidy(text: str) -> str:
    text = _SPACES.sub(" ", text).strip()
    text = re.sub(r"\s+([,.!?…])", r"\1", text)
    text = re.sub(r",(?:\s*,)+", ",", text)
    text = re.sub(r",\s*([.!?])", r"\1", text)
    text = re.sub(r"^[\s,.…~\-]+", "", text)
    return text.strip()


def clean_english(text: str) -> str:
    text = _EN_FILLER.sub("", text)
    text = _YOU_KNOW_MID.sub(",", text)
    text = _YOU_KNOW_START.sub("", text)
    text = _YOU_KNOW_END.sub("", text)
    text = _LIKE_MID.sub(",", text)
    text = _REPEAT.sub(r"\1", text)
    text = _FALSE_START.sub("", text)
    text = _tidy(text)
    if text and text[0].islower():
        text = text[0].upper() + text[1:]
    return text


def clean_korean(text: str, tokens: Sequence[Any], offset: int) -> str:
    """Remove interjection fillers by Kiwi's token spans, then filler words and repeats."""
    cut = [
        (t.start - offset, t.start - offset + t.len)
        for t in tokens
        if t.tag == "IC" and t.form in _KO_FILLER_IC
    ]
    if cut:
        pieces: list[str] = []
        last = 0
        for start, end in cut:
            if start < last or start < 0:
                continue
            pieces.append(text[last:start])
            last = end
        pieces.append(text[last:])
        text = "".join(pieces)
    text = _KO_FILLER_WORD.sub("", text)
    text = _EN_FILLER.sub("", text)
    text = _REPEAT.sub(r"\1", text)
    return _tidy(text)


def english_noun(word: str) -> str | None:
    """A lower-cased, singular form of an English word that may name a topic, else None."""
    acronym = bool(_ACRONYM.match(word))
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = w.strip("'-")
    if not w or w in EN_STOP or w in EN_VERB_FORMS:
        return None
    # Adverbs and past participles are not nouns; "speed" and "need"-like words are kept.
    if len(w) > 4 and (w.endswith("ly") or (w.endswith("ed") and not w.endswith("eed"))):
        return None
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif w.endswith("sses") or w.endswith(("ches", "shes", "xes")):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if w in EN_STOP or w in EN_VERB_FORMS or not w.isalpha():
        return None
    if len(w) < 3 and not acronym:
        return None
    return w


def english_nouns(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for word in _EN_WORD.findall(text):
        noun = english_noun(word)
        if noun:
            out.append(noun)
    return tuple(out)


def korean_nouns(tokens: Sequence[Any]) -> tuple[str, ...]:
    """Nouns, with nouns written together merged ("지하" + "주차장" → "지하주차장")."""
    out: list[str] = []
    run: list[Any] = []

    def flush() -> None:
        if not run:
            return
        form = "".join(t.form for t in run)
        if len(run) > 1 or (
            form not in KO_STOP_NOUNS and (len(form) > 1 or form in KO_SHORT_NOUNS)
        ):
            out.append(form)
        run.clear()

    for token in tokens:
        if token.tag in NOUN_TAGS or (token.tag == "XSN" and run):
            if run and token.start != run[-1].start + run[-1].len:
                flush()
            run.append(token)
            continue
        flush()
        if token.tag == "SL":
            noun = english_noun(token.form)
            if noun:
                out.append(noun)
    flush()
    return tuple(out)


# Kiwi slows down sharply on long inputs (measured: 12k characters take 0.06 s in 200-character
# pieces, 1.5 s in 400-character ones), and unpunctuated speech-to-text output can make a whole
# turn one "sentence"; such stretches are cut at a space at most this many characters apart
# (Kiwi still finds the sentence ends inside each piece).
MAX_PIECE = 200


def cut_at_spaces(piece: str, limit: int = MAX_PIECE) -> list[str]:
    """`piece` in order, cut at a space in the second half of every `limit` characters (or at
    `limit` when there is none)."""
    out: list[str] = []
    while len(piece) > limit:
        cut = piece.rfind(" ", limit // 2, limit)
        cut = cut if cut > 0 else limit
        out.append(piece[:cut].strip())
        piece = piece[cut:].strip()
    if piece:
        out.append(piece)
    return out


def split_pieces(text: str) -> list[str]:
    text = _SPACES.sub(" ", text).strip()
    if not text:
        return []
    return [c for p in _BOUNDARY.split(text) if p.strip() for c in cut_at_spaces(p.strip())]


def build(transcript: Transcript) -> tuple[list[Line], list[Sentence]]:
    """Every turn as a cleaned line, and every non-empty cleaned sentence in order."""
    turn_pieces = [split_pieces(turn.text) for turn in transcript.turns]
    korean = [p for pieces in turn_pieces for p in pieces if has_hangul(p)]
    analysed = iter(models.split_korean(korean))

    lines: list[Line] = []
    sentences: list[Sentence] = []
    for turn, pieces in zip(transcript.turns, turn_pieces, strict=True):
        line = Line(turn_id=turn.id, role=turn.role, speaker=turn.speaker, cleaned="")
        texts: list[str] = []
        for piece in pieces:
            if has_hangul(piece):
                for sent in next(analysed):
                    tokens = sent.tokens or []
                    cleaned = clean_korean(sent.text, tokens, sent.start)
                    if not cleaned or _ONLY_PUNCT.match(cleaned):
                        continue
                    texts.append(cleaned)
                    lang = sentence_language(cleaned)
                    sentences.append(
                        Sentence(
                            index=len(sentences),
                            turn_id=turn.id,
                            role=turn.role,
                            text=cleaned,
                            lang=lang,
                            nouns=korean_nouns(tokens),
                            morphs=tuple((t.form, t.tag) for t in tokens),
                        )
                    )
                    line.sentences.append(len(sentences) - 1)
            else:
                cleaned = clean_english(piece)
                if not cleaned or _ONLY_PUNCT.match(cleaned):
                    continue
                texts.append(cleaned)
                sentences.append(
                    Sentence(
                        index=len(sentences),
                        turn_id=turn.id,
                        role=turn.role,
                        text=cleaned,
                        lang="en",
                        nouns=english_nouns(cleaned),
                    )
                )
                line.sentences.append(len(sentences) - 1)
        # A turn made only of fillers ("음...") keeps its text so the script stays complete.
        line.cleaned = " ".join(texts) or _tidy(turn.text)
        lines.append(line)
    return lines, sentences

"""Words as the keyword index stores them: Kiwi morphemes for Korean, Latin words for English.

PostgreSQL parses no Korean, so lines are analysed here and only the lexemes are stored: the
Korean ones under the `simple` configuration (as they are), the Latin ones under `english`
(stemmed by PostgreSQL). A verb or adjective is also stored in its dictionary form, and a noun
or root that a 하다 suffix turns into a predicate as both (불편했어요 → 불편, 불편하다), so that
any inflected form of a query meets any inflected form of a line. The same function analyses
queries, which is what makes the two sides agree.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from persona_insight.analysis.offline import models

_NOUNS = frozenset({"NNG", "NNP", "NR", "XR", "SH", "SN"})
_PREDICATES = frozenset({"VV", "VA"})
_DERIVERS = frozenset({"XSV", "XSA"})
# Predicates in nearly every sentence: as search terms they only add noise.
_LIGHT = frozenset({"하다", "되다", "있다", "없다", "이다", "않다", "같다"})
_LATIN = re.compile(r"[A-Za-z][A-Za-z'’-]*")
# What Kiwi is needed for: Hangul (syllables and jamo) and Chinese characters (Hanja).
_NEEDS_KIWI = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3\u3400-\u9fff]")
# Kiwi's Latin (SL) and number (SN) tokens, as a text without Korean gives them.
_WORD_OR_NUMBER = re.compile(r"[A-Za-z]+|[0-9]+(?:\.[0-9]+)?")


class Span(NamedTuple):
    """Where lexemes came from in a text. A tuple, not a frozen dataclass: indexing builds one
    per word of every line, and a tuple is ~2.4× cheaper to make."""

    start: int
    end: int
    lexemes: tuple[str, ...]


@dataclass(slots=True)
class Analysed:
    """One text's lexemes in order (Korean, Latin) and where each came from in the text."""

    korean: list[str] = field(default_factory=list)
    latin: list[str] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)


def _tag(token: Any) -> str:
    return str(token.tag).split("-")[0]  # "VA-I": an irregular adjective is still an adjective


def _analyse_tokens(tokens: Sequence[Any]) -> Analysed:
    out = Analysed()
    for i, token in enumerate(tokens):
        tag = _tag(token)
        form = str(token.form)
        start, end = int(token.start), int(token.start) + int(token.len)
        found: list[str] = []
        if tag == "SL":
            word = form.lower()
            out.latin.append(word)
            out.spans.append(Span(start, end, (word,)))
            continue
        if tag in _NOUNS:
            found.append(form.lower())
            following = tokens[i + 1] if i + 1 < len(tokens) else None
            if following is not None and _tag(following) in _DERIVERS:
                found.append(form + str(following.form) + "다")
                end = int(following.start) + int(following.len)
        elif tag in _PREDICATES:
            lemma = form + "다"
            if lemma not in _LIGHT:
                found.append(lemma)
        if found:
            out.korean.extend(found)
            out.spans.append(Span(start, end, tuple(found)))
    return out


def analyse(texts: Sequence[str]) -> list[Analysed]:
    """The lexemes of each text (one batched Kiwi call for all of them)."""
    result: list[Analysed] = []
    for sentences in models.split_korean([t if t.strip() else "." for t in texts]):
        tokens = [t for sentence in sentences for t in sentence.tokens]
        result.append(_analyse_tokens(tokens))
    return result


Mark = Sequence[Any]
"""Where a text's lexemes came from, as marking reads it: (start, end, lexeme, …)."""


def marks_for(texts: Sequence[str], stored: Sequence[str | None] | None = None) -> list[list[Mark]]:
    """Each text's marks, for marking matches in lines already found. A line's marks stored
    when it was indexed (`marks_of`) are read back instead of running Kiwi again (Kiwi over a
    search's Korean hits was 17 ms of a 78 ms search on the benchmark's index); a text with no
    Korean in it is read by a regular expression. Kiwi runs only for Korean lines indexed
    before marks were stored. Plain tuples and lists, no `Span` per word: a hit line of a long
    turn runs to 8,000 characters, and building an object per word of it was most of a
    search's marking (up to 11 ms for one query on the benchmark's index). Not for the index,
    which must agree with `analyse` exactly; Kiwi cuts some Latin words oddly ("ex" +
    "ample.com"), the regular expression does not."""
    kept = list(stored) if stored is not None else [None] * len(texts)
    out: list[list[Mark] | None] = []
    for text, marks in zip(texts, kept, strict=True):
        if marks is not None:
            out.append(json.loads(marks))
        elif _NEEDS_KIWI.search(text):
            out.append(None)
        else:
            out.append(
                [(m.start(), m.end(), m.group(0).lower()) for m in _WORD_OR_NUMBER.finditer(text)]
            )
    korean = iter(analyse([t for t, o in zip(texts, out, strict=True) if o is None]))
    return [
        o if o is not None else [(s.start, s.end, *s.lexemes) for s in next(korean).spans]
        for o in out
    ]


def marks_of(text: str, analysed: Analysed) -> str | None:
    """What `marks_for` needs of an indexed line, to store with it: its spans as compact
    JSON for a line Kiwi has to read, None for one the regular expression reads as well."""
    if not _NEEDS_KIWI.search(text):
        return None
    return json.dumps(
        [[span.start, span.end, *span.lexemes] for span in analysed.spans],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def latin_words(text: str) -> list[str]:
    return [m.group(0).lower() for m in _LATIN.finditer(text)]

"""Language of a sentence and of an interview: Korean, English, or a substantial mix of both;
and whether text without Hangul is English at all."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

Lang = Literal["ko", "en"]
InterviewLang = Literal["ko", "en", "mixed"]

_HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Share of the minority language (by answer characters) above which an interview is "mixed".
MIXED_SHARE = 0.2


# Words nearly every stretch of English speech has and other languages written in Latin letters
# rarely do ("is", "was", "in", "a", "so", "we", "die", "me" are words of Dutch, German, French or
# Spanish too, so they are not here). On the real and demo transcripts English answers have
# 29-40 % of their words in this list; a French interview 0 %, a Dutch one 1.6 %.
_ENGLISH_WORD_LIST = """
    the and of to i you it that they this with for have but not what be are just like know
    think there can my at about if or because would really yeah when how which our your been
    were will from some them their more very get one his had has going then than it's i'm
    don't that's
"""
_ENGLISH_WORDS = frozenset(_ENGLISH_WORD_LIST.split())
_LETTER_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
MIN_ENGLISH_SHARE = 0.12
# Below this many words the share says too little to refuse a transcript on.
MIN_WORDS_TO_TELL = 200


def reads_as_english(texts: Iterable[str]) -> bool:
    """Whether text without Hangul is English, or another language (French, Dutch, Japanese…)
    the offline analyser cannot read: its cues, examples and stop words are Korean and English,
    and on other languages it finds nothing and names keywords such as "dat" and "het"."""
    words = [
        w.lower().replace("’", "'")
        for text in texts
        for w in _LETTER_WORD.findall(text)
        if not has_hangul(w)
    ]
    if len(words) < MIN_WORDS_TO_TELL:
        return True
    return sum(w in _ENGLISH_WORDS for w in words) >= MIN_ENGLISH_SHARE * len(words)


def has_hangul(text: str) -> bool:
    return _HANGUL.search(text) is not None


def sentence_language(text: str) -> Lang:
    """Korean when at least a third of the words carry Hangul: Korean speech is full of English
    product words ("Tesla 슈퍼차저는 괜찮아요") without being English."""
    words = _WORD.findall(text)
    if not words:
        return "ko" if has_hangul(text) else "en"
    korean = sum(1 for w in words if has_hangul(w))
    return "ko" if korean * 3 >= len(words) else "en"


def interview_language(sentences: Iterable[tuple[Lang, int]]) -> InterviewLang:
    """From (language, length) of the answer sentences."""
    totals = {"ko": 0, "en": 0}
    for lang, length in sentences:
        totals[lang] += length
    total = totals["ko"] + totals["en"]
    if total == 0:
        return "en"
    minority = min(totals.values()) / total
    if minority >= MIXED_SHARE:
        return "mixed"
    return "ko" if totals["ko"] >= totals["en"] else "en"


def output_language(
    language: InterviewLang,
    answers: Iterable[tuple[Lang, int]],
    questions: Iterable[tuple[Lang, int]] = (),
) -> Lang:
    """The language generated text (questions, assessments) is written in. For a mixed
    interview that is the interviewer's language: the research team reads the analysis, and
    their interviewee may simply be more at ease in another language."""
    if language != "mixed":
        return language
    for sentences in (questions, answers):
        totals = {"ko": 0, "en": 0}
        for lang, length in sentences:
            totals[lang] += length
        if totals["ko"] or totals["en"]:
            return "ko" if totals["ko"] >= totals["en"] else "en"
    return "ko"

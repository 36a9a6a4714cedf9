"""Finding labels: a short complete phrase in the interviewee's own words.

A label is at most MAX_WORDS words, cut only between clauses or words, never inside a word, and
never ends on a word that needs another after it ("…they have needs to have a"). When the
sentence is longer, the clause that carries the pain or need cue is kept (that is what the
finding is about); otherwise the opening clauses that fit.
"""

from __future__ import annotations

import re

from persona_insight.analysis.offline import models

MAX_WORDS = 15
MIN_WORDS = 3
# A cue clause shorter than this is a fragment ("In the worst case") and takes the next clause.
MIN_CLAUSE_WORDS = 6

# Words a phrase cannot end on: articles, prepositions, conjunctions, auxiliaries, fillers.
_EN_DANGLING = frozenset(
    (
        "a",
        "an",
        "the",
        "to",
        "of",
        "for",
        "with",
        "in",
        "on",
        "at",
        "by",
        "from",
        "into",
        "onto",
        "about",
        "as",
        "than",
        "and",
        "or",
        "but",
        "so",
        "because",
        "if",
        "that",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "while",
        "although",
        "though",
        "since",
        "unless",
        "until",
        "like",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "do",
        "does",
        "did",
        "have",
        "has",
        "had",
        "can",
        "could",
        "would",
        "should",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "my",
        "your",
        "his",
        "her",
        "their",
        "our",
        "its",
        "this",
        "these",
        "those",
        "i",
        "we",
        "you",
        "they",
        "he",
        "she",
        "it",
        "me",
        "very",
        "really",
        "just",
        "kind",
        "sort",
        "um",
        "uh",
        "er",
        "okay",
        "ok",
        "yeah",
        "oh",
        "every",
        "each",
        "another",
        "also",
        "then",
        "there",
        "here",
        "what",
        "how",
        "not",
        "no",
        "more",
        "most",
        "some",
        "any",
        "get",
        "got",
        "make",
        "let",
        # A contraction or a verb form that waits for what follows: the sentence was cut
        # there ("I'm still disappointed it's", "we're going"). Not "want": "that's what I
        # want" is whole.
        "it's",
        "that's",
        "there's",
        "here's",
        "what's",
        "i'm",
        "you're",
        "we're",
        "they're",
        "he's",
        "she's",
        "i've",
        "we've",
        "you've",
        "they've",
        "i'd",
        "we'd",
        "you'd",
        "they'd",
        "i'll",
        "we'll",
        "you'll",
        "they'll",
        "don't",
        "doesn't",
        "didn't",
        "can't",
        "won't",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "haven't",
        "hasn't",
        "wouldn't",
        "couldn't",
        "shouldn't",
        "going",
        "gonna",
        "wanna",
        "trying",
        "able",
        "supposed",
    )
)
# Korean words that cannot end a phrase (conjunctions and fillers standing alone), and the
# connective endings after which a Korean clause is complete enough to stop.
_KO_DANGLING = frozenset(
    (
        "그리고",
        "그래서",
        "근데",
        "그런데",
        "그러니까",
        "그러면",
        "또",
        "좀",
        "막",
        "진짜",
        "되게",
        "너무",
        "약간",
        "이제",
        "그냥",
        "그",
        "이",
        "저",
        "뭐",
        "왜냐하면",
    )
)
_KO_CLAUSE_END = re.compile(
    r"(?:고|는데|은데|인데|서|지만|니까|면서|거나|어요|아요|해요|죠|다)[,.]?$"
)
_CLAUSE = re.compile(r"\s*(?:[,;:—–]|\s-\s|\.\.\.|…)\s*")
_EN_JOINERS = re.compile(
    r"\s+(?=(?:because|but|although|though|so that|which|whereas|while|and then|and so)\b)",
    re.IGNORECASE,
)
# A phrase abandoned after its first word: written English never puts a comma right after an
# article or a possessive ("have a, an answer", "just the, like the triggers").
_ABANDONED = re.compile(r"\b(?:the|a|an|my|our|your|their|its),\s+", re.IGNORECASE)
# One to three words said again ("I don't, I don't use", "of the, of the system"). The script
# only loses a single word said twice (`sentences.clean_english`): a phrase may be meant twice.
_REPEATED = re.compile(
    r"\b(\w+(?:['’]\w+)?(?:\s+\w+(?:['’]\w+)?){0,2})(?:[\s,]+\1\b)+", re.IGNORECASE
)
_TRAILING_PUNCT = re.compile(r"[\s,;:—–\-…]+$")
_SENTENCE_END = re.compile(r"[.!?。！？]+$")


def fluent(text: str) -> str:
    """English speech as a reader wants it quoted in a label: restarts and repeated phrases
    out. Only for what is shown; the script keeps the words as said (`sentences.clean_english`
    takes out only fillers and a word said twice), and so do the scores computed on them."""
    return _REPEATED.sub(r"\1", _ABANDONED.sub("", text))


def _words(text: str) -> list[str]:
    return text.split()


def _dangling(word: str, lang: str) -> bool:
    bare = word.replace("’", "'").strip(".,;:!?\"'()[]…").lower()
    if not bare:
        return True
    if lang == "ko":
        return bare in _KO_DANGLING
    return bare in _EN_DANGLING


def _trim(words: list[str], lang: str) -> list[str]:
    """Drops trailing words the phrase cannot end on (keeping at least MIN_WORDS if it can)."""
    out = list(words)
    while len(out) > MIN_WORDS and _dangling(out[-1], lang):
        out.pop()
    return out


def _clauses(text: str) -> list[str]:
    parts: list[str] = []
    for piece in _CLAUSE.split(text):
        parts.extend(p for p in _EN_JOINERS.split(piece) if p.strip())
    return [p.strip() for p in parts if p.strip()]


def _finish(text: str) -> str:
    text = _TRAILING_PUNCT.sub("", text.strip())
    text = _SENTENCE_END.sub("", text)
    if text and text[0].isalpha() and text[0].islower():
        text = text[0].upper() + text[1:]
    return text


def short_label(text: str, lang: str, cue: re.Pattern[str] | None = None) -> str:
    """The label of a finding whose evidence says `text` (already stripped of lead fillers)."""
    words = _words(text)
    if len(words) <= MAX_WORDS:
        # Even a short sentence may have been cut by the source layout ("I don't want to have a").
        return _finish(" ".join(_trim(words, lang)))
    clauses = _clauses(text)
    chosen: list[str] = []
    if cue is not None:
        # The clause with the cue, widened with its neighbours while they fit.
        hits = [k for k, c in enumerate(clauses) if cue.search(c)]
        if hits:
            start = end = hits[0]
            size = len(_words(clauses[start]))
            while True:
                grown = False
                for k in (start - 1, end + 1):
                    if 0 <= k < len(clauses) and size + len(_words(clauses[k])) <= MAX_WORDS:
                        size += len(_words(clauses[k]))
                        start, end = min(start, k), max(end, k)
                        grown = True
                        break
                if not grown:
                    break
            chosen = clauses[start : end + 1]
            if size < MIN_CLAUSE_WORDS and end + 1 < len(clauses):
                # "In the worst case" says nothing alone: it runs on into the next clause.
                chosen = clauses[start : end + 2]
    if not chosen:
        size = 0
        for clause in clauses:
            n = len(_words(clause))
            if chosen and size + n > MAX_WORDS:
                break
            chosen.append(clause)
            size += n
    joined = ", ".join(chosen) if lang != "ko" else " ".join(chosen)
    kept = _words(joined)[:MAX_WORDS]
    if lang == "ko" and len(_words(joined)) > MAX_WORDS:
        # Stop after the last complete clause inside the limit, when there is one.
        ends = [k for k, w in enumerate(kept) if k >= MIN_WORDS - 1 and _KO_CLAUSE_END.search(w)]
        if ends:
            kept = kept[: ends[-1] + 1]
    return _finish(" ".join(_trim(kept, lang)))


# A verb of some kind: an auxiliary, a negation, a past form or a common lexical verb. Enough to
# tell "the plots take forever" from "in this particular instance itself".
EN_VERB = re.compile(
    r"\b(?:is|are|was|were|be|been|am|has|have|had|do|does|did|can|could|will|would|should|"
    r"may|might|must|take|takes|took|get|gets|got|keep|keeps|kept|go|goes|went|make|makes|made|"
    r"break|breaks|broke|crash(?:es|ed)?|fail(?:s|ed)?|loads?|loaded|show|shows|work|works|"
    r"need|needs|want|wants|wish|like|love|hate|know|think|feel|see|use|find|try|tried|"
    r"\w+n't|\w+n’t|\w+'(?:s|re|ve|d|ll|m)|\w+’(?:s|re|ve|d|ll|m)|\w{3,}ed)\b",
    re.IGNORECASE,
)
# Korean parts of speech a statement cannot end on: a noun, a particle, a modifier ending
# ("웹디버그 할 때", "…하는"): the sentence stopped before its predicate.
_KO_FRAGMENT_END = ("NN", "NP", "NR", "J", "ETM", "MM", "XPN")
_KO_WHETHER = frozenset({"ᆫ지", "는지", "은지", "을지", "ᆯ지", "던지"})


def is_statement(label: str, lang: str) -> bool:
    """Whether a label says something: a clause with a verb (English) or one that does not stop
    before its predicate (Korean). A finding labelled "In this instance, in this particular
    instance itself" or "웹디버그 할 때" tells a reader nothing."""
    if lang == "ko":
        tokens = [t for t in models.tokenize_korean(label) if not t.tag.startswith("S")]
        if not tokens or tokens[-1].tag.startswith(_KO_FRAGMENT_END):
            return False
        # "콜리움의 오류인지", "왜 안 되는지": whether something is so, asked, not said.
        return tokens[-1].form not in _KO_WHETHER
    return len(_words(label)) >= MIN_WORDS and bool(EN_VERB.search(label))

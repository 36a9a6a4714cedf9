"""Long texts as overlapping sentence windows, each embedded on its own.

e5 pools every token of a text into one vector; a 5,000-character monologue about ten things
ends up near every query and near none of its ten things. Such a text is embedded as windows
of a few sentences instead (each sharing its first sentence with the previous window, so no
thought is cut in two), and whatever searches by meaning scores the text by its best window.
Short texts — nearly every interview turn — stay one vector.

Sentences are cut at terminal punctuation; a stretch without any (unpunctuated speech) is cut
at spaces. No morphological analyser runs here: this is on the indexing path of every line.
"""

from __future__ import annotations

import re

from persona_insight.analysis.offline.sentences import cut_at_spaces

# Texts up to this length keep their single vector (measured on the demo transcripts: 95 % of
# interviewee turns are shorter; e5-small handles a few sentences well).
LONG = 400
# A window holds sentences up to about this many characters (≈ 80–200 e5 tokens).
WINDOW = 280

_BOUNDARY = re.compile(r"(?<=[.!?…。！？])[\"'”’)\]]*\s+")
_SPACE = re.compile(r"\s+")


def _pieces(text: str) -> list[str]:
    """Sentences, with any longer than a window cut at spaces into window-sized pieces."""
    out: list[str] = []
    for sentence in _BOUNDARY.split(text):
        out += cut_at_spaces(sentence.strip(), WINDOW)
    return out


def windows(text: str) -> list[str]:
    """The windows of a long text, in order; [] for a text short enough to embed whole."""
    # Measured as stored: search reads a row's length to tell a whole long text from a short.
    if len(text) <= LONG:
        return []
    text = _SPACE.sub(" ", text).strip()
    pieces = _pieces(text)
    out: list[str] = []
    start = 0
    while start < len(pieces):
        end, size = start, 0
        while end < len(pieces) and (end == start or size + len(pieces[end]) <= WINDOW):
            size += len(pieces[end]) + 1
            end += 1
        out.append(" ".join(pieces[start:end]))
        if end >= len(pieces):
            break
        # The next window begins with this one's last sentence, unless that is all it held.
        start = end - 1 if end - 1 > start else end
    return out


def window_ref(line_ref: str, n: int) -> str:
    """`<line>.<n>`: the n-th window of the row whose ref is `line_ref`."""
    return f"{line_ref}.{n}"


def line_ref(ref: str) -> str:
    """The ref of the text a row belongs to: the row's own, or its window's line."""
    return ref.split(".", 1)[0]

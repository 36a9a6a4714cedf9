"""The one normalisation every extracted or pasted transcript goes through."""

from __future__ import annotations

import re
import unicodedata

# Vertical tab, form feed (pypdf's page breaks), NEL and the Unicode line/paragraph separators
# are line breaks in all but name; turning them into "\n" keeps the words on either side apart.
_BREAKS = re.compile("[\x0b\x0c\x85\u2028\u2029]")
# C0/C1 controls except \t and \n, and the invisible format characters that sneak in through
# copy-paste and word processors: soft hyphen, zero-width space/joiners, bidi marks and
# embeddings, word joiner, BOM, interlinear annotation marks and the two noncharacters.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\ufffe\uffff]"
)
_SURROGATE = re.compile("[\ud800-\udfff]")
# Any of the three above: one scan tells whether the three are needed. Each scan of a 20 KB
# upload costs ~0.15 ms, and almost no upload contains any of them.
_SUSPECT = re.compile(
    "[" + "".join(p.pattern[1:-1] for p in (_BREAKS, _INVISIBLE, _SURROGATE)) + "]"
)
_BLANK_RUN = re.compile(r"\n{3,}")


def normalize(text: str) -> str:
    """NFC, no invisible/control characters, "\\n" line ends, no trailing spaces, at most one
    blank line in a row, no leading or trailing blank space."""
    # Plain `in` tests and one scan first: on a 20 KB upload they cost microseconds, each regex
    # a tenth of a millisecond or more, and this runs on every upload.
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _SUSPECT.search(text):
        text = _BREAKS.sub("\n", text)
        text = _INVISIBLE.sub("", text)
        if _SURROGATE.search(text):
            # RTF \uN escapes can spell UTF-16 surrogate halves: join the pairs, replace the
            # strays, so the text can always be encoded as UTF-8 later.
            text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    text = unicodedata.normalize("NFC", text)
    # Per line rather than with a regex: `[ \t]+$` backtracks quadratically on long space runs.
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    if "\n\n\n" in text:
        text = _BLANK_RUN.sub("\n\n", text)
    return text.strip()

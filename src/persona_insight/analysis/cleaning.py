"""What is not speech in a transcript line: timestamps, line numbers, stage directions, redactions.

Transcripts come out of recorders, subtitle tools and PDFs with their machinery mixed into the
words: `[00:04:12]`, a line-number column, `<laughs>`, `[crosstalk]`, `(웃음)`, `XXXX`, markdown
headings, page headers repeated on every page. Each is taken out of the spoken text and counted
(the counts go into the analysis as metadata); a timestamp is kept as the line's `start_ms`.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass

# 1:02, 01:02:03, 00:01:02.500, 00:01:02,500 (SubRip), 0:0:3.890 (Teams)
TS = r"\d{1,2}:\d{1,2}(?::\d{2})?(?:[.,]\d{1,3})?"
TS_RANGE = rf"{TS}(?:\s*(?:-->|–|—|-|~)\s*{TS})?"
# A timestamp as transcripts write it: bare, bracketed, in parentheses, or between f4's hashes.
STAMP = (
    rf"(?:\[\s*{TS_RANGE}\s*\]|\(\s*{TS_RANGE}\s*\)|\{{\s*{TS_RANGE}\s*\}}"
    rf"|#{TS_RANGE}(?:-\d)?#|{TS_RANGE})"
)
_TS_PARTS = re.compile(r"(\d{1,2}):(\d{1,2})(?::(\d{2}))?(?:[.,](\d{1,3}))?")
_LEADING_STAMP = re.compile(rf"^\s*{STAMP}\s*(?:[-–|:]\s+)?")
_TRAILING_STAMP = re.compile(rf"\s*(?:[-–|]\s*)?{STAMP}\s*$")
_INNER_STAMP = re.compile(rf"(?:\[\s*{TS_RANGE}\s*\]|\(\s*{TS_RANGE}\s*\)|#{TS_RANGE}(?:-\d)?#)")
# Bare timestamps inside the text: with seconds (speech says "at 9:30", not "at 09:30:12") or a
# cue arrow. A time of day without seconds stays: it is more often said than stamped.
_BARE_STAMP = re.compile(
    r"(?<![\w:.])\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,3})?(?:\s*-->\s*\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)?"
    r"(?![\w:])|\s-->\s"
)
# …alone on a line, also in Markdown emphasis (`**[17:49]**`, a podcast's section stamp), or a
# range of them (`[01:33] to [03:00]`, as a podcast marks an ad break).
_ONLY_STAMPS = re.compile(
    rf"^(?:\s*(?:[*_]{{1,2}})?{STAMP}(?:[*_]{{1,2}})?\s*(?:[-–—~|]|to\b|until\b)?)+\s*$"
)

_DIRECTION_WORDS = (
    r"laugh\w*|chuckl\w*|giggl\w*|crosstalk|cross-talk|cross talk|inaudible|unintelligible|"
    r"indiscernible|incomprehensible|unclear|pause\w*|silence|long pause|music|applause|"
    r"cough\w*|sigh\w*|sneez\w*|overlapping\w*|overtalk|background noise|noise|phone rings?|"
    r"interruption|interrupted|break|end of (?:recording|interview|tape)|recording (?:ends|stops)|"
    r"audio (?:cuts out|drops)|technical difficulties|off[- ]record|off mic|"
    r"웃음|웃으며|웃음소리|침묵|박수|한숨|잡음|소음|기침|청취\s*불가|불분명|알아들을 수 없음|"
    r"중략|녹음 중단|녹음 종료|동시 발화|말 겹침|음악"
)
_REDACTION_WORDS = (
    r"redacted|name redacted|name|company|company name|organi[sz]ation|location|place|"
    r"personal information|removed|anonymi[sz]ed|deleted|participant name|client|city|"
    r"이름|회사명|회사|지명|장소|개인정보|삭제|비공개"
)
# Bracketed, parenthesised, angled or starred stage directions: `[laughs]`, `(웃음)`, `<sigh>`,
# `*laughs*`, `[inaudible 00:12:03]`. The word must open the bracket, so `(I laughed)` stays.
_DIRECTION = re.compile(
    rf"[\[(<*]\s*(?:{_DIRECTION_WORDS})\b[^\[\]()<>*\n]{{0,40}}[\])>*]", re.IGNORECASE
)
_REDACTION = re.compile(
    rf"\[\s*(?:{_REDACTION_WORDS})\s*\]|\b[Xx]{{3,}}\b|█+|\*{{4,}}|\[\s*[Xx*]+\s*\]",
    re.IGNORECASE,
)
# CommonMark's backslash escapes: any ASCII punctuation. Markdown exports write a section's
# stamp as `\[17:49\]` and a direction as `\*laughs\*`; read as written, neither is recognised.
_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_BULLETS = "○●◦•·▪■□◆◇▶►▷"
_BULLET = re.compile(rf"^\s*[{_BULLETS}]\s*")
_HEADING = re.compile(r"^\s*#{1,6}\s+\S")
_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,}|={3,})\s*$")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_SPACES = re.compile(r"[ \t]+")
_LINE_NUMBER = re.compile(r"^\s*(\d{1,4})(?:\s+|$)")
# Longest line in which a glued run of line numbers is looked for.
MAX_GLUED_LINE = 400
_NUMBERS_ONLY = re.compile(r"^\s*\d{1,4}(?:\s+\d{1,4})*\s*$")
_LEADING_RUN = re.compile(r"^\s*(?P<run>\d{1,4}(?:\s+\d{1,4}){2,})\s+(?=\D)")
_TRAILING_RUN = re.compile(r"(?<=\D)\s+(?P<run>\d{1,4}(?:\s+\d{1,4}){2,})\s*$")
_PAGE_MARK = re.compile(
    r"^\s*(?:(?:page|p\.|pg\.?|페이지|쪽)\s*\d+(?:\s*(?:of|/)\s*\d+)?|\d+\s*(?:/|of)\s*\d+|"
    r"[-–—]\s*\d+\s*[-–—]|\d+\s*(?:쪽|페이지))\s*$",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")


def to_ms(stamp: str) -> int | None:
    """Milliseconds of the first timestamp in `stamp`: `1:02` is m:ss, `1:02:03` is h:mm:ss."""
    m = _TS_PARTS.search(stamp)
    if m is None:
        return None
    a, b, c, frac = m.groups()
    if c is None:
        hours, minutes, seconds = 0, int(a), int(b)
    else:
        hours, minutes, seconds = int(a), int(b), int(c)
    if minutes > 59 or seconds > 59:
        return None
    ms = int((frac or "0").ljust(3, "0")[:3])
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + ms


def stamp_range(stamp: str) -> tuple[int | None, int | None]:
    """(start, end) of a timestamp or `start --> end` range, in milliseconds."""
    found = [m.group(0) for m in _TS_PARTS.finditer(stamp)]
    start = to_ms(found[0]) if found else None
    end = to_ms(found[1]) if len(found) > 1 else None
    return start, end


@dataclass(slots=True)
class Cleaned:
    text: str
    start_ms: int | None = None
    end_ms: int | None = None


class Tally:
    """Counts of what was taken out, by kind (the analysis' `transcript_cleaning`)."""

    __slots__ = ("counts",)

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def add(self, kind: str, n: int = 1) -> None:
        if n:
            self.counts[kind] += n

    def as_dict(self) -> dict[str, int]:
        return {k: self.counts[k] for k in sorted(self.counts)}


def leading_stamp(line: str) -> tuple[str, int | None, int | None]:
    """The line without its leading timestamp, and the timestamp's start and end."""
    m = _LEADING_STAMP.match(line)
    if m is None or _DIGITS.fullmatch(m.group(0).strip()):
        return line, None, None
    start, end = stamp_range(m.group(0))
    return line[m.end() :], start, end


def is_only_stamps(line: str) -> bool:
    return bool(_ONLY_STAMPS.match(line))


def speech(text: str, tally: Tally) -> Cleaned:
    """The spoken words of one line or turn body: stamps, directions and redactions removed."""
    text, start, end = leading_stamp(text)
    if start is not None:
        tally.add("timestamps")
    trailing = _TRAILING_STAMP.search(text)
    if trailing and trailing.start() > 0:
        if start is None:
            start, end = stamp_range(trailing.group(0))
        text = text[: trailing.start()]
        tally.add("timestamps")
    text, n = _DIRECTION.subn(" ", text)
    tally.add("stage_directions", n)
    text, n = _INNER_STAMP.subn(" ", text)
    tally.add("timestamps", n)
    text, n = _BARE_STAMP.subn(" ", text)
    tally.add("timestamps", n)
    text, n = _REDACTION.subn(" ", text)
    tally.add("redactions", n)
    text = _EMPHASIS.sub(r"\2", text)
    text = _SPACES.sub(" ", text).strip()
    text = re.sub(r"\s+([,.!?])", r"\1", text)
    return Cleaned(text.strip(" -–—|"), start, end)


def unescape_markdown(line: str) -> str:
    """The line with Markdown's backslash escapes read (`\\[` is `[`). Speech never writes a
    backslash before punctuation, so this holds for every format, not only `.md`."""
    return _MARKDOWN_ESCAPE.sub(r"\1", line) if "\\" in line else line


# Markdown's blockquote marks (`> `, nested `> > `): a transcript quotes material with them,
# as a study shows a participant what others said; no one speaks the marks.
_BLOCKQUOTE = re.compile(r"^\s*(?:>[ \t]?)+")
# A whole line in single emphasis inside a quote (`_Source(s): Jackie-1, Naomi-1_`): an
# editor's note on the quoted material.
_QUOTE_NOTE = re.compile(r"^\s*(?:_[^_\n]+_|\*[^*\n]+\*)\s*$")


def unquote(line: str) -> tuple[str, bool]:
    """The line without blockquote marks, and whether it had any."""
    m = _BLOCKQUOTE.match(line)
    return (line, False) if m is None else (line[m.end() :], True)


def is_quote_note(line: str) -> bool:
    return bool(_QUOTE_NOTE.match(line))


def unbullet(line: str) -> str:
    """The line without a list bullet in front (`○ 진행자: …`, `• Jane: …`, as Korean minutes and
    Word documents write turns): no one says the bullet, and it is not part of a name."""
    return _BULLET.sub("", line, count=1)


def is_direction(text: str) -> bool:
    """Whether `text` is one stage direction and nothing else (`(박수)`, `[laughter]`)."""
    m = _DIRECTION.fullmatch(text.strip())
    return m is not None


# A speaker's name as a Markdown heading (`### Interviewer`, then the turn's text below it, as
# Word or Teams exports converted to Markdown have it): short, no sentence punctuation.
_HEADING_TEXT = re.compile(r"^\s*#{1,6}\s+(?P<text>[^#\n]*?)\s*#*\s*$")
_NAME_HEADING = re.compile(r"^[^\W\d][\w .'’&/-]{0,39}$")
# Front matter keys are lower case (`title`, `layout`, `date`); speakers' names are not.
_YAML_LINE = re.compile(r"^(?:[a-z_][a-z0-9_.-]*\s*:(?:\s.*)?|\s+\S.*|-\s.*|#.*)$")
MAX_FRONT_MATTER = 40


def front_matter(lines: list[str], tally: Tally) -> list[str]:
    """The lines without a YAML front matter block at the top (`---`, `key: value` lines,
    `---`), which site generators put above a page: its keys are no speakers."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or lines[first].strip() != "---":
        return lines
    for end in range(first + 1, min(len(lines), first + 1 + MAX_FRONT_MATTER)):
        if lines[end].strip() in ("---", "..."):
            inner = [line for line in lines[first + 1 : end] if line.strip()]
            if not inner or not all(_YAML_LINE.match(line) for line in inner):
                return lines
            tally.add("metadata", len(inner))
            return [""] * (end + 1) + lines[end + 1 :]
    return lines


def speaker_headings(lines: list[str]) -> list[str]:
    """Headings that name who speaks next written as `Name:` label lines. They count as names
    only when at least two of them each head two turns or more, as speakers recur; a heading
    that does not recur (`# Transcript`) stays a heading."""
    names: dict[int, str] = {}
    for index, line in enumerate(lines):
        m = _HEADING_TEXT.match(line)
        if m and _NAME_HEADING.match(m.group("text")) and len(m.group("text").split()) <= 5:
            names[index] = m.group("text")
    counts = Counter(name.lower() for name in names.values())
    recurring = {name for name, n in counts.items() if n >= 2}
    if len(recurring) < 2:
        return lines
    out = list(lines)
    for index, name in names.items():
        if name.lower() in recurring:
            out[index] = f"{name}:"
    return out


def is_heading(line: str) -> bool:
    return bool(_HEADING.match(line) or _RULE.match(line))


def is_page_mark(line: str) -> bool:
    return bool(_PAGE_MARK.match(line))


def strip_line_numbers(lines: list[str], tally: Tally) -> list[str]:
    """Remove a line-number column (PDF transcripts number every line, often per page).

    Only when most non-blank lines start with a number and those numbers mostly count up by one
    (restarting at a page), so that an answer starting with "20 years ago" is left alone.
    """
    numbered: list[tuple[int, int]] = []
    content = 0
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        content += 1
        m = _LINE_NUMBER.match(line)
        if m and not _ts_start(line):
            numbered.append((index, int(m.group(1))))
    if content < 4 or len(numbered) < 0.5 * content:
        return lines
    steps = sum(1 for (_, a), (_, b) in itertools.pairwise(numbered) if b == a + 1 or b <= 1)
    if steps < 0.7 * (len(numbered) - 1):
        return lines
    out = list(lines)
    for index, _ in numbered:
        out[index] = _LINE_NUMBER.sub("", out[index], count=1)
    tally.add("line_numbers", len(numbered))
    return out


def number_columns(lines: list[str], tally: Tally) -> list[str]:
    """Remove a line-number column wherever the PDF's text layer put it, whatever its share of
    the document: a block of lines holding nothing but numbers that count up by one (pypdf
    emits a page's column after its text, as one number a line or several to a line), and a
    run of three or more counting numbers glued before or after a line's text at a page break.
    Once a document has such a block, a lone number on a line is one of its stragglers."""
    out = list(lines)
    numbers: dict[int, list[int]] = {}
    for index, line in enumerate(lines):
        if _NUMBERS_ONLY.match(line):
            numbers[index] = [int(n) for n in line.split()]
    found = False
    index = 0
    while index < len(lines):
        if index not in numbers:
            index += 1
            continue
        block = [index]
        scan = index + 1
        while scan < len(lines) and (scan in numbers or not lines[scan].strip()):
            if scan in numbers:
                block.append(scan)
            scan += 1
        values = [n for i in block for n in numbers[i]]
        if len(values) >= 3 and _counting(values):
            found = True
            for i in block:
                out[i] = ""
            tally.add("line_numbers", len(values))
        index = scan
    for index, line in enumerate(out):
        if not line.strip():
            continue
        if found and index in numbers and len(numbers[index]) == 1:
            out[index] = ""
            tally.add("line_numbers")
            continue
        if len(line) > MAX_GLUED_LINE:
            continue  # a PDF line is short; a long run of digits is data, and costly to scan
        for pattern in (_LEADING_RUN, _TRAILING_RUN):
            m = pattern.search(out[index])
            if m and _counting([int(n) for n in m.group("run").split()]):
                out[index] = out[index][: m.start()] + out[index][m.end() :]
                tally.add("line_numbers", len(m.group("run").split()))
    return out


def _counting(values: list[int]) -> bool:
    """Whether most steps between the numbers are +1 (a column, possibly with a gap or two)."""
    steps = sum(1 for a, b in itertools.pairwise(values) if b == a + 1)
    return steps >= 2 and steps >= 0.8 * (len(values) - 1)


def _ts_start(line: str) -> bool:
    return bool(re.match(rf"^\s*{TS}", line))


def page_furniture(lines: list[str], tally: Tally) -> list[str]:
    """Drop page numbers and running headers/footers: short lines that recur, digits aside,
    on three or more pages' worth of the document. Short replies ("Yeah.", "네") recur too, so a
    recurring line counts as furniture only when it carries a digit or a page word, or recurs
    at near-regular intervals with no sentence punctuation."""
    keys: dict[int, str] = {}
    counts: Counter[str] = Counter()
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or len(stripped) > 100 or ":" in stripped:
            continue  # furniture has no speaker label (and page marks no colon)
        key = _DIGITS.sub("#", stripped.lower())
        keys[index] = key
        counts[key] += 1
    out: list[str] = []
    for index, line in enumerate(lines):
        seen = keys.get(index)
        if seen is not None and (is_page_mark(line) or _furniture(seen, counts[seen], line)):
            tally.add("page_furniture")
            continue
        out.append(line)
    return out


def _furniture(key: str, count: int, line: str) -> bool:
    if count < 3:
        return False
    stripped = line.strip()
    if re.search(r"[:：?？]", stripped) or len(stripped.split()) < 2:
        return False  # a speaker's turn or label, a question, or a one-word reply
    if "#" in key:
        return True  # "Interview 3 — page 2", "Transcript 2019-05-04"
    return not re.search(r"[.?!,。？]", stripped) and len(stripped.split()) >= 3


def drop_repeats(lines: list[str], tally: Tally, window: int = 8) -> list[str]:
    """Drop lines printed twice where PDF pages overlap: a long line that repeats the line just
    before it, or a run of two or more lines that repeats a run among the few before it. A
    single line said twice further apart is speech, and stays."""
    content = [i for i, line in enumerate(lines) if line.strip()]
    text = [lines[i].strip() for i in content]
    drop: set[int] = set()
    k = 0
    while k < len(text):
        if len(text[k]) >= 25 and k and text[k] == text[k - 1]:
            drop.add(content[k])
            k += 1
            continue
        run = _repeated_run(text, k, window)
        if run >= 2:
            drop.update(content[k : k + run])
            k += run
            continue
        k += 1
    tally.add("repeated_lines", len(drop))
    return [line for i, line in enumerate(lines) if i not in drop]


def _repeated_run(text: list[str], k: int, window: int) -> int:
    """Length of the longest run starting at k that equals a run starting in the window."""
    best = 0
    for j in range(max(0, k - window), k):
        n = 0
        while k + n < len(text) and j + n < k and text[j + n] == text[k + n]:
            n += 1
        if n >= 2 and sum(len(t) for t in text[k : k + n]) >= 40:
            best = max(best, n)
    return best

"""A date written in a transcript's opening lines ("2024년 5월 14일", "2024-05-14", "May 14, 2024").

Shared by the offline engine's session info and the interview's own date (interviews.titles),
so both read the same date from the same header.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from itertools import islice

_DATE_ISO = re.compile(r"\b(20\d{2})[-./]\s?(\d{1,2})[-./]\s?(\d{1,2})\b")
_DATE_KO = re.compile(r"(20\d{2})\s?년\s?(\d{1,2})\s?월\s?(\d{1,2})\s?일")
_MONTH_NAMES = (
    "january february march april may june july august september october november december"
)
_MONTHS = {m: i + 1 for i, m in enumerate(_MONTH_NAMES.split())}
_DATE_EN = re.compile(
    r"\b(?:(?P<m1>[A-Z][a-z]+)\s+(?P<d1>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y1>20\d{2})"
    r"|(?P<d2>\d{1,2})(?:st|nd|rd|th)?\s+(?P<m2>[A-Z][a-z]+),?\s+(?P<y2>20\d{2}))\b"
)
# Only the opening lines: a date later on is something the interviewee talks about.
HEADER_LINES = 20


def _date_in(text: str) -> dt.date | None:
    for pattern in (_DATE_KO, _DATE_ISO):
        for m in pattern.finditer(text):
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
    for m in _DATE_EN.finditer(text):
        month = _MONTHS.get((m.group("m1") or m.group("m2") or "").lower())
        if not month:
            continue
        try:
            return dt.date(
                int(m.group("y1") or m.group("y2")), month, int(m.group("d1") or m.group("d2"))
            )
        except ValueError:
            continue
    return None


def date_in_lines(lines: Iterable[str]) -> dt.date | None:
    """The first valid date in the first `HEADER_LINES` non-empty lines."""
    texts = (line[:2000] for line in lines if line.strip())
    for text in islice(texts, HEADER_LINES):
        found = _date_in(text)
        if found is not None:
            return found
    return None

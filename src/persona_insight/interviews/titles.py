"""A readable title ("participant · topic") and the interview's date, where none was given.

File stems (`ko_travel_booking`) and first lines of pasted text are placeholders until the
analysis names the participant and the topic; a title the user typed is never replaced. The
date is the one the user gave, else one written in the transcript's header, else the
document's own metadata date, else the file's last-modified time, else the upload date.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import PurePath
from typing import Literal

from persona_insight.analysis.contract import InterviewAnalysis
from persona_insight.analysis.dates import date_in_lines
from persona_insight.analysis.transcript import ANSWER_LABELS, QUESTION_LABELS, speaker_key

TitleSource = Literal["user", "file", "text", "derived"]
DateSource = Literal["user", "transcript", "document", "file", "upload"]

SEPARATOR = " · "
_PARTICIPANT_CHARS = 40
_TOPIC_CHARS = 80
# The header is at the top; no need to split a long transcript whole to find it.
_HEADER_CHARS = 20_000
_GENERIC_SPEAKER = re.compile(r"(?:speaker|화자|발화자)\s*\w?", re.IGNORECASE)


def _shorten(text: str, limit: int) -> str:
    text = re.sub(r"\s+", " ", text).strip(" .,;:·-")
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" .,;:·-") + "…"


def _is_generic(label: str) -> bool:
    """A role word ("참여자", "Respondent", "A"), not someone's name or participant code."""
    key = speaker_key(label)
    return key in ANSWER_LABELS or key in QUESTION_LABELS or bool(_GENERIC_SPEAKER.fullmatch(key))


def participant(analysis: InterviewAnalysis) -> str | None:
    """The interviewee as the transcript names them, else as their profile describes them."""
    named = [
        name
        for name, role in analysis.roles.items()
        if role == "answer" and name.strip() and not _is_generic(name)
    ]
    if named:
        return _shorten(", ".join(named[:2]), _PARTICIPANT_CHARS)
    demographics = analysis.interviewee_profile.demographics
    for value in (demographics.occupation_context, demographics.age_group):
        if value and value.strip():
            return _shorten(value, _PARTICIPANT_CHARS)
    return None


def _loose(text: str) -> str:
    return re.sub(r"[\s_\-.]+", " ", text).strip().lower()


def topic(analysis: InterviewAnalysis, placeholders: list[str]) -> str | None:
    """The session topic, unless it only echoes a placeholder title (engines are given the
    title, and the offline engine takes its topic from it); then the leading keywords."""
    stated = analysis.session_info.interview_topic.strip()
    echoes = {_loose(p) for p in placeholders if p} | {
        _loose(PurePath(p).stem) for p in placeholders if p
    }
    if stated and _loose(stated) not in echoes:
        return _shorten(stated, _TOPIC_CHARS)
    terms = [k.term.strip() for k in analysis.keywords if k.term.strip()][:3]
    return _shorten(", ".join(terms), _TOPIC_CHARS) if terms else None


def derive_title(analysis: InterviewAnalysis, placeholders: list[str]) -> str | None:
    """ "participant · topic" (either alone when the other is unknown); None when neither is.

    `placeholders` are the titles the interview has had that are not the user's (its current
    title, its file name): a topic that only repeats one of them says nothing."""
    parts = [p for p in (participant(analysis), topic(analysis, placeholders)) if p]
    if not parts:
        return None
    title = SEPARATOR.join(parts)[:300]
    # A profile reads mid-sentence ("freelance graphic designer"); a title starts a line.
    return title[0].upper() + title[1:]


def choose_date(
    *,
    given: dt.date | None,
    text: str,
    document: dt.date | None,
    file_modified: dt.date | None,
    today: dt.date,
) -> tuple[dt.date, DateSource]:
    """The interview's date and where it came from. A date after today is a typo or a plan,
    not when the interview happened, and is passed over."""
    if given is not None:
        return given, "user"
    candidates: list[tuple[dt.date | None, DateSource]] = [
        (date_in_lines(text[:_HEADER_CHARS].splitlines()), "transcript"),
        (document, "document"),
        (file_modified, "file"),
    ]
    for value, source in candidates:
        if value is not None and value <= today:
            return value, source
    return today, "upload"

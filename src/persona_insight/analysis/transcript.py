"""A transcript split into numbered speaker turns: the line ids every engine's evidence refers to.

Every engine sees the same numbering, so evidence from any engine can be checked against the
same lines. A turn starts at a speaker label (`Q:`, `Interviewer:`, `면접관:`, `김민지:`, a
WebVTT voice rendered as `Name: …` by ingestion) and runs until the next label; unlabelled
transcripts fall back to one turn per paragraph line.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Literal

Role = Literal["question", "answer"]

QUESTION_LABELS = {
    "q",
    "question",
    "interviewer",
    "moderator",
    "researcher",
    "host",
    "facilitator",
    "ux",
    "면접관",
    "질문",
    "인터뷰어",
    "진행자",
    "사회자",
    "연구자",
    "조사자",
    "질문자",
    "모더레이터",
}
ANSWER_LABELS = {
    "a",
    "answer",
    "participant",
    "interviewee",
    "respondent",
    "user",
    "customer",
    "guest",
    "참여자",
    "답변",
    "응답자",
    "고객",
    "사용자",
    "인터뷰이",
    "피면접자",
    "참가자",
    "답변자",
}

_TIMESTAMP = r"(?:\[?\(?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?\)?\]?)"
# A label is short, has no sentence punctuation, and ends in a colon (ASCII or full-width).
_LABEL = re.compile(
    rf"^\s*(?:{_TIMESTAMP}\s*)?(?:[-*•]\s*)?"
    r"(?P<label>[^\s:：?!.。,][^:：?!.。\n]{0,30}?)\s*(?:\((?P<note>[^)]{0,40})\))?\s*[:：]\s*"
    rf"(?:{_TIMESTAMP}\s*)?(?P<text>.*)$"
)
_LEADING_TS = re.compile(rf"^\s*{_TIMESTAMP}\s*")
_QUESTION_END = re.compile(
    r"(\?|？|까요?|나요|ㄴ가요|습니까|가요|세요|을까|는지요|죠)\s*[\"'”’)]*\s*$"
)
_URLISH = re.compile(r"^(https?|ftp|mailto)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Turn:
    id: int
    role: Role
    speaker: str
    text: str


@dataclass(frozen=True, slots=True)
class Transcript:
    turns: tuple[Turn, ...]
    labelled: bool

    @property
    def ids(self) -> set[int]:
        return {t.id for t in self.turns}

    def numbered(self) -> str:
        """One turn per line as `[id] Q|A (speaker): text`, the form given to external engines."""
        return "\n".join(
            f"[{t.id}] {'Q' if t.role == 'question' else 'A'} ({t.speaker}): {t.text}"
            for t in self.turns
        )


def _normal_label(label: str) -> str:
    return re.sub(r"\s+", " ", label.strip().strip("*_[]").strip()).lower()


def _base_label(label: str) -> str:
    # "Participant 2", "참여자1", "P1" → the role word without its number
    return re.sub(r"\s*\d+$", "", label).strip()


def _looks_like_label(label: str) -> bool:
    words = label.split()
    if not words or len(words) > 4 or _URLISH.match(label):
        return False
    return not label[0].isdigit()


def is_question(text: str) -> bool:
    return bool(_QUESTION_END.search(text.strip()))


def _role_of(label: str) -> Role | None:
    base = _base_label(label)
    if base in QUESTION_LABELS or label in QUESTION_LABELS:
        return "question"
    if base in ANSWER_LABELS or label in ANSWER_LABELS:
        return "answer"
    if re.fullmatch(r"p\d+|r\d+|참여자\s*[a-z]|speaker [b-z]", label):
        return "answer"
    if re.fullmatch(r"i\d*|m\d*|speaker a", label):
        return "question"
    return None


def parse(text: str) -> Transcript:
    """Split `text` into turns with roles. Never returns an empty transcript for non-empty text."""
    raw_lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    segments: list[tuple[str | None, str]] = []  # (label or None, text)
    for line in raw_lines:
        if not line.strip():
            segments.append((None, ""))
            continue
        m = _LABEL.match(line)
        if m and _looks_like_label(m.group("label")):
            segments.append((m.group("label").strip(), m.group("text").strip()))
        else:
            segments.append((None, _LEADING_TS.sub("", line).strip()))

    labelled_count = sum(1 for label, _ in segments if label is not None)
    content_count = sum(1 for _, t in segments if t)
    labelled = labelled_count >= 2 and labelled_count >= 0.3 * max(content_count, 1)

    pieces: list[tuple[str, str]] = []  # (speaker label, text)
    if labelled:
        current: tuple[str, list[str]] | None = None
        for label, body in segments:
            if label is not None:
                if current and " ".join(current[1]).strip():
                    pieces.append((current[0], " ".join(current[1]).strip()))
                current = (label, [body] if body else [])
            elif body:
                if current is None:
                    current = ("", [body])
                else:
                    current[1].append(body)
        if current and " ".join(current[1]).strip():
            pieces.append((current[0], " ".join(current[1]).strip()))
    else:
        pieces = [("", body) for _, body in segments if body]

    roles = _assign_roles(pieces)
    turns = tuple(
        Turn(
            id=i + 1, role=role, speaker=speaker or ("Q" if role == "question" else "A"), text=body
        )
        for i, ((speaker, body), role) in enumerate(zip(pieces, roles, strict=True))
    )
    return Transcript(turns=turns, labelled=labelled)


def _assign_roles(pieces: list[tuple[str, str]]) -> list[Role]:
    labels = [_normal_label(s) for s, _ in pieces]
    known: dict[str, Role] = {}
    for label in set(labels):
        role = _role_of(label)
        if role:
            known[label] = role
    unknown = [lab for lab in set(labels) if lab and lab not in known]
    if unknown:
        # Among named speakers, the one who asks the most questions is interviewing.
        asks: Counter[str] = Counter()
        speaks: Counter[str] = Counter()
        for (_, body), label in zip(pieces, labels, strict=True):
            if label in unknown:
                speaks[label] += 1
                asks[label] += int(is_question(body))
        has_interviewer = "question" in known.values()
        ranked = sorted(unknown, key=lambda lab: asks[lab] / max(speaks[lab], 1), reverse=True)
        for label in ranked:
            ratio = asks[label] / max(speaks[label], 1)
            if not has_interviewer and ratio >= 0.3:
                known[label] = "question"
                has_interviewer = True
            else:
                known[label] = "answer"
    roles: list[Role] = []
    for (_, body), label in zip(pieces, labels, strict=True):
        if label in known:
            roles.append(known[label])
        else:
            roles.append("question" if is_question(body) else "answer")
    return roles

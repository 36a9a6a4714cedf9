"""Who is the interviewer: decided per speaker from evidence, the same way on every run.

Explicit role labels (`Interviewer:`, `Q:`, `면접관:`) and a researcher's fix decide outright. Named
speakers (`Jane:`, `Speaker 1`, `김민수 님`) are decided by how an interviewer talks: asking
questions, speaking first, saying little, and handling consent and logistics. The confidence is
how far the chosen interviewer's evidence stands above the next speaker's. Speakers are always
visited in order of first appearance, so ties resolve the same way in every process.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

Role = Literal["question", "answer"]
Source = Literal["fixed", "labels", "evidence", "lines", "unknown"]

_QUESTION_END = re.compile(
    r"(\?|？|까요?|나요|ㄴ가요|습니까|가요|세요|을까|는지요|죠)\s*[\"'”’)]*\s*$"
)
_LOGISTICS = re.compile(
    r"\b(?:consent|record(?:ing)?|share my screen|screen ?share|thank(?:s| you) (?:so much )?for "
    r"(?:joining|your time|taking|coming|talking)|let'?s (?:start|get started|begin|move on)|"
    r"before we (?:start|begin|get started)|any questions for me|wrap (?:it )?up|"
    r"tell me (?:about|more)|can you (?:tell|describe|walk|talk)|could you|how do you|"
    r"what do you|walk me through|next question|last question)\b"
    r"|동의|녹음|녹화|화면\s*공유|시간\s*내\s*주셔서|말씀해\s*주|여쭤|질문\s*드|다음\s*질문|마지막\s*질문",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+", re.UNICODE)
# Who a speaker talks about: an interviewer addresses the other ("you", "혹시 … 있으세요"), an
# interviewee talks about themself ("I", "we", "저는", "저희"). Robust where question marks are
# not: people being interviewed ask back, and interviewers explain tasks at length.
_ADDRESSEE = re.compile(
    r"\b(?:you|your|yours|yourself)\b|당신|혹시|본인|어떠셨|하셨|하시", re.IGNORECASE
)
_SELF = re.compile(
    r"\b(?:i|i'm|i've|i'd|i'll|me|my|mine|myself|we|our|us)\b|저는|제가|저희|제\s|나는|내가|우리",
    re.IGNORECASE,
)
LABELLED_CONFIDENCE = 0.97
# Weights of the interviewer evidence; see `_score`.
W_ASKS, W_SHARE, W_FIRST, W_LOGISTICS, W_ADDRESS = 2.0, 1.5, 0.3, 0.8, 1.0
SHARPNESS = 2.5


def is_question(text: str) -> bool:
    stripped = text.strip()
    return bool(_QUESTION_END.search(stripped)) or "?" in stripped[-80:]


@dataclass(frozen=True, slots=True)
class Decision:
    roles: dict[str, Role]
    """Role of each speaker key, in order of first appearance ("" is not a speaker)."""
    confidence: float
    source: Source


@dataclass(slots=True)
class _Evidence:
    turns: int = 0
    asks: int = 0
    words: int = 0
    logistics: int = 0
    addressee: int = 0
    self_words: int = 0
    first: bool = False

    def score(self, total_words: int) -> float:
        """Interviewer likeness: asks, says little, opens, handles logistics, addresses the
        other rather than talking about themself."""
        turns = max(self.turns, 1)
        return (
            W_ASKS * self.asks / turns
            - W_SHARE * self.words / max(total_words, 1)
            + W_FIRST * self.first
            + W_LOGISTICS * min(1.0, 3 * self.logistics / turns)
            + W_ADDRESS
            * (self.addressee - self.self_words)
            / max(self.addressee + self.self_words, 1)
        )


def decide(
    pieces: Sequence[tuple[str, str]],
    labelled: Mapping[str, Role],
    fixed: Mapping[str, Role],
) -> Decision:
    """Roles of the speakers in `pieces` ((speaker key, text) per turn).

    `labelled` holds roles known from the labels themselves (or a metadata header), `fixed` a
    researcher's choice, which wins over everything.
    """
    order = list(dict.fromkeys(key for key, _ in pieces if key))
    if not order:
        return Decision({}, 0.25 if any(is_question(t) for _, t in pieces) else 0.0, "lines")
    roles: dict[str, Role] = {}
    for key in order:
        if key in fixed:
            roles[key] = fixed[key]
        elif key in labelled:
            roles[key] = labelled[key]
    open_keys = [key for key in order if key not in roles]
    if not open_keys:
        if all(key in fixed for key in order):
            return Decision(roles, 1.0, "fixed")
        return Decision(roles, _labelled_confidence(roles), "labels")
    evidence = _gather(pieces, order)
    total = sum(e.words for e in evidence.values())
    scores = {key: evidence[key].score(total) for key in order}
    has_interviewer = "question" in roles.values()
    has_interviewee = "answer" in roles.values()
    if len(order) == 1:
        # One voice only: nobody to tell apart, so the roles are unknown (the text is treated as
        # what the interviewee says, which is all the analysis can use).
        return Decision({order[0]: "answer"}, 0.0, "unknown")
    if has_interviewer:
        for key in open_keys:
            roles[key] = "answer"
        confidence = 0.9 if has_interviewee or len(open_keys) == 1 else 0.75
        return Decision(_ordered(roles, order), confidence, "evidence")
    # Best first; ties go to whoever spoke first, so no run can order them differently.
    ranked = sorted(open_keys, key=lambda k: (-scores[k], order.index(k)))
    top = ranked[0]
    top_asks = evidence[top].asks / max(evidence[top].turns, 1)
    # Beside a labelled interviewee, an open speaker interviews when they ask, or when they
    # address the other more than they talk about themself and outscore the interviewee (a
    # researcher who sets tasks in statements: "tell me what you notice").
    addresses = evidence[top].addressee > evidence[top].self_words and scores[top] > max(
        (scores[k] for k in order if roles.get(k) == "answer"), default=scores[top]
    )
    if has_interviewee and top_asks < 0.3 and not addresses:
        for key in open_keys:
            roles[key] = "answer"
        return Decision(_ordered(roles, order), 0.5, "evidence")
    roles[top] = "question"
    # The most interviewee-like speaker: with three or more voices, a co-host who comments more
    # than they ask sits between the two (a podcast's second host: few questions, as much
    # "you" as "I", a small share) and is told apart by which of the two they are nearer.
    floor = ranked[-1]
    for key in ranked[1:]:
        e = evidence[key]
        # A second interviewer: asks as much as the first and says little…
        second = (
            e.asks / max(e.turns, 1) >= 0.5
            and scores[key] >= scores[top] - 0.4
            and e.words < 0.15 * max(total, 1)
        )
        # …or, saying less than the interviewee, is nearer the interviewer than the
        # interviewee, or talks to and about the others at least as much as about themself
        # (which interviewees, asked about their own lives, do not).
        floor_e = evidence[floor]
        nearer = (
            key != floor
            and e.words < floor_e.words
            and floor_e.self_words > floor_e.addressee
            and (
                scores[key] - scores[floor] > scores[top] - scores[key]
                or e.addressee >= max(e.self_words, 1)
            )
        )
        roles[key] = "question" if second or nearer else "answer"
    rivals = [scores[k] for k in order if k != top and roles[k] == "answer"]
    gap = scores[top] - max(rivals) if rivals else 0.0
    confidence = 1 / (1 + math.exp(-SHARPNESS * gap))
    if top_asks < 0.2:
        confidence = min(confidence, 0.55)  # no one really asks: the split is a guess
    if sum(e.turns for e in evidence.values()) < 4:
        confidence = min(confidence, 0.6)
    return Decision(_ordered(roles, order), round(confidence, 3), "evidence")


def _labelled_confidence(roles: Mapping[str, Role]) -> float:
    both = {"question", "answer"} <= set(roles.values())
    return LABELLED_CONFIDENCE if both else 0.6


def _ordered(roles: Mapping[str, Role], order: list[str]) -> dict[str, Role]:
    return {key: roles[key] for key in order}


def _gather(pieces: Sequence[tuple[str, str]], order: list[str]) -> dict[str, _Evidence]:
    evidence = {key: _Evidence() for key in order}
    evidence[order[0]].first = True
    for key, text in pieces:
        if not key:
            continue
        e = evidence[key]
        e.turns += 1
        e.asks += int(is_question(text))
        e.words += len(_WORD.findall(text))
        e.logistics += int(bool(_LOGISTICS.search(text)))
        e.addressee += len(_ADDRESSEE.findall(text))
        e.self_words += len(_SELF.findall(text))
    return evidence

"""A transcript split into numbered speaker turns: the line ids every engine's evidence refers to.

Every engine sees the same numbering, so evidence from any engine can be checked against the
same lines. Layouts read:

- `Speaker: text` with any label (`Q:`, `Interviewer:`, `면접관:`, `김민수 님:`, `**Jane:**`), with
  a timestamp before or after the label (`[00:01] Jane:`, `Jane (00:01):`, `Jane: (00:01)`);
- a header line per turn, `Name  00:04` (Otter, Zoom, Teams, Condens, Dovetail), the text on the
  lines below; likewise a label alone on its line (`INTERVIEWER`, `Jane:`), as PDFs print them;
- `Q.`/`A.` prefixes; WebVTT voices and table speakers, rendered `Name: …` by ingestion;
- oral-history metadata headers (`INTERVIEWER: Jane Doe`, `Date: …`): metadata, not a turn —
  the names they give decide the roles of the speakers who then appear by name or initials;
- anything else, one turn per paragraph line.

Timestamps, a line-number column, page headers and footers, stage directions, redaction marks,
markdown headings and lines repeated across PDF pages are taken out (`analysis/cleaning.py`) and
counted; each turn keeps its timestamp as `start_ms`/`end_ms`. Who interviews is decided per
speaker in `analysis/roles.py`, deterministically, with a confidence.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from persona_insight.analysis import cleaning, roles
from persona_insight.analysis.roles import Role, Source, is_question

if TYPE_CHECKING:
    from persona_insight.analysis.contract import InterviewAnalysis

__all__ = [
    "ANSWER_LABELS",
    "QUESTION_LABELS",
    "Role",
    "Transcript",
    "Turn",
    "fixed_roles",
    "is_question",
    "parse",
    "speaker_key",
]

QUESTION_LABELS = {
    "q",
    "question",
    "interviewer",
    "moderator",
    "researcher",
    "host",
    "facilitator",
    "ux",
    "int",
    "iv",
    "ivr",
    "i",
    "면접관",
    "질문",
    "문",
    "인터뷰어",
    "진행자",
    "사회자",
    "연구자",
    "연구원",
    "조사자",
    "조사원",
    "질문자",
    "모더레이터",
    "플로어",
    "청중",
    "객석",
    "audience",
    "floor",
    "audience member",
    "인터뷰 진행자",
}
ANSWER_LABELS = {
    "a",
    "answer",
    "participant",
    "interviewee",
    "respondent",
    "narrator",
    "informant",
    "subject",
    "user",
    "customer",
    "guest",
    "r",
    "p",
    "참여자",
    "참석자",
    "답변",
    "답",
    "응답자",
    "고객",
    "사용자",
    "인터뷰이",
    "피면접자",
    "참가자",
    "답변자",
    "대상자",
    "인터뷰 대상자",
    "피험자",
}
# Keys of a metadata header; never speakers.
METADATA_KEYS = {
    "date",
    "time",
    "location",
    "place",
    "venue",
    "duration",
    "length",
    "transcriber",
    "transcribed by",
    "transcription",
    "transcript",
    "project",
    "title",
    "topic",
    "recording",
    "audio file",
    "file",
    "file name",
    "participants",
    "speakers",
    "attendees",
    "language",
    "session",
    "interview date",
    "interview location",
    "meeting",
    "keywords",
    "summary",
    "abstract",
    "날짜",
    "일시",
    "일자",
    "장소",
    "주제",
    "시간",
    "소요시간",
    "소요 시간",
    "녹취",
    "전사",
    "전사자",
    "참석자 명단",
    "파일",
    "제목",
}

_NAME = r"[^\W\d_][\w .,'’\-]{0,30}?"
_LABEL = re.compile(
    r"^\s*(?:[-*•>]\s*)?(?:\*\*|__)?"
    r"(?P<label>[^\s:：?!.。,*#\[\]()][^:：?!.。\n*\[\]()]{0,30}?)\s*"
    r"(?:\((?P<note>[^)]{0,40})\)|\[(?P<note2>[^\]]{0,40})\])?\s*(?:\*\*|__)?\s*[:：]\s*(?:\*\*|__)?"
    r"(?P<text>.*)$"
)
_HEADER = re.compile(
    rf"^\s*(?:\*\*)?(?P<label>{_NAME})(?:\*\*)?\s*(?:[|\-–·]\s*)?(?P<stamp>{cleaning.STAMP})\s*:?\s*$"
)
_HEADER_AFTER = re.compile(
    rf"^\s*(?P<stamp>{cleaning.STAMP})\s*(?:[|\-–·]\s*)?(?:\*\*)?(?P<label>{_NAME})(?:\*\*)?\s*:?\s*$"
)
# A bold label that is a name with initials or a credential (`**Mireille B. Reece, Psy.D:**`,
# `**Dr. Ana Ruiz:**`): `_LABEL` refuses "." and "," in a label, since a sentence ending in a colon
# has them; a run of capitalised words in bold, with at most a degree after a comma, is a name.
_CREDENTIAL = r"(?:Jr|Sr|PhD|Ph\.D|PsyD|Psy\.D|MD|M\.D|EdD|Ed\.D|MBA|RN|Esq|II|III)\.?"
_BOLD_NAME = re.compile(
    r"^\s*(?:\*\*|__)"
    r"(?P<label>(?:(?:Dr|Mr|Mrs|Ms|Prof)\.?\s+)?[A-Z][\w'’\-]*\.?(?:\s+[A-Z][\w'’\-]*\.?){0,3}"
    rf"(?:,\s*{_CREDENTIAL})?)"
    r"\s*(?:[:：]\s*(?:\*\*|__)|(?:\*\*|__)\s*[:：])\s*(?P<text>.*)$"
)
# `Name (00:01:23) - text`: a podcast tool's export, the time in brackets and a dash where the
# colon would be. The time is what makes it a label: "Plan B - the cheap one" is speech.
_DASH_LABEL = re.compile(
    rf"^\s*(?P<label>{_NAME})\s*(?P<note>[(\[]\s*{cleaning.TS}\s*[)\]])\s*[-–—]\s+(?P<text>.*)$"
)
_QA_DOT = re.compile(r"^\s*(?P<label>Q|A|문|답)\d{0,3}\s*[.)]\s+(?P<text>\S.*)$")
# A label in brackets: `-(사회자) : …`, `[Host]: …`, `(Jane): …` (a dash or a colon is required,
# so that an aside in parentheses at the start of a line stays speech).
_BRACKETED = re.compile(
    r"^\s*(?:[-–]\s*[(\[](?P<a>[^()\[\]:：\n]{1,30})[)\]]\s*[:：]?"
    r"|[(\[](?P<b>[^()\[\]:：\n]{1,30})[)\]]\s*[:：])\s*(?P<text>.*)$"
)
_BRACKETED_ROLE = re.compile(r"^\s*[(\[](?P<label>[^()\[\]:：\n]{1,30})[)\]]\s+(?P<text>\S.*)$")
_STANDALONE = re.compile(rf"^\s*(?:\*\*)?(?P<label>{_NAME})(?:\*\*)?\s*$")
_URLISH = re.compile(r"^(https?|ftp|mailto|www)$", re.IGNORECASE)
_HONORIFIC = re.compile(r"\s*(?:님|씨)$")
# Short replies that stand alone on a line without being speaker names.
_REPLIES = {
    "yes",
    "no",
    "yeah",
    "yep",
    "nope",
    "okay",
    "ok",
    "right",
    "sure",
    "mhm",
    "mm",
    "hmm",
    "uh huh",
    "exactly",
    "true",
    "thanks",
    "thank you",
    "great",
    "cool",
    "absolutely",
    "definitely",
    "네",
    "예",
    "응",
    "아니요",
    "아뇨",
    "그렇죠",
    "맞아요",
    "감사합니다",
}
# Labels that mark turns, never a header's "who was there" line.
_TURN_LABELS = frozenset(
    {"q", "a", "i", "r", "p", "question", "answer", "질문", "답변", "문", "답"}
)
# Below this share of question lines, an unlabelled transcript is one voice asking itself.
MIN_QUESTION_SHARE = 0.3
# A metadata header lives in the first lines.
HEADER_WINDOW = 40


@dataclass(frozen=True, slots=True)
class Turn:
    id: int
    role: Role
    speaker: str
    text: str
    start_ms: int | None = None
    end_ms: int | None = None


@dataclass(frozen=True, slots=True)
class Transcript:
    turns: tuple[Turn, ...]
    labelled: bool
    roles: Mapping[str, Role] = field(default_factory=dict)
    """Role of each named speaker (as shown), in order of first appearance."""
    role_confidence: float = 0.0
    role_source: Source = "unknown"
    cleaning: Mapping[str, int] = field(default_factory=dict)
    """What was taken out of the text, by kind."""
    metadata: Mapping[str, str] = field(default_factory=dict)

    @property
    def ids(self) -> set[int]:
        return {t.id for t in self.turns}

    def numbered(self) -> str:
        """One turn per line as `[id] Q|A (speaker): text`, the form given to external engines."""
        return "\n".join(
            f"[{t.id}] {'Q' if t.role == 'question' else 'A'} ({t.speaker}): {t.text}"
            for t in self.turns
        )

    def require_speech(self) -> None:
        """Refuse, with the engines' error, a transcript in which nobody says anything: only
        timestamps, only a header, only stage directions."""
        if not any(t.text.strip() for t in self.turns):
            # Imported here: analysis.engine imports this module.
            from persona_insight.analysis.engine import EngineError

            raise EngineError(
                "empty_transcript",
                "the transcript has no speech, only "
                + (", ".join(sorted(self.cleaning)) or "markup"),
                retryable=False,
            )

    def annotate(self, analysis: InterviewAnalysis) -> InterviewAnalysis:
        """The analysis with what the transcript knows: speakers' roles and how sure they are,
        each line's speaker and timing, and what cleaning removed. Engine-independent."""
        by_id = {t.id: t for t in self.turns}
        lines = []
        for line in analysis.cleaned_script:
            first, last = by_id.get(line.id[0]), by_id.get(line.id[-1])
            lines.append(
                line.model_copy(
                    update={
                        "speaker_name": first.speaker
                        if first and first.speaker in self.roles
                        else None,
                        "start_ms": first.start_ms if first else None,
                        "end_ms": (last.end_ms if last else None),
                    }
                )
            )
        return analysis.model_copy(
            update={
                "cleaned_script": lines,
                "roles": dict(self.roles),
                "role_confidence": self.role_confidence,
                "role_source": self.role_source,
                "transcript_cleaning": dict(self.cleaning),
            }
        )


def fixed_roles(stored: Mapping[str, str] | None) -> dict[str, Role] | None:
    """A researcher's stored fix (`{speaker: "interviewer" | "interviewee"}`) as roles."""
    if not stored:
        return None
    return {
        name: "question" if value == "interviewer" else "answer" for name, value in stored.items()
    }


@functools.lru_cache(maxsize=4096)
def speaker_key(label: str) -> str:
    """A speaker label compared loosely: case, spacing, markup and honorifics aside."""
    key = re.sub(r"\s+", " ", label.strip().strip("*_[]").strip()).lower()
    bare = _HONORIFIC.sub("", key)
    return bare or key


def _base_label(label: str) -> str:
    # "Participant 2", "참여자1", "P1", "Interviewer2 2" → the role word without its numbers
    return re.sub(r"[\s\d]+$", "", label).strip()


# A label ending on a copula introduces what follows ("Option number two is: …"); no one is
# named that way.
_COPULAS = frozenset({"is", "are", "was", "were", "be"})


def _looks_like_label(label: str) -> bool:
    words = label.split()
    if not words or len(words) > 4 or _URLISH.match(label.strip()):
        return False
    if words[-1].lower() in _COPULAS:
        return False
    if not any(ch.isalpha() for ch in label):
        return False
    return not label.strip()[0].isdigit()


@functools.lru_cache(maxsize=4096)
def role_of_label(key: str) -> Role | None:
    base = _base_label(key)
    if base in QUESTION_LABELS or key in QUESTION_LABELS:
        return "question"
    if base in ANSWER_LABELS or key in ANSWER_LABELS:
        return "answer"
    if re.fullmatch(r"p\d+|r\d+|참여자\s*[a-z]|응답자\s*[a-z]|speaker [b-z]", key):
        return "answer"
    if re.fullmatch(r"i\d*|m\d*|speaker a", key):
        return "question"
    return _misspelt_role(base)


# Role words long enough that one slip of the keyboard cannot make another word of them.
_SPELLED_ROLES: tuple[tuple[str, Role], ...] = tuple(
    sorted(
        [(w, "question") for w in QUESTION_LABELS if w.isascii() and w.isalpha() and len(w) >= 6]
        + [(w, "answer") for w in ANSWER_LABELS if w.isascii() and w.isalpha() and len(w) >= 6]
    )
)


def _misspelt_role(key: str) -> Role | None:
    """A role word with a typo, as hand-typed transcripts have them ("Particpant",
    "Intervewer"): one edit away, two for long words, and nearer one role than the other
    ("interview" is as near "interviewer" as "interviewee", so it is no label). Left unread,
    such a label leaves its speaker to the evidence, or beside a correctly spelt one, to the
    wrong role."""
    if len(key) < 6 or not key.isascii() or not key.isalpha():
        return None
    best = 3
    found: set[Role] = set()
    for word, role in _SPELLED_ROLES:
        limit = 2 if len(word) >= 10 else 1
        distance = _distance(key, word, limit)
        if distance > limit or distance > best:
            continue
        if distance < best:
            best, found = distance, set()
        found.add(role)
    return next(iter(found)) if len(found) == 1 else None


def _distance(a: str, b: str, limit: int) -> int:
    """Edit distance of a and b (insert, delete, substitute, swap), or limit + 1 if above."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, previous2[j - 2] + 1)
            row.append(cost)
        if min(row) > limit:
            return limit + 1
        previous2, previous = previous, row
    return min(previous[-1], limit + 1)


_Piece = tuple[str, str, int | None, int | None]  # (speaker, text, start_ms, end_ms)


@dataclass(slots=True)
class _Segment:
    label: str | None
    text: str
    start_ms: int | None = None
    end_ms: int | None = None


def _colon_label(line: str) -> _Segment | None:
    body, start, end = cleaning.leading_stamp(line)
    m = _LABEL.match(body) or _BOLD_NAME.match(body) or _DASH_LABEL.match(body)
    if m is None or not _looks_like_label(m.group("label")):
        return None
    if m.group("label")[-1].isdigit() and re.match(r"\d{2}\b", m.group("text")):
        return None  # "Name 0:08": the colon is a timestamp's
    groups = m.groupdict()
    note = groups.get("note") or groups.get("note2") or ""
    if start is None and note:
        start, end = cleaning.stamp_range(note)
    if cleaning.is_only_stamps(m.group("text")):
        # Nothing but a time or a range (`**Break:** [01:33] to [03:00]`): no words of the line
        # are speech; as with one stamp, the label heads whatever text follows, if any.
        text, (s2, e2) = "", cleaning.stamp_range(m.group("text"))
    else:
        text, s2, e2 = cleaning.leading_stamp(m.group("text"))
    if start is None:
        start, end = s2, e2
    return _Segment(m.group("label").strip(), text.strip(), start, end)


def _header_label(line: str) -> _Segment | None:
    m = _HEADER.match(line) or _HEADER_AFTER.match(line)
    if m is None or not _looks_like_label(m.group("label")):
        return None
    start, end = cleaning.stamp_range(m.group("stamp"))
    return _Segment(m.group("label").strip(), "", start, end)


def _bracketed_label(line: str) -> _Segment | None:
    body, start, end = cleaning.leading_stamp(line)  # a caption line's `[start --> end]`
    m = _BRACKETED.match(body)
    if m is not None:
        label = (m.group("a") or m.group("b") or "").strip()
    else:
        # `[인터뷰어] …`, `(Interviewer) …` with no colon: a label only when it is a role word.
        m = _BRACKETED_ROLE.match(body)
        if m is None or role_of_label(speaker_key(m.group("label"))) is None:
            return None
        label = m.group("label").strip()
    if not _looks_like_label(label) or cleaning.is_direction(f"({label})"):
        return None
    text, s2, e2 = cleaning.leading_stamp(m.group("text"))
    if start is None:
        start, end = s2, e2
    return _Segment(label, text.strip(), start, end)


def _standalone_names(lines: list[str]) -> set[str]:
    """Keys of names that stand alone on a line before text, as PDFs print speaker labels:
    known role words, or short capitalised names that do so at least twice."""
    seen: Counter[str] = Counter()
    for index, line in enumerate(lines):
        m = _STANDALONE.match(line)
        if m is None or not _looks_like_label(m.group("label")):
            continue
        nxt = next((ln for ln in lines[index + 1 : index + 3] if ln.strip()), "")
        if not nxt or _STANDALONE.match(nxt):
            continue
        label = m.group("label").strip()
        key = speaker_key(label)
        if key in _REPLIES or len(key) > 30 or label[-1] in ".,…":
            continue  # a reply, or the end of a sentence wrapped onto its own line
        if role_of_label(key) or label[0].isupper() or not label[0].isascii():
            seen[key] += 1
    return {key for key, n in seen.items() if n >= 2 or (role_of_label(key) and n >= 1)}


def _segments(lines: list[str], tally: cleaning.Tally) -> list[_Segment]:
    headers = Counter(
        speaker_key(seg.label) for ln in lines if (seg := _header_label(ln)) and seg.label
    )
    standalone = _standalone_names(lines)
    out: list[_Segment] = []
    pending: tuple[int | None, int | None] = (None, None)
    for line in lines:
        if not line.strip():
            out.append(_Segment(None, ""))
            continue
        if cleaning.is_only_stamps(line):
            # A timestamp on its own line belongs to the turn that follows it.
            pending = cleaning.stamp_range(line)
            tally.add("timestamps")
            continue
        seg = _header_label(line)
        if seg is not None and (
            headers[speaker_key(seg.label or "")] >= 2
            or role_of_label(speaker_key(seg.label or ""))
        ):
            tally.add("timestamps")
        else:
            seg = _colon_label(line) or _bracketed_label(line)
            if seg is None:
                body, start, end = cleaning.leading_stamp(line)
                m = _QA_DOT.match(body) or _STANDALONE.match(body)
                if m is not None and (
                    "text" in m.groupdict() or speaker_key(m.group("label")) in standalone
                ):
                    label = m.group("label").strip()
                    seg = _Segment(label, m.groupdict().get("text") or "", start, end)
        if seg is None:
            body, start, end = cleaning.leading_stamp(line)
            if start is not None:
                tally.add("timestamps")
            seg = _Segment(None, body, start, end)
        if seg.start_ms is None and pending[0] is not None:
            seg.start_ms, seg.end_ms = pending
        pending = (None, None)
        out.append(seg)
    return out


def _header_metadata(
    segments: list[_Segment], tally: cleaning.Tally
) -> tuple[dict[str, str], dict[str, Role]]:
    """Take a metadata header's lines out of the turns: `Date: …` keys, and role labels that
    occur once near the top with a name for value (an oral history's `INTERVIEWER: Jane Doe`).
    Returns the metadata and the roles of the names it gives."""
    counts = Counter(speaker_key(s.label) for s in segments if s.label)
    metadata: dict[str, str] = {}
    names: dict[str, Role] = {}
    content = 0
    # The body's own speakers: a role label used once is a header only above a dialogue of
    # other, recurring speakers.
    recurring = sum(1 for key, n in counts.items() if n >= 2 and key not in METADATA_KEYS)
    # ...or above nothing at all: a header with no body says nothing anyone said.
    labelled = [s for s in segments if s.label is not None]
    header_only = (
        len(labelled) >= 2
        and all(
            counts[speaker_key(s.label or "")] == 1
            and speaker_key(s.label or "") not in _TURN_LABELS
            and (_name_like(s.text) or speaker_key(s.label or "") in METADATA_KEYS)
            for s in labelled
        )
        and all(_title_like(s.text) for s in segments if s.label is None and s.text.strip())
    )
    for seg in segments:
        if seg.label is None:
            if seg.text.strip():
                content += 1
            continue
        if content > HEADER_WINDOW:
            break
        key = speaker_key(seg.label)
        value = seg.text.strip()
        short = 0 < len(value.split()) <= 12 and "?" not in value
        if key in METADATA_KEYS and (short or not value):
            metadata[key] = value
            seg.label, seg.text = None, ""
            tally.add("metadata")
            continue
        role = role_of_label(key)
        if role and counts[key] == 1 and _name_like(value) and (recurring >= 2 or header_only):
            metadata[key] = value
            names[value] = role
            seg.label, seg.text = None, ""
            tally.add("metadata")
        content += 1
    return metadata, names


def _title_like(text: str) -> bool:
    words = text.split()
    return len(words) <= 10 and not re.search(r"[.?!。？]\s*$", text.strip())


def _name_like(value: str) -> bool:
    words = value.replace(",", " ").split()
    if not 1 <= len(words) <= 5 or re.search(r"[?!。]|[.]$", value.strip()):
        return False
    return all(w[0].isupper() or not w[0].isascii() for w in words if w[0].isalpha())


def _name_roles(keys: list[str], names: Mapping[str, Role]) -> dict[str, Role]:
    """Roles of speaker keys that name a person from the metadata header: by full name,
    surname or initials ("Jane Doe" → `Doe:`, `JD:`, `Ms. Doe:`)."""
    found: dict[str, Role] = {}
    for key in keys:
        words = set(re.findall(r"\w+", key))
        for name, role in names.items():
            parts = [w.lower() for w in re.findall(r"\w+", name)]
            if not parts:
                continue
            initials = "".join(p[0] for p in parts)
            if key == " ".join(parts) or key == initials or (words and words <= set(parts)):
                found[key] = role
                break
            if words & set(parts) and len(words) <= 2:
                found[key] = role
                break
    return found


def _is_labelled(segments: list[_Segment]) -> bool:
    labels = [speaker_key(s.label) for s in segments if s.label is not None]
    content = sum(1 for s in segments if s.text.strip())
    if len(labels) < 2:
        return False
    if len(labels) >= 0.3 * max(content, 1):
        return True
    # Long turns under few recurring labels (a label alone on its line, text below it).
    counts = Counter(labels)
    if len(labels) >= 4 and max(counts.values()) >= 2 and len(labels) >= 0.05 * content:
        return True
    # Long speeches under a few labels, one of them a known role (a talk's moderator).
    return len(counts) >= 2 and any(role_of_label(key) for key in counts)


def _raw_lines(text: str) -> list[tuple[str, bool]]:
    """Each line without its blockquote marks, and whether it was quoted."""
    return [
        cleaning.unquote(ln.rstrip())
        for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    ]


def _quoted_speakers(raw: list[tuple[str, bool]]) -> set[str]:
    """Keys of speakers whose every turn is inside a blockquote, when at least two others speak
    outside one: voices the transcript quotes (what other participants said, shown to this
    one), not people in the conversation. A transcript whose interviewee alone is quoted
    (answers set off as quotes under plain questions) keeps its roles."""
    if not any(quoted for _, quoted in raw):
        return set()  # nearly every transcript: no second pass over its lines
    inside: set[str] = set()
    outside: set[str] = set()
    for line, quoted in raw:
        seg = _colon_label(cleaning.unescape_markdown(line))
        if seg is not None and seg.label:
            (inside if quoted else outside).add(speaker_key(seg.label))
    return inside - outside if len(outside) >= 2 else set()


def _clean_lines(raw: list[tuple[str, bool]], tally: cleaning.Tally) -> list[str]:
    lines = []
    for line, quoted in raw:
        if quoted and cleaning.is_quote_note(line):
            tally.add("notes")
            line = ""
        lines.append(cleaning.unbullet(cleaning.unescape_markdown(line)))
    lines = cleaning.front_matter(lines, tally)
    lines = cleaning.speaker_headings(lines)
    lines = cleaning.strip_line_numbers(lines, tally)
    lines = cleaning.number_columns(lines, tally)
    lines = cleaning.page_furniture(lines, tally)
    lines = cleaning.drop_repeats(lines, tally)
    kept: list[str] = []
    for line in lines:
        if cleaning.is_heading(line):
            tally.add("headings")
            kept.append("")
            continue
        kept.append(line)
    return kept


def parse(text: str, fixed_roles: Mapping[str, Role] | None = None) -> Transcript:
    """Split `text` into turns with roles. `fixed_roles` (speaker → role, a researcher's fix)
    overrides the evidence for the speakers it names. A text with no speech in it (only
    timestamps, a header, stage directions) has no turns: see `Transcript.require_speech`."""
    tally = cleaning.Tally()
    raw = _raw_lines(text)
    segments = _segments(_clean_lines(raw, tally), tally)
    metadata, names = _header_metadata(segments, tally)
    labelled = _is_labelled(segments)

    pieces: list[_Piece] = []
    if labelled:
        current: _Segment | None = None
        for seg in segments:
            if seg.label is not None:
                if current is not None:
                    pieces.append(_close(current, tally))
                current = _Segment(seg.label, seg.text, seg.start_ms, seg.end_ms)
            elif seg.text.strip():
                if current is None and _title_like(seg.text):
                    # A title or heading above the first turn, not something anyone said.
                    metadata.setdefault("preamble", seg.text.strip()[:200])
                    tally.add("metadata")
                elif current is None:
                    current = _Segment("", seg.text, seg.start_ms, seg.end_ms)
                else:
                    current.text = f"{current.text} {seg.text}" if current.text else seg.text
                    # A turn told over several timed lines (caption cues) spans all of them.
                    if current.start_ms is None:
                        current.start_ms = seg.start_ms
                    if seg.end_ms is not None or seg.start_ms is not None:
                        current.end_ms = seg.end_ms if seg.end_ms is not None else seg.start_ms
        if current is not None:
            pieces.append(_close(current, tally))
    else:
        for seg in segments:
            if seg.label is not None:
                seg = _Segment("", f"{seg.label}: {seg.text}", seg.start_ms, seg.end_ms)
            if seg.text.strip():
                pieces.append(_close(_Segment("", seg.text, seg.start_ms, seg.end_ms), tally))
    pieces = [p for p in pieces if p[1]]
    if metadata and len(pieces) <= 3 and all(_title_like(body) for _, body, _, _ in pieces):
        # A header and a title, and no one speaking: nothing here is speech.
        for _, body, _, _ in pieces:
            metadata.setdefault("preamble", body[:200])
            tally.add("metadata")
        pieces = []

    display: dict[str, str] = {}
    for speaker, *_ in pieces:
        if speaker:
            display.setdefault(speaker_key(speaker), speaker)
    keyed = [(speaker_key(s) if s else "", body) for s, body, _, _ in pieces]
    order = list(display)
    known = {k: r for k in order if (r := role_of_label(k))}
    if len(known) >= 2 and set(known) == set(order) and set(known.values()) == {"answer"}:
        # Every voice named the same way ("참석자 1", "참석자 2", as Clova Note writes every
        # speaker; "Participant 1", "Participant 2"): the word names no role, the evidence must.
        known = {}
    known.update({k: r for k, r in _name_roles(order, names).items() if k not in known})
    fixed = {speaker_key(k): r for k, r in (fixed_roles or {}).items()}
    # Quoted voices were put before the interviewee, as a question is: the interviewer's side,
    # unless a researcher said otherwise. They take no part in telling the others apart.
    quoted: dict[str, Role] = {
        k: "question" for k in _quoted_speakers(raw) if k in display and k not in fixed
    }
    decision = roles.decide([(k, b) for k, b in keyed if k not in quoted], known, fixed)
    if quoted:
        merged: dict[str, Role] = {**decision.roles, **quoted}
        decision = replace(decision, roles={k: merged[k] for k in order if k in merged})

    # Lines nobody is named for: a question is the interviewer's, unless questions are so rare
    # that they are a speaker's own rhetorical ones (a talk, a monologue); an interview with no
    # labels has its interviewer ask about every other line.
    unnamed = [body for (key, body) in keyed if not key]
    asked = sum(1 for body in unnamed if is_question(body))
    rhetorical = not labelled and asked < MIN_QUESTION_SHARE * len(unnamed)
    turns: list[Turn] = []
    for index, ((_, body, start, end), (key, _)) in enumerate(zip(pieces, keyed, strict=True)):
        role: Role = decision.roles.get(key) or (
            "question" if is_question(body) and not rhetorical else "answer"
        )
        name = display.get(key, "") if key else ""
        turns.append(
            Turn(
                id=index + 1,
                role=role,
                speaker=name or ("Q" if role == "question" else "A"),
                text=body,
                start_ms=start,
                end_ms=end,
            )
        )
    return Transcript(
        turns=tuple(turns),
        labelled=labelled,
        roles={display[k]: r for k, r in decision.roles.items()},
        role_confidence=decision.confidence,
        role_source=decision.source,
        cleaning=tally.as_dict(),
        metadata=metadata,
    )


def _close(seg: _Segment, tally: cleaning.Tally) -> _Piece:
    cleaned = cleaning.speech(seg.text, tally)
    start = seg.start_ms if seg.start_ms is not None else cleaned.start_ms
    end = seg.end_ms if seg.start_ms is not None else cleaned.end_ms
    return seg.label or "", cleaned.text, start, end

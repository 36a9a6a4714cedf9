"""The interview detail's script, shaped for reading: lines grouped by section, each with the pain
points and needs that cite it, and the anchor every evidence id jumps to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from persona_insight.analysis.contract import Finding, InterviewAnalysis, ScriptLine


@dataclass(slots=True)
class Line:
    key: int  # the first source id: the line's anchor (`#line-<key>`)
    ids: list[int]
    speaker: str
    category: str | None
    text: str
    sentiment: str | None
    pain_points: list[int] = field(default_factory=list)  # 1-based numbers of the findings
    needs: list[int] = field(default_factory=list)
    start_ms: int | None = None  # where the line starts in the recording, when known
    name: str | None = None  # the speaker as the transcript names them ("김민지", "Speaker 2")

    @property
    def clock(self) -> str | None:
        """The start as a reader finds it in a player: `m:ss`, `h:mm:ss` past an hour."""
        if self.start_ms is None:
            return None
        hours, rest = divmod(self.start_ms // 1000, 3600)
        minutes, seconds = divmod(rest, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"

    @property
    def duration(self) -> str | None:
        """The start as an ISO 8601 duration, for `<time datetime>`."""
        return None if self.start_ms is None else f"PT{self.start_ms / 1000:g}S"


@dataclass(slots=True)
class Section:
    name: str | None
    is_main: bool
    lines: list[Line] = field(default_factory=list)


@dataclass(slots=True)
class FindingView:
    number: int
    description: str
    evidence: list[int]  # line keys, in script order, without duplicates


@dataclass(slots=True)
class Script:
    sections: list[Section]
    pain_points: list[FindingView]
    needs: list[FindingView]
    sentiment: dict[str, int]

    @property
    def line_count(self) -> int:
        return sum(len(s.lines) for s in self.sections)


def _line(source: ScriptLine) -> Line:
    return Line(
        key=source.id[0],
        ids=list(source.id),
        speaker=source.speaker,
        category=source.category,
        text=source.cleaned_sentence,
        sentiment=source.sentiment,
        start_ms=source.start_ms,
        name=source.speaker_name,
    )


def _findings(
    found: Iterable[Finding], key_of: dict[int, int], order: dict[int, int]
) -> list[FindingView]:
    views = []
    for number, finding in enumerate(found, start=1):
        keys = {key_of[i] for i in finding.evidence if i in key_of}
        views.append(FindingView(number, finding.description, sorted(keys, key=order.__getitem__)))
    return views


def shape(analysis: InterviewAnalysis) -> Script:
    lines = [_line(s) for s in analysis.cleaned_script]
    key_of = {i: line.key for line in lines for i in line.ids}
    order = {line.key: n for n, line in enumerate(lines)}
    by_key = {line.key: line for line in lines}
    pains = _findings(analysis.primary_pain_points, key_of, order)
    needs = _findings(analysis.primary_needs, key_of, order)
    for view in pains:
        for key in view.evidence:
            by_key[key].pain_points.append(view.number)
    for view in needs:
        for key in view.evidence:
            by_key[key].needs.append(view.number)

    sections: list[Section] = []
    for line in lines:
        home = next(
            (s for s in analysis.script_sections if s.start_line <= line.key <= s.end_line), None
        )
        name = home.sector_name if home else None
        if not sections or sections[-1].name != name:
            sections.append(Section(name, home.is_main_content if home else True))
        sections[-1].lines.append(line)

    sentiment = {"positive": 0, "neutral": 0, "negative": 0}
    for line in lines:
        if line.speaker == "answer" and line.sentiment:
            sentiment[line.sentiment] += 1
    return Script(sections=sections, pain_points=pains, needs=needs, sentiment=sentiment)


def matches(line: Line, wanted: str | None) -> bool:
    """Whether the script filter (`painpoint`, `needs` or none) keeps the line."""
    if wanted == "painpoint":
        return line.category == "painpoint" or bool(line.pain_points)
    if wanted == "needs":
        return line.category == "needs" or bool(line.needs)
    return True

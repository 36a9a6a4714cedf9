"""Scoring against the real evaluation set (tests/analysis/real/): labels, gold speakers, metrics.

Pure functions over the label files, the text `persona_insight.ingest.extract` makes of each
transcript, and an analysis as `InterviewAnalysis.model_dump(mode="json")` gives it; the method is
written out in tests/analysis/real/README.md. `bench/analysis.py --real` runs the analyser and
uses these; `tests/analysis/test_real_set.py` uses the loaders to check the labels.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "analysis" / "real"
LABELS_DIR = REAL / "labels"
KINDS = ("pain", "need")
ROLES = ("interviewer", "interviewee", "other")
SPLITS = ("tune", "heldout")
# The engine's speaker values for the two sides of an interview.
ENGINE_ROLE = {"question": "interviewer", "answer": "interviewee"}

_WORD = re.compile(r"\w+", re.UNICODE)
_SPACE = re.compile(r"\s+")
_TS = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
# A caption line's time or `[start --> end]` span (subtitle ingestion writes one per turn).
_TIMESTAMP = rf"\[?\(?{_TS}(?:\s*-->\s*{_TS})?\)?\]?"
# What a source layout leaves behind when cleaning misses it: clock times and cue arrows, a run
# of three consecutive line numbers (a PDF's number column), a line number before the text, or a
# line that is only a number.
_RESIDUE_TIME = re.compile(r"(?<![\w.:])\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?(?![\w:])|-->")
_NUMBER_RUN = re.compile(r"(?<![\w.])(\d{1,4})\s+(\d{1,4})\s+(\d{1,4})(?![\w.])")
_LEADING_NUMBER = re.compile(r"^\s*\d{1,4}[\s\t]+(?=[A-Z가-힣])")
# A line that is nothing but a line or page number ("24", "3/5", "- 3 -").
_ONLY_NUMBER = re.compile(r"^\s*[-–(]?\s*\d{1,4}(?:\s*/\s*\d{1,4})?\s*[-–)]?\s*$")


def normalise(text: str) -> str:
    """Text compared with every run of whitespace made one space (tabs, line breaks, NBSP)."""
    return _SPACE.sub(" ", text).strip()


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def grams(tokens: Sequence[str], n: int = 3) -> set[tuple[str, ...]]:
    if len(tokens) < n:
        return {tuple(tokens)} if tokens else set()
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def expected_split(transcript_id: str) -> str:
    """The split rule of the README, on the id alone."""
    digest = int(hashlib.sha256(transcript_id.encode("utf-8")).hexdigest(), 16)
    return "heldout" if digest % 2 else "tune"


def load_labels(directory: Path = LABELS_DIR) -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(directory.glob("*.json"))]


def search_dirs() -> list[Path]:
    """Where transcript files are looked for, in order (see README: they are not committed)."""
    dirs = []
    if env := os.environ.get("PI_REAL_SET_DIR"):
        dirs.append(Path(env))
    dirs.append(REAL / "files")
    dirs.append(ROOT.parent / "shared" / "analysis-real" / "files")
    return dirs


def find_file(transcript_id: str, dirs: Iterable[Path] | None = None) -> Path | None:
    for directory in dirs if dirs is not None else search_dirs():
        if directory.is_dir():
            hits = sorted(p for p in directory.glob(f"{transcript_id}.*") if p.is_file())
            if hits:
                return hits[0]
    return None


def quote_found(quote: str, text: str) -> bool:
    return normalise(quote) in normalise(text)


def overlaps(line: str, quote: str) -> bool:
    """A line and a quote state the same thing: half of either's word trigrams are in the other."""
    lw, qw = words(line), words(quote)
    if not lw or not qw:
        return False
    n = 3 if min(len(lw), len(qw)) >= 3 else 1
    lg, qg = grams(lw, n), grams(qw, n)
    shared = len(lg & qg)
    return shared >= 0.5 * len(qg) or shared >= 0.5 * len(lg)


def has_residue(text: str) -> bool:
    if _RESIDUE_TIME.search(text) or _LEADING_NUMBER.search(text) or _ONLY_NUMBER.match(text):
        return True
    for m in _NUMBER_RUN.finditer(text):
        a, b, c = (int(g) for g in m.groups())
        if b == a + 1 and c == b + 1:
            return True
    return False


# --- gold speakers -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Segment:
    label: str | None
    role: str | None  # None before the first label (file headers)
    tokens: tuple[str, ...]
    trigrams: frozenset[tuple[str, ...]]


def _label_patterns(labels: Iterable[str]) -> list[re.Pattern[str]]:
    """A label followed by a colon, a timestamp or nothing; a bracketed or dashed label
    (`-(사회자)`, `[Host]`) may also be followed directly by the speech."""
    ordered = sorted(labels, key=len, reverse=True)
    names = "|".join(re.escape(x) for x in ordered)
    patterns = [
        re.compile(
            rf"^\s*(?:{_TIMESTAMP}\s*)?(?:[-*•]\s*)?(?:\*\*|__|<v\s+)?(?P<label>{names})"
            rf"(?:\*\*|__|>)?\s*(?:\([^)]{{0,40}}\))?\s*"
            rf"(?:[:：](?P<rest>.*)|\s+{_TIMESTAMP}\s*$|$)"
        )
    ]
    bare = [x for x in ordered if x[:1] in "-([<" or x[-1:] in ")]>"]
    if bare:
        names = "|".join(re.escape(x) for x in bare)
        patterns.append(
            re.compile(rf"^\s*(?:{_TIMESTAMP}\s*)?(?P<label>{names})(?:\s+(?P<rest>.*))?$")
        )
    return patterns


def gold_segments(text: str, roles: Mapping[str, str]) -> list[Segment]:
    """The extracted text cut at each speaker label of the label file, each piece with its role."""
    patterns = _label_patterns(roles) if roles else []
    pieces: list[tuple[str | None, list[str]]] = [(None, [])]
    for line in text.splitlines():
        m = next((m for p in patterns if (m := p.match(line))), None)
        if m:
            pieces.append((m.group("label"), [m.group("rest") or ""]))
        else:
            pieces[-1][1].append(line)
    out = []
    for label, lines in pieces:
        tokens = tuple(words(" ".join(lines)))
        if tokens:
            role = roles.get(label) if label is not None else None
            out.append(Segment(label, role, tokens, frozenset(grams(tokens))))
    return out


@dataclass(slots=True)
class GoldSpeakers:
    segments: list[Segment]
    overrides: list[tuple[set[tuple[str, ...]], str]]  # role_quotes: trigrams → role
    default_role: str | None = None  # text outside every label (a monologue, a label-less file)
    cursor: int = 0

    @classmethod
    def build(cls, text: str, label: Mapping[str, Any]) -> GoldSpeakers:
        overrides = [(grams(words(q["quote"])), q["role"]) for q in label.get("role_quotes") or []]
        segments = gold_segments(text, label.get("roles") or {})
        return cls(segments, overrides, label.get("default_role"))

    def role_of(self, line: str) -> str | None:
        """The gold role of a script line, or None when the line maps to no single piece."""
        tokens = words(line)
        if not tokens:
            return None
        lg = grams(tokens)
        for qg, role in self.overrides:
            if qg and len(lg & qg) >= 0.5 * len(lg):
                return role
        if len(tokens) >= 3:
            best, best_shared = -1, 0
            # Nearest piece at or after the previous line's wins a tie: transcripts repeat phrases.
            order = list(range(self.cursor, len(self.segments))) + list(range(self.cursor))
            for i in order:
                shared = len(lg & self.segments[i].trigrams)
                if shared > best_shared:
                    best, best_shared = i, shared
            if best < 0 or best_shared < 0.5 * len(lg):
                return None
        else:
            best = -1
            for i in range(self.cursor, min(self.cursor + 4, len(self.segments))):
                seg = self.segments[i].tokens
                n = len(tokens)
                if any(seg[j : j + n] == tuple(tokens) for j in range(len(seg) - n + 1)):
                    best = i
                    break
            if best < 0:
                return None
        self.cursor = best
        return self.segments[best].role or self.default_role


# --- one file ------------------------------------------------------------------------------------


@dataclass(slots=True)
class FileScore:
    id: str
    language: str
    format: str
    split: str
    script_lines: int = 0
    role_scored: int = 0
    role_correct: int = 0
    role_other: int = 0
    role_unmapped: int = 0
    findings: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    correct: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    correct_any_kind: int = 0
    items: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    items_found: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    labelled_lines: int = 0
    cited_lines: int = 0
    cited_interviewer: int = 0
    residue_script_lines: int = 0
    residue_labels: int = 0
    wrong: list[dict[str, Any]] = field(default_factory=list)
    missed: list[dict[str, Any]] = field(default_factory=list)


def _findings(analysis: Mapping[str, Any], kind: str) -> list[Mapping[str, Any]]:
    key = "primary_pain_points" if kind == "pain" else "primary_needs"
    return list(analysis.get(key) or [])


def score_file(label: Mapping[str, Any], text: str, analysis: Mapping[str, Any]) -> FileScore:
    """Scores one analysis of one labelled transcript (`text`: the extracted text)."""
    score = FileScore(label["id"], label["language"], label["format"], label["split"])
    script = list(analysis.get("cleaned_script") or [])
    score.script_lines = len(script)
    gold = GoldSpeakers.build(text, label)
    line_role: dict[int, str | None] = {}
    line_text: dict[int, str] = {}
    for line in script:
        sentence = str(line.get("cleaned_sentence") or "")
        role = gold.role_of(sentence)
        for i in line.get("id") or []:
            line_text[i] = (line_text.get(i, "") + " " + sentence).strip()
            line_role.setdefault(i, role)
        score.residue_script_lines += int(has_residue(sentence))
        if role is None:
            score.role_unmapped += 1
        elif role == "other":
            score.role_other += 1
        else:
            score.role_scored += 1
            score.role_correct += int(ENGINE_ROLE.get(str(line.get("speaker"))) == role)

    items = [i for i in label["items"] if i["kind"] in KINDS]
    score.labelled_lines = sum(len(i["quotes"]) for i in items)
    found: set[int] = set()
    cited_all: set[int] = set()
    for kind in KINDS:
        score.items[kind] = sum(1 for i in items if i["kind"] == kind)
        for finding in _findings(analysis, kind):
            score.findings[kind] += 1
            description = str(finding.get("description") or "")
            score.residue_labels += int(has_residue(description))
            cited = [line_text[i] for i in finding.get("evidence") or [] if i in line_text]
            cited_all.update(i for i in finding.get("evidence") or [] if i in line_text)
            hits = [
                (n, item)
                for n, item in enumerate(items)
                if any(overlaps(c, q) for c in cited for q in item["quotes"])
            ]
            same = [n for n, item in hits if item["kind"] == kind]
            score.correct[kind] += int(bool(same))
            score.correct_any_kind += int(bool(hits))
            found.update(same)
            if not same:
                score.wrong.append({"kind": kind, "description": description[:160]})
    for n, item in enumerate(items):
        if n in found:
            score.items_found[item["kind"]] += 1
        else:
            score.missed.append({"kind": item["kind"], "label": item["label"]})
    score.cited_lines = len(cited_all)
    score.cited_interviewer = sum(1 for i in cited_all if line_role.get(i) == "interviewer")
    return score


# --- groups --------------------------------------------------------------------------------------


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 3) if b else None


def aggregate(scores: Sequence[FileScore]) -> dict[str, Any]:
    """Micro-averaged figures over a group of files."""
    if not scores:
        return {"files": 0}

    def total(attr: str, kind: str | None = None) -> int:
        if kind is None:
            return sum(int(getattr(s, attr)) for s in scores)
        return sum(getattr(s, attr)[kind] for s in scores)

    findings = total("findings", "pain") + total("findings", "need")
    correct = total("correct", "pain") + total("correct", "need")
    items = total("items", "pain") + total("items", "need")
    found = total("items_found", "pain") + total("items_found", "need")
    out: dict[str, Any] = {
        "files": len(scores),
        "role_accuracy": _ratio(total("role_correct"), total("role_scored")),
        "role_lines_scored": total("role_scored"),
        "role_lines_unmapped": total("role_unmapped"),
        "precision": _ratio(correct, findings),
        "precision_any_kind": _ratio(total("correct_any_kind"), findings),
        "recall": _ratio(found, items),
        "findings": findings,
        "findings_per_interview": round(findings / len(scores), 2),
        "labelled_items": items,
        "labelled_lines": total("labelled_lines"),
        "interviewer_cited_share": _ratio(total("cited_interviewer"), total("cited_lines")),
        "cited_lines": total("cited_lines"),
        "residue_script_lines": total("residue_script_lines"),
        "residue_labels": total("residue_labels"),
    }
    for kind in KINDS:
        out[kind] = {
            "precision": _ratio(total("correct", kind), total("findings", kind)),
            "recall": _ratio(total("items_found", kind), total("items", kind)),
            "findings": total("findings", kind),
            "items": total("items", kind),
        }
    return out


def report(scores: Sequence[FileScore]) -> dict[str, Any]:
    """Figures per split (and both), each overall, per language and per format."""
    out: dict[str, Any] = {}
    for split in (*SPLITS, "all"):
        group = [s for s in scores if split == "all" or s.split == split]
        out[split] = {
            "overall": aggregate(group),
            "language": {
                lang: aggregate([s for s in group if s.language == lang])
                for lang in sorted({s.language for s in group})
            },
            "format": {
                fmt: aggregate([s for s in group if s.format == fmt])
                for fmt in sorted({s.format for s in group})
            },
        }
    return out

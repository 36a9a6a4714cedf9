"""Personas: placement quality on the labelled set, and the speed of re-matching and synthesis.

Placement: every interview of tests/personas/data/placement_set.json (the demo samples, and the
real evaluation transcripts when their git-ignored files are present) is read through the
product's ingestion and transcript parser, its answers embedded once, and placed on the labelled
2-axis and 3-axis frameworks by `personas.matching.place`. The same for the held-out sets
(tests/personas/data/placement_heldout.json, _2 and _3: interviews the matcher
was never tuned on, each set labelled and committed before it ran on them; git-ignored files,
skipped when absent), together and each apart. Reported per framework and axis: accuracy of the
confident placements against the labels, the share left "unclear", and how often an axis the
interview says nothing about (label None) was placed anyway; each confident placement that
disagrees with its label is listed.

Speed: re-match of 1,000 synthetic interviews on a 3-axis framework (placement of stored line
vectors, as the re-match job does when the search index has embedded the lines), and offline
synthesis of 12 personas over them; wall time and peak memory (tracemalloc, Python heap).

    uv run --frozen python -m bench.personas [--quick] [--speed-only]

Results are printed; a full run (neither flag) also writes bench/results/personas.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
import tracemalloc
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from bench import real_eval
from persona_insight.analysis.contract import (
    Finding,
    InterviewAnalysis,
    OverallQuality,
    QualityAssessment,
    ScriptLine,
)
from persona_insight.analysis.transcript import parse
from persona_insight.embeddings.vectors import embed_passages, embed_query
from persona_insight.ingest import extract
from persona_insight.personas import matching, synthesis
from persona_insight.personas.matching import AxisRef, TypeRef

ROOT = Path(__file__).resolve().parents[1]
SET = ROOT / "tests" / "personas" / "data" / "placement_set.json"
# Held-out sets, each labelled and committed before the matcher first ran on it: the first
# (2026-12-03), a second and a third (2026-12-05) chosen by rules fixed before labelling (each
# file says which).
HELDOUT_SETS = {
    "first": ROOT / "tests" / "personas" / "data" / "placement_heldout.json",
    "second": ROOT / "tests" / "personas" / "data" / "placement_heldout_2.json",
    "third": ROOT / "tests" / "personas" / "data" / "placement_heldout_3.json",
}
HELDOUT_FILES = ROOT / "tests" / "personas" / "data" / "heldout_files"
SAMPLES = ROOT / "src" / "persona_insight" / "demo" / "samples"
RESULTS = ROOT / "bench" / "results" / "personas.json"
MAX_ANSWERS = 80


def load_set() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SET.read_text(encoding="utf-8"))
    return data


def load_heldout() -> dict[str, Any]:
    """Every held-out set's labels on the placement set's frameworks, one type (or None) per
    axis, and which set each interview is in (`groups`)."""
    interviews: dict[str, dict[str, str | None]] = {}
    groups: dict[str, set[str]] = {}
    for group, path in HELDOUT_SETS.items():
        heldout = json.loads(path.read_text(encoding="utf-8"))
        labelled = {
            key: {axis: label["type"] for axis, label in labels.items()}
            for key, labels in heldout["interviews"].items()
        }
        if interviews.keys() & labelled.keys():
            raise ValueError(f"{path.name} repeats an interview of another held-out set")
        interviews |= labelled
        groups[group] = set(labelled)
    return {"frameworks": load_set()["frameworks"], "interviews": interviews, "groups": groups}


def heldout_dirs() -> list[Path]:
    env = os.environ.get("PI_PERSONA_HELDOUT_DIR")
    return [Path(env)] if env else [HELDOUT_FILES]


def interview_path(key: str) -> Path | None:
    source, name = key.split(":", 1)
    if source == "demo":
        return SAMPLES / name
    if source == "heldout":
        return real_eval.find_file(name, heldout_dirs())
    return real_eval.find_file(name)


def answers(path: Path) -> list[tuple[int, str]]:
    """The interviewee's turns as the product reads them (ingestion, then the parser)."""
    text = extract(path.name, path.read_bytes(), max_bytes=50_000_000, max_chars=2_000_000).text
    turns = parse(text).turns
    return [
        (t.id, t.text)
        for t in turns
        if t.role == "answer" and len(t.text) >= matching.MIN_LINE_CHARS
    ][:MAX_ANSWERS]


def axes_of(spec: list[dict[str, Any]]) -> tuple[list[AxisRef], dict[uuid.UUID, tuple[str, str]]]:
    refs = []
    names: dict[uuid.UUID, tuple[str, str]] = {}
    for axis in spec:
        axis_id = uuid.uuid5(uuid.NAMESPACE_URL, axis["name"])
        types = []
        for key, description in axis["types"].items():
            type_id = uuid.uuid5(axis_id, key)
            names[type_id] = (axis["name"], key)
            types.append(TypeRef(type_id, matching.type_text(axis["name"], key, description)))
        refs.append(AxisRef(axis_id, tuple(types)))
    return refs, names


def evaluate(
    data: dict[str, Any] | None = None, groups: dict[str, set[str]] | None = None
) -> dict[str, Any]:
    """Per framework: confident accuracy and unclear share over labelled placements; with
    `groups`, the same for each named subset of the interviews too (`groups` in the report),
    from the one reading and embedding of every transcript."""
    data = data or load_set()
    embedded: dict[str, tuple[list[int], np.ndarray]] = {}
    missing = []
    for key in data["interviews"]:
        path = interview_path(key)
        if path is None or not path.exists():
            missing.append(key)
            continue
        pairs = answers(path)
        embedded[key] = ([i for i, _ in pairs], embed_passages([t for _, t in pairs]))
    placed: dict[str, list[tuple[str, str, str | None, str | None]]] = {}
    for name, spec in data["frameworks"].items():
        refs, names = axes_of(spec)
        vectors = {t.id: embed_query(t.text) for a in refs for t in a.types}
        axis_names = {a.id: names[a.types[0].id][0] for a in refs if a.types}
        rows = placed.setdefault(name, [])
        for key, (ids, matrix) in embedded.items():
            labels = data["interviews"][key]
            for placement in matching.place(ids, matrix, refs, vectors):
                axis_name = axis_names[placement.axis_id]
                got = None if placement.type_id is None else names[placement.type_id][1]
                rows.append((key, axis_name, labels.get(axis_name), got))
    report: dict[str, Any] = {
        "interviews": len(embedded),
        "missing": missing,
        "frameworks": _scores(placed, set(embedded)),
    }
    if groups:
        report["groups"] = {
            group: {
                "interviews": len(keys & set(embedded)),
                "frameworks": _scores(placed, keys),
            }
            for group, keys in groups.items()
        }
    return report


def _scores(
    placed: dict[str, list[tuple[str, str, str | None, str | None]]], keys: set[str]
) -> dict[str, Any]:
    """A placement whose label is None (the interview does not say) is not scored; how often
    the matcher still placed it confidently is counted apart (`unsaid`, `unsaid_placed`)."""
    out: dict[str, Any] = {}
    for name, rows in placed.items():
        per_axis: dict[str, dict[str, int]] = {}
        misses: list[dict[str, str]] = []
        for key, axis_name, want, got in rows:
            if key not in keys:
                continue
            tally = per_axis.setdefault(
                axis_name,
                {
                    "placements": 0,
                    "unclear": 0,
                    "confident": 0,
                    "correct": 0,
                    "unsaid": 0,
                    "unsaid_placed": 0,
                },
            )
            if want is None:
                tally["unsaid"] += 1
                tally["unsaid_placed"] += int(got is not None)
                continue
            tally["placements"] += 1
            if got is None:
                tally["unclear"] += 1
                continue
            tally["confident"] += 1
            tally["correct"] += int(got == want)
            if got != want:
                misses.append({"interview": key, "axis": axis_name, "label": want, "placed": got})
        total = {
            k: sum(a[k] for a in per_axis.values())
            for k in ("placements", "unclear", "confident", "correct", "unsaid", "unsaid_placed")
        }
        out[name] = {
            "axes": per_axis,
            "placements": total["placements"],
            "accuracy_when_confident": round(total["correct"] / max(total["confident"], 1), 3),
            "unclear_share": round(total["unclear"] / max(total["placements"], 1), 3),
            "placed_where_unsaid": round(total["unsaid_placed"] / max(total["unsaid"], 1), 3),
            "confident_wrong": misses,
        }
    return out


# --- speed ---------------------------------------------------------------------------------------


def synthetic(n: int, rng: random.Random) -> list[tuple[uuid.UUID, InterviewAnalysis]]:
    phrases = [
        "the charger was broken again",
        "delivery fees are too high",
        "I wait for the bus every morning",
        "the app keeps logging me out",
        "I want to see prices before I order",
        "I need a faster way to transfer money",
        "booking a hotel for the family takes ages",
        "my workout data does not sync",
    ]
    out = []
    for _ in range(n):
        lines = []
        for i in range(1, 31):
            speaker = "question" if i % 2 else "answer"
            lines.append(
                ScriptLine(
                    id=[i],
                    speaker=speaker,
                    cleaned_sentence=f"{rng.choice(phrases)}, and {rng.choice(phrases)}",
                )
            )
        pains = [
            Finding(description=rng.choice(phrases), evidence=[rng.randrange(2, 31, 2)])
            for _ in range(3)
        ]
        needs = [
            Finding(description=rng.choice(phrases), evidence=[rng.randrange(2, 31, 2)])
            for _ in range(2)
        ]
        analysis = InterviewAnalysis(
            language="en",
            cleaned_script=lines,
            interview_quality_assessment=QualityAssessment(overall_quality=OverallQuality(score=3)),
            primary_pain_points=pains,
            primary_needs=needs,
        )
        out.append((uuid.uuid4(), analysis))
    return out


def speed(n: int = 1000, personas: int = 12) -> dict[str, Any]:
    rng = random.Random(14)
    interviews = synthetic(n, rng)
    spec = load_set()["frameworks"]["three_axes"]
    refs, _ = axes_of(spec)
    # The re-match reads line vectors the search index stored; embed the distinct texts once.
    texts = sorted({ln.cleaned_sentence for _, a in interviews for ln in a.cleaned_script})
    started = time.perf_counter()
    table = dict(zip(texts, embed_passages(texts), strict=True))
    embed_s = time.perf_counter() - started
    vectors = {t.id: embed_query(t.text) for a in refs for t in a.types}

    def rematch() -> None:
        for _, analysis in interviews:
            pairs = matching.answer_lines(analysis)
            matrix = np.stack([table[t] for _, t in pairs])
            matching.place([i for i, _ in pairs], matrix, refs, vectors)

    # The synthetic findings repeat a few phrases: their vectors are computed once, so this
    # times the grouping and assembly; real finding texts cost one e5 pass each on top.
    cache: dict[str, np.ndarray] = {}

    def embed(texts: list[str]) -> np.ndarray:
        new = [t for t in dict.fromkeys(texts) if t not in cache]
        if new:
            cache.update(zip(new, embed_passages(new), strict=True))
        return np.stack([cache[t] for t in texts])

    def synthesise() -> int:
        count = 0
        for i in range(personas):
            sources = [synthesis.Source(iid, "t", a) for iid, a in interviews[i::personas]]
            profile = synthesis.synthesise(sources, ["x", "y", "z"], "en", embed)
            count += sum(len(s) for s in profile.sections.values())
        return count

    # Timed without tracing (tracemalloc slows every allocation), then run again for the peak.
    started = time.perf_counter()
    rematch()
    rematch_s = time.perf_counter() - started
    synthesise()  # fills the vector cache, so the timed run is grouping and assembly only
    started = time.perf_counter()
    statements = synthesise()
    synth_s = time.perf_counter() - started
    tracemalloc.start()
    rematch()
    _, rematch_peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    synthesise()
    _, synth_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "interviews": n,
        "personas": personas,
        "line_embedding_s": round(embed_s, 2),
        "rematch_s": round(rematch_s, 2),
        "rematch_peak_mb": round(rematch_peak / 2**20, 1),
        "synthesis_s": round(synth_s, 2),
        "synthesis_peak_mb": round(synth_peak / 2**20, 1),
        "statements": statements,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100 interviews instead of 1,000")
    parser.add_argument(
        "--speed-only",
        action="store_true",
        help="skip the placement sets (each reads and embeds every transcript: minutes)",
    )
    args = parser.parse_args()
    result: dict[str, Any] = {}
    if not args.speed_only:
        result["placement"] = evaluate()
        heldout = load_heldout()
        result["placement_heldout"] = evaluate(heldout, heldout["groups"])
    result["speed"] = speed(100 if args.quick else 1000)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    # A partial or small run must not replace the full-size figures docs/benchmarks.md cites.
    if args.quick or args.speed_only:
        return
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

"""Offline analysis engine: line-detection quality on the labelled demo interviews, and speed.

Runs the offline engine on every interview labelled in tests/analysis/labels.json (files in
src/persona_insight/demo/samples, read through the product's ingestion) and reports, per
language and overall, the precision and recall of pain-point lines and of need lines: a line is
detected when it is in the evidence of a finding of that kind. Then times model loading and the
analysis of synthetic 10,000-word interviews (median of 3 runs each).

    uv run --frozen python -m bench.analysis

Results are printed and written to bench/results/analysis.json.

With `--real` it scores the real evaluation set instead (tests/analysis/real/, method in its
README): each transcript goes through `persona-insight analyze`'s own path (`analyse_file`), and
speaker-role accuracy, finding precision and recall, the interviewer's share of cited lines,
layout residue and findings per interview are reported per split, language and format, into
bench/results/analysis_real.json.

    uv run --frozen python -m bench.analysis --real [--engine offline]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import statistics
import time
from pathlib import Path
from typing import Any

from bench import real_eval
from persona_insight.analysis.engine import AnalysisContext
from persona_insight.analysis.offline import models
from persona_insight.analysis.offline.engine import analyse_sync
from persona_insight.analysis.registry import build_engine
from persona_insight.analysis.run import analyse_file
from persona_insight.analysis.transcript import Transcript, Turn, parse
from persona_insight.config import get_settings
from persona_insight.ingest import extract

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "src" / "persona_insight" / "demo" / "samples"
LABELS = ROOT / "tests" / "analysis" / "labels.json"
RESULTS = ROOT / "bench" / "results" / "analysis.json"
RESULTS_REAL = ROOT / "bench" / "results" / "analysis_real.json"
TARGET_WORDS = 10_000
RUNS = 3
TARGETS = {"precision": 0.7, "recall": 0.6, "seconds_10k": 3.0}


def load_transcript(name: str) -> Transcript:
    path = SAMPLES / name
    extracted = extract(name, path.read_bytes(), max_bytes=50_000_000, max_chars=2_000_000)
    return parse(extracted.text)


def detected(result_analysis: Any, kind: str) -> set[int]:
    findings = (
        result_analysis.primary_pain_points if kind == "pain" else result_analysis.primary_needs
    )
    return {i for f in findings for i in f.evidence}


def scores(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    return {
        "precision": round(tp / (tp + fp), 3) if tp + fp else 0.0,
        "recall": round(tp / (tp + fn), 3) if tp + fn else 0.0,
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def evaluate() -> dict[str, Any]:
    labels = {k: v for k, v in json.loads(LABELS.read_text()).items() if not k.startswith("_")}
    counts: dict[str, dict[str, list[int]]] = {}
    per_file: dict[str, Any] = {}
    for name, label in labels.items():
        transcript = load_transcript(name)
        result = analyse_sync(transcript, AnalysisContext(title=name))
        analysis = result.analysis
        row: dict[str, Any] = {
            "language_expected": label["language"],
            "language_detected": analysis.language,
            "ms": result.usage["ms"],
        }
        for kind in ("pain", "need"):
            truth, found = set(label[kind]), detected(analysis, kind)
            tp, fp, fn = len(truth & found), len(found - truth), len(truth - found)
            for group in (label["language"], "overall"):
                bucket = counts.setdefault(group, {}).setdefault(kind, [0, 0, 0])
                bucket[0] += tp
                bucket[1] += fp
                bucket[2] += fn
            row[kind] = {"missed": sorted(truth - found), "extra": sorted(found - truth)}
        per_file[name] = row
    quality = {
        group: {kind: scores(*values) for kind, values in kinds.items()}
        for group, kinds in counts.items()
    }
    return {"quality": quality, "files": per_file}


_EN_TAILS = (
    "That happened again last month.",
    "My neighbour says the same thing.",
    "It was like that on Tuesday too.",
    "I noticed it again during the holidays.",
    "We talked about it at dinner once.",
)
_KO_TAILS = (
    "지난달에도 그랬어요.",
    "옆집 분도 똑같이 말하더라고요.",
    "화요일에도 그런 일이 있었어요.",
    "명절 때도 비슷했어요.",
    "저녁 먹으면서 그 얘기를 한 적도 있어요.",
)


def _vary(text: str, rng: random.Random, korean: bool) -> str:
    """A different wording of a turn: other numbers and an extra remark, so that no sentence
    repeats exactly (repeats would be embedded once and flatter the timing)."""
    text = re.sub(r"\d+", lambda m: str(int(m.group()) + rng.randint(1, 9)), text)
    tail = rng.choice(_KO_TAILS if korean else _EN_TAILS)
    return f"{text} {tail}"


def synthetic(language: str, seed: int) -> Transcript:
    """A long interview made of the labelled interviews' exchanges, varied and reshuffled."""
    rng = random.Random(seed)
    names = [n for n in json.loads(LABELS.read_text()) if n.startswith(f"{language}_")]
    exchanges: list[list[Turn]] = []
    for name in names:
        turns = list(load_transcript(name).turns)
        for k in range(0, len(turns) - 1, 2):
            exchanges.append(turns[k : k + 2])
    lines: list[str] = []
    words = 0
    while words < TARGET_WORDS:
        exchange = rng.choice(exchanges)
        for turn in exchange:
            label = "Interviewer" if turn.role == "question" else "Participant"
            text = _vary(turn.text, rng, language == "ko")
            lines.append(f"{label}: {text}")
            words += len(text.split())
    return parse("\n".join(lines))


def timing() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for language in ("en", "ko"):
        runs: list[float] = []
        cpu: list[float] = []
        info: dict[str, Any] = {}
        for run in range(RUNS):
            transcript = synthetic(language, seed=run)
            started, cpu_started = time.perf_counter(), time.process_time()
            result = analyse_sync(transcript, AnalysisContext())
            runs.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
            info = {
                "words": sum(len(t.text.split()) for t in transcript.turns),
                "turns": len(transcript.turns),
                "sentences": result.usage["sentences"],
                "embedded_sentences": result.usage["embedded"],
            }
        out[language] = {
            **info,
            "seconds_median": round(statistics.median(runs), 3),
            "seconds_runs": [round(r, 3) for r in runs],
            "cpu_seconds_median": round(statistics.median(cpu), 3),
        }
    return out


def _machine() -> dict[str, Any]:
    load_avg = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in load_avg] if load_avg else None,
    }


async def _warm_up(engine: str) -> float:
    """Loads the engine's models where it runs them (the offline engine's pool process), so each
    file's time is its analysis alone."""
    started = time.perf_counter()
    await build_engine(engine, get_settings()).analyse(
        parse("Interviewer: How was it?\nParticipant: Fine, thanks."), AnalysisContext()
    )
    return time.perf_counter() - started


async def evaluate_real(engine: str) -> dict[str, Any]:
    """Every labelled real transcript through `analyse_file`, scored by bench.real_eval."""
    settings = get_settings()
    load = await _warm_up(engine)
    scores: list[real_eval.FileScore] = []
    files: dict[str, Any] = {}
    missing: list[str] = []
    for label in real_eval.load_labels():
        path = real_eval.find_file(label["id"])
        if path is None:
            missing.append(label["id"])
            continue
        text = extract(
            path.name,
            path.read_bytes(),
            max_bytes=settings.max_upload_bytes,
            max_chars=settings.max_text_chars,
        ).text
        started = time.perf_counter()
        result = await analyse_file(path, engine, settings)
        seconds = time.perf_counter() - started
        score = real_eval.score_file(label, text, result.analysis.model_dump(mode="json"))
        scores.append(score)
        files[label["id"]] = {
            "split": score.split,
            "language": score.language,
            "format": score.format,
            "seconds": round(seconds, 2),
            **real_eval.aggregate([score]),
            "wrong_findings": score.wrong,
            "missed_items": score.missed,
        }
    return {
        "model_load_seconds": round(load, 3),
        "report": real_eval.report(scores),
        "files": files,
        "missing": missing,
    }


def main_real(engine: str) -> None:
    out = asyncio.run(evaluate_real(engine))
    load = out["model_load_seconds"]
    report = {"engine": engine, **out, "machine": _machine()}
    RESULTS_REAL.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_REAL.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")

    print(f"engine {engine}; model load {load:.2f} s; missing files: {out['missing'] or 'none'}")
    head = (
        f"{'split':<8} {'group':<12} {'files':>5} {'roles':>6} {'prec':>6} {'any':>6} "
        f"{'recall':>6} {'intvw':>6} {'resid':>5} {'f/int':>6}"
    )
    print(head)
    for split in (*real_eval.SPLITS, "all"):
        block = out["report"][split]
        rows = [("overall", block["overall"])]
        rows += [(f"lang {k}", v) for k, v in block["language"].items()]
        rows += [(f"fmt {k}", v) for k, v in block["format"].items()]
        for name, g in rows:
            if not g.get("files"):
                continue

            def f(x: float | None) -> str:
                return "-" if x is None else f"{x:.3f}"

            print(
                f"{split:<8} {name:<12} {g['files']:>5} {f(g['role_accuracy']):>6} "
                f"{f(g['precision']):>6} {f(g['precision_any_kind']):>6} {f(g['recall']):>6} "
                f"{f(g['interviewer_cited_share']):>6} "
                f"{g['residue_script_lines'] + g['residue_labels']:>5} "
                f"{g['findings_per_interview']:>6}"
            )
    print(f"saved {RESULTS_REAL.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--real", action="store_true", help="score the real evaluation set")
    parser.add_argument("--engine", default="offline", help="engine for --real (default offline)")
    args = parser.parse_args()
    if args.real:
        main_real(args.engine)
        return
    load_started = time.perf_counter()
    models.warm_up()
    load = round(time.perf_counter() - load_started, 3)
    parts = {k: round(v, 3) for k, v in models.load_seconds().items()}
    quality = evaluate()
    speed = timing()
    report = {
        "model_load_seconds": load,
        "model_load_parts": parts,
        **quality,
        "synthetic_10k": speed,
        "targets": TARGETS,
        "machine": _machine(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")

    print(f"model load: {load:.2f} s {parts}")
    print(f"{'group':<8} {'kind':<5} {'precision':>9} {'recall':>7}   tp  fp  fn")
    for group in ("ko", "en", "mixed", "overall"):
        for kind in ("pain", "need"):
            s = report["quality"].get(group, {}).get(kind)
            if s:
                print(
                    f"{group:<8} {kind:<5} {s['precision']:>9.3f} {s['recall']:>7.3f}"
                    f"  {s['tp']:>3} {s['fp']:>3} {s['fn']:>3}"
                )
    for language, s in speed.items():
        print(
            f"10k-word {language}: median {s['seconds_median']:.2f} s over {RUNS} runs "
            f"(cpu {s['cpu_seconds_median']:.2f} s; {s['words']} words, {s['sentences']} "
            f"answer sentences, {s['embedded_sentences']} embedded)"
        )
    print(f"machine load average during the run: {report['machine']['load_average']}")
    print(f"saved {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

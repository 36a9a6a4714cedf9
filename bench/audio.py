"""Speech-to-text on this machine (issue 16).

1. Real-time factor (seconds of work per second of audio) of the `local` engine on a two-voice
   English interview made by espeak-ng, in every container PyAV writes here, each run in a fresh
   process (model load included, as in the job), with that process's peak resident memory and
   the word error rate.
2. The `api` engine against faster-whisper-server on 127.0.0.1 serving the same model (int8).
3. Upload to `completed` of a 30-minute recording (the interview repeated, as mp3) through one
   default `serve` process (API plus its worker): the 202, the transcription, the analysis; and
   the peak memory of decoding it window by window against whole. `--only-long` replaces just
   this part of bench/results/audio.json.

    uv run --frozen python -m bench.audio [--seconds 60] [--long-minutes 30] [--skip-long]
        [--formats wav,mp3] [--max-wait-minutes N] [--measure-timeout S] [--no-save]

A short proving run: `--seconds 8 --formats wav,mp3 --long-minutes 1 --max-wait-minutes 10
--no-save`. Every wait is bounded: a clip's child process is killed after `--measure-timeout`
seconds (reported as failed), the long recording is given up after `--max-wait-minutes`.

Prints the figures and writes bench/results/audio.json.
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from tests.media.speech import CONTAINERS, INTERVIEW, encode, synthesize, wav_bytes, wer

from bench.harness import RESULTS, ROOT, free_port, fresh_database, save, seed, server
from persona_insight.media import pipeline
from persona_insight.media.engines.api import ApiOptions
from persona_insight.media.models import ensure_model

MODELS = ROOT / "data" / "bench-models"


def interview(seconds: float) -> tuple[bytes, str]:
    """The interview repeated to at least `seconds`, and the words said."""
    wav, _ = synthesize(INTERVIEW)
    with wave.open(io.BytesIO(wav)) as w:
        rate = w.getframerate()
        once = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    times = max(1, int(np.ceil(seconds * rate / once.size)))
    words = " ".join(text for _, text in INTERVIEW)
    return wav_bytes(np.tile(once, times), rate), " ".join([words] * times)


def _child(path: str, options: pipeline.Options, out: Any) -> None:
    started = time.perf_counter()
    result = pipeline.run(Path(path), options)
    used = resource.getrusage(resource.RUSAGE_SELF)
    out.send(
        {
            "seconds": time.perf_counter() - started,
            "cpu_seconds": used.ru_utime + used.ru_stime,
            "duration_ms": result.duration_ms,
            "text": " ".join(s.text for s in result.segments),
            "speakers": result.speakers,
            "peak_rss_mb": _vm_hwm(os.getpid()),
        }
    )


# One measurement's bound: a child that hangs or dies is reported, never waited on forever.
MEASURE_TIMEOUT_S = 900.0


def _receive(process: Any, receiver: Any, sender: Any, timeout: float) -> Any:
    """The child's one message, or an error when it dies or overruns `timeout` (then killed)."""
    process.start()
    sender.close()  # ours closed, the pipe reports EOF when the child dies without sending
    try:
        if not receiver.poll(timeout):
            raise TimeoutError(f"no result in {timeout:g} s")
        return receiver.recv()
    except EOFError:
        raise RuntimeError(f"the child died (exit code {process.exitcode})") from None
    finally:
        if process.is_alive():
            process.kill()
        process.join(10)


def measure(path: Path, options: pipeline.Options, reference: str) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(str(path), options, sender))
    try:
        got: dict[str, Any] = _receive(process, receiver, sender, MEASURE_TIMEOUT_S)
    except (TimeoutError, RuntimeError) as exc:
        return {"failed": str(exc)}
    return {
        "rtf": round(got["seconds"] * 1000 / got["duration_ms"], 3),
        # CPU seconds per audio second: what the work costs whatever else the machine runs.
        "cpu_rtf": round(got["cpu_seconds"] * 1000 / got["duration_ms"], 3),
        "seconds": round(got["seconds"], 1),
        "audio_s": round(got["duration_ms"] / 1000, 1),
        "wer": round(wer(reference, got["text"]), 3),
        "speakers": got["speakers"],
        "peak_rss_mb": round(got["peak_rss_mb"]),
        "bytes": path.stat().st_size,
    }


def formats(model: Path, seconds: float, folder: Path, only: list[str]) -> dict[str, Any]:
    wav, words = interview(seconds)
    options = pipeline.Options("local", "en", 4 * 3600, model_dir=str(model))
    out: dict[str, Any] = {}
    for suffix in sorted(only or CONTAINERS):
        try:
            path = encode(wav, suffix, folder)
        except BaseException as exc:  # pytest.skip: this PyAV cannot write it
            out[suffix] = {"skipped": str(exc)}
            continue
        out[suffix] = measure(path, options, words)
        print(suffix, out[suffix], flush=True)
    return out


def api_engine(model: Path, seconds: float, folder: Path) -> dict[str, Any]:
    wav, words = interview(seconds)
    path = folder / "api.wav"
    path.write_bytes(wav)
    config = folder / "fws.yaml"
    config.write_text(
        "models:\n  - name: whisper-1\n"
        f"    path: {model}\n"
        "    model_options: {device: cpu, compute_type: int8, cpu_threads: 2}\n"
        "    transcribe_options: {vad_filter: true, condition_on_previous_text: false}\n"
    )
    port = free_port()
    command = [sys.executable, "-m", "faster_whisper_server", "--config", str(config)]
    log = (folder / "fws.log").open("wb")
    proc = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)], stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            return {"failed": "faster-whisper-server did not answer in 60 s"}
        options = pipeline.Options(
            "api", "en", 4 * 3600, api=ApiOptions(f"http://127.0.0.1:{port}/v1", "whisper-1")
        )
        first = measure(path, options, words)  # loads the server's model
        again = measure(path, options, words)
        server_hwm = _vm_hwm(proc.pid)
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()
    return {"first": first, "warm": again, "server_peak_rss_mb": server_hwm}


def _vm_hwm(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    except OSError:
        return None
    return None


def _decode_child(path: str, whole: bool, out: Any) -> None:
    from persona_insight.media import decode

    if whole:
        decode.decode(Path(path), max_duration_s=4 * 3600)
    else:
        for _ in decode.stream(Path(path), max_duration_s=4 * 3600):
            pass
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec, so a spawned child would
    # report the parent's peak (the benchmark holds the whole WAV it encoded).
    out.send(_vm_hwm(os.getpid()))


def decode_memory(path: Path) -> dict[str, int]:
    """Peak resident memory of decoding the recording window by window (what the job does),
    against holding it whole (what it did before)."""
    found: dict[str, int] = {}
    context = multiprocessing.get_context("spawn")
    for whole in (False, True):
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_decode_child, args=(str(path), whole, sender))
        peak = _receive(process, receiver, sender, MEASURE_TIMEOUT_S)
        found["whole_peak_rss_mb" if whole else "windowed_peak_rss_mb"] = round(peak)
    return found


def long_recording(
    model: Path, minutes: float, folder: Path, max_wait_s: float | None = None
) -> dict[str, Any]:
    wav, _ = interview(minutes * 60)
    path = encode(wav, ".mp3", folder)
    del wav
    memory = decode_memory(path)
    print("decode", memory, flush=True)
    load_before = os.getloadavg()
    url = fresh_database(prefix="bench_audio")
    who = seed(url)
    env = {"PERSONA_INSIGHT_SPEECH_MODEL_DIR": str(model)}
    with server(url, env=env) as (base, _):
        headers = {"Authorization": f"Bearer {who.token}"}
        started = time.perf_counter()
        with path.open("rb") as fh:
            r = httpx.post(
                f"{base}/api/workflow/async",
                headers=headers,
                data={"project_id": who.project_id, "language": "en"},
                files={"file": ("long.mp3", fh, "audio/mpeg")},
                timeout=300,
            )
        r.raise_for_status()
        accepted = time.perf_counter() - started
        interview_id = r.json()["interview_id"]
        marks: dict[str, float] = {}
        deadline = time.monotonic() + (max_wait_s or minutes * 60 * 3 + 600)
        status = "transcribing"
        body: dict[str, Any] = {}
        while time.monotonic() < deadline:
            try:
                body = httpx.get(
                    f"{base}/api/interviews/{interview_id}", headers=headers, timeout=60
                ).json()
            except httpx.TimeoutException:  # a loaded machine: ask again
                continue
            status = body["status"]
            marks.setdefault(status, time.perf_counter() - started)
            if status in ("completed", "failed"):
                break
            time.sleep(2)
    return {
        "minutes": minutes,
        "load_average_1m": [round(load_before[0], 1), round(os.getloadavg()[0], 1)],
        **memory,
        "mp3_bytes": path.stat().st_size,
        "upload_202_s": round(accepted, 2),
        "transcribed_s": round(marks.get("processing", float("nan")), 1),
        "completed_s": round(marks.get(status, float("nan")), 1),
        "status": status,
        "waited_s": round(time.perf_counter() - started, 1),
        "error": body.get("error"),
    }


def main() -> None:
    global MEASURE_TIMEOUT_S  # one bound for every child of this run
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--long-minutes", type=float, default=30.0)
    parser.add_argument("--skip-long", action="store_true")
    parser.add_argument("--only-long", action="store_true")
    parser.add_argument("--max-wait-minutes", type=float, default=0, help="Give up after.")
    parser.add_argument(
        "--decode-memory", type=float, default=0, help="Only the decoding memory of N minutes."
    )
    parser.add_argument("--formats", default="", help="Suffixes to measure (default: all).")
    parser.add_argument("--no-save", action="store_true", help="Print only (a short proving run).")
    parser.add_argument(
        "--measure-timeout", type=float, default=MEASURE_TIMEOUT_S, help="Seconds per clip."
    )
    args = parser.parse_args()
    MEASURE_TIMEOUT_S = args.measure_timeout
    if args.decode_memory:
        with tempfile.TemporaryDirectory(prefix="bench-audio-") as tmp:
            wav, _ = interview(args.decode_memory * 60)
            print(decode_memory(encode(wav, ".mp3", Path(tmp))))
        return
    model = ensure_model(MODELS)
    results: dict[str, Any] = {"clip_seconds": args.seconds}
    with tempfile.TemporaryDirectory(prefix="bench-audio-") as tmp:
        folder = Path(tmp)
        if not args.only_long:
            only = [f".{f.strip('.')}" for f in args.formats.split(",") if f.strip()]
            results["local"] = formats(model, args.seconds, folder, only)
            results["api"] = api_engine(model, args.seconds, folder)
            print("api", results["api"], flush=True)
        if not args.skip_long:
            wait = args.max_wait_minutes * 60 or None
            results["long"] = long_recording(model, args.long_minutes, folder, wait)
            print("long", results["long"], flush=True)
    if args.only_long:
        # The clip figures of an earlier full run stay; only the long recording is replaced.
        earlier = RESULTS / "audio.json"
        if earlier.exists():
            kept = json.loads(earlier.read_text())
            kept.pop("machine", None)
            results = kept | {"long": results["long"]}
    if args.no_save:
        print(json.dumps(results, indent=2))
        return
    print(save("audio", results))


if __name__ == "__main__":
    main()

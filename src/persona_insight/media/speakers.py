"""Speaker turns without a neural model: each segment's voice as cepstral statistics, clustered.

Measured alternative to a speaker-embedding network (resemblyzer's needs torch, or a numpy
re-implementation of its LSTM): per segment, the mean and spread of 19 mel-cepstral coefficients
and of the log-energy over its voiced frames, standardised over the recording, then agglomerative
clustering (average linkage, cosine distance). The number of speakers (1 to `max_speakers`) is
the one with the best silhouette; that silhouette is the confidence we report. It separates
voices that differ in timbre and pitch (a man and a woman, two distinct synthetic voices); two
similar voices do not separate, and the page says so when the confidence is low.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from persona_insight.media.decode import SAMPLE_RATE
from persona_insight.media.engines.base import Segment

Audio = npt.NDArray[np.float32]
Matrix = npt.NDArray[np.float64]

_FRAME = 400  # 25 ms
_HOP = 160  # 10 ms
_NFFT = 512
_MELS = 40
_CEPS = 20
# Below this silhouette two clusters are not believed: one speaker (or voices too alike).
MIN_SILHOUETTE = 0.12
# Segments clustered pairwise at most; the rest join the nearest cluster (see `_cluster`).
MAX_CLUSTERED = 400


def _mel_filters() -> Matrix:
    def hz_to_mel(hz: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return 2595.0 * np.log10(1.0 + hz / 700.0)

    edges_mel = np.linspace(hz_to_mel(np.array(60.0)), hz_to_mel(np.array(7600.0)), _MELS + 2)
    edges_hz = 700.0 * (10 ** (edges_mel / 2595.0) - 1.0)
    bins = np.floor((_NFFT + 1) * edges_hz / SAMPLE_RATE).astype(int)
    filters = np.zeros((_MELS, _NFFT // 2 + 1))
    for m in range(1, _MELS + 1):
        left, centre, right = bins[m - 1], bins[m], bins[m + 1]
        for k in range(left, centre):
            filters[m - 1, k] = (k - left) / max(1, centre - left)
        for k in range(centre, right):
            filters[m - 1, k] = (right - k) / max(1, right - centre)
    return filters


_FILTERS = _mel_filters()
_DCT = np.cos(
    np.pi / _MELS * (np.arange(_MELS)[None, :] + 0.5) * np.arange(_CEPS)[:, None]
)  # (ceps, mels)
_WINDOW = np.hamming(_FRAME)


def voice_features(audio: Audio) -> npt.NDArray[np.float64] | None:
    """Mean and spread of the cepstrum over the voiced frames of a stretch of audio."""
    if audio.size < _FRAME * 4:
        return None
    count = 1 + (audio.size - _FRAME) // _HOP
    index = np.arange(_FRAME)[None, :] + _HOP * np.arange(count)[:, None]
    frames = audio[index].astype(np.float64) * _WINDOW
    power = np.abs(np.fft.rfft(frames, _NFFT)) ** 2
    energy = np.log(power.sum(axis=1) + 1e-10)
    voiced = energy > energy.max() - 6.0  # within ~26 dB of the loudest frame
    if voiced.sum() < 4:
        return None
    logmel = np.log(power[voiced] @ _FILTERS.T + 1e-10)
    ceps = logmel @ _DCT.T
    feats = np.concatenate([ceps[:, 1:], energy[voiced, None]], axis=1)
    return np.concatenate([feats.mean(axis=0), feats.std(axis=0)])


def _cosine_distances(x: Matrix) -> Matrix:
    unit = x / (np.linalg.norm(x, axis=1, keepdims=True) + 1e-12)
    dist: Matrix = np.clip(1.0 - unit @ unit.T, 0.0, 2.0)
    return dist


def _agglomerate(dist: Matrix, k: int) -> npt.NDArray[np.int64]:
    """Average-linkage clustering down to k clusters, by the Lance-Williams update of one distance
    matrix: O(n²) work per merge, vectorised (a pairwise loop was O(n³) in Python per merge, too
    slow past a few hundred segments)."""
    n = dist.shape[0]
    d = dist.astype(np.float64, copy=True)
    np.fill_diagonal(d, np.inf)
    sizes = np.ones(n)
    owner = np.arange(n)
    for _ in range(n - k):
        a, b = divmod(int(np.argmin(d)), n)
        merged = (sizes[a] * d[a] + sizes[b] * d[b]) / (sizes[a] + sizes[b])
        d[a, :] = merged
        d[:, a] = merged
        d[a, a] = np.inf
        d[b, :] = np.inf
        d[:, b] = np.inf
        sizes[a] += sizes[b]
        owner[owner == b] = a
    _, labels = np.unique(owner, return_inverse=True)
    return labels.astype(np.int64)


def _silhouette(dist: Matrix, labels: npt.NDArray[np.int64]) -> float:
    clusters = sorted(set(labels.tolist()))
    # Mean distance of every point to every cluster.
    means = np.stack([dist[:, labels == c].mean(axis=1) for c in clusters], axis=1)
    counts = np.array([(labels == c).sum() for c in clusters])
    own = np.searchsorted(clusters, labels)
    rows = np.arange(labels.size)
    size = counts[own]
    # The point's own zero distance is not a neighbour: mean over the others.
    a = means[rows, own] * size / np.maximum(size - 1, 1)
    others = means.copy()
    others[rows, own] = np.inf
    b = others.min(axis=1)
    scores = np.where(size > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(scores.mean())


def assign(
    segments: Sequence[Segment], audio: Audio, *, max_speakers: int = 2
) -> tuple[list[Segment], int, float]:
    """`assign_features` for segments of one recording held whole."""
    feats = [
        voice_features(audio[s.start_ms * SAMPLE_RATE // 1000 : s.end_ms * SAMPLE_RATE // 1000])
        for s in segments
    ]
    return assign_features(segments, feats, max_speakers=max_speakers)


def _cluster(x: Matrix, max_speakers: int) -> tuple[int, npt.NDArray[np.int64], float]:
    """(speakers, a label per row, silhouette) of standardised voice features. Past
    MAX_CLUSTERED rows a spread sample is clustered and every row joins the nearest centroid,
    so that a four-hour recording's thousands of segments cost what a few hundred do."""
    sample = np.arange(x.shape[0])
    if x.shape[0] > MAX_CLUSTERED:
        sample = np.unique(np.linspace(0, x.shape[0] - 1, MAX_CLUSTERED).astype(np.int64))
    dist = _cosine_distances(x[sample])
    best_k, best_labels, best_score = 1, np.zeros(sample.size, dtype=np.int64), 0.0
    for k in range(2, min(max_speakers, sample.size - 1) + 1):
        found = _agglomerate(dist, k)
        score = _silhouette(dist, found)
        if score > best_score:
            best_k, best_labels, best_score = k, found, score
    if sample.size == x.shape[0] or best_k == 1:
        labels = best_labels if sample.size == x.shape[0] else np.zeros(x.shape[0], np.int64)
        return best_k, labels, best_score
    unit = x / (np.linalg.norm(x, axis=1, keepdims=True) + 1e-12)
    centroids = np.stack([unit[sample][best_labels == c].mean(axis=0) for c in range(best_k)])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True) + 1e-12
    return best_k, np.argmax(unit @ centroids.T, axis=1).astype(np.int64), best_score


def assign_features(
    segments: Sequence[Segment],
    feats: Sequence[npt.NDArray[np.float64] | None],
    *,
    max_speakers: int = 2,
) -> tuple[list[Segment], int, float]:
    """The segments labelled `Speaker 1…n` (in order of first appearance), how many speakers,
    and the confidence of the grouping (the silhouette; 0 for a single speaker). `feats` are
    each segment's `voice_features` (None: too short to judge)."""
    if not segments:
        return [], 0, 0.0
    usable = [i for i, f in enumerate(feats) if f is not None]
    labels = np.zeros(len(segments), dtype=np.int64)
    speakers, confidence = 1, 0.0
    if len(usable) >= 3 and max_speakers >= 2:
        x = np.stack([feats[i] for i in usable])  # type: ignore[misc]
        x = (x - x.mean(axis=0)) / (x.std(axis=0) + 1e-9)
        best_k, best_labels, best_score = _cluster(x, max_speakers)
        if best_score >= MIN_SILHOUETTE:
            speakers, confidence = best_k, best_score
            labels[usable] = best_labels
            # A segment too short to judge takes the speaker of the segment before it.
            for i in range(len(segments)):
                if feats[i] is None and i > 0:
                    labels[i] = labels[i - 1]
    order: dict[int, int] = {}
    for label in labels.tolist():
        order.setdefault(label, len(order) + 1)
    named = [
        replace(s, speaker=f"Speaker {order[int(lab)]}")
        for s, lab in zip(segments, labels, strict=True)
    ]
    return named, speakers, round(min(1.0, confidence), 3)

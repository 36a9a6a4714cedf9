"""The shared per-language centring (embeddings/centring.py) used by persona discovery and
insight themes, including the incremental path that places one more vector later."""

from __future__ import annotations

import numpy as np
import pytest

from persona_insight.embeddings import centring


def _two_languages() -> tuple[np.ndarray, list[str]]:
    rng = np.random.default_rng(7)
    topics = rng.normal(size=(2, 16))
    accent = {"ko": rng.normal(size=16) * 4, "en": rng.normal(size=16) * 4}
    rows, languages = [], []
    for language in ("ko", "en"):
        for t in (0, 1):
            for _ in range(5):
                rows.append(topics[t] + accent[language] + rng.normal(size=16) * 0.1)
                languages.append(language)
    return np.array(rows, dtype=np.float32), languages


def test_centring_puts_the_same_topic_together_across_languages() -> None:
    x, languages = _two_languages()
    raw = centring.unit_rows(x)
    # Uncentred, the language dominates: a Korean topic-0 row is nearer Korean topic 1 than
    # English topic 0.
    assert raw[0] @ raw[5] > raw[0] @ raw[10]
    centred, means = centring.centre(x, languages)
    assert set(means) == {"ko", "en"}
    assert centred[0] @ centred[10] > 0.9
    assert centred[0] @ centred[5] < 0
    assert np.allclose(np.linalg.norm(centred, axis=1), 1.0, atol=1e-5)


def test_a_vector_placed_later_goes_through_the_same_transform() -> None:
    x, languages = _two_languages()
    centred, means = centring.centre(x, languages)
    for row in (0, 7, 13):
        placed = centring.apply(x[row], means[languages[row]])
        assert np.allclose(placed, centred[row], atol=1e-5)
    assert np.allclose(centring.apply(x[0], None), centring.unit_rows(x[:1])[0])


def test_dtype_is_kept_and_groups_must_match_rows() -> None:
    x, languages = _two_languages()
    assert centring.centre(x.astype(np.float64), languages)[0].dtype == np.float64
    assert centring.centre(x, languages)[0].dtype == np.float32
    with pytest.raises(ValueError, match="one group per row"):
        centring.centre(x, languages[:-1])

"""Text → vector, over the process-wide multilingual e5 model the offline analyser loads.

Passages (what is stored) and queries (what is searched with) are embedded differently by e5;
use `embed_query` for anything a user typed to find stored passages.
"""

from __future__ import annotations

from collections.abc import Sequence

from persona_insight.analysis.offline import models
from persona_insight.analysis.offline.models import DIM, Vectors

MODEL = "multilingual-e5-small"

__all__ = ["DIM", "MODEL", "Vectors", "embed_passages", "embed_query"]


def embed_passages(texts: Sequence[str]) -> Vectors:
    """One L2-normalised row per text, shape (len(texts), DIM)."""
    return models.embed(texts)


def embed_query(text: str) -> Vectors:
    """The query-side vector of one text, shape (DIM,), L2-normalised."""
    vector: Vectors = models.embed_queries([text])[0]
    return vector

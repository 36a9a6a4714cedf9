"""Text → vector, over the process-wide multilingual e5 model the offline analyser loads.

Passages (what is stored) and queries (what is searched with) are embedded differently by e5;
use `embed_query` for anything a user typed to find stored passages.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Sequence

from persona_insight.analysis.offline import models
from persona_insight.analysis.offline.models import DIM, Vectors

MODEL = "multilingual-e5-small"

__all__ = ["DIM", "MODEL", "Vectors", "embed_passages", "embed_query", "query_vector"]


def embed_passages(texts: Sequence[str]) -> Vectors:
    """One L2-normalised row per text, shape (len(texts), DIM)."""
    return models.embed(texts)


def embed_query(text: str) -> Vectors:
    """The query-side vector of one text, shape (DIM,), L2-normalised; read-only, as it is
    shared with every later caller of the same text."""
    return _embed_query(text)


async def query_vector(text: str, pending: asyncio.Future[Vectors] | None = None) -> Vectors:
    """`embed_query(text)` off the event loop, or `pending` — the same vector, already being
    computed by the caller — when given."""
    return await (pending if pending is not None else asyncio.to_thread(embed_query, text))


# One search embeds its query for lines and again for findings and documents, and every
# analysis embeds the same persona type descriptions: ~11 ms each time on this machine. The
# model is deterministic, so a remembered vector is the vector.
@functools.lru_cache(maxsize=1024)
def _embed_query(text: str) -> Vectors:
    vector: Vectors = models.embed_queries([text])[0]
    vector.flags.writeable = False
    return vector

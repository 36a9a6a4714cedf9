"""The one citation type and its one validator (DESIGN §8).

Everything generated — analysis evidence, theme quotes, summaries, persona profiles, answers,
chat — points at what it rests on with a `Citation` (interview lines) or a `DocumentCitation`
(a knowledge document's chunk), and nothing is stored or shown with a citation that does not
resolve or a statement that has none.
"""

from persona_insight.citations.schemas import (
    Citation,
    CitationCheck,
    DocumentCitation,
    ResolvedLine,
    Statement,
)
from persona_insight.citations.service import (
    keep_known,
    resolve,
    validate_citation,
    validate_statements,
)

__all__ = [
    "Citation",
    "CitationCheck",
    "DocumentCitation",
    "ResolvedLine",
    "Statement",
    "keep_known",
    "resolve",
    "validate_citation",
    "validate_statements",
]

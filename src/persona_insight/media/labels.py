"""The speaker labels of a recording's stored transcript (`[start --> end] Speaker 1: text`, as
`pipeline.to_text` writes it), read and renamed. The format is ours, so a rename is exact: only
the label after a line's time range changes, never the words said."""

from __future__ import annotations

import re
from collections.abc import Mapping

_LINE = re.compile(r"^(\[[^\]\n]*\] )([^:\n]+)(: )", re.MULTILINE)


def labels(text: str) -> list[str]:
    """Every speaker label, in order of first appearance."""
    seen: dict[str, None] = {}
    for match in _LINE.finditer(text):
        seen.setdefault(match.group(2), None)
    return list(seen)


def rename(text: str, names: Mapping[str, str]) -> str:
    """The transcript with each label in `names` replaced by its new name."""
    return _LINE.sub(lambda m: m.group(1) + names.get(m.group(2), m.group(2)) + m.group(3), text)

"""What a name is, for comparing and for refusing: Unicode compatibility forms folded (composed
and decomposed Hangul, full-width Latin), invisible format characters (zero-width space, joiners,
BOM) dropped, whitespace collapsed, case folded. Two names with the same key look the same to a
reader; a name whose key is empty shows nothing."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator

_SPACE = re.compile(r"\s+")


def name_key(value: str) -> str:
    folded = unicodedata.normalize("NFKC", value)
    visible = "".join(c for c in folded if unicodedata.category(c) != "Cf")
    return _SPACE.sub(" ", visible).strip().casefold()


def shows_nothing(value: str) -> bool:
    """Empty, spaces, or only characters that draw nothing (a zero-width space)."""
    return not name_key(value)


def _visible(value: str) -> str:
    if shows_nothing(value):
        raise ValueError("empty, or only characters that show nothing")
    return value


# A text field a reader must be able to see (a title of only a zero-width space is refused).
Visible = Annotated[str, AfterValidator(_visible)]

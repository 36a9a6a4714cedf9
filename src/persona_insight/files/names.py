"""File names as clients send them, made safe to store and to send back in a header.

Control characters (C0, DEL, C1) have no place in a name and make the stored value unusable in
a `Content-Disposition` header (and NUL cannot be stored in PostgreSQL text at all); bidi
overrides make a name display as something else (`\u202etxt.exe` reads as "exe.txt").
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
MAX_NAME_CHARS = 255


def clean_filename(name: str, default: str = "upload") -> str:
    # A lone surrogate (a name decoded from broken bytes) cannot be encoded for storage or a header.
    name = name.encode("utf-8", "replace").decode("utf-8")
    cleaned = _UNSAFE.sub("", name).strip()
    if len(cleaned) > MAX_NAME_CHARS:
        dot = cleaned.rfind(".")
        suffix = cleaned[dot:] if dot > 0 and len(cleaned) - dot <= 16 else ""
        cleaned = cleaned[: MAX_NAME_CHARS - len(suffix)] + suffix
    return cleaned or default

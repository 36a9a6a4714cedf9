"""Time-ordered UUIDs (version 7): primary keys that index well and sort by creation; and the
one reading of an id a page was given as text."""

from __future__ import annotations

import os
import time
import uuid


def uuid7() -> uuid.UUID:
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= ((rand >> 62) & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return uuid.UUID(int=value)


def parse_uuid(value: object) -> uuid.UUID | None:
    """An id given as text (a form field, an audit detail); None when it is not one."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None

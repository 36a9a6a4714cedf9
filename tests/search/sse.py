"""Reading answer streams in tests."""

from __future__ import annotations

import json
from typing import Any


def events(body: str) -> list[tuple[int, str, dict[str, Any]]]:
    """(id, type, data) of each message of an SSE body."""
    out: list[tuple[int, str, dict[str, Any]]] = []
    for block in body.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "data" in fields:
            payload = json.loads(fields["data"])
            out.append((int(fields["id"]), payload["type"], payload["data"]))
    return out

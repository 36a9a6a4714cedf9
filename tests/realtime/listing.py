"""A client's view of a project's interview list: a snapshot plus the events applied to it."""

from __future__ import annotations

import json
from typing import Any

import httpx


async def snapshot(c: httpx.AsyncClient, project_id: str) -> tuple[dict[str, Any], int]:
    """All interviews (every page) and the seq the snapshot is current at."""
    items: dict[str, Any] = {}
    cursor: str | None = None
    last_seq: int | None = None
    while True:
        params = {"limit": 200} | ({"cursor": cursor} if cursor else {})
        page = (await c.get(f"/api/projects/{project_id}/interviews", params=params)).json()
        if last_seq is None:
            last_seq = page["last_seq"]
        items.update({i["id"]: i for i in page["items"]})
        cursor = page["next_cursor"]
        if not cursor:
            assert last_seq is not None
            return items, last_seq


def apply(state: dict[str, Any], data: str) -> str:
    """Apply one stream message as the web client does; return its type."""
    message = json.loads(data)
    kind: str = message["type"]
    if kind.startswith("interview:"):
        interview = message["data"]["interview"]
        if interview["deleted_at"] is None:
            state[interview["id"]] = interview
        else:
            state.pop(interview["id"], None)
    return kind

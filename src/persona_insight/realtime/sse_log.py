"""`[SSE]` log lines: one INFO line per stream connect, disconnect, replay and reset.

Greppable (`grep '\\[SSE\\]'`) and `key=value` so a reader can follow one client's streams by
its user id. Ids only, never names, credentials or event contents; the client-sent last id is
cut short and quoted, since it is whatever the client put in its header.
"""

from __future__ import annotations

import logging

from persona_insight.realtime.subscriber import Subscriber

log = logging.getLogger("persona_insight.sse")

_LAST_ID_CHARS = 24


def _client_id(raw: str | None) -> str:
    if raw is None:
        return "-"
    return raw if raw.isdigit() and len(raw) <= _LAST_ID_CHARS else repr(raw[:_LAST_ID_CHARS])


def connected(sub: Subscriber, raw_last: str | None) -> None:
    log.info(
        "[SSE] connect project=%s user=%s last_id=%s",
        sub.project_id,
        sub.user_id,
        _client_id(raw_last),
    )


def replayed(sub: Subscriber, after: int, count: int) -> None:
    log.info(
        "[SSE] replay project=%s user=%s last_id=%d replayed=%d",
        sub.project_id,
        sub.user_id,
        after,
        count,
    )


def reset(sub: Subscriber, after: int, reason: str) -> None:
    log.info(
        "[SSE] reset project=%s user=%s last_id=%d reason=%s",
        sub.project_id,
        sub.user_id,
        after,
        reason,
    )


def disconnected(sub: Subscriber, now: float) -> None:
    log.info(
        "[SSE] disconnect project=%s user=%s last_id=%d reason=%s duration_s=%.1f",
        sub.project_id,
        sub.user_id,
        sub.last_seq,
        sub.close_reason or "ended",
        max(0.0, now - sub.connected_at),
    )

"""Sign-in throttling per e-mail and per address, shared by every server process.

Failures are kept (hashed: no e-mail or address is stored in clear) for a window; too many for
the same e-mail or from the same address answer 429 with Retry-After until the oldest failure
leaves the window. A successful sign-in clears its e-mail's failures.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.errors import RateLimited

WINDOW = dt.timedelta(minutes=15)
MAX_PER_EMAIL = 5
MAX_PER_ADDRESS = 30


def _key(kind: str, value: str) -> str:
    return kind + ":" + hashlib.sha256(value.strip().lower().encode()).hexdigest()[:64]


def key_of_email(email: str) -> str:
    return _key("e", email)


async def _check(session: AsyncSession, key: str, limit: int) -> None:
    row = (
        await session.execute(
            text(
                "SELECT count(*) AS n, min(at) AS oldest FROM login_failures"
                " WHERE key = :k AND at > now() - make_interval(secs => :w)"
            ),
            {"k": key, "w": WINDOW.total_seconds()},
        )
    ).one()
    if row.n >= limit:
        wait = WINDOW - (dt.datetime.now(dt.UTC) - row.oldest)
        seconds = max(1, int(wait.total_seconds()) + 1)
        raise RateLimited(
            "too many failed sign-ins; try again later",
            code="too_many_attempts",
            details={"retry_after": seconds},
        )


async def check(session: AsyncSession, *, email: str, address: str | None) -> None:
    await _check(session, _key("e", email), MAX_PER_EMAIL)
    if address:
        await _check(session, _key("a", address), MAX_PER_ADDRESS)


async def failed(session: AsyncSession, *, email: str, address: str | None) -> None:
    keys = [_key("e", email)] + ([_key("a", address)] if address else [])
    await session.execute(
        text("INSERT INTO login_failures (key) SELECT unnest(CAST(:keys AS text[]))"),
        {"keys": keys},
    )


async def succeeded(session: AsyncSession, *, email: str) -> None:
    await session.execute(
        text("DELETE FROM login_failures WHERE key = :k"), {"k": _key("e", email)}
    )


async def prune(session: AsyncSession) -> None:
    await session.execute(text("DELETE FROM login_failures WHERE at < now() - interval '1 day'"))

"""Throttles for guessing secrets (sign-in passwords, project join passwords), shared by every
server process through the database.

An attempt is counted *before* the secret is checked: `begin` locks the attempt's keys, counts
their recent failures, refuses (429 with Retry-After) when a key is over its limit, and otherwise
records the attempt as a failure — all in one short transaction, so parallel guesses queue on the
lock and each sees the ones before it. A success then takes its own record back (`succeeded`).
Only hashes are stored, never an e-mail or an address in clear.

Sign-in is throttled three ways, each with exponential back-off once over its limit:
- per (account, address): the tight limit, what stops one guesser on one account;
- per address, over all accounts: what stops one guesser spraying many accounts;
- per account, over all addresses: what stops many addresses guessing one account — with a short
  cap, so that an attack never locks the real password out for long.
A pair (account, address) that signed in before is held back only by its own failures: others'
failures on a shared address (everyone behind one proxy) or on the account do not lock it out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.errors import RateLimited

WINDOW = dt.timedelta(minutes=15)
KNOWN_FOR = dt.timedelta(days=90)


@dataclass(frozen=True, slots=True)
class Rule:
    limit: int  # failures in the window before back-off starts
    first_wait: dt.timedelta  # wait after the limit-th failure; doubles with each further one
    max_wait: dt.timedelta


PAIR = Rule(5, dt.timedelta(seconds=30), dt.timedelta(minutes=15))
ADDRESS = Rule(30, dt.timedelta(seconds=60), dt.timedelta(minutes=15))
ACCOUNT = Rule(10, dt.timedelta(seconds=5), dt.timedelta(seconds=60))
JOIN = Rule(5, dt.timedelta(seconds=30), dt.timedelta(minutes=15))


@dataclass(frozen=True, slots=True)
class Attempt:
    """The failure rows recorded in advance for one attempt."""

    ids: tuple[int, ...]
    pair_key: str | None = None


def _key(kind: str, value: str) -> str:
    return kind + ":" + hashlib.sha256(value.strip().lower().encode()).hexdigest()[:64]


def key_of_email(email: str) -> str:
    return _key("e", email)


def _pair_key(email: str, address: str | None) -> str:
    return _key("p", f"{email.strip().lower()}\n{address or '-'}")


def wait_for(rule: Rule, failures: int, last: dt.datetime, now: dt.datetime) -> float:
    """Seconds until the next attempt is allowed (0: now)."""
    if failures < rule.limit:
        return 0.0
    doublings = min(failures - rule.limit, 20)
    wait = min(rule.max_wait, rule.first_wait * (1 << doublings))
    return max(0.0, float((last + wait - now).total_seconds()))


_LOCK = text(
    "SELECT count(pg_advisory_xact_lock(hashtextextended(k, 7))) FROM"
    " (SELECT k FROM unnest(CAST(:keys AS text[])) AS k ORDER BY k) AS s"
)
_COUNT = text(
    "SELECT key, count(*) AS n, max(at) AS last, now() AS now FROM login_failures"
    " WHERE key = ANY(CAST(:keys AS text[])) AND at > now() - make_interval(secs => :w)"
    " GROUP BY key"
)
_RECORD = text("INSERT INTO login_failures (key) SELECT unnest(CAST(:keys AS text[])) RETURNING id")


async def begin(
    session: AsyncSession, checks: dict[str, Rule], *, record: list[str] | None = None
) -> Attempt:
    """Check `checks` (key → rule) and record the attempt under `record` (default: those keys).

    Commit right after: the lock serialises concurrent attempts on the same keys until then.
    """
    keys = sorted(set(checks) | set(record or ()))
    await session.execute(_LOCK, {"keys": keys})
    rows = (await session.execute(_COUNT, {"keys": keys, "w": WINDOW.total_seconds()})).all()
    wait = 0.0
    for row in rows:
        if row.key in checks:
            wait = max(wait, wait_for(checks[row.key], row.n, row.last, row.now))
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        raise RateLimited(
            "too many failed attempts; try again later",
            code="too_many_attempts",
            details={"retry_after": seconds},
        )
    ids = (await session.execute(_RECORD, {"keys": record or sorted(checks)})).scalars().all()
    return Attempt(ids=tuple(int(i) for i in ids))


async def succeeded(session: AsyncSession, attempt: Attempt) -> None:
    """The attempt was right: its failure records go, and so does its pair's back-off."""
    await session.execute(
        text("DELETE FROM login_failures WHERE id = ANY(CAST(:ids AS bigint[])) OR key = :pair"),
        {"ids": list(attempt.ids), "pair": attempt.pair_key or ""},
    )
    if attempt.pair_key:
        await session.execute(
            text(
                "INSERT INTO login_known (key) VALUES (:k)"
                " ON CONFLICT (key) DO UPDATE SET at = now()"
            ),
            {"k": attempt.pair_key},
        )


# --- sign-in --------------------------------------------------------------------------------------


async def begin_sign_in(session: AsyncSession, *, email: str, address: str | None) -> Attempt:
    pair = _pair_key(email, address)
    known = (
        await session.execute(
            text(
                "SELECT 1 FROM login_known"
                " WHERE key = :k AND at > now() - make_interval(secs => :s)"
            ),
            {"k": pair, "s": KNOWN_FOR.total_seconds()},
        )
    ).first() is not None
    checks = {pair: PAIR}
    record = [pair, _key("e", email)] + ([_key("a", address)] if address else [])
    if not known:
        checks[_key("e", email)] = ACCOUNT
        if address:
            checks[_key("a", address)] = ADDRESS
    attempt = await begin(session, checks, record=record)
    return Attempt(ids=attempt.ids, pair_key=pair)


# --- project join passwords -----------------------------------------------------------------------


async def begin_join(session: AsyncSession, *, user_id: UUID, project_id: UUID) -> Attempt:
    return await begin(session, {_key("j", f"{user_id}:{project_id}"): JOIN})


async def prune(session: AsyncSession) -> None:
    await session.execute(text("DELETE FROM login_failures WHERE at < now() - interval '1 day'"))
    await session.execute(
        text("DELETE FROM login_known WHERE at < now() - make_interval(secs => :s)"),
        {"s": KNOWN_FOR.total_seconds()},
    )

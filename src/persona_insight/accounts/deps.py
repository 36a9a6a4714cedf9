"""Who is calling: the session cookie or a bearer token, turned into a unit of work for the request.

One transaction per request: the caller is authenticated inside it, PostgreSQL is told who acts
(for row-level security), the route runs, and the transaction commits before the response is sent.
Cookie-authenticated requests that change state must echo the session's CSRF token.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from persona_insight.accounts import repository as repo
from persona_insight.accounts.repository import Authenticated
from persona_insight.accounts.security import digest
from persona_insight.db import Actor, SessionOpener
from persona_insight.errors import Forbidden, Unauthenticated
from persona_insight.runtime import Runtime, runtime_of

SESSION_COOKIE = "pi_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_TOUCH_EVERY = dt.timedelta(minutes=5)


@dataclass(slots=True)
class Ctx:
    """The request's unit of work and its caller."""

    session: AsyncSession
    user: Authenticated
    rt: Runtime

    @property
    def actor(self) -> Actor:
        return actor_of(self.user)

    @property
    def side_session(self) -> SessionOpener | None:
        """Opens another transaction acting for the same caller on a connection of its own, for
        reads that run beside the request's own; None when the setting is off or the pool has no
        idle connection to spare (requests that each hold one and wait for a second could starve
        one another)."""
        db, actor = self.rt.db, self.actor
        if not self.rt.settings.search_side_reads or not db.spare_connection():
            return None
        return lambda: db.unit_of_work(actor)

    @property
    def is_super_admin(self) -> bool:
        return self.user.role == "super_admin"


def actor_of(user: Authenticated) -> Actor:
    return Actor(company_id=user.company_id, user_id=user.user_id, role=user.role)


def credentials(conn: HTTPConnection) -> tuple[str, str] | None:
    """`("token", secret)` from the Authorization header, else `("session", secret)`."""
    header = conn.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return ("token", header[7:].strip())
    cookie = conn.cookies.get(SESSION_COOKIE)
    if cookie:
        return ("session", cookie)
    return None


def _stale(last: dt.datetime | None) -> bool:
    # Writing "last used" on every request would make concurrent requests of one caller queue on
    # the same row lock; once every few minutes is as informative.
    return last is None or dt.datetime.now(dt.UTC) - last > _TOUCH_EVERY


async def authenticate(session: AsyncSession, conn: HTTPConnection) -> Authenticated | None:
    """Who the credentials belong to; leaves the transaction acting for that user (the lookup
    sets the actor in the same statement)."""
    found = credentials(conn)
    if found is None:
        return None
    kind, secret = found
    if not secret or len(secret) > 200:
        return None
    lookup = repo.authenticate_token if kind == "token" else repo.authenticate_session
    user = await lookup(session, digest(secret))
    if user is None:
        return None
    if _stale(user.last_seen_at):
        if user.token_id is not None:
            await repo.touch_token(session, user.token_id)
        elif user.session_id is not None:
            await repo.touch_session(session, user.session_id)
    return user


def check_csrf(conn: HTTPConnection, user: Authenticated, form_token: str | None = None) -> None:
    if user.session_id is None or conn.scope.get("method", "GET") in SAFE_METHODS:
        return
    sent = conn.headers.get(CSRF_HEADER) or form_token
    if not sent or user.csrf_token is None or sent != user.csrf_token:
        raise Forbidden("missing or wrong CSRF token", code="csrf_failed")


async def request_ctx(request: Request) -> AsyncIterator[Ctx]:
    rt = runtime_of(request)
    async with rt.db.sessions() as session:
        # No actor yet: the credential lookup is a SECURITY DEFINER function; `authenticate`
        # then tells PostgreSQL who acts.
        user = await authenticate(session, request)
        if user is None:
            raise Unauthenticated("sign in or send an API token", code="unauthenticated")
        check_csrf(request, user)
        try:
            yield Ctx(session=session, user=user, rt=rt)
        except BaseException:
            await session.rollback()
            raise
        await session.commit()


CtxDep = Annotated[Ctx, Depends(request_ctx, scope="function")]

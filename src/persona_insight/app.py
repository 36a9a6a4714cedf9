"""The FastAPI application: routes, error shape, and the lifespan that wires the runtime."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import AsyncIterator

from fastapi import FastAPI
from starlette.types import Message, Receive, Scope, Send

from persona_insight import http_errors, migrate
from persona_insight.accounts.routes import router as accounts_router
from persona_insight.admin.routes import router as admin_router
from persona_insight.chat.routes import router as chat_router
from persona_insight.companies.routes import router as companies_router
from persona_insight.config import Settings, get_settings
from persona_insight.db import Database, data_dir_ready
from persona_insight.files.store import FileStore
from persona_insight.health import router as health_router
from persona_insight.insights.report_routes import router as reports_router
from persona_insight.insights.routes import router as insights_router
from persona_insight.interviews.routes import router as interviews_router
from persona_insight.jobs.queue import opened
from persona_insight.jobs.worker import run_worker
from persona_insight.knowledge.routes import router as knowledge_router
from persona_insight.limits import BodyGate
from persona_insight.media.routes import router as media_router
from persona_insight.notes.routes import router as notes_router
from persona_insight.observability import configure_logging, log_request
from persona_insight.personas.routes import router as personas_router
from persona_insight.projects.routes import invitations as invitations_router
from persona_insight.projects.routes import router as projects_router
from persona_insight.realtime.hub import Hub
from persona_insight.realtime.latency import router as latency_router
from persona_insight.realtime.routes import router as realtime_router
from persona_insight.realtime.sse import SseEndpoint
from persona_insight.runtime import Runtime
from persona_insight.search.ask_routes import router as ask_router
from persona_insight.search.generation import close_models as close_chat_models
from persona_insight.search.generation import preload as preload_chat_models
from persona_insight.search.routes import router as search_router
from persona_insight.web import not_found
from persona_insight.web.routes import router as web_router

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def open_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """Database, job queue and file store for one process; closed in reverse order."""
    data_dir_ready(settings)
    db = Database.from_settings(settings)
    if settings.database_url is None:
        # The embedded server is ours to keep current; an external one is migrated on purpose
        # (`persona-insight db upgrade`), and /readyz says when it is behind.
        await asyncio.to_thread(migrate.upgrade, db.owner_url)
    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_callback(db.dispose)
        jobs = await stack.enter_async_context(
            opened(db.owner_url, concurrency=settings.worker_concurrency)
        )
        hub = Hub(db.owner_url, settings)
        await hub.start()
        stack.push_async_callback(hub.stop)
        # Model clients chat keeps open for this loop (chat/engines.py), and their SDK imported
        # now rather than under the first chat.
        stack.push_async_callback(close_chat_models)
        await asyncio.to_thread(preload_chat_models)
        yield Runtime(
            settings=settings, db=db, jobs=jobs, files=FileStore(settings.files_dir), hub=hub
        )


class Root:
    """The ASGI entry point: event streams go straight to their lean endpoint, the rest to FastAPI.

    Streams live for hours; keeping them out of the middleware stack keeps each one small.
    """

    def __init__(self, api: FastAPI) -> None:
        self.api = api
        self.sse: SseEndpoint | None = None
        # Which process answered: with several server processes behind one socket, operators
        # (and the cross-process tests) need to know.
        self.served_by = (b"x-served-by", str(os.getpid()).encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(SSE_PREFIX):
            if self.sse is None:
                self.sse = SseEndpoint(self.api.state.runtime.hub)
            await self.sse(scope, receive, send)  # type: ignore[arg-type]
            return
        if scope["type"] != "http":
            await self.api(scope, receive, send)
            return

        started = time.perf_counter()
        status = 500  # what the client sees if the application ends without answering

        async def send_with_process(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), self.served_by]
            await send(message)

        try:
            await self.api(scope, receive, send_with_process)
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            log_request(scope["method"], scope["path"], status, elapsed_ms)

    def begin_shutdown(self) -> None:
        """Called from a signal handler: ask the hub (on its loop) to close every stream."""
        state = self.api.state
        if hasattr(state, "runtime") and state.runtime.hub is not None:
            state.loop.call_soon_threadsafe(state.runtime.hub.begin_shutdown)

    def lifespan(self) -> contextlib.AbstractAsyncContextManager[None]:
        """Run the application's start-up and shut-down around a block (tests, tools)."""
        return self.api.router.lifespan_context(self.api)  # type: ignore[return-value]


SSE_PREFIX = "/api/sse/"
SSE_OPENAPI: dict[str, object] = {
    "get": {
        "tags": ["real time"],
        "summary": "The project's event stream (Server-Sent Events)",
        "description": "Replays events after `Last-Event-ID` (header) or `last_event_id` "
        "(query), then streams live ones. See docs/events.md.",
        "operationId": "project_events",
        "parameters": [
            {
                "name": "project_id",
                "in": "path",
                "required": True,
                "schema": {"type": "string", "format": "uuid"},
            },
            {
                "name": "last_event_id",
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
            },
            {
                "name": "Last-Event-ID",
                "in": "header",
                "required": False,
                "schema": {"type": "string"},
            },
        ],
        "responses": {
            "200": {
                "description": "An endless event stream",
                "content": {"text/event-stream": {"schema": {"type": "string"}}},
            },
            "401": {"description": "No credentials"},
            "404": {"description": "Not a member, or no such project"},
            "429": {"description": "The user holds too many open streams (`too_many_streams`)"},
        },
    }
}


def create_app(settings: Settings | None = None) -> Root:
    settings = settings or get_settings()
    configure_logging(settings.log_level, json=settings.log_json)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_runtime(settings) as rt:
            app.state.runtime = rt
            app.state.loop = asyncio.get_running_loop()
            worker = None
            if settings.run_worker_in_process:
                worker = asyncio.create_task(
                    run_worker(rt.jobs, rt.db, settings, concurrency=settings.worker_concurrency),
                    name="in-process worker",
                )
            try:
                yield
            finally:
                if worker is not None:
                    worker.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await worker

    app = FastAPI(
        title="Persona Insight",
        version="0.1.0",
        summary="Customer-interview analysis and personas, live over Server-Sent Events.",
        lifespan=lifespan,
    )
    http_errors.install(app)
    not_found.install(app)  # after the JSON handlers: pages outside /api/ get the 404 page
    app.add_middleware(
        BodyGate,
        # Recordings may be larger than documents; each kind's own limit is checked after.
        max_bytes=max(settings.max_upload_bytes, settings.max_media_bytes),
        min_rate=settings.body_min_rate_bytes,
        window_s=settings.body_rate_window_s,
    )
    app.include_router(health_router)
    app.include_router(accounts_router)
    app.include_router(projects_router)
    app.include_router(invitations_router)
    app.include_router(admin_router)
    app.include_router(companies_router)
    app.include_router(interviews_router)
    app.include_router(insights_router)
    app.include_router(reports_router)
    app.include_router(notes_router)
    app.include_router(media_router)
    app.include_router(personas_router)
    app.include_router(realtime_router)
    app.include_router(latency_router)
    app.include_router(search_router)
    app.include_router(knowledge_router)
    app.include_router(ask_router)
    app.include_router(chat_router)
    app.include_router(web_router)
    _document_sse(app)
    return Root(app)


def _document_sse(app: FastAPI) -> None:
    """The stream is served by `Root`, outside FastAPI's routing; the schema still describes it."""
    original = app.openapi

    def openapi() -> dict[str, object]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = original()
        schema["paths"]["/api/sse/projects/{project_id}"] = SSE_OPENAPI
        return schema

    app.openapi = openapi  # type: ignore[method-assign]

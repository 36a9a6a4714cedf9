"""`/healthz` (the process is up) and `/readyz` (database reachable, schema current)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from persona_insight import migrate
from persona_insight.runtime import runtime_of

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Liveness")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: database reachable and migrations current")
async def readyz(request: Request) -> JSONResponse:
    rt = runtime_of(request)
    reachable = await rt.db.ping()
    current = head = None
    if reachable:
        head = migrate.head_revision()
        current = await asyncio.to_thread(migrate.current_revision, rt.db.url)
    ok = reachable and current == head
    return JSONResponse(
        {
            "status": "ok" if ok else "unavailable",
            "database": reachable,
            "migration": current,
            "expected_migration": head,
        },
        status_code=200 if ok else 503,
    )

"""`/healthz` (the process is up) and `/readyz` (database reachable, schema current).

Neither touches the connection pool: a probe must answer while every pooled connection is busy
(an overload is exactly when operators look), so readiness opens a connection of its own.
"""

from __future__ import annotations

import functools

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from persona_insight import migrate
from persona_insight.runtime import runtime_of

router = APIRouter(tags=["operations"])
# The migrations shipped with the code do not change while it runs; reading them is disk work.
_head_revision = functools.cache(migrate.head_revision)


@router.get("/healthz", summary="Liveness")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: database reachable and migrations current")
async def readyz(request: Request) -> JSONResponse:
    rt = runtime_of(request)
    reachable, current = await rt.db.schema_revision()
    head = _head_revision() if reachable else None
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

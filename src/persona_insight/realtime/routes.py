"""`/metrics` (Prometheus) and `/api/admin/realtime` (the seed's SSE debugger)."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from persona_insight.accounts.deps import CtxDep
from persona_insight.errors import Forbidden
from persona_insight.realtime import latency
from persona_insight.realtime.metrics_access import check_metrics_access
from persona_insight.runtime import runtime_of

router = APIRouter(tags=["operations"])


@router.get(
    "/metrics",
    summary="Prometheus metrics of this process",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}}},
)
async def metrics_endpoint(request: Request) -> Response:
    check_metrics_access(request, runtime_of(request).settings)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


@router.get("/api/admin/realtime", summary="Live connections and recent events (super-admin)")
async def realtime_debugger(request: Request, ctx: CtxDep) -> dict[str, Any]:
    if not ctx.is_super_admin:
        raise Forbidden("only super-admins see the real-time debugger", code="forbidden")
    hub = ctx.rt.hub
    rows = await ctx.session.execute(text("SELECT * FROM pi_presence_overview()"))
    return {
        "this_process": hub.snapshot() if hub else None,
        "client_latency": latency.WINDOW.summary(time.time()),
        "all_processes": [
            {
                "process": r.process_id,
                "project_id": str(r.project_id),
                "users": r.users,
                "connections": int(r.connections),
            }
            for r in rows
        ],
    }

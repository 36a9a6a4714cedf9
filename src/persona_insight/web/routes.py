"""Every page route, under one router that `create_app` includes.

Pages live at `/`, `/login`, `/projects/…`, `/interviews/…`, `/notes/…`, `/locale/…`, `/admin`
and `/static/…`; none is in the OpenAPI schema, which documents the JSON API only.
"""

from __future__ import annotations

from fastapi import APIRouter

from persona_insight.web import (
    admin_pages,
    auth_pages,
    interview_pages,
    project_pages,
    static_files,
)

router = APIRouter(include_in_schema=False)
for part in (auth_pages, project_pages, interview_pages, admin_pages, static_files):
    router.include_router(part.router)

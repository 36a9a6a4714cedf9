"""Every page route, under one router that `create_app` includes.

Pages live at `/`, `/login`, `/signup`, `/profile…`, `/projects/…`, `/invitations/…`,
`/interviews/…`, `/personas`, `/notes/…`, `/locale/…`, `/admin…` and `/static/…`; none is in
the OpenAPI schema, which documents the JSON API only.
"""

from __future__ import annotations

from fastapi import APIRouter

from persona_insight.chat import pages as chat_pages
from persona_insight.insights import pages as insights_pages
from persona_insight.knowledge import pages as knowledge_pages
from persona_insight.personas import admin_pages as personas_admin_pages
from persona_insight.personas import pages as personas_pages
from persona_insight.search import pages as search_pages
from persona_insight.web import (
    admin_companies,
    admin_company,
    admin_data,
    admin_pages,
    admin_users,
    auth_pages,
    interview_pages,
    member_pages,
    profile_pages,
    project_pages,
    settings_pages,
    static_files,
)

PARTS = (
    auth_pages,
    profile_pages,
    project_pages,
    settings_pages,
    member_pages,
    interview_pages,
    admin_pages,
    admin_users,
    # Before admin_company: its `/admin/personas/{persona_id}` would take `/framework`.
    personas_admin_pages,
    admin_company,
    admin_data,
    admin_companies,
    search_pages,
    insights_pages,
    personas_pages,
    chat_pages,
    knowledge_pages,
    static_files,
)

router = APIRouter(include_in_schema=False)
for part in PARTS:
    router.include_router(part.router)

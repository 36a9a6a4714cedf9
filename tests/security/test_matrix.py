"""The isolation matrix: every route, called by every kind of caller against company A's
resources, answers as docs/permissions.md says — and nothing of company A ever reaches another
company's caller."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.security.world import ACTORS, PASSWORD, PNG, World, build
from tests.support import api_operations

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
DENIED = {401, 403, 404}
BUSINESS = {400, 409, 410, 422}


def permissions() -> dict[tuple[str, str], dict[str, bool]]:
    table: dict[tuple[str, str], dict[str, bool]] = {}
    for line in (ROOT / "docs" / "permissions.md").read_text().splitlines():
        m = re.match(r"^\| `(GET|POST|PUT|PATCH|DELETE) ([^`]+)` \|(.+)\|\s*$", line)
        if not m:
            continue
        marks = [c.strip() for c in m.group(3).split("|")]
        assert len(marks) == len(ACTORS), line
        table[(m.group(1), m.group(2))] = {
            a: mk == "✓" for a, mk in zip(ACTORS, marks, strict=True)
        }
    return table


Request = Callable[[World, str], dict[str, Any]]


def _json(body: dict[str, Any] | Callable[[World, str], dict[str, Any]]) -> Request:
    return lambda w, a: {"json": body(w, a) if callable(body) else body}


def _none(w: World, a: str) -> dict[str, Any]:
    return {}


REQUESTS: dict[tuple[str, str], Request] = {
    ("POST", "/api/auth/signup"): _json(
        lambda w, a: {
            "email": f"new-{a}@a-{w.tag}.test",
            "password": "a-fine-password",
            "name": "New",
        }
    ),
    # No valid link in the world: every caller gets the same 410.
    ("POST", "/api/auth/verify"): _json({"token": "pie_not-a-link"}),
    ("POST", "/api/auth/login"): _json(
        lambda w, a: {"email": w.emails["member"], "password": PASSWORD}
    ),
    ("PATCH", "/api/me"): _json({"name": "Renamed"}),
    ("POST", "/api/me/password"): _json(
        {"current_password": PASSWORD, "new_password": "another-password-2"}
    ),
    ("PUT", "/api/me/avatar"): lambda w, a: {"files": {"file": ("a.png", PNG, "image/png")}},
    ("POST", "/api/me/tokens"): _json({"name": "more"}),
    ("POST", "/api/projects"): _json({"name": "Fresh"}),
    ("PATCH", "/api/projects/{project_id}"): _json({"description": "changed"}),
    ("PATCH", "/api/projects/{project_id}/members/{user_id}"): _json({"role": "admin"}),
    ("POST", "/api/projects/{project_id}/transfer"): _json(
        lambda w, a: {"user_id": str(w.users["member"])}
    ),
    ("POST", "/api/projects/{project_id}/join"): _json({}),
    ("POST", "/api/projects/{project_id}/invitations"): _json({"role": "member"}),
    ("POST", "/api/admin/companies"): _json(lambda w, a: {"name": f"New company {a}"}),
    ("PATCH", "/api/admin/companies/{company_id}"): _json({"description": "changed"}),
    ("PATCH", "/api/admin/users/{user_id}"): _json({"name": "Renamed"}),
    ("PUT", "/api/company/analysis"): _json({"engine": "offline"}),
    ("PUT", "/api/company/speech"): _json({"engine": "local"}),
    ("PUT", "/api/company/membership"): _json({"require_approval": False}),
    ("PUT", "/api/company/retention"): _json({"trash_retention_days": 30}),
    # A wrong name: whoever may erase gets 422 (nothing erased), the others 403/404.
    ("POST", "/api/projects/{project_id}/erase"): _json({"project_name": "not its name"}),
    ("POST", "/api/company/glossary"): _json(lambda w, a: {"term": f"t-{a}", "definition": "d"}),
    ("POST", "/api/company/personas"): _json(lambda w, a: {"code": f"Q-{a}", "title": "t"}),
    ("PATCH", "/api/company/personas/{persona_id}"): _json({"title": "changed"}),
    ("PUT", "/api/personas/framework"): _json(
        {"axes": [{"name": "pattern", "types": [{"name": "routine"}]}], "confirm": True}
    ),
    ("PATCH", "/api/personas/{persona_id}"): _json({"title": "changed"}),
    ("PUT", "/api/personas/{persona_id}/picture"): lambda w, a: {
        "files": {"file": ("a.png", PNG, "image/png")}
    },
    ("PUT", "/api/projects/{project_id}/personas/focus"): _json({"persona_ids": []}),
    ("PATCH", "/api/interviews/{interview_id}/persona"): _json({"persona_code": None}),
    ("POST", "/api/projects/{project_id}/personas/fit"): _json({"question": "who charges at home"}),
    ("POST", "/api/projects/{project_id}/personas/fit/explain"): _json(
        {"question": "who charges at home"}
    ),
    ("POST", "/api/personas/framework/adopt"): _json(lambda w, a: {"name": f"adopted-{a}"}),
    ("POST", "/api/workflow/async"): _json(
        lambda w, a: {"project_id": str(w.project), "text": "Q: hi?\nA: hello"}
    ),
    ("POST", "/api/workflow/process"): _json(lambda w, a: {"interview_id": str(w.interview)}),
    ("PATCH", "/api/interviews/{interview_id}"): _json({"title": "changed"}),
    ("PATCH", "/api/interviews/{interview_id}/speakers"): _json({"roles": {"Q": "interviewer"}}),
    ("POST", "/api/interviews/{interview_id}/notes"): _json({"line_ids": [2], "text": "hi"}),
    ("PATCH", "/api/notes/{note_id}"): _json({"text": "edited"}),
    ("GET", "/api/search"): lambda w, a: {"params": {"q": "interview"}},
    ("POST", "/api/projects/{project_id}/ask"): _json({"question": "what hurts?"}),
    ("POST", "/api/ask"): _json({"question": "what hurts?"}),
    ("GET", "/api/projects/{project_id}/report"): lambda w, a: {"params": {"format": "md"}},
    ("PATCH", "/api/insights/themes/{theme_id}"): _json({"pinned": True}),
    ("POST", "/api/projects/{project_id}/insights/moves"): _json(
        lambda w, a: {"interview_id": str(w.interview), "ref": "pain:0", "theme_id": str(w.theme)}
    ),
    ("GET", "/api/projects/{project_id}/findings"): lambda w, a: {"params": {"format": "csv"}},
    ("GET", "/api/interviews/{interview_id}/report"): lambda w, a: {"params": {"format": "md"}},
    # No persona ZZ: whoever may chat in the project gets 422 (nothing starts), others 404.
    ("POST", "/api/chat"): _json(
        lambda w, a: {"project_id": str(w.project), "persona_code": "ZZ", "message": "hi"}
    ),
    ("PATCH", "/api/conversations/{conversation_id}"): _json({"title": "renamed"}),
    ("PUT", "/api/company/chat-budget"): _json({"monthly_tokens": 1000}),
    ("POST", "/api/knowledge"): lambda w, a: {
        "files": {"file": ("report.txt", b"Market report: charging demand grows.", "text/plain")}
    },
}

# The state a route needs to do its work (a failed interview to retry, a trashed one to restore).
WORLD_STATE: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/workflow/process"): {"interview_status": "failed"},
    ("POST", "/api/interviews/{interview_id}/retry"): {"interview_status": "failed"},
    ("POST", "/api/interviews/{interview_id}/restore"): {"interview_deleted": True},
    ("DELETE", "/api/interviews/{interview_id}/permanent"): {"interview_deleted": True},
}


def path_for(template: str, w: World, actor: str) -> str:
    values = {
        "project_id": w.project,
        "interview_id": w.interview,
        "note_id": w.note,
        "invitation_id": w.invitation,
        "token": w.invitation_token,
        "term_id": w.term,
        "persona_id": w.persona,
        "theme_id": w.theme,
        "job_id": w.report_job,
        # Nobody in the world saved a search: deleting one is a 404 for every caller.
        "saved_id": w.project,
        # Nor did anyone ask: an answer id is a 404 for every caller.
        "answer_id": w.project,
        # Nor added a knowledge document: 404 for every caller.
        "document_id": w.project,
        "company_id": w.company_a,
        "conversation_id": w.conversation,
        "message_id": w.chat_message,
        "fmt": "md",
        # A member of company A's project for member routes; for avatars, too.
        "user_id": w.users["member"],
        # Tokens are the caller's own ("act on their own").
        "token_id": w.token_ids.get(actor, w.token_ids["member"]),
    }
    return re.sub(r"\{([a-z_]+)\}", lambda m: str(values[m.group(1)]), template)


async def _call(
    client: httpx.AsyncClient, method: str, template: str, w: World, actor: str
) -> httpx.Response:
    kwargs = REQUESTS.get((method, template), _none)(w, actor)
    path = path_for(template, w, actor)
    if template.startswith("/api/sse/"):
        method = "HEAD"  # the headers tell the outcome; a GET would stream forever
    return await client.request(method, path, headers=w.headers(actor), **kwargs)


def _verdict(status: int) -> bool | None:
    if status < 400 or status in BUSINESS:
        return True
    if status in DENIED:
        return False
    return None  # 5xx or anything unexpected


async def test_every_route_for_every_caller(app: Any, database_url: str) -> None:
    table = permissions()
    operations = set(api_operations(app))
    assert operations == set(table), (
        f"routes missing from docs/permissions.md: {sorted(operations - set(table))};"
        f" stale rows: {sorted(set(table) - operations)}"
    )
    files = app.api.state.runtime.files
    mismatches: list[str] = []
    leaks: list[str] = []
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        for (method, template), allowed in sorted(table.items()):
            state = WORLD_STATE.get((method, template), {})
            shared = build(database_url, files, **state) if method == "GET" else None
            for actor in ACTORS:
                w = shared or build(database_url, files, **state)
                r = await _call(client, method, template, w, actor)
                verdict = _verdict(r.status_code)
                if verdict is None or verdict != allowed[actor]:
                    mismatches.append(
                        f"{method} {template} as {actor}: {r.status_code} {r.text[:160]}"
                    )
                # Signing in or up as one of A's people answers with that person's data.
                if actor in ("anon", "outsider", "outsider_admin") and template not in (
                    "/api/auth/login",
                    "/api/auth/signup",
                ):
                    leaked = [s for s in w.secrets if s in r.text]
                    if leaked:
                        leaks.append(f"{method} {template} as {actor}: {leaked}")
    assert not leaks, "\n".join(leaks)
    assert not mismatches, "\n".join(mismatches)

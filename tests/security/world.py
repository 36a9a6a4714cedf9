"""A small world for authorisation tests: two companies, every kind of caller, one private
project with an analysed interview, a note, an invitation, a glossary term and a persona.

Written straight into the database as its owner (a few dozen INSERTs), so a fresh world for each
request costs milliseconds and no test depends on another's leftovers.
"""

from __future__ import annotations

import functools
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import psycopg

from persona_insight.accounts.security import hash_password
from persona_insight.files.store import FileStore

PASSWORD = "matrix-password-1"
ACTORS = (
    "anon",
    "outsider",
    "outsider_admin",
    "colleague",
    "member",
    "project_admin",
    "owner",
    "company_admin",
    "super_admin",
)
# A whole 1 × 1 PNG (uploads are decoded before they are kept: a header alone is refused).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63e02fcbfb0f00037e01f3a9df61700000000049454e44ae426082"
)


@functools.cache
def password_hash() -> str:
    return hash_password(PASSWORD)


@dataclass
class World:
    tag: str
    company_a: uuid.UUID
    company_b: uuid.UUID
    users: dict[str, uuid.UUID] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    token_ids: dict[str, uuid.UUID] = field(default_factory=dict)
    project: uuid.UUID = field(default_factory=uuid.uuid4)
    interview: uuid.UUID = field(default_factory=uuid.uuid4)
    note: uuid.UUID = field(default_factory=uuid.uuid4)
    invitation: uuid.UUID = field(default_factory=uuid.uuid4)
    invitation_token: str = field(default_factory=lambda: "piv_" + uuid.uuid4().hex)
    term: uuid.UUID = field(default_factory=uuid.uuid4)
    persona: uuid.UUID = field(default_factory=uuid.uuid4)
    theme: uuid.UUID = field(default_factory=uuid.uuid4)
    report_job: uuid.UUID = field(default_factory=uuid.uuid4)
    conversation: uuid.UUID = field(default_factory=uuid.uuid4)  # the member's, shared
    chat_message: uuid.UUID = field(default_factory=uuid.uuid4)  # a persona's answer in it

    @property
    def secrets(self) -> list[str]:
        """Strings only company A's people may ever receive."""
        return [
            f"Company A {self.tag}",
            f"Secret project {self.tag}",
            f"Interview {self.tag}",
            f"Note text {self.tag}",
            f"Theme {self.tag}",
            f"Glossary {self.tag}",
            f"Persona {self.tag}",
            f"Conversation {self.tag}",
            f"Answer {self.tag}",
            *(
                self.emails[a]
                for a in ("colleague", "member", "project_admin", "owner", "company_admin")
            ),
        ]

    def headers(self, actor: str) -> dict[str, str]:
        return {} if actor == "anon" else {"Authorization": f"Bearer {self.tokens[actor]}"}


def _company(conn: psycopg.Connection[Any], name: str, domain: str) -> uuid.UUID:
    company = uuid.uuid4()
    conn.execute(
        "INSERT INTO companies (id, name, domains) VALUES (%s, %s, %s)", (company, name, [domain])
    )
    return company


def build(
    database_url: str,
    files: FileStore,
    *,
    interview_status: str = "completed",
    interview_deleted: bool = False,
) -> World:
    tag = uuid.uuid4().hex[:8]
    with psycopg.connect(database_url, autocommit=False) as conn:
        a = _company(conn, f"Company A {tag}", f"a-{tag}.test")
        b = _company(conn, f"Company B {tag}", f"b-{tag}.test")
        c = _company(conn, f"Company C {tag}", f"c-{tag}.test")
        world = World(tag=tag, company_a=a, company_b=b)
        roles = {
            "outsider": (b, "company_user"),
            "outsider_admin": (b, "company_admin"),
            "colleague": (a, "company_user"),
            "member": (a, "company_user"),
            "project_admin": (a, "company_user"),
            "owner": (a, "company_user"),
            "company_admin": (a, "company_admin"),
            "super_admin": (c, "super_admin"),
        }
        domains = {a: f"a-{tag}.test", b: f"b-{tag}.test", c: f"c-{tag}.test"}
        avatar = files.put(PNG)
        for actor, (company, role) in roles.items():
            user, token = uuid.uuid4(), f"pit_{actor}_{tag}_{uuid.uuid4().hex}"
            email = f"{actor}-{tag}@{domains[company]}"
            conn.execute(
                "INSERT INTO users (id, company_id, email, name, password_hash, role,"
                " avatar_sha256, avatar_media_type) VALUES (%s, %s, %s, %s, %s, %s, %s,"
                " 'image/png')",
                (user, company, email, f"{actor} {tag}", password_hash(), role, avatar),
            )
            token_id = uuid.uuid4()
            conn.execute(
                "INSERT INTO api_tokens (id, user_id, company_id, name, token_hash, prefix)"
                " VALUES (%s, %s, %s, 'matrix', %s, %s)",
                (token_id, user, company, hashlib.sha256(token.encode()).hexdigest(), token[:10]),
            )
            world.users[actor], world.emails[actor] = user, email
            world.tokens[actor], world.token_ids[actor] = token, token_id
        owner = world.users["owner"]
        conn.execute(
            "INSERT INTO projects (id, company_id, name, owner_id, visibility, join_method)"
            " VALUES (%s, %s, %s, %s, 'private', 'open')",
            (world.project, a, f"Secret project {tag}", owner),
        )
        for actor, role in (("owner", "owner"), ("project_admin", "admin"), ("member", "member")):
            conn.execute(
                "INSERT INTO project_members (project_id, user_id, company_id, role)"
                " VALUES (%s, %s, %s, %s)",
                (world.project, world.users[actor], a, role),
            )
        conn.execute(
            "INSERT INTO project_event_counters (project_id, company_id, last_seq)"
            " VALUES (%s, %s, 0)",
            (world.project, a),
        )
        blob = files.put(f"Q: hello?\nA: Interview {tag}".encode())
        conn.execute(
            "INSERT INTO interviews (id, company_id, project_id, title, status, source, text,"
            " file_sha256, file_name, file_media_type, file_size, error, deleted_at, deleted_by)"
            " VALUES (%s, %s, %s, %s, %s, 'file', %s, %s, 'i.txt', 'text/plain', 10, %s, %s, %s)",
            (
                world.interview,
                a,
                world.project,
                f"Interview {tag}",
                interview_status,
                f"Q: hello?\nA: Interview {tag}",
                blob,
                json.dumps({"code": "x", "message": "m", "retryable": False, "engine": "offline"})
                if interview_status == "failed"
                else None,
                "2026-01-01T00:00:00Z" if interview_deleted else None,
                world.users["member"] if interview_deleted else None,
            ),
        )
        result = {
            "language": "en",
            "cleaned_script": [
                {"id": [1], "speaker": "question", "cleaned_sentence": "Hello?"},
                {"id": [2], "speaker": "answer", "cleaned_sentence": f"Interview {tag}"},
            ],
            "interview_quality_assessment": {"overall_quality": {"score": 3, "assessment": ""}},
        }
        conn.execute(
            "INSERT INTO interview_analyses (interview_id, company_id, engine, result,"
            " duration_ms) VALUES (%s, %s, 'offline', %s, 1)",
            (world.interview, a, json.dumps(result)),
        )
        conn.execute(
            "INSERT INTO notes (id, company_id, project_id, interview_id, author_id, line_ids,"
            " text) VALUES (%s, %s, %s, %s, %s, '{2}', %s)",
            (
                world.note,
                a,
                world.project,
                world.interview,
                world.users["member"],
                f"Note text {tag}",
            ),
        )
        conn.execute(
            "INSERT INTO project_invitations (id, company_id, project_id, token_hash, role,"
            " created_by, expires_at) VALUES (%s, %s, %s, %s, 'member', %s,"
            " now() + interval '1 day')",
            (
                world.invitation,
                a,
                world.project,
                hashlib.sha256(world.invitation_token.encode()).hexdigest(),
                owner,
            ),
        )
        conn.execute(
            "INSERT INTO glossary_terms (id, company_id, term, definition)"
            " VALUES (%s, %s, %s, 'a term')",
            (world.term, a, f"Glossary {tag}"),
        )
        conn.execute(
            "INSERT INTO personas (id, company_id, code, title) VALUES (%s, %s, 'P1', %s)",
            (world.persona, a, f"Persona {tag}"),
        )
        conn.execute(
            "INSERT INTO insight_themes (id, company_id, project_id, kind, label)"
            " VALUES (%s, %s, %s, 'pain', %s)",
            (world.theme, a, world.project, f"Theme {tag}"),
        )
        conn.execute(
            "INSERT INTO insight_theme_members (theme_id, company_id, project_id, interview_id,"
            " ref) VALUES (%s, %s, %s, %s, 'pain:0')",
            (world.theme, a, world.project, world.interview),
        )
        conn.execute(
            "INSERT INTO report_jobs (id, company_id, project_id, requested_by, kind, format,"
            " locale, status, progress, file_name, media_type, body, finished_at)"
            " VALUES (%s, %s, %s, %s, 'report', 'md', 'en', 'done', 100, 'report.md',"
            " 'text/markdown', %s, now())",
            (world.report_job, a, world.project, owner, f"# Secret project {tag}".encode()),
        )
        conn.execute(
            "INSERT INTO conversations (id, company_id, project_id, author_id, title,"
            " persona_codes, shared) VALUES (%s, %s, %s, %s, %s, '{P1}', true)",
            (world.conversation, a, world.project, world.users["member"], f"Conversation {tag}"),
        )
        answer = f"Answer {tag}"
        conn.execute(
            "INSERT INTO chat_messages (id, conversation_id, company_id, project_id, role,"
            " persona_code, content, events) VALUES (%s, %s, %s, %s, 'persona', 'P1', %s, %s)",
            (
                world.chat_message,
                world.conversation,
                a,
                world.project,
                answer,
                json.dumps(
                    [["message:start", {}], ["token", {"text": answer}], ["message:end", {}]]
                ),
            ),
        )
        conn.execute(
            "INSERT INTO chat_summaries (conversation_id, company_id, project_id, result,"
            " message_count) VALUES (%s, %s, %s, %s, 1)",
            (
                world.conversation,
                a,
                world.project,
                json.dumps(
                    {
                        "title": f"Conversation {tag}",
                        "summary": "",
                        "root_node": "P1",
                        "main_topics": [],
                    }
                ),
            ),
        )
        conn.commit()
    return world

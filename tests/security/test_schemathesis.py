"""Property-based API testing with schemathesis: requests generated from our own OpenAPI schema,
sent authenticated to a real server — no 5xx, no response that breaks its documented schema."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import checks

from persona_insight.db import Database
from tests.live import start_live
from tests.support import make_user

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]
EXAMPLES = 15


def test_api_never_fails_on_generated_requests(settings: Any) -> None:
    live, sock = start_live(settings)
    db = Database(settings.database_url, pool_size=1)
    member = asyncio.run(make_user(db, email="fuzz@acme.test", role="company_admin"))
    asyncio.run(db.dispose())
    failures: list[str] = []
    try:
        schema = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
        operations = [r.ok() for r in schema.get_all_operations()]
        assert len(operations) > 40
        for operation in operations:
            if operation.path.startswith("/api/sse/"):
                continue  # an endless stream; it has its own tests

            @hypothesis_settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy())
            def run(case: Any) -> None:
                case.call_and_validate(
                    base_url=live.url,
                    headers=member.headers,
                    checks=[checks.not_a_server_error, checks.response_schema_conformance],
                    timeout=20,
                )

            try:
                run()
            except Exception as exc:  # collect them all, report together
                failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:2000])
    finally:
        live.stop()
        sock.close()
    assert not failures, "\n\n".join(failures)

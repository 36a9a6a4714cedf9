"""*Test connection* on the analysis engine page runs a tiny real analysis with the saved
settings and says how it went (issue 17): against a fake OpenAI-compatible server that answers,
one that refuses the key, and a Dify workflow server that refuses it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.analysis.fakes.analysis_model import payload_for
from tests.analysis.fakes.dify_server import FakeDify, Run
from tests.analysis.fakes.openai_server import FakeOpenAI, Reply
from tests.analysis.fakes.server import serving
from tests.support import make_user
from tests.web.conftest import Browser, sign_in

pytestmark = pytest.mark.anyio


@pytest.fixture
def openai_fake() -> Iterator[FakeOpenAI]:
    with serving(FakeOpenAI(lambda body: Reply(payload=payload_for(body)))) as fake:
        yield fake


@pytest.fixture
def dify_fake() -> Iterator[FakeDify]:
    with serving(FakeDify(lambda body: Run(http_status=401, error_code="unauthorized"))) as fake:
        yield fake


@pytest.fixture
async def admin(app: Any) -> Browser:
    await make_user(app.api.state.runtime.db, email="boss@acme.test", role="company_admin")
    return await sign_in(app, "boss@acme.test")


async def _save(admin: Browser, **fields: str) -> None:
    await admin.get("/admin/analysis")
    r = await admin.post("/admin/analysis", data=fields)
    assert r.status_code == 303, r.text


async def test_llm_connection_works_then_fails(admin: Browser, openai_fake: FakeOpenAI) -> None:
    await _save(
        admin,
        engine="llm",
        llm_model="openai:gpt-fake",
        llm_base_url=openai_fake.base_url,
        llm_api_key="sk-test-key-123456",
    )
    page = await admin.post("/admin/analysis/test")
    assert page.status_code == 200
    assert "연결이 정상입니다. 언어 모델(LLM) 엔진이" in page.text, page.text
    assert openai_fake.requests, "no request reached the engine"
    assert openai_fake.requests[0].headers["authorization"] == "Bearer sk-test-key-123456"

    openai_fake.responder = lambda body: Reply(
        status=401, error={"message": "Incorrect API key", "code": "invalid_api_key"}
    )
    page = await admin.post("/admin/analysis/test")
    assert "테스트에 실패했습니다(언어 모델(LLM))" in page.text, page.text
    assert 'role="alert" id="probe-result"' in page.text


async def test_dify_refusal_is_reported(admin: Browser, dify_fake: FakeDify) -> None:
    await _save(
        admin,
        engine="miso",
        miso_base_url=dify_fake.base_url,
        miso_variant="dify",
        miso_api_key="app-wrong-key-123456",
    )
    page = await admin.post("/admin/analysis/test")
    assert "테스트에 실패했습니다(MISO / Dify 워크플로)" in page.text, page.text
    assert dify_fake.requests


async def test_only_the_chosen_engine_and_one_key_label(admin: Browser) -> None:
    page = (await admin.get("/admin/analysis")).text
    assert 'class="panel engine-panel engine-panel-llm"' in page
    assert "pydantic-ai" not in page
    # No key stored: no "API key: not set" row beside the "API key" field (it was said twice).
    assert 'class="key-label"' not in page

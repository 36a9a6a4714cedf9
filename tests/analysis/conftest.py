"""Fixtures for the external engines' tests: fake OpenAI-compatible and Dify/MISO servers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fakes.analysis_model import payload_for
from fakes.dify_server import FakeDify, Run
from fakes.openai_server import FakeOpenAI, Reply
from fakes.server import serving


@pytest.fixture
def openai_fake() -> Iterator[FakeOpenAI]:
    """An OpenAI-compatible server answering like a sensible model; `.responder` scripts it."""
    with serving(FakeOpenAI(lambda body: Reply(payload=payload_for(body)))) as fake:
        yield fake


@pytest.fixture
def dify_fake() -> Iterator[FakeDify]:
    """A Dify/MISO workflow server; set `.script` to choose each run's outcome."""
    with serving(FakeDify(lambda body: Run())) as fake:
        yield fake

"""A long turn is found by meaning through its sentence windows: one pooled vector of a
monologue sits near every query and near none of its topics (the real transcripts' case)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import text

from persona_insight.db import Actor
from persona_insight.embeddings import repository as embeddings
from persona_insight.search import service
from persona_insight.search.repository import Filters
from tests.search.conftest import indexed_interview
from tests.support import make_project, make_user

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

_TOPICS = [
    "I grew up in a small town and moved to the city for university.",
    "My first job was at a bakery where I learned to get up very early.",
    "We spent most weekends hiking in the mountains with my cousins.",
    "Later I worked in logistics, planning truck routes across the region.",
    "The team was small, so everybody did a bit of everything.",
    "I still play the guitar in a band with friends from that time.",
    "Our office moved twice in three years, which was tiring.",
    "I started learning Spanish because my partner's family speaks it.",
]
BURIED = "The invoicing tool doubled every bill we sent, so customers were charged twice."
LONG = " ".join([*_TOPICS[:4], BURIED, *_TOPICS[4:]] * 2)
LINES = [
    (1, "question", "Tell me about yourself."),
    (2, "answer", LONG),
    (3, "question", "What do you do on weekends?"),
    (4, "answer", "Mostly gardening, and I cook for the whole family on Sundays."),
    (5, "answer", "I read crime novels on the train to work every morning."),
    (6, "answer", "My daughter plays football, so we drive to her matches."),
    (7, "answer", "We adopted a cat last spring and she sleeps all day."),
]


async def test_a_sentence_buried_in_a_long_turn_ranks_its_line_first(app: Any) -> None:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    project = await make_project(app, owner)
    interview = UUID(await indexed_interview(app, owner, project["id"], LINES, "Life story"))
    filters = Filters(project_ids=[UUID(project["id"])], speakers=["answer"])
    async with db.unit_of_work(Actor(company_id=owner.company_id, role="system")) as session:
        _, hits = await service.rank(
            session, "customers were billed two times for one order", filters, "meaning", 10
        )
        keys = [key for key, *_ in hits]
        assert keys[0] == (interview, 2), keys
        assert len(keys) == len(set(keys)), "a line appears once, whatever windows matched"

        # Readers that want one vector per line (personas, chat) still get exactly that.
        whole = await embeddings.load(session, kind="line", interview_ids=[interview])
        assert sorted(int(row.ref) for row in whole) == [1, 2, 3, 4, 5, 6, 7]
        windows = await session.scalar(
            text("SELECT count(*) FROM embeddings WHERE interview_id = :i AND ref LIKE '2.%'"),
            {"i": interview},
        )
        assert windows is not None
        assert windows >= len(LONG) // 280

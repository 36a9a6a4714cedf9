"""The demo seeds a persona framework and glossary that fit its sample interviews, so a new user
sees a persona match (issue 17); seeding again changes nothing an admin edited."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, select

from persona_insight.analysis.engine import AnalysisContext, PersonaRef
from persona_insight.analysis.registry import build_engine
from persona_insight.analysis.transcript import parse
from persona_insight.db import Actor, Database
from persona_insight.demo.framework import PERSONAS
from persona_insight.demo.seed import SAMPLES, seed
from persona_insight.models import Company, GlossaryTerm, Persona

pytestmark = pytest.mark.anyio


async def _framework(db: Database) -> tuple[list[str], list[str]]:
    async with db.unit_of_work(Actor.system()) as session:
        codes = (await session.execute(select(Persona.code).order_by(Persona.code))).scalars()
        terms = (await session.execute(select(GlossaryTerm.term))).scalars()
        return list(codes), list(terms)


async def test_seed_adds_the_framework_once(settings: Any) -> None:
    owner = Database(Database(settings.database_url).owner_url, pool_size=1, app_role=False)
    try:
        await seed(owner, settings)
        codes, terms = await _framework(owner)
        assert codes == sorted(code for code, _, _ in PERSONAS)
        assert "충전 대기" in terms
        # An admin removes a persona: the next start does not bring it back.
        async with owner.unit_of_work(Actor.system()) as session:
            await session.execute(delete(Persona).where(Persona.code == "PLANNER"))
        await seed(owner, settings)
        codes, again = await _framework(owner)
        assert "PLANNER" not in codes
        assert len(codes) == len(PERSONAS) - 1
        assert sorted(again) == sorted(terms)
        async with owner.unit_of_work(Actor.system()) as session:
            assert len((await session.execute(select(Company))).scalars().all()) == 1
    finally:
        await owner.dispose()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("sample", "code"),
    [
        ("ko_ev_charging.txt", "EV-DRIVER"),
        ("en_fitness_app.txt", "SELF-TRACKER"),
        ("mixed_saas_analytics.txt", "TEAM-ADOPTER"),
    ],
)
async def test_demo_interviews_match_a_demo_persona(settings: Any, sample: str, code: str) -> None:
    engine = build_engine("offline", settings)
    personas = tuple(PersonaRef(c, t, d) for c, t, d in PERSONAS)
    text = (SAMPLES / sample).read_text(encoding="utf-8")
    context = AnalysisContext(title=sample, interview_date=None, personas=personas)
    result = await engine.analyse(parse(text), context)
    match = result.analysis.persona_match
    assert match is not None
    assert match.code == code, match

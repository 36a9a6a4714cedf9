"""Persona rules: the framework (admins), pictures, per-project focus, manual assignment.

Never commits; events are written in the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.accounts.repository import Authenticated
from persona_insight.admin.service import require_admin
from persona_insight.audit import service as audit
from persona_insight.errors import Conflict, InvalidInput, NotFound, storable_text
from persona_insight.insights import service as insights
from persona_insight.interviews import service as interviews
from persona_insight.models import (
    Interview,
    InterviewPersonaChoice,
    InterviewPlacement,
    Persona,
    PersonaAxis,
    PersonaType,
)
from persona_insight.personas import framework
from persona_insight.personas import repository as repo
from persona_insight.personas.framework import AxisSpec, Combination, TypeSpec
from persona_insight.personas.schemas import (
    AxisOut,
    FrameworkIn,
    FrameworkOut,
    PersonaAssignment,
    PersonaOut,
    PersonaPatch,
    PlacementList,
    PlacementOut,
    TypeOut,
)
from persona_insight.projects.service import require_access
from persona_insight.realtime import events


class Framework:
    """A company's axes, types and personas as loaded, with the lookups everyone needs."""

    def __init__(
        self, axes: list[PersonaAxis], types: list[PersonaType], personas: list[Persona]
    ) -> None:
        self.axes = axes
        self.types = types
        self.personas = personas
        self.type_by_id = {t.id: t for t in types}
        self.axis_of_type = {t.id: t.axis_id for t in types}
        self.by_key = {framework.key(p.type_ids): p for p in personas}
        self.by_code = {p.code: p for p in personas}

    def types_of(self, axis_id: UUID) -> list[PersonaType]:
        return [t for t in self.types if t.axis_id == axis_id]

    def traits(self, persona: Persona) -> list[str]:
        axis_order = {a.id: i for i, a in enumerate(self.axes)}
        chosen = [self.type_by_id[t] for t in persona.type_ids if t in self.type_by_id]
        return [t.name for t in sorted(chosen, key=lambda t: axis_order.get(t.axis_id, 0))]

    def persona_for(self, type_ids: Sequence[UUID | None]) -> Persona | None:
        """The enabled persona of one type per axis; None when an axis is unclear."""
        if not self.axes or len(type_ids) != len(self.axes) or any(t is None for t in type_ids):
            return None
        found = self.by_key.get(framework.key(t for t in type_ids if t is not None))
        return found if found is not None and found.enabled else None


async def load(session: AsyncSession, company_id: UUID) -> Framework:
    return Framework(
        await repo.axes(session, company_id),
        await repo.types(session, company_id),
        await repo.personas(session, company_id),
    )


def persona_out(fw: Framework, persona: Persona) -> PersonaOut:
    return PersonaOut(
        id=persona.id,
        code=persona.code,
        title=persona.title,
        description=persona.description,
        enabled=persona.enabled,
        type_ids=list(persona.type_ids),
        traits=fw.traits(persona),
        has_picture=persona.picture_type is not None,
        picture_url=f"/api/personas/{persona.id}/picture",
        created_at=persona.created_at,
    )


def framework_out(fw: Framework, lost: Sequence[UUID] = ()) -> FrameworkOut:
    return FrameworkOut(
        axes=[
            AxisOut(
                id=a.id,
                name=a.name,
                description=a.description,
                types=[
                    TypeOut(id=t.id, name=t.name, description=t.description)
                    for t in fw.types_of(a.id)
                ],
            )
            for a in fw.axes
        ],
        personas=[persona_out(fw, p) for p in fw.personas],
        lost_interviews=list(lost),
    )


async def announce(
    session: AsyncSession, company_id: UUID, actor_id: UUID | None, **data: Any
) -> None:
    """`persona:updated` on every project of the company: the framework is company-wide."""
    for project in await repo.company_projects(session, company_id):
        await events.append(
            session,
            project_id=project.id,
            company_id=company_id,
            type=events.PERSONA_UPDATED,
            data=data,
            actor_id=actor_id,
        )


async def emit_interview_updated(
    session: AsyncSession, interview: Interview, actor_id: UUID | None, changes: list[str]
) -> None:
    """`interview:updated` with the same payload as the interviews module's own updates."""
    await session.flush()
    await insights.defer_recompute(session, interview.project_id, interview.company_id)
    await events.append(
        session,
        project_id=interview.project_id,
        company_id=interview.company_id,
        type=events.INTERVIEW_UPDATED,
        data={
            "interview_id": str(interview.id),
            "interview": interviews.to_out(interview).model_dump(mode="json"),
            "changes": changes,
        },
        actor_id=actor_id,
    )


def _specs(body: FrameworkIn) -> list[AxisSpec]:
    return [
        AxisSpec(
            name=a.name,
            description=a.description,
            id=a.id,
            types=tuple(TypeSpec(t.name, t.description, t.id) for t in a.types),
        )
        for a in body.axes
    ]


def _check_ids(fw: Framework, specs: Sequence[AxisSpec]) -> None:
    known_axes = {a.id for a in fw.axes}
    for spec in specs:
        if spec.id is not None and spec.id not in known_axes:
            raise InvalidInput(
                "no such axis", code="unknown_axis", details={"rule": "unknown_axis"}
            )
        for t in spec.types:
            if t.id is None:
                continue
            if spec.id is None or fw.axis_of_type.get(t.id) != spec.id:
                raise InvalidInput(
                    "a type keeps its id only on its own axis",
                    code="unknown_type",
                    details={"rule": "unknown_type", "axis": spec.name},
                )


async def save_framework(
    session: AsyncSession, actor: Authenticated, body: FrameworkIn
) -> FrameworkOut:
    """Replace the company's framework with `body`. Axes and types given with their id are kept
    (and renamed); personas whose combination still exists keep their code, title and picture;
    removed combinations go, and their interviews lose the persona (409 unless confirmed)."""
    require_admin(actor)
    specs = _specs(body)
    framework.validate(specs)
    await repo.lock_company_framework(session, actor.company_id)
    fw = await load(session, actor.company_id)
    _check_ids(fw, specs)

    kept_types = {t.id for s in specs for t in s.types if t.id is not None}
    removed_types = [t.id for t in fw.types if t.id not in kept_types]
    # New rows get their ids now so that combinations can be computed before writing.
    axes_rows: list[PersonaAxis] = []
    type_rows: list[list[PersonaType]] = []
    existing_axes = {a.id: a for a in fw.axes}
    for position, spec in enumerate(specs):
        axis = existing_axes.get(spec.id) if spec.id else None
        if axis is None:
            axis = PersonaAxis(company_id=actor.company_id, id=_new_id())
            session.add(axis)
        axis.name, axis.description, axis.position = spec.name, spec.description, position
        axes_rows.append(axis)
        rows = []
        for t_position, t_spec in enumerate(spec.types):
            row = fw.type_by_id.get(t_spec.id) if t_spec.id else None
            if row is None:
                row = PersonaType(company_id=actor.company_id, axis_id=axis.id, id=_new_id())
                session.add(row)
            row.name, row.description, row.position = t_spec.name, t_spec.description, t_position
            rows.append(row)
        type_rows.append(rows)

    combinations = framework.cross_product([[t.id for t in rows] for rows in type_rows])
    wanted = set(combinations)
    # Every persona, not one per key: personas migrated from the flat list have no types, so
    # they all share the empty key, and a lookup by key kept only one of them.
    removed = [p for p in fw.personas if framework.key(p.type_ids) not in wanted]
    removed_codes = sorted((p.code for p in removed), key=framework.code_order)
    lost = await repo.interviews_with_codes(session, actor.company_id, removed_codes)
    in_use = await repo.use_of_types(session, removed_types)
    if (lost or in_use) and not body.confirm:
        raise Conflict(
            "interviews use what this edit removes; send confirm to remove it anyway",
            code="persona_type_in_use",
            details={
                "interviews": max(len(lost), in_use),
                "personas": removed_codes,
                "consequence": "their interviews lose that persona and become unclear on the"
                " removed types; manual choices of those personas are cleared",
            },
        )
    for persona in removed:
        await session.delete(persona)
    for axis in fw.axes:
        if axis.id not in {a.id for a in axes_rows}:
            await session.delete(axis)
    for type_id in removed_types:
        row = fw.type_by_id[type_id]
        if row.axis_id in {a.id for a in axes_rows}:
            await session.delete(row)
    await repo.delete_choices_of_codes(session, actor.company_id, removed_codes)
    await session.flush()

    existing: dict[Combination, str] = {k: p.code for k, p in fw.by_key.items() if k in wanted}
    highest = await repo.persona_number(session, actor.company_id)
    codes = framework.assign_codes(combinations, existing, removed_codes, highest)
    await repo.set_persona_number(
        session, actor.company_id, max(highest, framework.highest_number(codes.values()))
    )
    names = {t.id: t.name for rows in type_rows for t in rows}
    order = {t.id: i for i, rows in enumerate(type_rows) for t in rows}
    for combination in combinations:
        if combination in fw.by_key:
            continue
        traits = [names[t] for t in sorted(combination, key=lambda t: order[t])]
        session.add(
            Persona(
                company_id=actor.company_id,
                code=codes[combination],
                title=framework.default_title(traits),
                description="",
                type_ids=list(combination),
            )
        )
    await session.flush()
    for interview in lost:
        interview.persona_code = None
        await emit_interview_updated(session, interview, actor.user_id, ["persona_code"])
    await audit.record(
        session,
        "persona_framework_changed",
        company_id=actor.company_id,
        actor_id=actor.user_id,
        target_type="company",
        target_id=actor.company_id,
        axes=len(specs),
        combinations=len(combinations),
        removed=removed_codes,
        lost_interviews=len(lost),
    )
    await announce(
        session, actor.company_id, actor.user_id, change="framework", personas=len(combinations)
    )
    result = await load(session, actor.company_id)
    return framework_out(result, [i.id for i in lost])


def _new_id() -> UUID:
    from persona_insight.ids import uuid7

    return uuid7()


async def get_persona(session: AsyncSession, company_id: UUID, persona_id: UUID) -> Persona:
    persona = await repo.persona(session, company_id, persona_id)
    if persona is None:
        raise NotFound("no such persona", code="persona_not_found")
    return persona


async def update_persona(
    session: AsyncSession, actor: Authenticated, persona_id: UUID, body: PersonaPatch
) -> PersonaOut:
    require_admin(actor)
    persona = await repo.persona(session, actor.company_id, persona_id, lock=True)
    if persona is None:
        raise NotFound("no such persona", code="persona_not_found")
    changed = []
    for key, value in body.model_dump(exclude_unset=True).items():
        if value is not None and getattr(persona, key) != value:
            setattr(persona, key, value)
            changed.append(key)
    await session.flush()
    if changed:
        await announce(
            session,
            actor.company_id,
            actor.user_id,
            change="persona",
            persona_id=str(persona.id),
            code=persona.code,
            fields=changed,
        )
    fw = await load(session, actor.company_id)
    return persona_out(fw, persona)


async def save_picture(
    session: AsyncSession,
    actor: Authenticated,
    persona_id: UUID,
    data: bytes | None,
    media: str | None,
) -> None:
    require_admin(actor)
    persona = await repo.persona(session, actor.company_id, persona_id, lock=True)
    if persona is None:
        raise NotFound("no such persona", code="persona_not_found")
    await repo.set_picture(session, persona.id, data, media)
    await announce(
        session,
        actor.company_id,
        actor.user_id,
        change="picture",
        persona_id=str(persona.id),
        code=persona.code,
    )


async def set_focus(
    session: AsyncSession, actor: Authenticated, project_id: UUID, persona_ids: Sequence[UUID]
) -> list[UUID]:
    access = await require_access(session, actor, project_id)
    known = {p.id for p in await repo.personas(session, access.project.company_id)}
    unknown = [p for p in persona_ids if p not in known]
    if unknown:
        raise NotFound("no such persona", code="persona_not_found")
    await repo.replace_focus(session, access.project, persona_ids)
    await events.append(
        session,
        project_id=access.project.id,
        company_id=access.project.company_id,
        type=events.PERSONA_UPDATED,
        data={"change": "focus", "persona_ids": [str(p) for p in dict.fromkeys(persona_ids)]},
        actor_id=actor.user_id,
    )
    return list(dict.fromkeys(persona_ids))


async def get_focus(session: AsyncSession, actor: Authenticated, project_id: UUID) -> list[UUID]:
    access = await require_access(session, actor, project_id)
    return await repo.focus(session, access.project.id)


# --- where an interview sits ---------------------------------------------------------------------


def code_from(
    fw: Framework,
    placements: Sequence[InterviewPlacement],
    choice: InterviewPersonaChoice | None,
) -> str | None:
    """The interview's persona: a researcher's choice wins; otherwise the persona of its
    placements, when every axis is clear and that combination is switched on."""
    if choice is not None:
        chosen = fw.by_code.get(choice.persona_code) if choice.persona_code else None
        return chosen.code if chosen is not None and chosen.enabled else None
    by_axis = {p.axis_id: p.type_id for p in placements}
    persona = fw.persona_for([by_axis.get(a.id) for a in fw.axes])
    return persona.code if persona is not None else None


async def assign(
    session: AsyncSession, actor: Authenticated, interview_id: UUID, body: PersonaAssignment
) -> Interview:
    """A researcher sets an interview's persona (or its axis types). Stored apart from what the
    analysis computed, so re-analysis never overrides it; audited; `interview:updated`."""
    interview, _ = await interviews.get_accessible(session, actor, interview_id, lock=True)
    if interview.deleted_at is not None:
        raise Conflict("restore the interview before editing it", code="interview_deleted")
    given = body.model_fields_set
    if body.reason:
        storable_text(body.reason, "reason")
    if ("persona_code" in given) == (body.axes is not None) or body.axes == {}:
        # `axes: {}` set nothing and answered 200 as if it had.
        raise InvalidInput("give either persona_code or axes", code="invalid_assignment")
    fw = await load(session, interview.company_id)
    current = {p.axis_id: p for p in await repo.placements(session, interview.id)}
    choice = await repo.choice(session, interview.id)
    if "persona_code" in given:
        persona = None
        if body.persona_code is not None:
            persona = fw.by_code.get(body.persona_code)
            if persona is None or not persona.enabled:
                raise InvalidInput("no such persona", code="unknown_persona")
        if choice is None:
            choice = InterviewPersonaChoice(
                interview_id=interview.id,
                company_id=interview.company_id,
                project_id=interview.project_id,
            )
            session.add(choice)
        choice.persona_code = body.persona_code
        choice.reason = body.reason
        choice.set_by = actor.user_id
        wanted: dict[UUID, UUID | None] = {}
        if persona is not None:
            wanted = {fw.axis_of_type[t]: t for t in persona.type_ids if t in fw.axis_of_type}
    else:
        assert body.axes is not None
        wanted = dict(body.axes)
        axis_ids = {a.id for a in fw.axes}
        for axis_id, type_id in wanted.items():
            if axis_id not in axis_ids:
                raise InvalidInput("no such axis", code="unknown_axis")
            if type_id is not None and fw.axis_of_type.get(type_id) != axis_id:
                raise InvalidInput("that type is not on that axis", code="unknown_type")
        if choice is not None:
            await session.delete(choice)
            choice = None
    for axis_id, type_id in wanted.items():
        row = current.get(axis_id)
        if row is None:
            row = current[axis_id] = InterviewPlacement(
                interview_id=interview.id,
                axis_id=axis_id,
                company_id=interview.company_id,
                project_id=interview.project_id,
            )
            session.add(row)
        row.type_id = type_id
        row.confidence = 1.0
        row.line_ids = []
        row.source = "manual"
        row.reason = body.reason
        row.set_by = actor.user_id
    await session.flush()
    before = interview.persona_code
    interview.persona_code = code_from(fw, list(current.values()), choice)
    await audit.record(
        session,
        "persona_assigned",
        company_id=interview.company_id,
        actor_id=actor.user_id,
        target_type="interview",
        target_id=interview.id,
        before=before,
        after=interview.persona_code,
        axes={str(k): str(v) if v else None for k, v in wanted.items()},
        reason=body.reason,
    )
    await emit_interview_updated(session, interview, actor.user_id, ["persona_code", "placements"])
    return interview


async def placements_out(
    session: AsyncSession, actor: Authenticated, interview_id: UUID
) -> PlacementList:
    interview, _ = await interviews.get_accessible(session, actor, interview_id)
    rows = await repo.placements(session, interview.id)
    choice = await repo.choice(session, interview.id)
    return PlacementList(
        persona_code=interview.persona_code,
        manual_persona=choice is not None,
        items=[
            PlacementOut(
                axis_id=r.axis_id,
                type_id=r.type_id,
                confidence=r.confidence,
                line_ids=list(r.line_ids),
                source=r.source,
                reason=r.reason,
            )
            for r in rows
        ],
    )


# --- the flat persona routes of /api/company/personas, kept working on the framework --------------


async def add_flat(
    session: AsyncSession, actor: Authenticated, code: str, title: str, description: str
) -> Persona:
    """A persona added the old way becomes a type of a one-axis framework (created when the
    company has none); with more axes there is no single type to add, so 409."""
    require_admin(actor)
    await repo.lock_company_framework(session, actor.company_id)
    fw = await load(session, actor.company_id)
    if code in fw.by_code:
        raise Conflict("a persona with this code exists", code="persona_exists")
    if len(fw.axes) > 1:
        raise Conflict(
            "the framework has several axes: edit it with PUT /api/personas/framework",
            code="framework_has_axes",
        )
    if fw.axes:
        axis = fw.axes[0]
    else:
        axis = PersonaAxis(company_id=actor.company_id, name="Persona", position=0, id=_new_id())
        session.add(axis)
    if len(fw.types_of(axis.id)) >= framework.MAX_COMBINATIONS:
        raise InvalidInput(
            f"at most {framework.MAX_COMBINATIONS} personas",
            code="too_many_combinations",
            details={"rule": "too_many_combinations", "limit": framework.MAX_COMBINATIONS},
        )
    taken = {t.name.casefold() for t in fw.types_of(axis.id)}
    name = title[:100] if title[:100].casefold() not in taken else f"{code} {title}"[:100]
    kind = PersonaType(
        company_id=actor.company_id,
        axis_id=axis.id,
        name=name,
        description=description,
        position=len(taken),
        id=_new_id(),
    )
    session.add(kind)
    persona = Persona(
        company_id=actor.company_id,
        code=code,
        title=title,
        description=description,
        type_ids=[kind.id],
    )
    session.add(persona)
    await session.flush()
    await announce(session, actor.company_id, actor.user_id, change="framework", code=code)
    return persona


async def remove_flat(session: AsyncSession, actor: Authenticated, persona_id: UUID) -> None:
    """Removing a persona of a one-axis framework removes its type too (its interviews keep
    their stored code, as before the framework); with more axes, switch it off instead."""
    require_admin(actor)
    await repo.lock_company_framework(session, actor.company_id)
    fw = await load(session, actor.company_id)
    persona = next((p for p in fw.personas if p.id == persona_id), None)
    if persona is None:
        raise NotFound("no such persona", code="persona_not_found")
    if len(fw.axes) > 1:
        raise Conflict(
            "the framework has several axes: switch the persona off instead",
            code="framework_has_axes",
        )
    await session.delete(persona)
    for type_id in persona.type_ids:
        if type_id in fw.type_by_id:
            await session.delete(fw.type_by_id[type_id])
    await session.flush()
    await announce(session, actor.company_id, actor.user_id, change="framework", code=persona.code)

"""`/api/personas/*` (the company's framework, persona fields and pictures) and a project's
personas in focus."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, Response
from starlette.responses import StreamingResponse

from persona_insight.accounts.deps import CtxDep
from persona_insight.errors import (
    NotFound,
)
from persona_insight.files.images import read_image
from persona_insight.interviews import service as interviews
from persona_insight.interviews.schemas import InterviewOut
from persona_insight.personas import avatar, fit, profiles, service, suggestions, tasks
from persona_insight.personas import repository as repo
from persona_insight.personas.schemas import (
    AdoptIn,
    DiscoveryOut,
    FitExplainIn,
    FitIn,
    FitList,
    FocusIn,
    FocusOut,
    FrameworkIn,
    FrameworkOut,
    PersonaAssignment,
    PersonaOut,
    PersonaPatch,
    PlacementList,
    ProfileOut,
    ProfileVersion,
    RematchOut,
    SynthesisQueued,
)
from persona_insight.projects.service import require_access
from persona_insight.search import answer_stream, ask, ask_routes

router = APIRouter(tags=["personas"])

PICTURE_MAX_BYTES = 1024 * 1024


@router.get(
    "/api/personas/framework",
    response_model=FrameworkOut,
    summary="The company's persona framework: axes, types and persona combinations",
)
async def get_framework(ctx: CtxDep) -> FrameworkOut:
    return service.framework_out(await service.load(ctx.session, ctx.user.company_id))


@router.put(
    "/api/personas/framework",
    response_model=FrameworkOut,
    summary="Replace the framework (admins; codes stay with their combination)",
)
async def put_framework(body: FrameworkIn, ctx: CtxDep) -> FrameworkOut:
    saved = await service.save_framework(ctx.session, ctx.user, body)
    # Every project's interviews are placed again on the new axes, in the background.
    for project in await repo.company_projects(ctx.session, ctx.user.company_id):
        await tasks.defer_rematch(ctx.session, project.id, project.company_id)
    return saved


@router.patch(
    "/api/personas/{persona_id}",
    response_model=PersonaOut,
    summary="Title, description or switch a persona off (admins)",
)
async def patch_persona(persona_id: UUID, body: PersonaPatch, ctx: CtxDep) -> PersonaOut:
    before = await service.get_persona(ctx.session, ctx.user.company_id, persona_id)
    was_enabled = before.enabled
    out = await service.update_persona(ctx.session, ctx.user, persona_id, body)
    if out.enabled != was_enabled:
        # Switched off, its interviews have no persona; on again, those placed on its types
        # have it back: every project is placed again, as after a framework edit (the codes
        # stayed as they were until a manual re-match).
        for project in await repo.company_projects(ctx.session, ctx.user.company_id):
            await tasks.defer_rematch(ctx.session, project.id, project.company_id)
    return out


@router.get(
    "/api/personas/{persona_id}/picture",
    summary="The persona's picture: the uploaded one, or its SVG avatar",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}, "image/png": {}}}},
)
async def get_picture(persona_id: UUID, ctx: CtxDep) -> Response:
    persona = await service.get_persona(ctx.session, ctx.user.company_id, persona_id)
    data, media = await repo.picture(ctx.session, persona.id)
    headers = {
        "Cache-Control": "private, max-age=60",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox",
    }
    if data is None or media is None:
        fw = await service.load(ctx.session, ctx.user.company_id)
        drawn = avatar.svg(persona.code, fw.traits(persona))
        return Response(drawn, media_type="image/svg+xml", headers=headers)
    return Response(data, media_type=media, headers=headers)


@router.put(
    "/api/personas/{persona_id}/picture",
    status_code=204,
    summary="Upload a persona's picture (JPEG, PNG or WebP by content, ≤ 1 MB; admins)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                }
            },
        }
    },
)
async def put_picture(persona_id: UUID, request: Request, ctx: CtxDep) -> Response:
    data, media_type = await read_image(
        request,
        max_bytes=PICTURE_MAX_BYTES,
        too_large="a persona picture may be at most 1 MB",
        too_large_code="picture_too_large",
    )
    await service.save_picture(ctx.session, ctx.user, persona_id, data, media_type)
    return Response(status_code=204)


@router.delete(
    "/api/personas/{persona_id}/picture",
    status_code=204,
    summary="Go back to the drawn avatar (admins)",
)
async def delete_picture(persona_id: UUID, ctx: CtxDep) -> Response:
    await service.save_picture(ctx.session, ctx.user, persona_id, None, None)
    return Response(status_code=204)


@router.get(
    "/api/projects/{project_id}/personas/focus",
    response_model=FocusOut,
    summary="The personas a project focuses on",
)
async def get_focus(project_id: UUID, ctx: CtxDep) -> FocusOut:
    return FocusOut(persona_ids=await service.get_focus(ctx.session, ctx.user, project_id))


@router.put(
    "/api/projects/{project_id}/personas/focus",
    response_model=FocusOut,
    summary="Set the personas a project focuses on",
)
async def put_focus(project_id: UUID, body: FocusIn, ctx: CtxDep) -> FocusOut:
    ids = await service.set_focus(ctx.session, ctx.user, project_id, body.persona_ids)
    return FocusOut(persona_ids=ids)


@router.patch(
    "/api/interviews/{interview_id}/persona",
    response_model=InterviewOut,
    summary="Set an interview's persona or axis types by hand (wins over re-analysis)",
)
async def assign_persona(interview_id: UUID, body: PersonaAssignment, ctx: CtxDep) -> InterviewOut:
    before = (await interviews.get_accessible(ctx.session, ctx.user, interview_id))[0].persona_code
    interview = await service.assign(ctx.session, ctx.user, interview_id, body)
    touched = {(interview.project_id, c) for c in (before, interview.persona_code) if c}
    await tasks.defer_synthesis_of(ctx.session, interview.company_id, touched)
    return interviews.to_out(interview)


@router.get(
    "/api/interviews/{interview_id}/placements",
    response_model=PlacementList,
    summary="Where an interview sits on each axis of the framework",
)
async def get_placements(interview_id: UUID, ctx: CtxDep) -> PlacementList:
    return await service.placements_out(ctx.session, ctx.user, interview_id)


@router.post(
    "/api/projects/{project_id}/personas/rematch",
    status_code=202,
    response_model=RematchOut,
    summary="Place the project's analysed interviews on the framework again (a job)",
)
async def rematch(project_id: UUID, ctx: CtxDep) -> RematchOut:
    access = await require_access(ctx.session, ctx.user, project_id)
    queued = await tasks.defer_rematch(ctx.session, access.project.id, access.project.company_id)
    return RematchOut(queued=queued)


@router.get(
    "/api/projects/{project_id}/personas/{persona_id}/profile",
    response_model=ProfileOut,
    summary="A persona's synthesised profile in a project (newest, or ?version=)",
)
async def get_profile(
    project_id: UUID, persona_id: UUID, ctx: CtxDep, version: int | None = None
) -> ProfileOut:
    access = await require_access(ctx.session, ctx.user, project_id)
    company = access.project.company_id
    versions, stale = await profiles.current(ctx.session, company, project_id, persona_id)
    persona = await service.get_persona(ctx.session, company, persona_id)
    chosen = next((v for v in versions if version is None or v.version == version), None)
    if version is not None and chosen is None:
        raise NotFound("no such profile version", code="profile_version_not_found")
    return ProfileOut(
        persona_id=persona.id,
        code=persona.code,
        stale=stale,
        versions=[v.version for v in versions],
        profile=None
        if chosen is None
        else ProfileVersion(
            version=chosen.version,
            created_at=chosen.created_at,
            engine=chosen.engine,
            interview_ids=list(chosen.interview_ids),
            sections=chosen.profile.get("sections", {}),
            repairs=chosen.profile.get("repairs", []),
        ),
    )


@router.post(
    "/api/projects/{project_id}/personas/{persona_id}/profile/synthesise",
    status_code=202,
    response_model=SynthesisQueued,
    summary="Synthesise the persona's profile again (a job)",
)
async def synthesise_profile(project_id: UUID, persona_id: UUID, ctx: CtxDep) -> SynthesisQueued:
    access = await require_access(ctx.session, ctx.user, project_id)
    persona = await service.get_persona(ctx.session, access.project.company_id, persona_id)
    queued = await tasks.defer_synthesis(
        ctx.session, access.project.id, access.project.company_id, persona.id
    )
    return SynthesisQueued(queued=queued)


@router.post(
    "/api/projects/{project_id}/personas/fit",
    response_model=FitList,
    summary="Which persona fits this question or customer description? (ranked, with quotes)",
)
async def persona_fit(project_id: UUID, body: FitIn, ctx: CtxDep) -> FitList:
    return await fit.rank(ctx.session, ctx.user, project_id, body.question)


@router.post(
    "/api/projects/{project_id}/personas/fit/explain",
    response_class=StreamingResponse,
    responses=ask_routes.STREAM,
    summary="Which persona fits, explained by the company's engine from the personas' quotes "
    "(streamed like an answer)",
)
async def persona_fit_explain(
    project_id: UUID, body: FitExplainIn, ctx: CtxDep
) -> StreamingResponse:
    await require_access(ctx.session, ctx.user, project_id)
    question = ask.clean_question(body.question)
    ask_routes.limit_questions(ctx)
    run = await ask_routes.start_answer(
        ctx, question, project_id, [project_id], evidence_of=fit.explain_evidence
    )
    return answer_stream.response(run.message.follow(), answer_id=run.message.id)


@router.post(
    "/api/projects/{project_id}/personas/discover",
    response_model=DiscoveryOut,
    summary="Personas the project's interviews suggest (clusters, with quality and citations)",
)
async def discover_in_project(project_id: UUID, ctx: CtxDep) -> DiscoveryOut:
    return await suggestions.for_project(ctx.session, ctx.user, project_id)


@router.post(
    "/api/personas/discover",
    response_model=DiscoveryOut,
    summary="Personas the company's interviews suggest, over every project (admins)",
)
async def discover_in_company(ctx: CtxDep) -> DiscoveryOut:
    return await suggestions.for_company(ctx.session, ctx.user)


@router.post(
    "/api/personas/framework/adopt",
    response_model=FrameworkOut,
    summary="Adopt a suggestion as a new type of an axis, and so new personas (admins)",
)
async def adopt_suggestion(body: AdoptIn, ctx: CtxDep) -> FrameworkOut:
    saved = await suggestions.adopt(ctx.session, ctx.user, body)
    for project in await repo.company_projects(ctx.session, ctx.user.company_id):
        await tasks.defer_rematch(ctx.session, project.id, project.company_id)
    return saved

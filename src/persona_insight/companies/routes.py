"""`/api/company/*`: the caller's company's analysis and speech settings, glossary and
personas."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, Response

from persona_insight.accounts.deps import CtxDep
from persona_insight.accounts.routes import client_ip
from persona_insight.companies import membership, retention, service, speech
from persona_insight.companies import repository as repo
from persona_insight.companies.schemas import (
    AnalysisSettingsIn,
    AnalysisSettingsOut,
    GlossaryIn,
    GlossaryList,
    GlossaryOut,
    MembershipSettings,
    PendingMember,
    PendingMemberList,
    PersonaIn,
    PersonaList,
    PersonaOut,
    PersonaPatch,
    RetentionSettings,
    RetentionSettingsIn,
    SpeechSettingsIn,
    SpeechSettingsOut,
)

router = APIRouter(prefix="/api/company", tags=["company"])


@router.get(
    "/analysis",
    response_model=AnalysisSettingsOut,
    summary="The company's analysis engine settings (keys are never returned)",
)
async def get_analysis(ctx: CtxDep) -> AnalysisSettingsOut:
    return await service.analysis_settings(ctx.session, ctx.user, ctx.rt.settings)


@router.put(
    "/analysis",
    response_model=AnalysisSettingsOut,
    summary="Choose the company's engine and its settings (company admins)",
)
async def put_analysis(body: AnalysisSettingsIn, ctx: CtxDep) -> AnalysisSettingsOut:
    return await service.update_analysis_settings(ctx.session, ctx.user, body, ctx.rt.settings)


@router.get(
    "/speech",
    response_model=SpeechSettingsOut,
    summary="The company's speech-to-text settings (the key is never returned)",
)
async def get_speech(ctx: CtxDep) -> SpeechSettingsOut:
    return await speech.get(ctx.session, ctx.user, ctx.rt.settings)


@router.put(
    "/speech",
    response_model=SpeechSettingsOut,
    summary="Choose how recordings are transcribed: local or an API (company admins)",
)
async def put_speech(body: SpeechSettingsIn, ctx: CtxDep) -> SpeechSettingsOut:
    return await speech.put(ctx.session, ctx.user, body, ctx.rt.settings)


@router.get("/glossary", response_model=GlossaryList, summary="The company's glossary")
async def get_glossary(ctx: CtxDep) -> GlossaryList:
    terms = await repo.glossary(ctx.session, ctx.user.company_id)
    return GlossaryList(items=[GlossaryOut.model_validate(t, from_attributes=True) for t in terms])


@router.post(
    "/glossary",
    status_code=201,
    response_model=GlossaryOut,
    summary="Add a glossary term (company admins)",
)
async def add_term(body: GlossaryIn, ctx: CtxDep) -> GlossaryOut:
    term = await service.add_term(ctx.session, ctx.user, body)
    return GlossaryOut.model_validate(term, from_attributes=True)


@router.delete("/glossary/{term_id}", status_code=204, summary="Remove a glossary term")
async def delete_term(term_id: UUID, ctx: CtxDep) -> Response:
    await service.delete_term(ctx.session, ctx.user, term_id)
    return Response(status_code=204)


@router.get("/personas", response_model=PersonaList, summary="The company's personas")
async def get_personas(ctx: CtxDep) -> PersonaList:
    personas = await repo.personas(ctx.session, ctx.user.company_id)
    return PersonaList(items=[PersonaOut.model_validate(p, from_attributes=True) for p in personas])


@router.post(
    "/personas",
    status_code=201,
    response_model=PersonaOut,
    summary="Add a persona (company admins)",
)
async def add_persona(body: PersonaIn, ctx: CtxDep) -> PersonaOut:
    persona = await service.add_persona(ctx.session, ctx.user, body)
    return PersonaOut.model_validate(persona, from_attributes=True)


@router.patch("/personas/{persona_id}", response_model=PersonaOut, summary="Edit a persona")
async def patch_persona(persona_id: UUID, body: PersonaPatch, ctx: CtxDep) -> PersonaOut:
    persona = await service.update_persona(ctx.session, ctx.user, persona_id, body)
    return PersonaOut.model_validate(persona, from_attributes=True)


@router.delete("/personas/{persona_id}", status_code=204, summary="Remove a persona")
async def delete_persona(persona_id: UUID, ctx: CtxDep) -> Response:
    await service.delete_persona(ctx.session, ctx.user, persona_id)
    return Response(status_code=204)


@router.get(
    "/membership",
    response_model=MembershipSettings,
    summary="Whether new members wait for approval (company admins)",
)
async def get_membership(ctx: CtxDep) -> MembershipSettings:
    return MembershipSettings(
        require_approval=await membership.require_approval(ctx.session, ctx.user)
    )


@router.put(
    "/membership",
    response_model=MembershipSettings,
    summary="Require (or stop requiring) approval of new members (company admins)",
)
async def put_membership(body: MembershipSettings, ctx: CtxDep) -> MembershipSettings:
    value = await membership.set_require_approval(ctx.session, ctx.user, body.require_approval)
    return MembershipSettings(require_approval=value)


@router.get(
    "/retention",
    response_model=RetentionSettings,
    summary="How long trashed interviews stay restorable (company admins)",
)
async def get_retention(ctx: CtxDep) -> RetentionSettings:
    return await retention.get(ctx.session, ctx.user, ctx.rt.settings)


@router.put(
    "/retention",
    response_model=RetentionSettings,
    summary="Set how long trashed interviews stay restorable (company admins)",
)
async def put_retention(body: RetentionSettingsIn, ctx: CtxDep) -> RetentionSettings:
    return await retention.put(ctx.session, ctx.user, body, ctx.rt.settings)


@router.get(
    "/pending-members",
    response_model=PendingMemberList,
    summary="Signed-up accounts waiting for approval (company admins)",
)
async def pending_members(ctx: CtxDep) -> PendingMemberList:
    rows = await membership.pending(ctx.session, ctx.user)
    return PendingMemberList(
        items=[PendingMember.model_validate(r, from_attributes=True) for r in rows]
    )


@router.post(
    "/pending-members/{user_id}/approve",
    response_model=PendingMember,
    summary="Let a waiting account in (company admins)",
)
async def approve_member(user_id: UUID, ctx: CtxDep, request: Request) -> PendingMember:
    user = await membership.approve(ctx.session, ctx.user, user_id, client_ip(request))
    return PendingMember.model_validate(user, from_attributes=True)


@router.post(
    "/pending-members/{user_id}/deny",
    status_code=204,
    summary="Refuse a waiting account; it is deleted (company admins)",
)
async def deny_member(user_id: UUID, ctx: CtxDep, request: Request) -> Response:
    await membership.deny(ctx.session, ctx.user, user_id, client_ip(request))
    return Response(status_code=204)

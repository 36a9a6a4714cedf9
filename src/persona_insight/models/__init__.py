"""Every table, imported so that `Base.metadata` is complete."""

from persona_insight.models.accounts import (
    ApiToken,
    AuditEntry,
    AuthSession,
    Company,
    LoginFailure,
    LoginKnown,
    User,
)
from persona_insight.models.base import Base
from persona_insight.models.company_knowledge import GlossaryTerm, Persona
from persona_insight.models.events import Event, ProjectEventCounter, SsePresence
from persona_insight.models.interviews import Interview, InterviewAnalysis, InterviewTerm
from persona_insight.models.notes import Note
from persona_insight.models.personas import (
    InterviewPersonaChoice,
    InterviewPlacement,
    PersonaAxis,
    PersonaFocus,
    PersonaProfile,
    PersonaType,
)
from persona_insight.models.projects import Project, ProjectInvitation, ProjectMember

__all__ = [
    "ApiToken",
    "AuditEntry",
    "AuthSession",
    "Base",
    "Company",
    "Event",
    "GlossaryTerm",
    "Interview",
    "InterviewAnalysis",
    "InterviewPersonaChoice",
    "InterviewPlacement",
    "InterviewTerm",
    "LoginFailure",
    "LoginKnown",
    "Note",
    "Persona",
    "PersonaAxis",
    "PersonaFocus",
    "PersonaProfile",
    "PersonaType",
    "Project",
    "ProjectEventCounter",
    "ProjectInvitation",
    "ProjectMember",
    "SsePresence",
    "User",
]

"""Every table, imported so that `Base.metadata` is complete."""

from persona_insight.models.accounts import ApiToken, AuthSession, Company, User
from persona_insight.models.base import Base
from persona_insight.models.events import Event, ProjectEventCounter, SsePresence
from persona_insight.models.interviews import Interview, InterviewAnalysis, InterviewTerm
from persona_insight.models.projects import Project, ProjectMember

__all__ = [
    "ApiToken",
    "AuthSession",
    "Base",
    "Company",
    "Event",
    "Interview",
    "InterviewAnalysis",
    "InterviewTerm",
    "Project",
    "ProjectEventCounter",
    "ProjectMember",
    "SsePresence",
    "User",
]

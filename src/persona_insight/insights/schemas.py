"""Insight request and response bodies; `ProjectInsights` is also what reports are built from."""

from __future__ import annotations

import datetime as dt
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

ThemeKind = Literal["pain", "need"]
MAX_LABEL = 200


class Quote(BaseModel):
    """A representative line, cited as `{interview_id, line_ids}` and checked to resolve."""

    interview_id: UUID
    interview_title: str
    line_ids: list[int]
    text: str
    speaker: str | None = None
    start_ms: int | None = None


class ThemeOut(BaseModel):
    id: UUID
    kind: ThemeKind
    label: str = Field(description="The researcher's name for it when renamed, else computed.")
    computed_label: str = Field(description="Built from the members' own words (offline).")
    interviews: int = Field(description="Interviews (in the filter) mentioning it.")
    share: float = Field(description="interviews / interviews in the filter, 0..1.")
    mentions: int = Field(description="Findings grouped in it.")
    quotes: list[Quote] = Field(description="3–5 representative quotes, most central first.")
    sentiment: dict[str, int] = Field(description="Findings by sentiment of their lines.")
    personas: dict[str, int] = Field(description="Interviews by persona code ('' = none).")
    sections: dict[str, int] = Field(description="Findings by script section.")
    languages: dict[str, int] = Field(description="Interviews by language.")
    first_seen: dt.date | None
    last_seen: dt.date | None
    pinned: bool = False
    hidden: bool = False


class Bar(BaseModel):
    key: str
    label: str
    value: float


class Charts(BaseModel):
    """The data behind each chart, in the order drawn (also the screen-reader tables)."""

    top_pains: list[Bar] = Field(description="Share of interviews, top themes.")
    top_needs: list[Bar]
    sentiment: list[Bar] = Field(description="Findings by sentiment.")
    personas: list[Bar] = Field(description="Interviews by persona.")
    keywords: list[Bar] = Field(description="Summed keyword weights.")
    trend: list[Bar] = Field(description="Interviews by month (key YYYY-MM).")
    sections: list[Bar] = Field(description="Findings by script section.")


class SummaryStatement(BaseModel):
    text: str
    quotes: list[Quote]


class ProjectSummary(BaseModel):
    language: str
    statements: list[SummaryStatement]
    interview_ids: list[UUID] = Field(description="The interviews it was made from.")
    generated_at: dt.datetime
    new_interviews: int = Field(description="Completed interviews it does not cover yet.")


class InsightFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    persona: str | None = Field(default=None, max_length=40)
    language: str | None = Field(default=None, max_length=8)
    kind: ThemeKind | None = Field(default=None, description="Pain points or needs only.")
    section: str | None = Field(
        default=None, max_length=200, description="Findings of this script section only."
    )

    @model_validator(mode="after")
    def _ordered(self) -> InsightFilters:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from is after date_to")
        return self

    @property
    def empty(self) -> bool:
        return not (
            self.date_from
            or self.date_to
            or self.persona is not None
            or self.language
            or self.kind
            or self.section
        )


class ProjectInsights(BaseModel):
    project_id: UUID
    version: int = Field(description="Bumped by every recomputation or edit that changed it.")
    computed_at: dt.datetime | None
    interview_count: int = Field(description="Completed interviews in the filter.")
    finding_count: int
    pending: bool = Field(description="Interviews changed since; a recomputation is due.")
    filters: InsightFilters
    themes: list[ThemeOut] = Field(description="Pinned first, then by interviews; hidden last.")
    charts: Charts
    summary: ProjectSummary | None
    last_seq: int = Field(description="The project's last event seq, read before the rest.")


class ThemeEdit(BaseModel):
    """Any of: a new label (null: back to the computed one), pinned, hidden, merge into."""

    model_config = ConfigDict(extra="forbid")

    label: str | None = Field(default=None, max_length=MAX_LABEL * 4)
    reset_label: StrictBool = False
    pinned: StrictBool | None = None
    hidden: StrictBool | None = None
    merge_into: UUID | None = None


class FindingMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    interview_id: UUID
    ref: str = Field(pattern=r"^(pain|need):[0-9]{1,3}$", description="`pain:<i>` / `need:<i>`.")
    theme_id: UUID


class DashboardTheme(BaseModel):
    id: UUID
    project_id: UUID
    project_name: str
    kind: ThemeKind
    label: str
    interviews: int = Field(description="Interviews of that year mentioning it.")
    share: float = Field(description="Of the project's interviews that year.")
    quote: Quote | None = Field(default=None, description="Its most central quote that year.")


class ProjectRef(BaseModel):
    id: UUID
    name: str


class DashboardTakeaway(BaseModel):
    text: str
    interviews: int = Field(description="Interviews of that year that recorded it.")
    projects: list[ProjectRef] = Field(description="The projects whose interviews recorded it.")
    example_interview_id: UUID = Field(description="The latest interview that recorded it.")
    example_interview_title: str


class DashboardProject(BaseModel):
    project_id: UUID
    name: str
    interviews: int
    top_pains: list[DashboardTheme]
    top_needs: list[DashboardTheme]


class DashboardYear(BaseModel):
    year: int
    interviews: int = Field(description="Completed interviews dated that year, all projects.")
    projects: list[DashboardProject]
    top_themes: list[DashboardTheme] = Field(description="Across projects, by interviews.")
    takeaways: list[DashboardTakeaway] = Field(
        default_factory=list, description="Key takeaways most interviews recorded that year."
    )


class Dashboard(BaseModel):
    years: list[DashboardYear] = Field(description="Newest year first.")
